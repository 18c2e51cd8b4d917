// Follow-up's service worker, rendered by core/pwa.py (see its docstring).
//
// 1. It keeps the shell (the stylesheets, scripts and icons of every page) and the page shown
//    offline in a cache named after their versions, and serves /static/ files from it first.
// 2. It never keeps a page: pages hold the user's data, so they always come from the
//    network, and when the network fails the answer is the offline page, the same for all.
// 3. It shows the pushed reminders, and sends their "Done" and "Snooze" to the app with the
//    signed tokens the push carried (reminders.views.push_action).
//
// The handlers are named functions on the worker's global scope, so that a test can call
// them (tests/reminders/test_pwa_browser.py).
"use strict";

var CONFIG = {{ config|safe }};
var CACHE_PREFIX = "followup-static-";
var FAILED_TITLE = "That did not work";
var FAILED_BODY = "Open Follow-up to do it there.";

// event.waitUntil for a promise that never rejects: a failed handler is logged, and a
// synthetic event (a test's) or one whose dispatch is over does not make it throw.
function keepAlive(event, promise) {
  var settled = Promise.resolve(promise).catch(function (error) {
    console.error("Follow-up service worker:", error);
  });
  if (event && typeof event.waitUntil === "function") {
    try { event.waitUntil(settled); } catch (error) { /* the event has finished */ }
  }
  return settled;
}

function sameOrigin(url) {
  return new URL(url, self.location.origin).origin === self.location.origin;
}

function isStatic(url) {
  return url.origin === self.location.origin && url.pathname.indexOf(CONFIG.static) === 0;
}

// --- The shell and the offline page ----------------------------------------------------

async function precache() {
  var cache = await caches.open(CONFIG.cache);
  var urls = CONFIG.shell.concat([CONFIG.offline]);
  await Promise.all(urls.map(async function (url) {
    // Without cookies: what is kept must be the same for everyone.
    var response = await fetch(new Request(url, { credentials: "omit", cache: "reload" }));
    if (!response.ok) throw new Error(url + " answered " + response.status);
    await cache.put(url, response);
  }));
}

async function dropOldCaches() {
  var names = await caches.keys();
  await Promise.all(names.filter(function (name) {
    return name.indexOf(CACHE_PREFIX) === 0 && name !== CONFIG.cache;
  }).map(function (name) { return caches.delete(name); }));
}

function onInstall(event) {
  keepAlive(event, precache().then(function () { return self.skipWaiting(); }));
}

function onActivate(event) {
  keepAlive(event, dropOldCaches().then(function () { return self.clients.claim(); }));
}

async function pageOrOffline(request) {
  try {
    return await fetch(request);
  } catch (error) {
    var cache = await caches.open(CONFIG.cache);
    return (await cache.match(CONFIG.offline)) || Response.error();
  }
}

async function staticFirst(request) {
  var cache = await caches.open(CONFIG.cache);
  var kept = await cache.match(request);
  if (kept) return kept;
  var response = await fetch(request);
  if (response.ok && response.type === "basic") await cache.put(request, response.clone());
  return response;
}

function onFetch(event) {
  var request = event.request;
  if (request.method !== "GET") return;
  if (request.mode === "navigate") {
    event.respondWith(pageOrOffline(request));
    return;
  }
  if (isStatic(new URL(request.url))) event.respondWith(staticFirst(request));
  // Anything else (htmx fragments, JSON) is the browser's own fetch, never kept.
}

// --- Push ------------------------------------------------------------------------------

function readPush(event) {
  if (!event || !event.data) return {};
  try {
    var payload = event.data.json();
    return payload && typeof payload === "object" ? payload : {};
  } catch (error) {
    return { body: event.data.text() };
  }
}

function showReminder(payload) {
  var actions = Array.isArray(payload.actions) ? payload.actions : [];
  return self.registration.showNotification(payload.title || "Follow-up", {
    body: payload.body || "",
    tag: payload.tag || "followup",
    icon: CONFIG.icon,
    badge: CONFIG.badge,
    data: { url: payload.url || "/", tokens: payload.tokens || {}, act: payload.act || "" },
    actions: actions.map(function (item) {
      return { action: String(item.action), title: String(item.title) };
    }),
  });
}

function onPush(event) {
  return keepAlive(event, showReminder(readPush(event)));
}

async function openApp(url) {
  var target = new URL(url && sameOrigin(url) ? url : "/", self.location.origin).href;
  // A window this worker controls first: only such a window can be navigated from here.
  var controlled = await self.clients.matchAll({ type: "window" });
  var all = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  var open = controlled.concat(all).find(function (client) { return sameOrigin(client.url); });
  if (!open) return self.clients.openWindow(target);
  var client = open;
  if (open.url !== target) {
    try {
      client = (await open.navigate(target)) || open;
    } catch (error) {
      // Not navigable from here (not this worker's window): open the task in a new one.
      try { return await self.clients.openWindow(target); } catch (ignored) { /* see below */ }
    }
  }
  try {
    return await client.focus();
  } catch (error) {
    return client;  // focus is only allowed while a real click is being handled
  }
}

// POST the signed tokens of one action; the tokens are the credential, so no cookies.
async function sendAction(data, action) {
  var tokens = (data.tokens && data.tokens[action]) || [];
  var answer = null;
  var status = 0;
  try {
    if (!data.act || !sameOrigin(data.act) || !tokens.length) throw new Error("nothing to send");
    var response = await fetch(new URL(data.act, self.location.origin).href, {
      method: "POST",
      credentials: "omit",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ action: action, tokens: tokens }),
    });
    status = response.status;
    answer = await response.json().catch(function () { return null; });
  } catch (error) {
    console.error("Follow-up service worker:", error);
  }
  if (answer && answer.ok) return answer;
  // A replay answers 200 with what already happened; anything else did not work.
  var replayed = status === 200 && answer && answer.message;
  var said = (answer && answer.message) || "";
  await self.registration.showNotification(replayed ? "Nothing changed" : FAILED_TITLE, {
    body: replayed ? said : (said + " " + FAILED_BODY).trim(),
    tag: "followup-action-result",
    icon: CONFIG.icon,
    badge: CONFIG.badge,
    data: { url: data.url || "/" },
  });
  return answer || { ok: false, message: FAILED_BODY };
}

async function handleNotificationClick(notification, action) {
  var data = notification.data || {};
  notification.close();
  if (action === "done" || action === "snooze") return sendAction(data, action);
  return openApp(data.url);
}

function onNotificationClick(event) {
  return keepAlive(event, handleNotificationClick(event.notification, event.action));
}

self.addEventListener("install", onInstall);
self.addEventListener("activate", onActivate);
self.addEventListener("fetch", onFetch);
self.addEventListener("push", onPush);
self.addEventListener("notificationclick", onNotificationClick);
