// The pipeline board: drag a card to another column (SortableJS), move it with the
// keyboard (Shift and an arrow key), and make each card's "Move to…" menu behave like a
// menu. All three press a button of the card's own move form, which works without this
// script (a plain POST) and, with htmx, swaps the board in place: one endpoint, one path.
(function () {
  "use strict";

  var focusAfterSwap = null; // the id of the card to focus again after a keyboard move

  function columnStatuses() {
    return Array.prototype.map.call(
      document.querySelectorAll("#board .board-open > .board-column"),
      function (column) { return column.dataset.status; }
    );
  }

  // Press the card's menu button for a status: the same form post as a click on it.
  function move(card, status) {
    var button = card && card.querySelector('form.board-move button[name=status][value="' + status + '"]');
    if (!button) return false;
    button.click();
    return true;
  }

  // --- Dragging ---------------------------------------------------------------------------

  function initSortable(root) {
    if (typeof window.Sortable === "undefined") return;
    root.querySelectorAll("ol.board-cards").forEach(function (list) {
      window.Sortable.create(list, {
        group: "board",
        sort: false, // a column is ordered by the latest change, not by hand
        draggable: ".board-card",
        filter: ".board-menu, .dropdown-menu",
        preventOnFilter: false, // the menu's own clicks still work
        delay: 150,
        delayOnTouchOnly: true, // a finger scrolls the page unless it rests on a card
        emptyInsertThreshold: 24,
        // SortableJS styles the card while it is dragged, through script properties, and
        // leaves a style attribute behind. Copying that attribute is inline style, which the
        // Content-Security-Policy refuses: SortableJS clones the card when a drag starts,
        // and htmx copies a swapped element's old attributes onto the new one. So the
        // attribute goes before either happens.
        onChoose: function (event) { event.item.removeAttribute("style"); },
        onUnchoose: function () {
          document.querySelectorAll("#board [style]").forEach(function (element) {
            element.removeAttribute("style");
          });
        },
        onAdd: function (event) {
          if (!move(event.item, event.to.dataset.status)) window.location.reload();
        },
      });
    });
  }

  // --- The keyboard -----------------------------------------------------------------------

  document.addEventListener("keydown", function (event) {
    if (!event.shiftKey || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
    var target = event.target;
    if (!target.closest || target.closest(".dropdown-menu")) return;
    var card = target.closest("#board .board-card");
    if (!card) return;
    var list = card.closest("ol.board-cards");
    var statuses = columnStatuses();
    var index = statuses.indexOf(list && list.dataset.status);
    var next = statuses[index + (event.key === "ArrowRight" ? 1 : -1)];
    event.preventDefault();
    if (index < 0 || !next) {
      announce(event.key === "ArrowRight" ? "This is the last column." : "This is the first column.");
      return;
    }
    focusAfterSwap = card.id;
    move(card, next);
  });

  // --- The "Move to…" menu: a <details>, so it opens without script ------------------------

  function closeMenus(except) {
    document.querySelectorAll("#board details.board-menu[open]").forEach(function (menu) {
      if (menu !== except) menu.open = false;
    });
  }

  document.addEventListener("toggle", function (event) {
    var menu = event.target;
    if (!menu.matches || !menu.matches("details.board-menu") || !menu.open) return;
    closeMenus(menu);
  }, true);

  document.addEventListener("click", function (event) {
    if (!event.target.closest || !event.target.closest("details.board-menu")) closeMenus(null);
  });

  document.addEventListener("keydown", function (event) {
    var menu = event.target.closest && event.target.closest("details.board-menu[open]");
    if (!menu) return;
    var items = Array.prototype.slice.call(menu.querySelectorAll(".dropdown-item"));
    var at = items.indexOf(document.activeElement);
    if (event.key === "Escape") {
      event.preventDefault();
      menu.open = false;
      menu.querySelector("summary").focus();
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      var step = event.key === "ArrowDown" ? 1 : -1;
      var next = at < 0 ? (step > 0 ? 0 : items.length - 1) : (at + step + items.length) % items.length;
      if (items[next]) items[next].focus();
    }
  });

  // A move from the menu keeps the keyboard user's place too.
  document.addEventListener("submit", function (event) {
    var card = event.target.closest && event.target.closest(".board-card");
    if (card && event.target.matches("form.board-move")) focusAfterSwap = card.id;
  }, true);

  // --- After the board is swapped ---------------------------------------------------------

  function announce(text) {
    var status = document.getElementById("board-status");
    if (!status) return;
    status.textContent = "";
    // A fresh text node in a region that stays on the page is what screen readers announce.
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  document.addEventListener("htmx:afterSwap", function () {
    var board = document.getElementById("board");
    if (!board) return;
    initSortable(board);
    if (board.dataset.announce) announce(board.dataset.announce);
    if (!focusAfterSwap) return;
    var card = document.getElementById(focusAfterSwap);
    focusAfterSwap = null;
    if (card) {
      card.querySelector(".board-card-link").focus();
    } else {
      // Moved to a closed column, where cards are counted, not shown.
      var closed = board.querySelector("details.board-closed");
      if (closed) {
        closed.open = true;
        closed.querySelector("summary").focus();
      }
    }
  });

  // A move that failed (the network, the server): show the board as it is saved.
  document.addEventListener("htmx:responseError", function () { window.location.reload(); });
  document.addEventListener("htmx:sendError", function () { window.location.reload(); });

  function start() {
    var board = document.getElementById("board");
    if (board) initSortable(board);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
