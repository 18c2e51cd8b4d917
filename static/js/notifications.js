// The notifications page (templates/reminders/notifications.html): a form with
// data-confirm asks before it posts (removing a device or a notification URL). Without
// JavaScript the form posts at once.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.confirm) return;
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
})();
