"""Panels the notes app adds to pages of the interviews app, which knows nothing of notes.

Each tag runs a fixed number of queries, whatever the number of interviewers or notes.
"""

from __future__ import annotations

from django import template
from django.utils import timezone

from interviews.models import Application, Interview
from notes import coach
from notes.forms import NewNoteForm
from notes.inbox import services as inbox_services
from notes.models import CorrespondenceKind, Note, ReceivedMessage

register = template.Library()


@register.inclusion_tag("notes/_interview_panel.html", takes_context=True)
def interview_notes_panel(context, interview: Interview) -> dict:
    """Who has a thank-you note for this interview, and the 48-hour clock (C13)."""
    notes = Note.objects.filter(interview=interview, kind=CorrespondenceKind.THANK_YOU)
    by_person: dict[int, list[Note]] = {}
    for note in notes.order_by("created_at", "id"):
        by_person.setdefault(note.interviewer_id, []).append(note)
    rows = []
    for attendance in interview.attendances.select_related("interviewer"):
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
        "sent": application.correspondence.select_related("interviewer", "note"),
        "drafts": Note.objects.filter(application=application, sent_at__isnull=True)
        .select_related("interviewer")
        .order_by("-updated_at"),
        "form": NewNoteForm(application=application),
        "csrf_token": context.get("csrf_token"),
    }


# --- The Inbox: the two clocks (issue 13.5) -------------------------------------------------


@register.inclusion_tag("notes/inbox/_clocks.html")
def two_clocks(application: Application) -> dict:
    """ "The employer last wrote N days ago" beside "your last touch N days ago"."""
    return {
        "application": application,
        "clock": inbox_services.clocks_for([application.pk])[application.pk],
        "received": ReceivedMessage.objects.employer_mail()
        .filter(application=application)
        .only("id", "subject", "sender_name", "sender_email", "written_at", "received_at")
        .order_by("-received_at")[:5],
    }
