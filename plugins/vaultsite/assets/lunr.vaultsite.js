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
 *
 * A run the reader typed as one word means all of its words, not any: 强化学习 (强化 and 学习 in
 * the index) finds what holds both, not every note that says 学习, and Material reports no word of
 * it missing. Lunr has no phrases: each word of the index the run is cut into is required.
 */
(function () {
  "use strict"

  var HAN = /\p{sc=Han}/u
  var HAN_RUNS = /(\p{sc=Han}+)/u
  var LONGEST = 12
  var Lexer = lunr.QueryLexer
  var words = null                     /* The index's words: its inverted index */

  /* The language: English stop words, no stemmer (Material removes what `pipeline` omits) */
  lunr.vaultsite = function () {}
  lunr.vaultsite.trimmer = lunr.trimmer
  lunr.vaultsite.stopWordFilter = lunr.stopWordFilter
  lunr.vaultsite.stemmer = lunr.stemmer

  /* The fewest words of the index that make up a run of Chinese characters; each piece says
     whether the index holds it */
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
      var known = piece in words
      if (!known && pieces.length && !pieces[0].known)
        pieces[0].text = piece + pieces[0].text
      else
        pieces.unshift({ text: piece, known: known })
    }
    return pieces
  }

  /* A query term cut into words: Chinese by the index, apart from Latin letters and digits */
  function split(term) {
    var star = /\*$/.test(term) && term.length > 1 ? "*" : ""
    var body = star ? term.slice(0, -1) : term
    var pieces = []
    body.split(HAN_RUNS).forEach(function (part) {
      if (part)
        pieces.push.apply(pieces, HAN.test(part) ? cut(part) : [{ text: part, known: true }])
    })
    return pieces.map(function (p) { return { text: p.text + star, known: p.known } })
  }

  /* The lexemes of a query with each term that holds Chinese cut into one clause per word: each
     with the term's presence and field (written before it), edit distance and boost (after it).
     Where the reader gave no presence, each word is required but Chinese the index does not
     hold (found nowhere), which stays optional, so that the rest still find what they find. */
  function clauses(lexemes) {
    var out = []
    for (var i = 0; i < lexemes.length; i++) {
      var term = lexemes[i]
      var pieces = term.type === Lexer.TERM && HAN.test(term.str) ? split(term.str) : []
      if (pieces.length < 2) {
        out.push(term)
        continue
      }
      var before = [], after = []
      while (out.length && [Lexer.PRESENCE, Lexer.FIELD].indexOf(out[out.length - 1].type) >= 0)
        before.unshift(out.pop())
      while (i + 1 < lexemes.length && [Lexer.EDIT_DISTANCE, Lexer.BOOST].indexOf(lexemes[i + 1].type) >= 0)
        after.push(lexemes[++i])
      var given = before.some(function (lexeme) { return lexeme.type === Lexer.PRESENCE })
      pieces.forEach(function (piece) {
        if (!given && piece.known)
          out.push({ type: Lexer.PRESENCE, str: "+", start: term.start, end: term.start })
        out.push.apply(out, before)
        out.push({ type: Lexer.TERM, str: piece.text, start: term.start, end: term.end })
        out.push.apply(out, after)
      })
    }
    return out
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

  /* The parser (of the worker's search, its report of missing terms and its suggestions) cuts
     the query's Chinese; the worker's rewrite of the query, which lexes it alone, keeps each run
     whole. As lunr's own parse, with the lexemes cut. */
  lunr.QueryParser.prototype.parse = function () {
    this.lexer.run()
    this.lexemes = words === null ? this.lexer.lexemes : clauses(this.lexer.lexemes)
    var state = lunr.QueryParser.parseClause
    while (state)
      state = state(this)
    return this.query
  }
})()
