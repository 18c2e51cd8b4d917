"""The Inbox's words in Chromium (issue 18, point 11): an invitation listed by its interview's
date, its people with their titles and roles, "Done" instead of "Applied", and a cancelled
interview that no longer offers "Write notes". The list fits a phone without sideways scroll.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from interviews.models import Interview
from tests.inbox.conftest import make_email, make_ics
from tests.inbox.test_inbox_browser import browser_errors, sign_in  # noqa: F401
from tests.site.test_accessibility import DESKTOP, OVERFLOW, PHONE

pytestmark = pytest.mark.browser

SCREENSHOTS = os.environ.get("FOLLOWUP_SCREENSHOTS")


def _shot(page: Page, name: str) -> None:
    for viewport, width in ((DESKTOP, "1280"), (PHONE, "390")):
        page.set_viewport_size(viewport)
        measured = page.evaluate(OVERFLOW)
        assert measured["scrollWidth"] <= measured["innerWidth"], (name, width, measured)
        if SCREENSHOTS:
            Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def test_an_invitation_from_the_list_to_a_cancelled_interview(
    live_server, page: Page, browser_errors, owner, application, tmp_path,  # noqa: F811
    _close_event_loop_connections,
):
    # A video interview five days from now, 10:00–11:00 in New York (15:00 in London).
    when = timezone.now() + timedelta(days=5)
    day = when.strftime("%Y%m%d")
    people = (
        ("Hannah Okafor (Head of Design)", "hannah.okafor@northwind.io"),
        ("Owner", "owner@example.com"),
    )
    invite = tmp_path / "invite.eml"
    invite.write_bytes(
        make_email(
            subject="Interview invitation: Northwind",
            ics=make_ics(start=f"{day}T100000", end=f"{day}T110000", attendees=people),
        )
    )
    sign_in(page, live_server, owner)
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/inbox/")
    page.locator("input[type=file]").set_input_files(str(invite))
    page.get_by_role("button", name="Add to the Inbox").click()
    expect(page.locator("#invite-preview")).to_contain_text("Hannah Okafor")

    # The list shows the interview's date first, and when it arrived in small print.
    page.goto(f"{live_server.url}/inbox/")
    row = page.locator(".inbox-row").first
    interview_day = re.compile(rf"Interview: \w+ {when.day} \w+ {when.year}, 15:00")
    expect(row.locator(".inbox-event")).to_have_text(interview_day)
    expect(row).to_contain_text("received")
    _shot(page, "inbox-list-invitation")

    row.click()
    page.get_by_role("button", name="Log the interview").click()
    who = page.get_by_role("region", name="Who you met")
    hannah = who.locator("li", has_text="Hannah Okafor")
    expect(hannah.locator(".attendee-name")).to_have_text("Hannah Okafor")
    expect(hannah).to_contain_text("Head of Design")
    expect(hannah).to_contain_text("Hiring manager")
    expect(who).not_to_contain_text("reception")
    expect(page.get_by_role("button", name="Write notes")).to_be_visible()

    # Accepted, the suggestion reads as done, apart from the application's status.
    page.goto(f"{live_server.url}/inbox/?show=all")
    outcome = page.locator(".inbox-row").first.locator(".inbox-outcome")
    expect(outcome).to_have_text("✓ Done: interview added to your plan")
    expect(page.get_by_text("Applied", exact=True)).to_have_count(0)
    _shot(page, "inbox-list-done")

    # The employer cancels: once confirmed, the interview offers no notes to write.
    cancel = tmp_path / "cancel.eml"
    cancel.write_bytes(
        make_email(
            subject="Cancelled: Interview invitation: Northwind",
            message_id="<cancel@northwind.io>",
            method="CANCEL",
            ics=make_ics(
                method="CANCEL", sequence=1, start=f"{day}T100000", end=f"{day}T110000",
                attendees=people,
            ),
        )
    )
    page.goto(f"{live_server.url}/inbox/")
    page.locator("input[type=file]").set_input_files(str(cancel))
    page.get_by_role("button", name="Add to the Inbox").click()
    page.get_by_role("button", name="Cancel the interview").click()
    interview = Interview.objects.get()
    page.goto(f"{live_server.url}{interview.get_absolute_url()}")
    expect(page.get_by_text("Cancelled by the employer")).to_be_visible()
    expect(page.get_by_role("button", name="Write notes")).to_have_count(0)
    expect(page.get_by_role("link", name="Write notes")).to_have_count(0)
    expect(page.locator(".cancelled-no-notes")).to_contain_text("no thank-you note is needed")

    page.goto(f"{live_server.url}/inbox/?show=all")
    expect(page.locator(".inbox-row").first.locator(".inbox-event")).to_have_text(
        re.compile("^Cancelled: the interview on ")
    )
    _shot(page, "inbox-list-cancelled")
    assert browser_errors["page"] == []
    assert browser_errors["console"] == []
