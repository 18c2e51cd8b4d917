"""The first-run welcome in Chromium (issue 18, point 5), against the production CSP.

The time zone starts on the browser's own (Playwright's ``timezone_id``), the searchable
select finds a zone by a city's name, typed, and neither the welcome nor the dashboard of an
account without applications scrolls sideways on a phone or has a serious axe violation.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from interviews.models import Candidate
from tests.factories import CandidateFactory
from tests.site.test_accessibility import (
    DESKTOP,
    OVERFLOW,
    PHONE,
    SCHEMES,
    _axe_source,
    _serious_violations,
    theme_of,
)

pytestmark = pytest.mark.browser

# Where the screenshots go when asked for (FOLLOWUP_SCREENSHOTS=dir), to look at them.
SCREENSHOTS = os.environ.get("FOLLOWUP_SCREENSHOTS")


@pytest.fixture
def newcomer(live_server, _close_event_loop_connections):
    return CandidateFactory(
        email="new@example.com", display_name="", time_zone="UTC", country="", welcomed_at=None
    )


@pytest.fixture
def signed_in_page(browser: Browser, live_server):
    """Opens a page of ``candidate``, signed in, in a browser context of its own (options
    such as ``timezone_id``); its console errors and uncaught exceptions land in
    ``page.errors``. The contexts are closed after the test."""
    contexts = []

    def open_page(candidate, **options) -> Page:
        client = Client()
        client.force_login(candidate, backend="django.contrib.auth.backends.ModelBackend")
        context = browser.new_context(**options)
        contexts.append(context)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )
        page = context.new_page()
        page.errors = []  # type: ignore[attr-defined]

        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                page.errors.append(message.text)  # type: ignore[attr-defined]

        page.on("console", on_console)
        page.on("pageerror", lambda error: page.errors.append(str(error)))  # type: ignore[attr-defined]
        return page

    yield open_page
    for context in contexts:
        context.close()


def _screenshot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def test_the_welcome_starts_on_the_browsers_zone_and_finds_a_city_by_typing(
    signed_in_page, live_server, newcomer
):
    page = signed_in_page(newcomer, timezone_id="America/New_York", viewport=DESKTOP)
    page.goto(f"{live_server.url}/welcome/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to Follow-up")

    # Pre-filled from Intl.DateTimeFormat().resolvedOptions().timeZone, before any typing.
    expect(page.locator("select#id_time_zone")).to_have_value("America/New_York")
    expect(page.locator(".ts-wrapper .ts-control .item")).to_have_text("America/New York")
    _screenshot(page, "welcome-1280")

    # The searchable select, with the keyboard only: focus it, type a city, press Enter.
    page.get_by_label("Your name").fill("Ada Lovelace")
    page.get_by_label("Your name").press("Tab")
    zone = page.get_by_role("combobox", name="Your time zone")
    expect(zone).to_be_focused()
    page.keyboard.type("Paris")
    expect(page.locator(".ts-dropdown .option")).to_have_text(["Europe/Paris"])
    page.keyboard.press("Enter")
    expect(page.locator("select#id_time_zone")).to_have_value("Europe/Paris")

    page.get_by_label("Your country").select_option("FR")
    page.get_by_label("Reminder hour").select_option("08:00")
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Next actions")
    expect(page.get_by_text("Europe/Paris time")).to_be_visible()
    _screenshot(page, "first-dashboard-1280")
    page.get_by_role("link", name="Add your first application").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("application")

    candidate = Candidate.objects.get(pk=newcomer.pk)
    assert (candidate.time_zone, candidate.reminder_hour) == ("Europe/Paris", 8)
    assert candidate.welcomed_at is not None
    assert page.errors == []  # type: ignore[attr-defined]  # no CSP refusal, no script error


def test_the_welcome_on_a_phone_in_paris(signed_in_page, live_server, newcomer):
    page = signed_in_page(newcomer, timezone_id="Europe/Paris", viewport=PHONE)
    page.goto(f"{live_server.url}/welcome/")
    page.wait_for_load_state("networkidle")

    expect(page.locator("select#id_time_zone")).to_have_value("Europe/Paris")
    page.locator(".ts-control").click()
    expect(page.get_by_role("combobox", name="Your time zone")).to_be_focused()
    page.keyboard.type("paris")
    expect(page.locator(".ts-dropdown .option")).to_have_text(["Europe/Paris"])
    _screenshot(page, "welcome-search-390")
    page.keyboard.press("Escape")
    measured = page.evaluate(OVERFLOW)
    assert measured["scrollWidth"] <= measured["innerWidth"], measured
    _screenshot(page, "welcome-390")
    assert page.errors == []  # type: ignore[attr-defined]


def test_the_welcome_works_without_javascript(signed_in_page, live_server, newcomer):
    page = signed_in_page(newcomer, timezone_id="Europe/Paris", java_script_enabled=False)
    page.goto(f"{live_server.url}/welcome/")

    # A plain select, left on the default: nothing guesses without a script.
    select = page.locator("select#id_time_zone")
    expect(select).to_be_visible()
    expect(select).to_have_value("UTC")
    page.get_by_label("Your name").fill("Ada Lovelace")
    select.select_option("Europe/Paris")
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Next actions")
    assert Candidate.objects.get(pk=newcomer.pk).time_zone == "Europe/Paris"


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "390px"])
def test_the_new_accounts_pages_have_no_serious_axe_violation_nor_sideways_scroll(
    signed_in_page, live_server, newcomer, viewport, scheme
):
    axe = _axe_source()
    page = signed_in_page(
        newcomer, timezone_id="Europe/Paris", viewport=viewport, color_scheme=scheme
    )
    problems, too_wide = {}, {}
    for name, path in {"welcome": "/welcome/", "dashboard, no application": "/"}.items():
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        assert theme_of(page) == scheme, name
        problems[name] = _serious_violations(page, axe)
        measured = page.evaluate(OVERFLOW)
        if measured["scrollWidth"] > measured["innerWidth"]:
            too_wide[name] = measured
    if viewport == PHONE:
        _screenshot(page, f"first-dashboard-390-{scheme}")
    assert {name: found for name, found in problems.items() if found} == {}
    assert too_wide == {}


def test_skip_for_now_keeps_the_defaults_and_sends_nothing_typed(
    signed_in_page, live_server, newcomer
):
    page = signed_in_page(newcomer, timezone_id="Europe/Paris")
    page.goto(f"{live_server.url}/welcome/")
    page.get_by_label("Your name").fill("Not saved")
    page.get_by_label("Your name").press("Tab")
    page.keyboard.type("Tokyo")

    page.get_by_role("button", name="Skip for now").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Next actions")
    expect(page.get_by_text("any time in your profile")).to_be_visible()
    candidate = Candidate.objects.get(pk=newcomer.pk)
    assert (candidate.display_name, candidate.time_zone) == ("", "UTC")
    assert candidate.welcomed_at is not None
