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
})();
