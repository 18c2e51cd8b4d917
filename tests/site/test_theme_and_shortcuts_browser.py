"""Dark mode and keyboard shortcuts in Chromium (issue 18, point 12), against the site's CSP.

* The colour mode follows the system (``prefers-color-scheme``, emulated), also when it
  changes while a page is open; the footer's Auto / Light / Dark choice overrides it and is
  remembered across pages.
* Shortcuts are declared in the templates (``data-shortcut``): on the dashboard and the board,
  "?" lists them in a dialog that Escape closes, a key or a two-key sequence follows the link,
  and nothing happens while the person types in a field.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from interviews.models import ApplicationStatus
from tests.factories import ApplicationFactory, CandidateFactory
from tests.site.test_accessibility import theme_of
from tests.site.test_welcome_browser import signed_in_page  # noqa: F401 — a fixture

pytestmark = pytest.mark.browser


@pytest.fixture
def job_seeker(live_server, _close_event_loop_connections):
    candidate = CandidateFactory(email="ines@example.com", display_name="Inès Moreau")
    ApplicationFactory(
        owner=candidate, company="Monzo", role_title="Product Designer",
        status=ApplicationStatus.INTERVIEWING,
    )
    return candidate


def _open(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")


def test_the_colour_mode_follows_the_system_even_when_it_changes(
    signed_in_page, live_server, job_seeker  # noqa: F811
):
    page = signed_in_page(job_seeker, color_scheme="dark")
    _open(page, live_server.url + reverse("home"))
    assert theme_of(page) == "dark"
    page.emulate_media(color_scheme="light")
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "light")
    page.emulate_media(color_scheme="dark")
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "dark")
    assert page.errors == []  # type: ignore[attr-defined]


def test_a_chosen_mode_overrides_the_system_and_is_remembered(
    signed_in_page, live_server, job_seeker  # noqa: F811
):
    page = signed_in_page(job_seeker, color_scheme="light")
    _open(page, live_server.url + reverse("home"))
    colours = page.get_by_role("group", name="Colours")
    auto = colours.get_by_role("button", name="Auto")
    dark = colours.get_by_role("button", name="Dark")
    expect(auto).to_have_attribute("aria-pressed", "true")

    dark.click()
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "dark")
    expect(dark).to_have_attribute("aria-pressed", "true")
    expect(auto).to_have_attribute("aria-pressed", "false")

    # Another page, and the system still light: the choice holds from the first paint.
    _open(page, live_server.url + reverse("board"))
    assert theme_of(page) == "dark"
    colours = page.get_by_role("group", name="Colours")
    expect(colours.get_by_role("button", name="Dark")).to_have_attribute("aria-pressed", "true")

    colours.get_by_role("button", name="Auto").click()
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "light")
    _open(page, live_server.url + reverse("home"))
    assert theme_of(page) == "light"
    assert page.errors == []  # type: ignore[attr-defined]


def test_question_mark_lists_the_dashboards_shortcuts_and_escape_closes_it(
    signed_in_page, live_server, job_seeker  # noqa: F811
):
    page = signed_in_page(job_seeker)
    _open(page, live_server.url + reverse("home"))
    hint = page.get_by_role("button", name="Press ? for keyboard shortcuts")
    expect(hint).to_be_visible()

    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts on this page")
    expect(dialog).to_be_focused()  # shown: its fade is over and it holds the focus
    rows = dialog.locator("tbody tr")
    expect(rows).to_have_text([
        "/Search applications, people and notes",
        "g then bGo to the board",
        "g then aGo to the list of applications",
        "nNew application",
        "?Show this list",
    ])
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    # The footer's hint opens the same list, for those who do not know to press "?".
    hint.click()
    expect(dialog).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    # A phone has no keyboard to press it with: no hint there.
    page.set_viewport_size({"width": 390, "height": 844})
    expect(hint).to_be_hidden()
    assert page.errors == []  # type: ignore[attr-defined]


def test_a_sequence_and_a_key_follow_their_links(
    signed_in_page, live_server, job_seeker  # noqa: F811
):
    page = signed_in_page(job_seeker)
    _open(page, live_server.url + reverse("home"))
    page.keyboard.press("g")
    page.keyboard.press("b")
    expect(page).to_have_url(live_server.url + reverse("board"))
    page.wait_for_load_state("networkidle")

    # "g" then a key that ends no sequence does nothing; "n" on the board is a new application.
    page.keyboard.press("g")
    page.keyboard.press("x")
    page.wait_for_timeout(200)
    expect(page).to_have_url(live_server.url + reverse("board"))
    page.keyboard.press("n")
    expect(page).to_have_url(live_server.url + reverse("application_create"))
    assert page.errors == []  # type: ignore[attr-defined]


def test_keys_typed_in_a_field_are_not_shortcuts(
    signed_in_page, live_server, job_seeker  # noqa: F811
):
    page = signed_in_page(job_seeker)
    _open(page, live_server.url + reverse("home"))
    # A field, as a page with a form would have (the dashboard's own appear with its cards).
    page.evaluate(
        """() => { const field = document.createElement("input"); field.id = "typed";
        field.setAttribute("aria-label", "Company"); document.querySelector("main").prepend(field);
        const box = document.createElement("div"); box.id = "editable";
        box.contentEditable = "true"; box.textContent = "x";
        document.querySelector("main").prepend(box); }"""
    )
    page.locator("#typed").click()
    page.keyboard.type("gb n?")
    expect(page.locator("#typed")).to_have_value("gb n?")
    page.locator("#editable").click()
    page.keyboard.type("n")
    page.wait_for_timeout(200)
    expect(page).to_have_url(live_server.url + reverse("home"))
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert page.errors == []  # type: ignore[attr-defined]


def test_a_page_without_shortcuts_shows_no_hint(
    signed_in_page, live_server, job_seeker  # noqa: F811
):
    # Signed in, every page has the search box's "/"; the sign-in page has none.
    page = signed_in_page(job_seeker)
    page.context.clear_cookies()
    _open(page, live_server.url + reverse("account_login"))
    expect(page.get_by_role("group", name="Colours")).to_be_visible()
    expect(page.get_by_role("button", name="Press ? for keyboard shortcuts")).to_be_hidden()
    # "?" still opens the list, which then only says how to open it.
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts on this page")
    expect(dialog.locator("tbody tr")).to_have_text(["?Show this list"])
