"""What the reminder email says, rendered from
``templates/emails/reminder-{subject,body-text,body-html}.html``: the subject, each item's
what, for whom, why and links, late labels and windows in the candidate's zone, the
candidate's draft, and user text escaped in the HTML body and kept as written in the text.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils.html import escape

from notes.models import Note
from reminders import services
from reminders.emails import build_reminder_email
from reminders.grouping import THANK_YOU_REASON, group
from reminders.models import FollowUp
from reminders.rules import WINDOWS
from tests.reminders.conftest import log_interview

pytestmark = pytest.mark.django_db

CURRENT_TIME = datetime(2026, 11, 18, 15, 30, tzinfo=UTC)
EVENING = datetime(2026, 11, 18, 18, 5, tzinfo=UTC)
SITE = "https://followup.example"
R1_WINDOW = WINDOWS["R1"]
HOSTILE = """<b>Tom & "Jerry's"</b> <script>alert(1)</script>"""


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def _due(logged, now=EVENING) -> list[FollowUp]:
    services.plan_application(application_id=logged.application.pk, now=CURRENT_TIME)
    return list(FollowUp.objects.due(now).filter(owner=logged.owner).select_related(
        "owner", "application", "interview", "interviewer"
    ).order_by("due_at", "id"))


def _html(message) -> str:
    ((html, kind),) = message.alternatives
    assert kind == "text/html"
    return html


def test_one_follow_up_is_named_in_the_subject_with_its_person_and_company(owner):
    logged = log_interview(owner)
    row = next(r for r in _due(logged) if r.rule == "R2" and r.interviewer == logged.ada)

    message = build_reminder_email(owner=owner, followups=[row], now=EVENING, drafts=[])

    # A thank-you is named as the task it is part of, with a line per person and channel.
    assert message.subject == "Thank the person you met (Acme Analytics)"
    assert message.to == [owner.email]
    assert message.body.startswith(f"Hello {owner},\n\n1. Thank the person you met\n")
    assert "   - Send a thank-you email — for Ada Lovelace: To do\n" in message.body
    assert "   Product Manager at Acme Analytics\n" in message.body
    rule = row.definition
    assert f'   Why: {THANK_YOU_REASON}\n   "{rule.why}" ({rule.article})\n' in message.body
    assert f"<q>{escape(rule.why)}</q> — <cite>{escape(rule.article)}</cite>" in _html(message)


def test_several_follow_ups_are_counted_in_the_subject_and_each_has_its_links(owner):
    logged = log_interview(owner)
    rows = _due(logged)

    message = build_reminder_email(owner=owner, followups=rows, now=EVENING, drafts=[])

    # R1 (the debrief) fell due at 16:00: late by now. The subject counts tasks, not rows:
    # the thank-you emails and cards of the interview are one.
    tasks = group(rows)
    assert len(tasks) < len(rows)
    assert message.subject == f"[Late] {len(tasks)} follow-ups to do today"
    assert message.body.count("Thank the 2 people you met") == 1
    for text in (message.body, _html(message)):
        for row in rows:
            assert row.definition.title in text
        for action in ("done", "snooze", "dismiss"):
            path = reverse("followup_link", args=[action, "TOKEN"]).removesuffix("TOKEN/")
            assert text.count(f"{SITE}{path}") == len(rows)
    assert message.body.count("   Done: ") == len(rows)
    assert message.body.count("   Snooze 2 days: ") == len(rows)
    # A thank-you line is skipped on purpose; a follow-up of its own is dismissed.
    html = _html(message)
    assert html.count(">Dismiss</a>") + html.count(">Skip</a>") == len(rows)
    # Where acting starts: the debrief for R1, the notes for a thank-you, the person's page
    # for their missing details.
    r1 = next(r for r in rows if r.rule == "R1")
    r13 = next(r for r in rows if r.rule == "R13")
    assert f"Open in the app: {SITE}{reverse('debrief', args=[r1.interview_id])}" in message.body
    assert (f"Open in the app: {SITE}{reverse('interview_notes', args=[r1.interview_id])}"
            in message.body)
    assert (f"Open in the app: {SITE}{reverse('interviewer_edit', args=[r13.interviewer_id])}"
            in message.body)
    # The footer: why it came, the one-click pause and the settings.
    assert f"as {owner.email}, and reminder emails are switched on" in message.body
    assert f"Choose when and which reminders you get: {SITE}{reverse('reminder_settings')}" in (
        message.body)
    assert "Stop all reminder emails (one click, you can switch them back on): " in message.body


def test_a_late_follow_up_says_so_with_its_due_time_and_window_in_the_candidates_zone(owner):
    owner.time_zone = "America/New_York"
    owner.save(update_fields=["time_zone"])
    logged = log_interview(owner)
    row = next(r for r in _due(logged) if r.rule == "R1")  # due an hour after the interview

    message = build_reminder_email(owner=owner, followups=[row], now=EVENING, drafts=[])

    local_due = row.due_at.astimezone(owner.zone)
    assert local_due.hour == 11  # 16:00 UTC
    assert message.subject == "[Late] Debrief while it is fresh (Acme Analytics)"
    assert "Some of these were due earlier and are arriving late" in message.body
    assert f"[late: was due {local_due:%a} {local_due.day} {local_due:%b, %H:%M}]" in (
        message.body)
    closes = (logged.interview.ends_at + R1_WINDOW).astimezone(owner.zone)
    assert (f"Its window closes {closes:%a} {closes.day} {closes:%b, %H:%M}: do it before then."
            in message.body)
    assert "<strong>Its window closes" in _html(message)


def test_a_draft_ready_to_send_is_in_the_email_and_its_link_opens_it(owner):
    logged = log_interview(owner)
    row = next(r for r in _due(logged) if r.rule == "R2" and r.interviewer == logged.ada)
    draft = Note.objects.create(application=logged.application, interview=logged.interview,
                                interviewer=logged.ada, kind="thank_you", channel="email",
                                subject="Thank you", body="Dear Ada,\n\nThank you.")

    message = build_reminder_email(owner=owner, followups=[row], now=EVENING, drafts=[draft])

    assert ("Your draft, ready to check and send (subject: Thank you):\n   ----\n"
            "Dear Ada,\n\nThank you.\n   ----\n") in message.body
    assert f"Open in the app: {SITE}{draft.get_absolute_url()}" in message.body
    assert f'<a href="{SITE}{draft.get_absolute_url()}">Open your draft</a>' in _html(message)


def test_user_text_is_escaped_in_the_html_body_kept_in_the_text_and_the_subject_is_one_line(
    owner
):
    owner.display_name = HOSTILE
    owner.save(update_fields=["display_name"])
    logged = log_interview(owner, company=f"Acme\r\nBcc: victim@example.com {HOSTILE}")
    rows = _due(logged)
    one = [next(r for r in rows if r.rule == "R2" and r.interviewer == logged.ada)]
    draft = Note.objects.create(application=logged.application, interview=logged.interview,
                                interviewer=logged.ada, kind="thank_you", channel="email",
                                subject=HOSTILE, body=HOSTILE)

    message = build_reminder_email(owner=owner, followups=one, now=EVENING, drafts=[draft])

    assert "\n" not in message.subject and "\r" not in message.subject
    assert message.subject.endswith(f"(Acme Bcc: victim@example.com {HOSTILE})")
    assert f"Hello {HOSTILE}," in message.body
    assert HOSTILE in message.body
    html = _html(message)
    assert "<script>" not in html and "<b>Tom" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Tom &amp; &quot;Jerry&#x27;s&quot;" in html
    message.message()  # Django accepts its headers
