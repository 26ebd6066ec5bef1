/*
 * vaultsite: search as you type, whatever the keyboard.
 *
 * Material reads the search box on `keyup` only. Text that arrives without a key going up is
 * never searched: Chinese committed by an input method, pasted with the mouse, dictated or
 * autocompleted; the box goes on saying "type to start searching". Every change of the text
 * (`input`, and `compositionend` when an input method commits) is passed on as a `keyup`; text
 * still being composed is not. Material ignores a value it has already searched for.
 *
 * And a Chinese query is highlighted as the phrase it is, in the results and on the page it
 * finds (see marked, phrase).
 */
(function () {
  "use strict"
  if (window.__vaultsiteSearch)
    return
  window.__vaultsiteSearch = true

  var QUERY = "input[data-md-component=search-query]"
  var HAN = /[\u3400-\u9fff\uf900-\ufaff]/
  var HAN_RUNS = /[\u3400-\u9fff\uf900-\ufaff]+/g

  function search(ev) {
    var el = ev.target
    if (!(el instanceof HTMLInputElement) || !el.matches(QUERY) || ev.isComposing)
      return
    el.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true }))
  }

  // A result's link highlights, on the page it opens, each word the index matched: 锁降级 is the
  // words 锁 and 降级, and every 锁 of the page was marked (读锁, 加锁). Chinese is written without
  // spaces: what the reader typed is a phrase, and the page marks it as written. (Before
  // Material follows the link: the listener captures.)
  function phrase(ev) {
    var link = ev.target instanceof Element && ev.target.closest("a.md-search-result__link")
    var box = document.querySelector(QUERY)
    if (!link || !box || !HAN.test(box.value))
      return
    var url = new URL(link.href)
    if (url.searchParams.get("h")) {
      url.searchParams.set("h", box.value.trim())
      link.href = url.href
    }
  }

  // The results mark a Chinese query as typed too, in each title and excerpt that holds it:
  // Material marks the words of the index it matched, which for 网络 inside 神经网络 (found by
  // its sub-word) was none, and for 哈希表 (哈希 and 表) every 表 (表明). What is not Chinese keeps
  // Material's marks.
  var RESULT = "li.md-search-result__item"

  function marked(result) {
    var box = document.querySelector(QUERY)
    var runs = box && box.value.match(HAN_RUNS)
    if (!runs)
      return
    runs.sort(function (a, b) { return b.length - a.length })  // 强化学习 before 强化
    // (The index holds the words of Chinese text apart, U+200B between them: 强化​学习.)
    var typed = new RegExp("(" + runs.map(function (run) { return run.split("").join("\u200b?") }).join("|") + ")")
    result.querySelectorAll("article").forEach(function (article) {
      if (!typed.test(article.textContent))
        return  // found by the query's words apart: Material's marks show them
      article.querySelectorAll("mark").forEach(function (mark) {
        if (HAN.test(mark.textContent) && !mark.closest(".md-search-result__terms"))
          mark.replaceWith(mark.textContent)
      })
      article.normalize()
      var walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT), texts = []
      while (walker.nextNode())
        if (!walker.currentNode.parentElement.closest("mark, .md-tags, .md-search-result__terms"))
          texts.push(walker.currentNode)
      texts.forEach(function (text) {
        var parts = text.data.split(typed)
        if (parts.length < 2)
          return
        text.replaceWith.apply(text, parts.map(function (part, i) {
          if (i % 2 === 0)
            return part
          var mark = document.createElement("mark")
          mark.textContent = part
          return mark
        }))
      })
    })
  }

  new MutationObserver(function (changes) {
    changes.forEach(function (change) {
      change.addedNodes.forEach(function (node) {
        if (node instanceof Element && node.matches(RESULT))
          marked(node)
      })
    })
  }).observe(document.body, { childList: true, subtree: true })

  // On the document, so the listeners outlive instant navigation replacing the page.
  document.addEventListener("input", search, true)
  document.addEventListener("compositionend", search, true)
  document.addEventListener("click", phrase, true)
})()
