"""The installable app in a real Chromium, under the production CSP (issue 19, point 1 and
the push handlers of point 2).

- Chromium reports the page installable (DevTools' Page.getInstallabilityErrors), the
  manifest parses without errors, and the service worker controls the page.
- Offline, a page answers with the offline page; the caches hold only /static/ files and
  /offline/, never a page with the user's data.
- Push: the headless Chromium of this sandbox cannot subscribe. In Playwright's (incognito)
  contexts ``pushManager.subscribe`` is refused at once ("Chrome currently does not support
  the Push API in incognito mode"); in a profile on disk it waits for ever on Google's push
  service, which this sandbox cannot reach (push.js gives up after 20 s and says so). The
  tests check that push.js says it plainly. The service
  worker's handlers are then driven through the DevTools protocol: a push delivered with
  ``ServiceWorker.deliverPushMessage`` carries the contract's payload with real signed
  tokens; the notification it shows is read back from the worker, and its "Done" and
  "Snooze" are sent through the worker's own click handler to the live server, whose
  database is then checked.

Screenshots go to FOLLOWUP_SCREENSHOTS=dir when it is set.
"""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from reminders import links, services
from reminders.models import FollowUp, PushDevice, Status
from tests.reminders.conftest import INTERVIEW_END, log_interview

pytestmark = pytest.mark.browser

SCREENSHOTS = os.environ.get("FOLLOWUP_SCREENSHOTS")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
INCOGNITO_PUSH = "Chrome currently does not support the Push API in incognito mode"


def _screenshot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


@pytest.fixture
def test_urls(settings):
    settings.ROOT_URLCONF = "tests.reminders.pwa_test_urls"


@pytest.fixture
def open_context(browser: Browser, live_server, _close_event_loop_connections):
    """A browser context of its own, signed in as ``candidate`` when given; console errors
    and uncaught exceptions of its pages land in ``context.errors``."""
    contexts = []

    def make(candidate=None, **options) -> BrowserContext:
        context = browser.new_context(**options)
        contexts.append(context)
        context.errors = []  # type: ignore[attr-defined]
        if candidate is not None:
            client = Client()
            client.force_login(candidate, backend="django.contrib.auth.backends.ModelBackend")
            session = client.cookies[settings.SESSION_COOKIE_NAME].value
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
            )

        def on_console(message) -> None:
            # Chromium's own word when a page asks for push in incognito (see above).
            if message.type == "error" and not message.text.startswith(INCOGNITO_PUSH):
                context.errors.append(message.text)  # type: ignore[attr-defined]

        def watch(page: Page) -> None:
            page.on("console", on_console)
            page.on("pageerror", lambda error: context.errors.append(str(error)))  # type: ignore[attr-defined]

        context.on("page", watch)
        return context

    yield make
    for context in contexts:
        context.close()


def _controlled(page: Page, url: str) -> None:
    """Open ``url``, wait for the worker to be active, and reload so that it controls."""
    page.goto(url)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")


# --- Installable ------------------------------------------------------------------------------


@pytest.fixture
def profile_context(browser_type, browser_type_launch_args, tmp_path, live_server,
                    _close_event_loop_connections):
    """A context with a profile on disk: Playwright's usual contexts are incognito, which
    Chromium never offers to install from ("in-incognito")."""
    context = browser_type.launch_persistent_context(tmp_path / "profile",
                                                     **browser_type_launch_args)
    context.errors = []  # type: ignore[attr-defined]
    context.on("page", lambda page: page.on(
        "pageerror", lambda error: context.errors.append(str(error))))  # type: ignore[attr-defined]
    yield context
    context.close()


def test_chromium_finds_the_app_installable_and_the_worker_controls_the_page(
    profile_context, live_server
):
    context = profile_context
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    cdp = context.new_cdp_session(page)

    manifest = cdp.send("Page.getAppManifest")
    installability = cdp.send("Page.getInstallabilityErrors")

    assert manifest["errors"] == []
    assert manifest["url"] == f"{live_server.url}/manifest.webmanifest"
    data = json.loads(manifest["data"])
    assert (data["name"], data["start_url"], data["display"]) == ("Follow-up", "/", "standalone")
    assert installability["installabilityErrors"] == []
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    assert page.evaluate("navigator.serviceWorker.controller.scriptURL") == (
        f"{live_server.url}/sw.js"
    )
    assert context.errors == []  # type: ignore[attr-defined]


# --- Offline ----------------------------------------------------------------------------------

CACHED_URLS = """async () => {
  const urls = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) urls.push([name, request.url]);
  }
  return urls;
}"""

CACHED_TEXT = """async (path) => {
  const response = await caches.match(path);
  return response ? response.text() : null;
}"""


@pytest.fixture
def candidate(live_server, _close_event_loop_connections):
    """A candidate whose pages hold data: an interview that ended two hours ago, and the
    thank-you follow-ups planned for it."""
    from tests.factories import CandidateFactory

    owner = CandidateFactory(email="pwa.owner@example.com", display_name="Ada Example")
    ended = timezone.now() - timedelta(hours=2)
    logged = log_interview(owner, company="Initech Offline", later=ended - INTERVIEW_END)
    services.plan_application(application_id=logged.application.pk, now=timezone.now())
    return owner


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_offline_a_page_is_the_offline_page_and_no_page_was_ever_cached(
    open_context, live_server, candidate, viewport, scheme
):
    context = open_context(candidate, viewport=viewport, color_scheme=scheme)
    page = context.new_page()
    _controlled(page, f"{live_server.url}/")
    expect(page.get_by_text("Initech Offline").first).to_be_visible()
    application = candidate.applications.get()
    page.goto(f"{live_server.url}/applications/{application.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Initech Offline")

    context.set_offline(True)
    page.goto(f"{live_server.url}/applications/{application.pk}/")

    expect(page.get_by_role("heading", level=1)).to_have_text("You are offline")
    expect(page.get_by_role("link", name="Try again")).to_be_visible()
    assert page.evaluate("document.documentElement.dataset.bsTheme") == scheme
    # The app's stylesheet, from the cache: Bootstrap's button, not the browser's link.
    assert page.evaluate(
        "getComputedStyle(document.querySelector('[data-offline-retry]')).display"
    ) == "inline-block"
    _screenshot(page, f"offline-{viewport['width']}-{scheme}")

    cached = page.evaluate(CACHED_URLS)
    paths = {url.removeprefix(live_server.url) for _, url in cached}
    assert "/offline/" in paths
    assert "/static/css/app.css" in paths
    assert all(path.startswith("/static/") or path == "/offline/" for path in paths), paths
    assert {name for name, _ in cached} == {page.evaluate(
        "caches.keys().then(names => names[0])")}
    offline_html = page.evaluate(CACHED_TEXT, "/offline/")
    for private in (candidate.email, "Ada Example", "Initech", "csrfmiddlewaretoken"):
        assert private not in offline_html

    # Back online, "Try again" opens the address that failed (a link to the page's own
    # address: it works without JavaScript).
    context.set_offline(False)
    page.get_by_role("link", name="Try again").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Initech Offline")
    assert context.errors == []  # type: ignore[attr-defined]


# --- Push -------------------------------------------------------------------------------------

NOTIFICATIONS = """async () => (await self.registration.getNotifications()).map(n => ({
  title: n.title, body: n.body, tag: n.tag, data: n.data, icon: n.icon, badge: n.badge,
  actions: n.actions.map(a => ({action: a.action, title: a.title})),
}))"""

# The worker's own click handler, with the shown notification and a DevTools-made event
# whose waitUntil hands back what the handler did.
CLICK = """async ([tag, action]) => {
  const [notification] = await self.registration.getNotifications({tag});
  return await new Promise(
    resolve => onNotificationClick({notification, action, waitUntil: resolve}));
}"""


# A tap on the notification's body; answers the address of the window the handler showed.
CLICK_OPEN = """async ([tag]) => {
  const [notification] = await self.registration.getNotifications({tag});
  return await new Promise(resolve => onNotificationClick({
    notification, action: "",
    waitUntil: work => resolve(Promise.resolve(work).then(client => client && client.url)),
  }));
}"""


def _registration_id(page: Page, cdp) -> str:
    found: list[str] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: found.extend(
        r["registrationId"] for r in event["registrations"] if not r["isDeleted"]))
    cdp.send("ServiceWorker.enable")
    for _ in range(50):
        if found:
            return found[-1]
        page.wait_for_timeout(100)
    raise AssertionError("DevTools reported no service worker registration")


def _payload(rows: list[FollowUp], *, tag: str, single: bool) -> dict:
    def tokens(action: str) -> list[str]:
        return [links.make_token(followup_id=row.pk, owner_id=row.owner_id, action=action)
                for row in rows]

    actions = [{"action": "snooze", "title": "Snooze"}]
    if single:
        actions.insert(0, {"action": "done", "title": "Done"})
    return {
        "title": "Send a thank-you" if len(rows) == 1 else f"{len(rows)} follow-ups to do",
        "body": "Thank Ada Lovelace at Initech Offline for the interview.",
        "url": f"/applications/{rows[0].application_id}/",
        "tag": tag,
        "actions": actions,
        "tokens": {"done": tokens("done"), "snooze": tokens("snooze")},
        "act": "/r/push/",
    }


IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
    "like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
NO_SERVICE = (
    "This browser could not sign up for notifications: it has no push service available. "
    "Reminders still come by email."
)
CASES = {
    # Headless Chromium here cannot subscribe: pushManager.subscribe is refused. (If it
    # ever subscribes, the page says notifications are on.)
    "no-service": ({"permissions": ["notifications"]}, None, True, (
        NO_SERVICE, "Notifications are on for this device (Chrome on Linux).")),
    # Permission refused (headless Chromium answers the prompt with "denied").
    "blocked": ({}, None, True, (
        "Notifications are blocked for Follow-up in this browser. Allow them in the site's "
        "settings (the icon beside the address), then try again.",
        "Notifications were not allowed. Press the button again when you want them.")),
    # Safari on an iPhone, outside the Home Screen app: Web Push needs the installed app.
    "ios": ({"user_agent": IPHONE_SAFARI}, None, False, (
        "On iPhone and iPad, notifications work in the installed app: tap Share, then “Add "
        "to Home Screen”, open Follow-up from the Home Screen and turn them on there.",)),
    # A browser without the Push API at all.
    "no-push-api": ({}, "delete window.PushManager;", False, (
        "This browser cannot show notifications from Follow-up. Reminders still come by "
        "email.",)),
}


@pytest.mark.parametrize(("viewport", "scheme"), [(PHONE, "light"), (DESKTOP, "dark")],
                         ids=["390-light", "1280-dark"])
@pytest.mark.parametrize("case", CASES)
def test_turn_on_says_plainly_why_it_cannot(
    open_context, live_server, candidate, test_urls, case, viewport, scheme
):
    options, init_script, can_press, expected = CASES[case]
    context = open_context(candidate, viewport=viewport, color_scheme=scheme, **options)
    if init_script:
        context.add_init_script(init_script)
    page = context.new_page()
    _controlled(page, f"{live_server.url}/test-push/")
    button = page.locator("[data-push-subscribe]")
    status = page.get_by_role("status")

    if can_press:
        expect(button).to_be_enabled()
        button.click()
    else:
        expect(button).to_be_disabled()

    expect(status).not_to_be_empty()
    assert status.inner_text() in expected
    _screenshot(page, f"push-{case}-{viewport['width']}-{scheme}")
    assert context.errors == []  # type: ignore[attr-defined]


# The browser's push service, replaced in the page (the sandbox's Chromium has none): it
# hands out a subscription with real keys; push.js, the view and the database are the app's.
FAKE_PUSH_SERVICE = """(() => {
  let current = null;
  const subscription = (options) => ({
    endpoint: %(endpoint)s, options,
    toJSON() { return {endpoint: this.endpoint, expirationTime: null, keys: %(keys)s}; },
    unsubscribe() { current = null; return Promise.resolve(true); },
  });
  PushManager.prototype.subscribe = function (options) {
    if (!(options.applicationServerKey instanceof Uint8Array)
        || options.applicationServerKey.length !== 65 || !options.userVisibleOnly) {
      return Promise.reject(new DOMException("bad options", "InvalidAccessError"));
    }
    current = subscription(options);
    return Promise.resolve(current);
  };
  PushManager.prototype.getSubscription = () => Promise.resolve(current);
})();"""


@pytest.mark.parametrize(("viewport", "scheme"), [(PHONE, "dark"), (DESKTOP, "light")],
                         ids=["390-dark", "1280-light"])
def test_turn_on_keeps_this_device_and_turn_off_removes_it(
    open_context, live_server, candidate, test_urls, settings, viewport, scheme
):
    from tests.reminders.test_push_endpoints import _keys

    settings.OUTBOUND_ALLOW_PRIVATE = True  # the made-up endpoint is on 127.0.0.1
    endpoint, keys = "https://127.0.0.1:9/push/h1", _keys()
    context = open_context(candidate, viewport=viewport, color_scheme=scheme,
                           permissions=["notifications"])
    context.add_init_script(FAKE_PUSH_SERVICE % {
        "endpoint": json.dumps(endpoint), "keys": json.dumps(keys)})
    page = context.new_page()
    _controlled(page, f"{live_server.url}/test-push/")
    status = page.get_by_role("status")

    page.get_by_role("button", name="Turn on for this device").click()

    expect(status).to_have_text("Notifications are on for this device (Chrome on Linux).")
    expect(page.get_by_role("button", name="Turn off for this device")).to_be_visible()
    device = PushDevice.objects.get()
    assert (device.owner, device.endpoint, device.p256dh, device.auth) == (
        candidate, endpoint, keys["p256dh"], keys["auth"])
    page.mouse.move(0, 0)
    page.wait_for_timeout(400)  # the button's colour transition
    _screenshot(page, f"push-on-{viewport['width']}-{scheme}")

    page.get_by_role("button", name="Turn off for this device").click()

    expect(status).to_have_text("Notifications are off for this device.")
    expect(page.get_by_role("button", name="Turn on for this device")).to_be_visible()
    assert not PushDevice.objects.exists()
    assert context.errors == []  # type: ignore[attr-defined]


def test_a_pushed_reminder_shows_and_its_done_and_snooze_act_through_the_worker(
    open_context, live_server, candidate
):
    context = open_context(candidate, permissions=["notifications"])
    page = context.new_page()
    _controlled(page, f"{live_server.url}/")
    cdp = context.new_cdp_session(page)
    registration = _registration_id(page, cdp)
    [worker] = context.service_workers
    ada = FollowUp.objects.get(owner=candidate, rule="R2", interviewer__name="Ada Lovelace")
    grace = FollowUp.objects.get(owner=candidate, rule="R13", interviewer__name="Grace Hopper")
    assert ada.is_open and grace.is_open

    payload = _payload([ada], tag="followup-digest-1", single=True)
    again = _push(cdp, live_server, registration, payload)
    shown = _notifications(page, worker, again)

    assert shown == [{
        "title": "Send a thank-you",
        "body": "Thank Ada Lovelace at Initech Offline for the interview.",
        "tag": "followup-digest-1",
        "data": {"url": payload["url"], "tokens": payload["tokens"], "act": "/r/push/"},
        "icon": f"{live_server.url}/static/icons/icon-192.png",
        "badge": f"{live_server.url}/static/icons/badge-96.png",
        "actions": [{"action": "done", "title": "Done"}, {"action": "snooze", "title": "Snooze"}],
    }]

    # "Done" on the lock screen: the worker posts the token, the row is done, the
    # notification goes.
    answer = worker.evaluate(CLICK, ["followup-digest-1", "done"])

    assert answer == {"ok": True, "message": "Marked done."}
    ada.refresh_from_db()
    assert (ada.status, ada.status_note) == (Status.DONE, "Marked done.")
    assert worker.evaluate(NOTIFICATIONS) == []

    # "Snooze" on a digest of another task.
    again = _push(cdp, live_server, registration, _payload([grace], tag="followup-digest-2",
                                                           single=False))
    [shown] = _notifications(page, worker, again)
    assert shown["actions"] == [{"action": "snooze", "title": "Snooze"}]
    answer = worker.evaluate(CLICK, ["followup-digest-2", "snooze"])

    assert answer["ok"] is True
    grace.refresh_from_db()
    assert grace.status == Status.PENDING and grace.snoozed
    assert grace.due_at > timezone.now() + timedelta(hours=1)

    # The same "Done" pushed again (a second device, a replay): nothing changes, and the
    # notification that replaces it says what had happened.
    closed_at = ada.closed_at
    again = _push(cdp, live_server, registration,
                  _payload([ada], tag="followup-digest-3", single=True))
    _notifications(page, worker, again)
    answer = worker.evaluate(CLICK, ["followup-digest-3", "done"])

    assert answer["ok"] is False
    assert answer["message"].startswith("You marked this done on ")
    ada.refresh_from_db()
    assert (ada.status, ada.closed_at) == (Status.DONE, closed_at)
    [said] = _notifications(page, worker)
    assert (said["title"], said["body"]) == ("Nothing changed", answer["message"])

    # A token that does not verify: the worker says it did not work, and to open the app.
    spoiled = _payload([grace], tag="followup-digest-4", single=True)
    spoiled["tokens"]["done"] = [spoiled["tokens"]["done"][0][:-3] + "xyz"]
    worker.evaluate(
        "async () => (await self.registration.getNotifications()).forEach(n => n.close())")
    again = _push(cdp, live_server, registration, spoiled)
    _notifications(page, worker, again)
    answer = worker.evaluate(CLICK, ["followup-digest-4", "done"])

    assert answer["ok"] is False
    [said] = _notifications(page, worker)
    assert (said["title"], said["body"]) == (
        "That did not work",
        "This link is not valid. Nothing was changed. Open Follow-up to do it there.",
    )
    grace.refresh_from_db()
    assert grace.is_open

    assert context.errors == []  # type: ignore[attr-defined]


def test_a_tap_on_a_pushed_reminder_opens_its_task(open_context, live_server, candidate):
    context = open_context(candidate, permissions=["notifications"])
    page = context.new_page()
    _controlled(page, f"{live_server.url}/")
    cdp = context.new_cdp_session(page)
    registration = _registration_id(page, cdp)
    [worker] = context.service_workers
    grace = FollowUp.objects.get(owner=candidate, rule="R13", interviewer__name="Grace Hopper")

    again = _push(cdp, live_server, registration, _payload([grace], tag="followup-digest-5",
                                                           single=True))
    _notifications(page, worker, again)
    opened = worker.evaluate(CLICK_OPEN, ["followup-digest-5"])

    target = f"{live_server.url}/applications/{grace.application_id}/"
    assert opened == target
    expect(page).to_have_url(target)
    assert worker.evaluate("self.registration.getNotifications()") == []
    assert context.errors == []  # type: ignore[attr-defined]


def _push(cdp, live_server, registration: str, payload: dict):
    """Deliver ``payload`` to the worker through DevTools; returns how to deliver it again."""
    def deliver() -> None:
        cdp.send("ServiceWorker.deliverPushMessage", {
            "origin": live_server.url, "registrationId": registration,
            "data": json.dumps(payload),
        })

    deliver()
    return deliver


def _notifications(page: Page, worker, again=None) -> list[dict]:
    """The notifications shown, once there are some (a push is handled asynchronously).

    A busy machine (the whole suite) can take seconds to start the worker for a push; if
    none is shown after 8 s, ``again`` delivers the push once more (a notification with
    the same tag replaces the first, so what is checked is unchanged)."""
    for attempt in range(200):
        shown = worker.evaluate(NOTIFICATIONS)
        if shown:
            return shown
        if attempt == 80 and again is not None:
            again()
        page.wait_for_timeout(100)
    raise AssertionError("no notification was shown")
