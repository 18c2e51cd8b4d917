// The time-zone field: a plain <select> of every zone that works without this script.
// Here it becomes searchable (Tom Select), and on the welcome page it starts on the
// browser's own zone.
(function () {
  "use strict";

  function browserZone() {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (error) {
      return "";
    }
  }

  function fillFromBrowser(select) {
    var zone = browserZone();
    var known = Array.prototype.some.call(select.options, function (option) {
      return option.value === zone;
    });
    if (!known) return;
    select.value = zone;
    var hint = document.getElementById(select.id + "_from_browser");
    if (hint) hint.hidden = false;
  }

  function enhance(select) {
    if (select.tomselect || typeof TomSelect === "undefined") return;
    var searchable = new TomSelect(select, {
      maxOptions: 50,
      // "paris", "new york" and "europe/paris" all find their zone.
      searchField: ["text", "value"],
      // Search on each keystroke of a name; no free text.
      create: false,
      selectOnTab: true,
      openOnFocus: true,
      placeholder: "Type a city, such as London",
    });
    // Tom Select moves the label onto its own combobox; the select it hides (out of the tab
    // order) would be a second, unnamed one to a screen reader.
    select.setAttribute("aria-hidden", "true");
    // While a city is typed, the words replace the zone shown rather than trail it.
    function typing(query) {
      searchable.wrapper.classList.toggle("ts-typing", Boolean(query));
    }
    searchable.on("type", typing);
    searchable.on("item_add", function () { typing(""); });
    searchable.on("blur", function () { typing(""); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-searchable='time-zone']").forEach(function (select) {
      if (select.dataset.fromBrowser === "true") fillFromBrowser(select);
      enhance(select);
    });
  });
})();
