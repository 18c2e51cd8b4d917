// Keyboard shortcuts, declared in the templates: an element with data-shortcut="n" or a
// sequence such as data-shortcut="g b" is clicked (a field is focused) when its keys are
// pressed. Its label in the "?" list is data-shortcut-label, else its own text. Keys do
// nothing while the person types in a field, or with Ctrl, Alt or Cmd held. The list of the
// page's shortcuts is the modal #shortcuts of base.html; the footer's hint opens it too.
(function () {
  "use strict";
  var SEQUENCE_WAIT = 1500;  // ms to press the second key of a sequence
  var pending = "";
  var timer = null;

  function reset() {
    pending = "";
    window.clearTimeout(timer);
  }

  function keysOf(element) {
    return element.dataset.shortcut.trim().split(/\s+/).join(" ");
  }

  // Each declared key or sequence with the first enabled element that carries it.
  function shortcuts() {
    var found = new Map();
    document.querySelectorAll("[data-shortcut]").forEach(function (element) {
      var keys = keysOf(element);
      if (keys && !found.has(keys) && !element.disabled && !element.closest("[hidden], .modal")) {
        found.set(keys, element);
      }
    });
    return found;
  }

  function labelOf(element) {
    var label = element.dataset.shortcutLabel || element.getAttribute("aria-label") ||
      element.textContent || element.getAttribute("placeholder") || "";
    return label.replace(/\s+/g, " ").trim();
  }

  function isField(element) {
    if (!element || !element.tagName) return false;
    if (element.isContentEditable) return true;
    var tag = element.tagName.toLowerCase();
    if (tag === "textarea" || tag === "select") return true;
    if (tag !== "input") return false;
    return ["button", "submit", "reset", "checkbox", "radio", "file", "image", "range", "color"]
      .indexOf((element.type || "text").toLowerCase()) < 0;
  }

  function activate(element) {
    if (isField(element)) {
      element.focus();
      if (typeof element.select === "function" && element.tagName.toLowerCase() === "input") {
        element.select();
      }
    } else {
      element.click();
    }
  }

  function kbd(key) {
    var element = document.createElement("kbd");
    element.textContent = key;
    return element;
  }

  function fillList(list) {
    list.replaceChildren();
    var entries = Array.from(shortcuts(), function (entry) { return [entry[0], labelOf(entry[1])]; });
    entries.push(["?", "Show this list"]);
    entries.forEach(function (entry) {
      var row = document.createElement("tr");
      var keys = document.createElement("td");
      entry[0].split(" ").forEach(function (key, n) {
        if (n) keys.append(" then ");
        keys.append(kbd(key));
      });
      var does = document.createElement("td");
      does.textContent = entry[1];
      row.append(keys, does);
      list.append(row);
    });
  }

  function openList() {
    var modal = document.getElementById("shortcuts");
    if (modal && window.bootstrap) window.bootstrap.Modal.getOrCreateInstance(modal).show();
  }

  function onKey(event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "Escape") { reset(); return; }
    if (isField(event.target) || document.querySelector(".modal.show")) return;
    if (event.key.length !== 1) return;  // Shift, Tab, arrows…
    var found = shortcuts();
    if (event.key === "?" && !found.has("?")) {
      event.preventDefault();
      reset();
      openList();
      return;
    }
    var typed = pending ? pending + " " + event.key : event.key;
    if (!found.has(typed) && pending) {
      typed = event.key;  // not a sequence after all: the key on its own
    }
    reset();
    if (found.has(typed)) {
      event.preventDefault();  // "/" focuses the search field without typing itself into it
      activate(found.get(typed));
      return;
    }
    var starts = Array.from(found.keys()).some(function (keys) { return keys.indexOf(typed + " ") === 0; });
    if (starts) {
      event.preventDefault();
      pending = typed;
      timer = window.setTimeout(reset, SEQUENCE_WAIT);
    }
  }

  document.addEventListener("keydown", onKey);
  document.addEventListener("DOMContentLoaded", function () {
    var modal = document.getElementById("shortcuts");
    var list = modal && modal.querySelector("[data-shortcut-list]");
    if (list) modal.addEventListener("show.bs.modal", function () { fillList(list); });
    // The hint shows on pages that have shortcuts of their own.
    if (shortcuts().size) {
      document.querySelectorAll("[data-shortcuts-hint]").forEach(function (hint) { hint.hidden = false; });
    }
    shortcuts().forEach(function (element, keys) {
      if (keys.indexOf(" ") < 0) element.setAttribute("aria-keyshortcuts", keys);
    });
  });
})();
