// Registers the service worker (core/pwa.py, templates/pwa/sw.js) on every page, and keeps
// the browser chrome's colour (theme-color) in the colour mode the page shows.
(function () {
  "use strict";
  var script = document.currentScript;
  var workerUrl = (script && script.dataset.sw) || "/sw.js";

  if ("serviceWorker" in navigator) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register(workerUrl, { scope: "/" }).catch(function (error) {
        console.warn("Follow-up could not install its service worker:", error);
      });
    });
  }

  // theme.js sets data-bs-theme from the system or the person's choice in the footer; the
  // theme-color metas follow the system only, so they are set to the chosen mode here.
  var COLOURS = { light: "#f8f9fa", dark: "#2b3035" };
  function paintChrome() {
    var mode = document.documentElement.getAttribute("data-bs-theme");
    if (!COLOURS[mode]) return;
    document.querySelectorAll('meta[name="theme-color"]').forEach(function (meta) {
      meta.setAttribute("content", COLOURS[mode]);
    });
  }
  paintChrome();
  new MutationObserver(paintChrome).observe(document.documentElement, {
    attributes: true, attributeFilter: ["data-bs-theme"],
  });
})();
