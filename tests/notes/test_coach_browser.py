"""Issue 18.6 in a real Chromium: the coach reads a concern answered in other words as
answered, a note that only repeats the concern as not answered yet, and "designing in the
open" as culture fit."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from interviews.models import InterviewerRole
from tests.factories import ApplicationFactory, AttendanceFactory, InterviewFactory
from tests.notes.test_browser import _open_tab, _write

pytestmark = pytest.mark.browser

CONCERN = "Whether I have enough experience with Android-specific patterns"

ANSWERED = """Dear Hannah,

Thank you for this morning's walk through the card-freezing flow.

On Android: at Babylon I moved our appointment reminders from AlarmManager to WorkManager
in Kotlin, which cut missed reminders by 30% on Samsung phones.

I love Monzo's habit of designing in the open, and I would be excited to join the team.

Best regards,
Ada Lovelace"""

REPEATED = """Dear Hannah,

Thank you for this morning's walk through the card-freezing flow.

You wondered whether I have enough experience with Android-specific patterns. I have
enough experience with Android-specific patterns.

I love Monzo's habit of designing in the open, and I would be excited to join the team.

Best regards,
Ada Lovelace"""


@pytest.fixture
def interview(owner_with_signature):
    application = ApplicationFactory(
        owner=owner_with_signature, company="Monzo", role_title="Android Engineer"
    )
    ended = timezone.now() - timedelta(hours=2)
    interview = InterviewFactory(
        application=application, starts_at=ended - timedelta(hours=1), ends_at=ended
    )
    AttendanceFactory(
        interview=interview,
        interviewer__name="Hannah Okafor",
        interviewer__title="Engineering Manager",
        interviewer__email="hannah@monzo.example",
        interviewer__role=InterviewerRole.HIRING_MANAGER,
        topics="The card-freezing flow",
        concerns=CONCERN,
    )
    return interview


def test_the_coach_judges_the_answer_not_the_words(
    live_server, page: Page, sign_in, owner_with_signature, interview
):
    sign_in(page, owner_with_signature)
    page.goto(f"{live_server.url}{interview.get_absolute_url()}")
    page.get_by_role("button", name="Write notes").click()
    pane = _open_tab(page, "Hannah Okafor")
    concerns = pane.locator('[data-check="C7"]')
    fit = pane.locator('[data-check="C10"]')

    _write(pane, ANSWERED)
    expect(concerns).to_have_class(re.compile("coach-pass"))
    expect(fit).to_have_class(re.compile("coach-pass"))

    _write(pane, REPEATED)
    expect(concerns).to_have_class(re.compile("coach-warn"))
    expect(concerns).to_contain_text("do not answer it yet")
    # The person reads words, never a check's id.
    assert not re.search(r"\bC\d{1,2}\b", pane.locator(".coach-results").inner_text())
