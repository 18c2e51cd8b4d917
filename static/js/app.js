// Follow-up's own script: progressive enhancements only; every page works without it.
(function () {
  "use strict";

  // A live character counter under every textarea that has a maximum length.
  function addCounters(root) {
    root.querySelectorAll("textarea[maxlength]").forEach(function (area) {
      if (area.dataset.counted) return;
      area.dataset.counted = "1";
      var max = parseInt(area.getAttribute("maxlength"), 10);
      var counter = document.createElement("div");
      counter.className = "char-counter form-text text-end";
      counter.setAttribute("aria-live", "polite");
      area.insertAdjacentElement("afterend", counter);
      function update() {
        var left = max - area.value.length;
        counter.textContent = area.value.length.toLocaleString() + " / " + max.toLocaleString();
        counter.classList.toggle("near-limit", left < max * 0.05);
      }
      area.addEventListener("input", update);
      update();
    });
  }

  document.addEventListener("DOMContentLoaded", function () { addCounters(document); });
  document.addEventListener("htmx:afterSwap", function (event) { addCounters(event.target); });

  // Done and Dismiss answer with a toast that offers "Undo" (templates/_undo_toast.html).
  // With htmx the page is swapped in place: the button that was pressed is gone, so the focus
  // goes to the toast's Undo button (or, after an undo, to the message saying so), where a
  // keyboard user can act on it at once. Without JavaScript the toast is a plain form.
  document.addEventListener("htmx:afterSettle", function (event) {
    var path = (event.detail && event.detail.pathInfo && event.detail.pathInfo.requestPath) || "";
    if (!/^\/followups\/\d+\/(done|dismiss|undo)\/$/.test(path)) return;
    var undo = document.querySelector("#main .undo-toast .undo-button");
    if (undo) { undo.focus(); return; }
    var status = document.querySelector("#main .alert[role=status]");
    if (status) { status.setAttribute("tabindex", "-1"); status.focus(); }
  });
})();
