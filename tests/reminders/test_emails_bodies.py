"""The reminder email's subject and bodies, written in Python (``emails.subject_of``,
``text_body``, ``html_body``), are what the templates render, character for character.

``templates/emails/reminder-{subject,body-text,body-html}.html`` stay the reference: emails
of every shape are rendered both ways and compared (one item or several, late or not, a
person or none, a window, a postponement, a draft with or without a subject, and text that
needs escaping in every field the HTML body shows).
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from notes.models import Note
from reminders import emails, services
from reminders.models import FollowUp
from tests.reminders.conftest import log_interview

pytestmark = pytest.mark.django_db

CURRENT_TIME = datetime(2026, 11, 18, 15, 30, tzinfo=UTC)
EVENING = datetime(2026, 11, 18, 18, 5, tzinfo=UTC)
HOSTILE = """<b>Tom & "Jerry's"</b> <script>alert(1)</script>"""


def _context(owner, **changes) -> dict:
    logged = log_interview(owner, company=changes.pop("company", "Acme Analytics"))
    services.plan_application(application_id=logged.application.pk, now=CURRENT_TIME)
    rows = list(FollowUp.objects.due(EVENING).filter(owner=owner).select_related(
        "owner", "application", "interview", "interviewer"
    ).order_by("due_at", "id"))
    assert len(rows) > 1
    rows = rows[: changes.pop("count", len(rows))]
    with timezone.override(owner.zone):
        context = {
            "owner": owner,
            "items": emails.reminder_items(rows, EVENING, []),
            "any_late": changes.pop("any_late", False),
            "site_url": "https://followup.example",
            "settings_url": "https://followup.example/reminders/settings/",
            "unsubscribe_url": "https://followup.example/reminders/unsubscribe/x:y:z/",
        }
    for item in context["items"]:
        item.update(changes)
    return context


def _both(context: dict) -> list[tuple[str, str]]:
    return [
        (render_to_string("emails/reminder-subject.html", context), emails.subject_of(context)),
        (render_to_string("emails/reminder-body-text.html", context),
         emails.text_body(context)),
        (render_to_string("emails/reminder-body-html.html", context),
         emails.html_body(context)),
    ]


DRAFTS = [
    None,
    Note(subject="", body="Thanks for today.\nBest, Sam"),
    Note(subject="Thank you", body="Dear Ada,\n\nThank you.\n"),
    Note(subject=HOSTILE, body=HOSTILE),
]


@pytest.mark.parametrize(("late", "person", "closes", "postponed", "draft"), list(
    itertools.product([False, True], ["", "Ada Lovelace"], ["", "Thu 19 Nov, 15:00"],
                      ["", "Mon 23 Nov"], range(len(DRAFTS)))
))
def test_the_python_bodies_are_the_templates_to_the_character(
    owner, late, person, closes, postponed, draft
):
    context = _context(
        owner, any_late=late, late=late, late_since="Wed 18 Nov, 16:00" if late else "",
        person=person, closes=closes, postponed_from=postponed, draft=DRAFTS[draft],
    )
    for template, python in _both(context):
        assert python == template


@pytest.mark.parametrize("count", [1, 2])
@pytest.mark.parametrize("late", [False, True])
def test_one_item_or_several_and_text_that_needs_escaping(owner, count, late):
    owner.display_name = HOSTILE
    owner.save(update_fields=["display_name"])
    context = _context(
        owner, company=HOSTILE, count=count, any_late=late, late=late,
        late_since=HOSTILE if late else "", title=HOSTILE, person=HOSTILE, where=HOSTILE,
        reason=HOSTILE, source=HOSTILE, rule_id=HOSTILE, closes=HOSTILE,
        postponed_from=HOSTILE, open_url=f"https://x.example/?a=1&b={HOSTILE}",
        links={"done": HOSTILE, "snooze": "a&b", "dismiss": '"'},
        draft=DRAFTS[3],
    )
    context["site_url"] = context["settings_url"] = context["unsubscribe_url"] = HOSTILE
    for template, python in _both(context):
        assert python == template
    assert "<script>" not in emails.html_body(context)


def test_the_email_built_carries_the_python_bodies(owner):
    context = _context(owner)
    rows = [item["followup"] for item in context["items"]]
    context["any_late"] = any(EVENING - row.due_at > emails.LATE_AFTER for row in rows)
    message = emails.build_reminder_email(owner=owner, followups=rows, now=EVENING, drafts=[])
    # The links carry the signing time and the unsubscribe link differs: compare the shape.
    assert message.subject == emails._one_line(emails.subject_of(context))
    assert message.body.splitlines()[0] == f"Hello {owner},"
    assert message.body.count("   Done: ") == len(rows)
    assert message.alternatives[0][0].startswith("<!doctype html>")


def _open_path_by_reverse(followup, draft) -> str:
    # open_path as it was written with reverse() and the models' get_absolute_url.
    from django.urls import reverse

    if draft is not None:
        return draft.get_absolute_url()
    if followup.rule == "R1" and followup.interview_id:
        return reverse("debrief", args=[followup.interview_id])
    if followup.rule in ("R2", "R3") and followup.interview_id:
        return reverse("interview_notes", args=[followup.interview_id])
    if followup.rule == "R13" and followup.interviewer_id:
        return reverse("interviewer_edit", args=[followup.interviewer_id])
    return followup.get_absolute_url()


@pytest.mark.parametrize("prefix", ["/", "/sub/"])
def test_open_path_reverses_each_path_once_to_the_same_urls(owner, prefix):
    from django.urls import get_script_prefix, set_script_prefix

    logged = log_interview(owner)
    services.plan_application(application_id=logged.application.pk, now=CURRENT_TIME)
    rows = list(FollowUp.objects.filter(owner=owner))
    rows.append(FollowUp(rule="R9", application_id=logged.application.pk))  # no interview
    assert {"R1", "R2", "R3", "R13"} <= {row.rule for row in rows}
    note = Note.objects.create(application=logged.application, kind="thank_you",
                               channel="email", body="Hi", interviewer=logged.ada)
    before = get_script_prefix()
    set_script_prefix(prefix)
    try:
        for row in rows:
            for draft in (None, note):
                assert emails.open_path(row, draft) == _open_path_by_reverse(row, draft)
        assert emails.open_path(rows[0], None).startswith(prefix)
    finally:
        set_script_prefix(before)


@pytest.mark.parametrize("language", ["en-us", "fr", "de"])
@pytest.mark.parametrize("zone", ["UTC", "Europe/London", "America/New_York", "Asia/Kolkata"])
def test_dates_are_written_as_the_date_filter_writes_them(language, zone):
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from django.utils import formats, translation

    moments = [datetime(2026, 1, 1, 0, 0, tzinfo=UTC) + timedelta(hours=7 * n, minutes=n)
               for n in range(0, 1300, 7)]
    with translation.override(language), timezone.override(ZoneInfo(zone)):
        for moment in moments:
            for fmt in (emails.WHEN, emails.DAY, "l j F Y"):
                assert emails._date(moment, fmt) == formats.date_format(
                    timezone.localtime(moment), fmt)
        assert emails._date(None, emails.WHEN) == ""
