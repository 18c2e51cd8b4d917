"""The basics people expect (issue 18, point 12), in Chromium under the production CSP:
search from the navbar, "Copy" on the calendar and forwarding addresses, the list's filters
folded behind one button on a phone, and the account pages in sentence case.

Screenshots go to FOLLOWUP_SCREENSHOTS=dir when it is set, to look at them.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from notes.models import Note
from tests.factories import ApplicationFactory, CandidateFactory, InterviewerFactory
from tests.site.test_accessibility import DESKTOP, OVERFLOW, PHONE

pytestmark = pytest.mark.browser

SCREENSHOTS = os.environ.get("FOLLOWUP_SCREENSHOTS")


@pytest.fixture
def candidate(live_server, _close_event_loop_connections):
    owner = CandidateFactory(email="basics@example.com", display_name="Ada Lovelace")
    monzo = ApplicationFactory(owner=owner, company="Monzo", role_title="Android Engineer",
                               notes="They design in the open; <script>alert(1)</script>")
    hannah = InterviewerFactory(application=monzo, name="Hannah Okafor",
                                title="Head of Design")
    Note.objects.create(application=monzo, interviewer=hannah, subject="Thank you, Hannah",
                        body="Thanks for the design critique walk-through.")
    for n in range(3):
        ApplicationFactory(owner=owner, company=f"Globex {n}", role_title="Product Manager")
    # Another candidate's matching things never show.
    stranger = CandidateFactory(email="stranger@example.com")
    ApplicationFactory(owner=stranger, company="Design Stranger Ltd", notes="design")
    return owner


@pytest.fixture
def signed_in_page(browser: Browser, live_server):
    """A page of ``candidate``, signed in, in a context of its own; console errors and
    uncaught exceptions land in ``page.errors``."""
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


def _no_sideways_scroll(page: Page) -> None:
    measured = page.evaluate(OVERFLOW)
    assert measured["scrollWidth"] <= measured["innerWidth"], measured


# --- Search ---------------------------------------------------------------------------------


def test_search_from_the_navbar_finds_each_kind_and_only_mine(
    signed_in_page, live_server, candidate
):
    page = signed_in_page(candidate, viewport=DESKTOP)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{live_server.url}/")
    box = page.get_by_role("searchbox", name="Search applications, people and notes")
    # Between 1200 and 1399 px the box is a magnifier that opens when focused, over the links.
    box.focus()
    expect(box).to_be_focused()
    page.wait_for_timeout(400)  # its 0.15 s transition
    assert box.bounding_box()["width"] > 200
    _no_sideways_scroll(page)
    _screenshot(page, "navbar-search-open-1280")
    box.fill("design")
    box.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Search")
    for kind in ("Applications", "People", "Notes"):
        expect(page.get_by_role("heading", level=2, name=kind)).to_be_visible()
    expect(page.get_by_role("link", name="Android Engineer at Monzo")).to_be_visible()
    expect(page.get_by_role("link", name="Hannah Okafor")).to_be_visible()
    expect(page.get_by_role("link", name="Thank you, Hannah")).to_be_visible()
    expect(page.locator(".search-snippet mark").first).to_be_visible()
    expect(page.get_by_text("Stranger")).to_have_count(0)
    # The user's "<script>" in the notes is never a script (PostgreSQL's snippet drops the
    # tag; the plain fallback shows it as text).
    expect(page.locator("main script")).to_have_count(0)
    assert dialogs == []
    _screenshot(page, "search-1280")

    page.get_by_role("link", name="Hannah Okafor").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Monzo")
    assert page.errors == []  # type: ignore[attr-defined]


def test_search_on_a_phone_and_its_empty_states(signed_in_page, live_server, candidate):
    page = signed_in_page(candidate, viewport=PHONE)
    page.goto(f"{live_server.url}/search/")
    expect(page.get_by_role("heading", name="What are you looking for?")).to_be_visible()
    # The page's own box, without opening the menu: works by keyboard alone.
    field = page.get_by_role("searchbox", name="Search for")
    field.fill("Okafor")
    field.press("Enter")
    expect(page.get_by_role("link", name="Hannah Okafor")).to_be_visible()
    expect(field).to_have_value("Okafor")
    _no_sideways_scroll(page)
    _screenshot(page, "search-390")

    page.get_by_role("searchbox", name="Search for").fill("zzyzx")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("heading", name="No matches for “zzyzx”")).to_be_visible()
    _screenshot(page, "search-no-match-390")

    # The navbar's box is in the menu on a phone.
    page.get_by_role("button", name="Menu").click()
    nav_box = page.get_by_role("searchbox", name="Search applications, people and notes")
    expect(nav_box).to_be_visible()
    expect(nav_box).to_have_attribute("data-shortcut", "/")
    _no_sideways_scroll(page)
    assert page.errors == []  # type: ignore[attr-defined]


# --- Copy -----------------------------------------------------------------------------------


def test_copy_the_calendar_address_by_keyboard(signed_in_page, live_server, candidate):
    page = signed_in_page(candidate, viewport=DESKTOP)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(f"{live_server.url}/data/")
    page.get_by_role("button", name="Make my calendar address").click()
    address = page.get_by_role("textbox", name="Calendar address").input_value()
    assert address.startswith("http") and address.endswith(".ics")

    copy = page.get_by_role("button", name="Copy the calendar address")
    copy.focus()
    page.keyboard.press("Enter")
    status = page.locator("[data-copy-status]")
    expect(status).to_have_text("Copied")
    expect(status).to_have_attribute("aria-live", "polite")
    assert page.evaluate("navigator.clipboard.readText()") == address
    _screenshot(page, "copy-calendar-1280")
    assert page.errors == []  # type: ignore[attr-defined]


def test_copy_falls_back_to_selecting_the_address(signed_in_page, live_server, candidate):
    page = signed_in_page(candidate, viewport=PHONE)
    page.add_init_script("Object.defineProperty(navigator, 'clipboard', {value: undefined})")
    page.goto(f"{live_server.url}/inbox/setup/")
    address = page.locator("#inbound-address").inner_text()
    assert "@" in address

    page.get_by_role("button", name="Copy your forwarding address").click()
    expect(page.locator("[data-copy-status]")).to_contain_text("Selected: copy it with Ctrl+C")
    assert page.evaluate("window.getSelection().toString().trim()") == address
    _no_sideways_scroll(page)
    _screenshot(page, "copy-forwarding-390")
    assert page.errors == []  # type: ignore[attr-defined]


def test_copy_the_forwarding_address(signed_in_page, live_server, candidate):
    page = signed_in_page(candidate, viewport=DESKTOP)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(f"{live_server.url}/inbox/setup/")
    page.get_by_role("button", name="Copy your forwarding address").click()
    expect(page.locator("[data-copy-status]")).to_have_text("Copied")
    address = page.locator("#inbound-address").inner_text()
    assert page.evaluate("navigator.clipboard.readText()") == address
    _screenshot(page, "copy-forwarding-1280")


# --- The list's filters on a phone ----------------------------------------------------------


def test_filters_fold_behind_one_button_on_a_phone(signed_in_page, live_server, candidate):
    page = signed_in_page(candidate, viewport=PHONE)
    page.goto(f"{live_server.url}/applications/")
    toggle = page.get_by_role("button", name="Filter", exact=True)
    filters = page.locator("#application-filters")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-controls", "application-filters")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(filters).to_be_hidden()
    _screenshot(page, "list-folded-390")

    toggle.focus()
    page.keyboard.press("Enter")
    expect(filters).to_have_class(re.compile(r"(^| )show( |$)"))  # opened, not opening
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_label("Company")).to_be_visible()
    _no_sideways_scroll(page)
    _screenshot(page, "list-unfolded-390")

    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    # With filters on, they stay open after the page reloads, so the user sees what is set.
    page.goto(f"{live_server.url}/applications/?status=applied")
    expect(page.locator("#application-filters")).to_be_visible()
    expect(page.get_by_role("button", name="Filter (on)")).to_have_attribute(
        "aria-expanded", "true"
    )

    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/applications/")
    expect(page.locator("#application-filters")).to_be_visible()
    expect(page.get_by_role("button", name="Filter", exact=True)).to_be_hidden()
    _screenshot(page, "list-1280")
    assert page.errors == []  # type: ignore[attr-defined]


# --- Account pages in sentence case ---------------------------------------------------------


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "390px"])
def test_account_pages_read_in_sentence_case(signed_in_page, live_server, candidate, viewport):
    page = signed_in_page(candidate, viewport=viewport)
    width = viewport["width"]
    page.goto(f"{live_server.url}/accounts/password/change/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Change password")
    expect(page.get_by_role("button", name="Change password", exact=True)).to_be_visible()
    expect(page.get_by_role("textbox", name=re.compile(r"^Current password\*?$"))).to_be_visible()
    _no_sideways_scroll(page)
    _screenshot(page, f"account-password-{width}")

    page.goto(f"{live_server.url}/accounts/2fa/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor sign-in")
    expect(page.get_by_role("heading", name="Authenticator app", exact=True)).to_be_visible()
    _screenshot(page, f"account-2fa-{width}")

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/password/reset/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")
    expect(page.get_by_role("button", name="Reset my password", exact=True)).to_be_visible()
    _screenshot(page, f"account-reset-{width}")
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.get_by_role("checkbox", name=re.compile(r"^Remember me\*?$"))).to_be_visible()
    assert page.errors == []  # type: ignore[attr-defined]
