/*
 * vaultsite: search as you type, whatever the keyboard.
 *
 * Material reads the search box on `keyup` only. Text that arrives without a key going up is
 * never searched: Chinese committed by an input method, pasted with the mouse, dictated or
 * autocompleted; the box goes on saying "type to start searching". Every change of the text
 * (`input`, and `compositionend` when an input method commits) is passed on as a `keyup`; text
 * still being composed is not. Material ignores a value it has already searched for.
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

  // On the document, so the listeners outlive instant navigation replacing the page.
  document.addEventListener("input", search, true)
  document.addEventListener("compositionend", search, true)
})()
