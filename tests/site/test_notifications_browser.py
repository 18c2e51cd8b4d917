"""The Notifications page in Chromium, against the production CSP: at 390 and 1280 px, in
the light and the dark colour mode, with no sideways scroll and no serious axe violation;
a notification URL is added with the keyboard only, and "Remove" asks first."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from reminders import channels
from reminders.models import AppriseChannel, PushDevice
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
from tests.site.test_welcome_browser import signed_in_page  # noqa: F401 — a fixture

pytestmark = pytest.mark.browser

SCREENSHOTS = os.environ.get("FOLLOWUP_SCREENSHOTS")


def _screenshot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def _errors(page: Page) -> list[str]:
    return list(page.errors)  # type: ignore[attr-defined]


@pytest.fixture
def job_seeker(live_server, _close_event_loop_connections):
    candidate = CandidateFactory(
        email="maximiliane.schwarzenberger-oppenheimer@recruiting.example",
        display_name="Inès Moreau",
    )
    PushDevice.objects.create(
        owner=candidate, endpoint="https://push.example.net/send/" + "x" * 200,
        p256dh="k", auth="a", browser="Chrome on Android", last_error="",
    )
    PushDevice.objects.create(
        owner=candidate, endpoint="https://push.example.net/send/2", p256dh="k", auth="a",
        browser="Safari on iPhone", enabled=False,
        last_error="The push service answered 500.",
    )
    channel = channels.apprise_add(
        owner=candidate, label="Matrix room of the job search team",
        url="matrixs://ines:secret@" + "very-long-subdomain-" * 4 + "example.org/#room",
    )
    channel.last_error = "The service did not take the message. A Connection error occurred."
    channel.save(update_fields=["last_error"])
    return candidate


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_page_fits_a_phone_and_a_desktop_in_both_modes(
    signed_in_page, live_server, job_seeker, scheme  # noqa: F811
):
    axe = _axe_source()
    for name, viewport in (("390", PHONE), ("1280", DESKTOP)):
        page = signed_in_page(job_seeker, viewport=viewport, color_scheme=scheme)
        page.goto(live_server.url + reverse("notification_settings"))
        page.wait_for_load_state("networkidle")
        assert theme_of(page) == scheme
        expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
        measured = page.evaluate(OVERFLOW)
        assert measured["scrollWidth"] <= measured["innerWidth"], measured
        assert _serious_violations(page, axe) == []
        _screenshot(page, f"notifications-{name}-{scheme}")
        assert _errors(page) == []


def test_a_notification_url_is_added_with_the_keyboard_and_removing_asks_first(
    signed_in_page, live_server, job_seeker  # noqa: F811
):
    page = signed_in_page(job_seeker, viewport=PHONE)
    page.goto(live_server.url + reverse("notification_settings"))
    page.wait_for_load_state("networkidle")

    page.get_by_role("textbox", name="Name").focus()
    page.keyboard.type("Phone")
    page.keyboard.press("Tab")
    expect(page.get_by_role("textbox", name="Notification URL")).to_be_focused()
    page.keyboard.type("ntfys://ntfy.sh/ines-secret-topic")
    page.keyboard.press("Enter")

    expect(page.get_by_role("status").filter(has_text="Phone was added")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("ines-secret-topic")
    expect(page.locator(".channel-hint", has_text="ntfys://ntfy.sh/•••")).to_be_visible()
    assert AppriseChannel.objects.filter(owner=job_seeker, label="Phone").exists()
    _screenshot(page, "notifications-added-390")

    # A refused URL says why, and keeps what was typed in the name.
    page.get_by_role("textbox", name="Name").fill("Work chat")
    page.get_by_role("textbox", name="Notification URL").fill("https://example.com/hook")
    page.get_by_role("textbox", name="Notification URL").press("Enter")
    expect(page.locator(".invalid-feedback")).to_contain_text(
        "Apprise does not recognise this notification URL")
    expect(page.get_by_role("textbox", name="Name")).to_have_value("Work chat")

    # "Remove" asks before it posts: dismissed, nothing goes; accepted, it goes.
    remove = page.locator("#devices-heading ~ ul").get_by_role(
        "button", name="Remove Safari on iPhone")
    page.once("dialog", lambda dialog: dialog.dismiss())
    remove.click()
    page.wait_for_load_state("networkidle")
    assert PushDevice.objects.filter(owner=job_seeker, browser="Safari on iPhone").exists()
    page.once("dialog", lambda dialog: dialog.accept())
    remove.click()
    expect(page.get_by_role("status").filter(has_text="was removed")).to_be_visible()
    assert not PushDevice.objects.filter(owner=job_seeker, browser="Safari on iPhone").exists()
    assert _errors(page) == []
