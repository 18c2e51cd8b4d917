"""Writing thank-you notes in a real Chromium, against a live server with the production CSP."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import ConsoleMessage, Page, expect

from interviews.models import InterviewerRole
from notes.models import Correspondence, Note
from tests.factories import ApplicationFactory, AttendanceFactory, InterviewFactory
from tests.notes.conftest import LISTING

pytestmark = pytest.mark.browser

SAME_NOTE = """{greeting}

Thank you for meeting with me today about the Senior Product Manager role. I enjoyed our
conversation about scaling the data platform, and the plan to move every team onto event
streaming within a year. I led a similar migration at Globex and would start where batch
jobs fail most often. I am very interested in the role and in Initech's mission.

Best regards,
Ada Lovelace"""

ALAN_NOTE = """Dear Alan,

Thank you for organising the day so smoothly, and for your advice on relocating to
Manchester: I have already looked at the neighbourhoods you suggested. I am very interested
in joining Initech and look forward to hearing about the next steps.

Best regards,
Ada Lovelace"""


@pytest.fixture
def browser_errors(page: Page) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {"console": [], "page": []}

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors["console"].append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors["page"].append(str(error)))
    page.on(
        "response",
        lambda response: response.status >= 400
        and errors.setdefault("failed", []).append(f"{response.status} {response.url}"),
    )
    return errors


@pytest.fixture
def interview(owner_with_signature):
    application = ApplicationFactory(
        owner=owner_with_signature,
        company="Initech",
        role_title="Senior Product Manager",
        listing_text=LISTING,
    )
    ended = timezone.now() - timedelta(hours=2)
    interview = InterviewFactory(
        application=application, starts_at=ended - timedelta(hours=1), ends_at=ended
    )
    AttendanceFactory(
        interview=interview,
        interviewer__name="Grace Hopper",
        interviewer__title="Director of Product",
        interviewer__email="grace@initech.example",
        interviewer__role=InterviewerRole.HIRING_MANAGER,
        topics="Scaling the data platform",
        concerns="No direct experience with Kafka",
    )
    AttendanceFactory(
        interview=interview,
        interviewer__name="Alan Turing",
        interviewer__title="Talent Partner",
        interviewer__email="alan@initech.example",
        interviewer__role=InterviewerRole.HR,
        topics="Relocation to Manchester",
        concerns="",
    )
    return interview


def _open_tab(page: Page, name: str):
    page.get_by_role("tab", name=re.compile(name)).click()
    pane = page.locator(".tab-pane.active")
    expect(pane.get_by_role("heading", level=2)).to_contain_text(name)
    return pane


def _write(pane, text: str) -> None:
    """Type the note and wait until the autosave has stored it."""
    with pane.page.expect_response(
        lambda response: re.search(r"/notes/\d+/$", response.url)
        and response.request.method == "POST"
        and response.request.headers.get("hx-request") == "true"
        and response.ok
    ):
        pane.locator("textarea.note-body").fill(text)
    expect(pane.locator(".save-status")).to_contain_text("Saved")


def test_candidate_writes_two_notes_fixes_a_duplicate_and_marks_one_sent(
    live_server, page: Page, sign_in, owner_with_signature, interview, browser_errors
):
    sign_in(page, owner_with_signature)
    page.goto(f"{live_server.url}{interview.get_absolute_url()}")
    page.get_by_role("button", name="Write notes").click()
    expect(page.get_by_role("tab")).to_have_count(2)
    expect(page.get_by_role("tab").first).to_contain_text("Grace Hopper")

    # The hiring manager's note, then a copy of it to HR: the coach flags the duplicate.
    grace = _open_tab(page, "Grace Hopper")
    _write(grace, SAME_NOTE.format(greeting="Dear Grace,"))
    alan = _open_tab(page, "Alan Turing")
    _write(alan, SAME_NOTE.format(greeting="Dear Alan,"))
    duplicate = alan.locator('[data-check="C2"]')
    expect(duplicate).to_have_class(re.compile("coach-warn"))
    expect(duplicate).to_contain_text("Near-duplicate of your note to Grace Hopper")
    expect(alan.locator('[data-check="C5"]')).to_have_class(re.compile("coach-warn"))

    # Rewritten for Alan, it passes.
    _write(alan, ALAN_NOTE)
    expect(duplicate).to_have_class(re.compile("coach-pass"))
    expect(duplicate).to_contain_text("Different from your other notes")
    expect(alan.locator('[data-check="C5"]')).to_have_class(re.compile("coach-pass"))

    # A missing listing phrase is one click away.
    grace = _open_tab(page, "Grace Hopper")
    grace.get_by_role("button", name="+ PCI DSS").click()
    expect(grace.locator("textarea.note-body")).to_have_value(re.compile("PCI DSS"))
    expect(grace.locator(".phrase-used", has_text="PCI DSS")).to_be_visible()

    # Alan's note is sent: recorded, and kept as sent.
    alan = _open_tab(page, "Alan Turing")
    expect(alan.get_by_role("link", name="Open in your mail program")).to_have_attribute(
        "href", re.compile(r"^mailto:alan@initech\.example\?subject=.*&body=Dear%20Alan%2C")
    )
    alan.get_by_role("button", name="Mark sent").click()
    expect(page.locator(".alert-success").first).to_contain_text("as sent")
    sent_pane = page.locator(".tab-pane.active")
    expect(sent_pane).to_contain_text("Kept as sent")
    expect(sent_pane.locator("textarea")).to_have_count(0)
    expect(page.get_by_role("tab", name=re.compile("Alan Turing"))).to_contain_text("sent")

    correspondence = Correspondence.objects.get()
    assert (correspondence.kind, correspondence.channel) == ("thank_you", "email")
    assert correspondence.interviewer.name == "Alan Turing"
    assert correspondence.body == ALAN_NOTE
    grace_note = Note.objects.get(interviewer__name="Grace Hopper")
    assert "PCI DSS" in grace_note.body and not grace_note.is_sent

    page.goto(f"{live_server.url}{interview.application.get_absolute_url()}")
    expect(page.locator(".correspondence-list")).to_contain_text(
        "Thank-you note · email to Alan Turing"
    )

    csp = [text for text in browser_errors["console"] if "content security policy" in text.lower()]
    assert csp == []
    assert browser_errors.get("failed", []) == []
    assert browser_errors["page"] == []


def test_two_tabs_never_silently_overwrite_each_other(
    live_server, page: Page, sign_in, owner_with_signature, interview, browser_errors
):
    sign_in(page, owner_with_signature)
    page.goto(f"{live_server.url}{interview.get_absolute_url()}")
    page.get_by_role("button", name="Write notes").click()
    editor_url = page.url
    other = page.context.new_page()
    other.goto(editor_url)

    first = _open_tab(page, "Grace Hopper")
    _write(first, SAME_NOTE.format(greeting="Dear Grace,"))
    second = _open_tab(other, "Grace Hopper")
    second.locator("textarea.note-body").fill("Dear Grace,\n\nWritten in the second tab.")

    alert = second.locator(".save-status .alert")
    expect(alert).to_contain_text("Changed in another tab or window")
    expect(second.locator("textarea.note-body")).to_have_value(
        "Dear Grace,\n\nWritten in the second tab."
    )
    stored = Note.objects.get(interviewer__name="Grace Hopper").body
    assert stored.startswith("Dear Grace,\n\nThank")

    second.get_by_role("button", name="Keep mine (replace the other)").click()
    expect(second.locator(".save-status")).to_contain_text("Saved")
    assert Note.objects.get(interviewer__name="Grace Hopper").body.endswith("second tab.")
    other.close()


def test_text_typed_while_offline_is_kept_and_saved_when_back(
    live_server, page: Page, sign_in, owner_with_signature, interview
):
    sign_in(page, owner_with_signature)
    page.goto(f"{live_server.url}{interview.get_absolute_url()}")
    page.get_by_role("button", name="Write notes").click()
    pane = _open_tab(page, "Alan Turing")

    page.context.set_offline(True)
    pane.locator("textarea.note-body").fill(ALAN_NOTE)
    expect(pane.locator(".save-status")).to_contain_text("Not saved: the connection failed")
    assert not Note.objects.filter(body=ALAN_NOTE).exists()
    page.context.set_offline(False)

    expect(pane.locator(".save-status")).to_contain_text("Saved", timeout=15_000)
    assert Note.objects.filter(interviewer__name="Alan Turing", body=ALAN_NOTE).exists()
    expect(pane.locator("textarea.note-body")).to_have_value(ALAN_NOTE)
