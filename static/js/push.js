// "Turn on for this device" on the Notifications page: the browser's permission, a Web Push
// subscription with the server's VAPID key, and the subscription sent to the app
// (reminders.views.push_subscribe); "Turn off for this device" undoes it. Drives the markup
//   <section data-push data-vapid-key data-subscribe-url [data-unsubscribe-url]>
//     {% csrf_token %} <button data-push-subscribe> <p data-push-status role="status">
// and does nothing on a page without it. Every outcome is said in the status line.
(function () {
  "use strict";
  var section = document.querySelector("[data-push]");
  if (!section) return;
  var button = section.querySelector("[data-push-subscribe]");
  var status = section.querySelector("[data-push-status]");
  var subscribeUrl = section.dataset.subscribeUrl;
  var unsubscribeUrl = section.dataset.unsubscribeUrl ||
    subscribeUrl.replace(/subscribe\/$/, "unsubscribe/");
  var workerScript = document.querySelector("script[data-sw]");
  var workerUrl = (workerScript && workerScript.dataset.sw) || "/sw.js";

  var SUBSCRIBE_WAIT = 20000;  // milliseconds
  var SAY = {
    asking: "Signing this device up for notifications…",
    cannot: "This browser cannot show notifications from Follow-up. Reminders still come by email.",
    ios: "On iPhone and iPad, notifications work in the installed app: tap Share, then " +
      "“Add to Home Screen”, open Follow-up from the Home Screen and turn them on there.",
    unset: "Notifications are not set up on this server yet.",
    blocked: "Notifications are blocked for Follow-up in this browser. Allow them in the " +
      "site's settings (the icon beside the address), then try again.",
    dismissed: "Notifications were not allowed. Press the button again when you want them.",
    noService: "This browser could not sign up for notifications: it has no push service " +
      "available. Reminders still come by email.",
    on: "Notifications are on for this device.",
    off: "Notifications are off for this device.",
    failed: "That did not work. Reload the page and try again.",
  };

  function say(text, tone) {
    status.textContent = text;
    status.classList.toggle("text-danger-emphasis", tone === "error");
    status.classList.toggle("text-success-emphasis", tone === "ok");
  }

  function showState(subscribed) {
    button.dataset.pushState = subscribed ? "on" : "off";
    button.textContent = subscribed ? "Turn off for this device" : "Turn on for this device";
    button.classList.toggle("btn-primary", !subscribed);
    button.classList.toggle("btn-outline-secondary", subscribed);
  }

  function onIOS() {
    return /iPhone|iPad|iPod/.test(navigator.userAgent) ||
      (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
  }

  function installed() {
    return window.matchMedia("(display-mode: standalone)").matches || navigator.standalone === true;
  }

  function keyBytes(base64url) {
    var base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(base64 + "===".slice((base64.length + 3) % 4));
    return Uint8Array.from(raw, function (character) { return character.charCodeAt(0); });
  }

  function csrfToken() {
    var input = section.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  async function post(url, body) {
    var response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body),
    });
    var answer = await response.json().catch(function () { return null; });
    if (!response.ok || !answer || !answer.ok) {
      throw new Error((answer && answer.message) || SAY.failed);
    }
    return answer;
  }

  // Why this browser cannot subscribe, or null when it can.
  function obstacle() {
    if (onIOS() && !installed()) return SAY.ios;
    if (!("serviceWorker" in navigator) || !("PushManager" in window) ||
        !("Notification" in window)) return SAY.cannot;
    if (!section.dataset.vapidKey) return SAY.unset;
    return null;
  }

  async function workerRegistration() {
    await navigator.serviceWorker.register(workerUrl, { scope: "/" });
    return navigator.serviceWorker.ready;
  }

  async function turnOn() {
    var permission = await Notification.requestPermission();
    if (permission !== "granted") {
      say(permission === "denied" ? SAY.blocked : SAY.dismissed, "error");
      return;
    }
    var registration = await workerRegistration();
    var subscription;
    say(SAY.asking);
    try {
      // A browser whose push service cannot be reached may never answer: give up after a
      // while rather than leave the button waiting.
      subscription = await Promise.race([
        registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(section.dataset.vapidKey),
        }),
        new Promise(function (resolve, reject) {
          window.setTimeout(function () { reject(new Error("no answer")); }, SUBSCRIBE_WAIT);
        }),
      ]);
    } catch (error) {
      console.warn("Push subscription refused:", error);
      say(SAY.noService, "error");
      return;
    }
    try {
      var answer = await post(subscribeUrl, subscription.toJSON());
    } catch (error) {
      await subscription.unsubscribe().catch(function () {});
      say(error.message, "error");
      return;
    }
    showState(true);
    say(answer.message || SAY.on, "ok");
  }

  async function turnOff() {
    var registration = await navigator.serviceWorker.getRegistration("/");
    var subscription = registration && await registration.pushManager.getSubscription();
    if (subscription) {
      var endpoint = subscription.endpoint;
      await subscription.unsubscribe();
      // Already forgotten by the app (removed from the list) is fine too.
      await post(unsubscribeUrl, { endpoint: endpoint }).catch(function () {});
    }
    showState(false);
    say(SAY.off);
  }

  async function start() {
    var reason = obstacle();
    if (reason) {
      button.disabled = true;
      say(reason);
      return;
    }
    var registration = await navigator.serviceWorker.getRegistration("/");
    var subscription = registration && await registration.pushManager.getSubscription();
    showState(Boolean(subscription));
    if (subscription) say(SAY.on, "ok");
    else if (Notification.permission === "denied") say(SAY.blocked, "error");
  }

  button.addEventListener("click", async function () {
    if (button.disabled) return;
    button.disabled = true;
    try {
      await (button.dataset.pushState === "on" ? turnOff() : turnOn());
    } catch (error) {
      console.error(error);
      say(SAY.failed, "error");
    } finally {
      button.disabled = false;
    }
  });

  start().catch(function (error) { console.error(error); });
})();
