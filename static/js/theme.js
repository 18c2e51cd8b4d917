// The colour mode (Bootstrap 5.3's data-bs-theme): the system's, unless the person chose
// Light or Dark with the toggle in the footer (kept in localStorage). Loaded in <head>
// without defer, so the page is painted in its colours from the start.
(function () {
  "use strict";
  var KEY = "followup-theme";
  var CHOICES = ["auto", "light", "dark"];
  var dark = window.matchMedia("(prefers-color-scheme: dark)");
  var unstored = "auto";  // the choice, when the browser keeps no storage for the site

  function choice() {
    var stored;
    try { stored = window.localStorage.getItem(KEY); } catch (error) { return unstored; }
    return CHOICES.indexOf(stored) > 0 ? stored : "auto";
  }

  function apply() {
    var chosen = choice();
    var theme = chosen === "auto" ? (dark.matches ? "dark" : "light") : chosen;
    document.documentElement.setAttribute("data-bs-theme", theme);
    document.querySelectorAll("[data-theme-choice]").forEach(function (button) {
      var pressed = button.dataset.themeChoice === chosen;
      button.setAttribute("aria-pressed", String(pressed));
      button.classList.toggle("active", pressed);
    });
  }

  function choose(chosen) {
    if (CHOICES.indexOf(chosen) < 0) return;
    unstored = chosen;
    try {
      if (chosen === "auto") window.localStorage.removeItem(KEY);
      else window.localStorage.setItem(KEY, chosen);
    } catch (error) { /* storage off: the choice lasts for this page only */ }
    apply();
  }

  apply();
  dark.addEventListener("change", apply);
  // A choice made in another tab applies here too.
  window.addEventListener("storage", function (event) { if (event.key === KEY) apply(); });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-theme-choice]").forEach(function (button) {
      button.addEventListener("click", function () { choose(button.dataset.themeChoice); });
    });
    document.querySelectorAll("[data-theme-toggle]").forEach(function (toggle) {
      toggle.hidden = false;
    });
    apply();
  });
})();
