/*
 * vaultsite: search as you type, whatever the keyboard.
 *
 * Material reads the search box on `keyup` only. Text that arrives without a key going up is
 * never searched: Chinese committed by an input method, pasted with the mouse, dictated or
 * autocompleted; the box goes on saying "type to start searching". Every change of the text
 * (`input`, and `compositionend` when an input method commits) is passed on as a `keyup`; text
 * still being composed is not. Material ignores a value it has already searched for.
 *
 * And a Chinese query is highlighted on the page it finds as the phrase it is (see phrase).
 */
(function () {
  "use strict"
  if (window.__vaultsiteSearch)
    return
  window.__vaultsiteSearch = true

  var QUERY = "input[data-md-component=search-query]"

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
    if (!link || !box || !/[\u3400-\u9fff\uf900-\ufaff]/.test(box.value))
      return
    var url = new URL(link.href)
    if (url.searchParams.get("h")) {
      url.searchParams.set("h", box.value.trim())
      link.href = url.href
    }
  }

  // On the document, so the listeners outlive instant navigation replacing the page.
  document.addEventListener("input", search, true)
  document.addEventListener("compositionend", search, true)
  document.addEventListener("click", phrase, true)
})()
