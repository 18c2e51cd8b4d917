// The pipeline board: drag a card to another column, and keep the keyboard focus after a
// move. Both ride on each card's own move form (a status menu and a Move button), which
// works without this script and, with htmx, swaps the board in place.
(function () {
  "use strict";

  var focusAfterSwap = null;

  function cardForm(card) {
    return card && card.querySelector("form.board-move");
  }

  function move(card, status) {
    var form = cardForm(card);
    if (!form) return;
    var select = form.querySelector("select[name=status]");
    if (!select || select.value === status) return;
    select.value = status;
    focusAfterSwap = select.id;
    // requestSubmit fires the submit event that htmx listens to (a plain POST without it).
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  }

  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest(".board-card");
    if (!card) return;
    event.dataTransfer.setData("text/plain", card.dataset.application);
    event.dataTransfer.effectAllowed = "move";
    card.classList.add("dragging");
  });

  document.addEventListener("dragend", function (event) {
    var card = event.target.closest && event.target.closest(".board-card");
    if (card) card.classList.remove("dragging");
    document.querySelectorAll(".board-column.drop-target").forEach(function (column) {
      column.classList.remove("drop-target");
    });
  });

  document.addEventListener("dragover", function (event) {
    var column = event.target.closest && event.target.closest(".board-column");
    if (!column) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    column.classList.add("drop-target");
  });

  document.addEventListener("dragleave", function (event) {
    var column = event.target.closest && event.target.closest(".board-column");
    if (column && !column.contains(event.relatedTarget)) column.classList.remove("drop-target");
  });

  document.addEventListener("drop", function (event) {
    var column = event.target.closest && event.target.closest(".board-column");
    if (!column) return;
    event.preventDefault();
    column.classList.remove("drop-target");
    var card = document.getElementById("card-" + event.dataTransfer.getData("text/plain"));
    move(card, column.dataset.status);
  });

  // A keyboard move: after the board is swapped, focus the moved card's menu again.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.classList && form.classList.contains("board-move")) {
      var select = form.querySelector("select[name=status]");
      if (select) focusAfterSwap = select.id;
    }
  }, true);

  document.addEventListener("htmx:afterSwap", function () {
    if (!focusAfterSwap) return;
    var select = document.getElementById(focusAfterSwap);
    focusAfterSwap = null;
    if (select) {
      var closed = select.closest("details");
      if (closed) closed.open = true;
      select.focus();
    }
  });
})();
