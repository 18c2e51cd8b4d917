"""The installable app in a real Chromium, under the production CSP (issue 19, point 1 and
the push handlers of point 2).

- Chromium reports the page installable (DevTools' Page.getInstallabilityErrors), the
  manifest parses without errors, and the service worker controls the page.
- Offline, a page answers with the offline page; the caches hold only /static/ files and
  /offline/, never a page with the user's data.
- Push: the headless Chromium of this sandbox has no push service, so
  ``pushManager.subscribe`` is refused (the test checks push.js says so). The service
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
from reminders.models import FollowUp, Status
from tests.reminders.conftest import INTERVIEW_END, log_interview

pytestmark = pytest.mark.browser

SCREENSHOTS = os.environ.get("FOLLOWUP_SCREENSHOTS")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


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

        def watch(page: Page) -> None:
            page.on("console", lambda message: message.type == "error"
                    and context.errors.append(message.text))  # type: ignore[attr-defined]
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
