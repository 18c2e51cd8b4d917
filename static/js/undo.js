// Done and Dismiss answer with a toast that offers "Undo" (templates/_undo_toast.html).
// With htmx the page is swapped in place: the button that was pressed is gone, so the focus
// goes to the toast's Undo button (or, after an undo, to the message saying so), where a
// keyboard user can act on it at once. Without JavaScript the toast is a plain form.
(function () {
  "use strict";
  if (window.followupUndo) return;  // htmx runs the script again with each swapped page
  window.followupUndo = true;

  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.elt;
    if (!target || target.id !== "main") return;
    var undo = document.querySelector("#main .undo-toast .undo-button");
    if (undo) { undo.focus(); return; }
    var status = document.querySelector("#main .alert[role=status]");
    if (status) { status.setAttribute("tabindex", "-1"); status.focus(); }
  });
})();
