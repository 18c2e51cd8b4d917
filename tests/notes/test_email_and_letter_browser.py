"""The email, then the letter, to one person, in Chromium (issue 18, point 8).

The editor says the two are separate notes; once the email is marked sent, "Write the letter
too" opens a letter to the same person, which links back to the email; the letter's header
carries the welcome's name and the email address once, and without a name asks for it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from notes.models import Note
from tests.notes.test_browser import _open_tab, browser_errors, interview  # noqa: F401
from tests.site.test_accessibility import DESKTOP, OVERFLOW, PHONE

pytestmark = pytest.mark.browser

SCREENSHOTS = os.environ.get("FOLLOWUP_SCREENSHOTS")


def _shot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        for viewport, width in ((DESKTOP, "1280"), (PHONE, "390")):
            page.set_viewport_size(viewport)
            page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}-{width}.png"), full_page=True)
        page.set_viewport_size(DESKTOP)


def _fits_a_phone(page: Page) -> None:
    page.set_viewport_size(PHONE)
    measured = page.evaluate(OVERFLOW)
    assert measured["scrollWidth"] <= measured["innerWidth"], measured
    page.set_viewport_size(DESKTOP)


def test_candidate_sends_the_email_then_writes_the_letter_too(
    live_server, page: Page, sign_in, owner_with_signature, interview, browser_errors  # noqa: F811
):
    owner = owner_with_signature
    owner.signature_name, owner.display_name = "", "Ada Lovelace"  # as the welcome leaves it
    owner.save(update_fields=["signature_name", "display_name"])
    sign_in(page, owner)
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}{interview.get_absolute_url()}")
    page.get_by_role("button", name="Write notes").click()

    grace = _open_tab(page, "Grace Hopper")
    expect(grace.locator(".two-notes")).to_have_text(
        re.compile("They are two notes to the same person")
    )
    _shot(page, "note-editor-email")
    grace.get_by_role("button", name="Mark sent").click()

    grace = page.locator(".tab-pane.active")
    expect(grace).to_contain_text("Kept as sent")
    offer = grace.get_by_role("region", name="Now the card or letter")
    expect(offer).to_contain_text("a second note to Grace Hopper")
    _fits_a_phone(page)
    _shot(page, "note-editor-email-sent")
    offer.get_by_role("button", name="Write the letter too").click()

    # The letter is its own tab, to the same person, and says where the email is.
    letter = Note.objects.get(interviewer__name="Grace Hopper", channel="letter")
    expect(page).to_have_url(re.compile(rf"\?note={letter.pk}$"))
    pane = page.locator(".tab-pane.active")
    expect(pane.get_by_role("heading", level=2)).to_contain_text("Grace Hopper")
    expect(pane.get_by_label("One-page letter")).to_be_checked()
    expect(pane.locator(".two-notes")).to_contain_text("Your email to Grace Hopper")
    expect(pane.locator(".two-notes").get_by_role("link", name="open it")).to_be_visible()
    expect(pane.locator(f"#n{letter.pk}-no-name")).to_have_count(0)
    _fits_a_phone(page)
    _shot(page, "note-editor-letter")

    # The printed header: the welcome's name, the email address once.
    with page.context.expect_page() as opened:
        pane.get_by_role("link", name="Print view").click()
    printed = opened.value
    sender = printed.locator("address.sender")
    expect(sender).to_contain_text("Ada Lovelace")
    assert sender.inner_text().count(owner.email) == 1
    expect(printed.locator("#no-name")).to_have_count(0)
    printed.close()

    # Without any name, the editor and the print view ask for it and say where.
    owner.display_name = ""
    owner.save(update_fields=["display_name"])
    page.reload()
    pane = page.locator(".tab-pane.active")
    prompt = pane.locator(f"#n{letter.pk}-no-name")
    expect(prompt).to_be_visible()
    _shot(page, "note-editor-letter-no-name")
    with page.context.expect_page() as opened:
        pane.get_by_role("link", name="Print view").click()
    printed = opened.value
    expect(printed.locator("#no-name")).to_be_visible()
    header = printed.locator("address.sender").inner_text()
    assert header.startswith("12 St James's Square") and header.count(owner.email) == 1
    printed.get_by_role("link", name="add your name for letters").click()
    expect(printed.get_by_label(re.compile("Name for letters", re.I))).to_be_in_viewport()

    assert browser_errors["page"] == []
    assert browser_errors.get("failed", []) == []
