// "Copy" buttons: <button data-copy-target="ID"> copies the value (or text) of element ID and
// says so in the live region [data-copy-status] next to it. Without the clipboard API (an
// http:// address, an old browser, a refusal) it selects the text for Ctrl+C instead.
(function () {
  "use strict";

  function statusFor(button) {
    var holder = button.closest("[data-copy]") || button.parentElement;
    return holder.querySelector("[data-copy-status]");
  }

  function say(button, text) {
    var status = statusFor(button);
    if (!status) return;
    status.textContent = "";
    // A fresh text node each time, so that a second "Copied" is announced again.
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  function select(target) {
    if (target.select) {
      target.focus();
      target.select();
      return;
    }
    var range = document.createRange();
    range.selectNodeContents(target);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function fallBack(button, target) {
    select(target);
    say(button, "Selected: copy it with Ctrl+C (⌘C on a Mac) or your phone’s Copy");
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (!button) return;
    var target = document.getElementById(button.getAttribute("data-copy-target"));
    if (!target) return;
    var text = target.value !== undefined ? target.value : target.textContent.trim();
    if (!navigator.clipboard || !window.isSecureContext) {
      fallBack(button, target);
      return;
    }
    navigator.clipboard.writeText(text).then(
      function () { say(button, "Copied"); },
      function () { fallBack(button, target); }
    );
  });
})();
