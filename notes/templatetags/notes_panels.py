"""Panels the notes app adds to pages of the interviews app, which knows nothing of notes.

Each tag runs a fixed number of queries, whatever the number of interviewers or notes.
"""

from __future__ import annotations

from django import template
from django.utils import timezone

from interviews.models import Application, Interview
from notes import coach, selectors
from notes.forms import NewNoteForm
from notes.models import CorrespondenceKind, Note

register = template.Library()


@register.inclusion_tag("notes/_interview_panel.html", takes_context=True)
def interview_notes_panel(context, interview: Interview) -> dict:
    """Who has a thank-you note for this interview, and the 48-hour clock (C13)."""
    notes = Note.objects.filter(interview=interview, kind=CorrespondenceKind.THANK_YOU)
    by_person: dict[int, list[Note]] = {}
    for note in notes.order_by("created_at", "id"):
        by_person.setdefault(note.interviewer_id, []).append(note)
    # The interview page's view read the attendances already: its panel reuses them.
    attendances = context.get("attendances") if context.get("interview") is interview else None
    if attendances is None:
        attendances = interview.attendances.select_related("interviewer")
    rows = []
    for attendance in attendances:
        person_notes = by_person.get(attendance.interviewer_id, [])
        sent = [note for note in person_notes if note.is_sent]
        rows.append(
            {
                "person": attendance.interviewer,
                "sent": sent,
                "drafts": len(person_notes) - len(sent),
            }
        )
    hours = (timezone.now() - interview.ends_at).total_seconds() / 3600
    return {
        "interview": interview,
        "rows": rows,
        "missing": any(not row["sent"] and not row["drafts"] for row in rows),
        "hours_left": int(coach.DEADLINE_HOURS - hours)
        if 0 <= hours < coach.DEADLINE_HOURS
        else None,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("notes/_correspondence_panel.html", takes_context=True)
def correspondence_panel(context, application: Application) -> dict:
    """What was sent, the drafts in progress, and a form to start any kind of note."""
    return {
        "application": application,
        "sent": selectors.sent_of(application),
        "drafts": Note.objects.filter(application=application, sent_at__isnull=True)
        .select_related("interviewer")
        .order_by("-updated_at"),
        "form": NewNoteForm(application=application),
        # The new note's "To" choices: the page's interviewers when the view fetched them.
        "interviewers": context.get("interviewers", application.interviewers.all()),
        "csrf_token": context.get("csrf_token"),
    }

