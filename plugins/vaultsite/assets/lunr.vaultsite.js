/*
 * vaultsite: Chinese queries in Material's search worker.
 *
 * Loaded by the worker as the Lunr "language" `vaultsite` (search.py writes `lang: [vaultsite]`
 * into the index's config; the worker imports lunr/min/lunr.<lang>.min.js for each language).
 *
 * The worker cuts a run of Chinese in a query into the longest words the index holds, but never
 * tries a word that ends the run and keeps single characters: 深度学习 became `深度* 学*`, and
 * `学*` found every title with 学会 in it. Here the run reaches the query parser whole, and the
 * parser cuts it into the fewest words of the index (a character the index does not hold as a
 * word stays with its neighbours): 深度学习 → `深度学习*`, 矩阵表示法 → `矩阵* 表示法*`.
 */
(function () {
  "use strict"

  var HAN = /\p{sc=Han}/u
  var HAN_RUNS = /(\p{sc=Han}+)/u
  var LONGEST = 12
  var words = null                     /* The index's words: its inverted index */

  /* The language: English stop words, no stemmer (Material removes what `pipeline` omits) */
  lunr.vaultsite = function () {}
  lunr.vaultsite.trimmer = lunr.trimmer
  lunr.vaultsite.stopWordFilter = lunr.stopWordFilter
  lunr.vaultsite.stemmer = lunr.stemmer

  /* The fewest words of the index that make up a run of Chinese characters */
  function cut(run) {
    var n = run.length, cost = [0], from = [0]
    for (var i = 1; i <= n; i++) {
      cost[i] = Infinity
      for (var j = Math.max(0, i - LONGEST); j < i; j++) {
        var piece = run.slice(j, i)
        var step = piece in words ? 1 : i - j === 1 ? 3 : Infinity
        if (cost[j] + step < cost[i]) {
          cost[i] = cost[j] + step
          from[i] = j
        }
      }
    }
    var pieces = []
    for (var end = n; end > 0; end = from[end]) {
      var piece = run.slice(from[end], end)
      var unknown = !(piece in words)
      if (unknown && pieces.length && pieces[0].unknown)
        pieces[0].text = piece + pieces[0].text
      else
        pieces.unshift({ text: piece, unknown: unknown })
    }
    return pieces.map(function (p) { return p.text })
  }

  /* A query term cut into words: Chinese by the index, apart from Latin letters and digits */
  function split(term) {
    var star = /\*$/.test(term) && term.length > 1 ? "*" : ""
    var body = star ? term.slice(0, -1) : term
    var pieces = []
    body.split(HAN_RUNS).forEach(function (part) {
      if (part)
        pieces.push.apply(pieces, HAN.test(part) ? cut(part) : [part])
    })
    return pieces.map(function (piece) { return piece + star })
  }

  /* Keep the index's words; let the worker's own cut see none, so a run reaches the parser whole */
  var build = lunr.Builder.prototype.build
  lunr.Builder.prototype.build = function () {
    var index = build.call(this)
    words = index.invertedIndex
    index.invertedIndex = new Proxy(words, {
      has: function (target, key) {
        return typeof key === "string" && HAN.test(key) ? false : key in target
      }
    })
    return index
  }

  /* The query lexer emits one term per word of a term that holds Chinese */
  var emit = lunr.QueryLexer.prototype.emit
  lunr.QueryLexer.prototype.emit = function (type) {
    if (type !== lunr.QueryLexer.TERM || words === null)
      return emit.call(this, type)
    var start = this.start, end = this.pos
    var str = this.sliceString()
    var pieces = HAN.test(str) ? split(str) : [str]
    for (var i = 0; i < pieces.length; i++)
      this.lexemes.push({ type: type, str: pieces[i], start: start, end: end })
    this.start = this.pos
  }
})()
