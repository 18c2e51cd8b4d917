"""Writes of the notes app; recording what was sent announces it (notes/signals.py).

Saving a draft is optimistic: the client names the ``version`` it started from and the
row is written by a conditional UPDATE on that version, so two tabs never silently
overwrite each other (``NoteConflict`` carries the newer row). A tab's own saves racing
each other (an autosave still in flight when Save is pressed) are recognised by the
``editor`` token of the page load and are not conflicts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from interviews.models import Application, Attendance, Candidate, Interview, Interviewer
from interviews.services import assign_changed
from notes import selectors, signals, starters
from notes.models import (
    Achievement,
    Correspondence,
    CorrespondenceKind,
    Note,
    NotesSettings,
    Resource,
    Testimonial,
)

NOTE_TEXT_FIELDS = ("channel", "subject", "body", "attachment_description")


class NoteConflict(Exception):
    """Someone else saved the note since this client last saw it."""

    def __init__(self, current: Note):
        super().__init__(f"Note {current.pk} is at version {current.version}.")
        self.current = current


class NoteAlreadySent(Exception):
    """A sent note is kept as it was sent."""

    def __init__(self, current: Note):
        super().__init__(f"Note {current.pk} was sent.")
        self.current = current


@transaction.atomic
def correspondence_record(**fields) -> Correspondence:
    """Record something the candidate sent; reminders about it stop once this commits."""
    correspondence = Correspondence.objects.create(**fields)
    signals.facts_changed.send(sender=Correspondence, application_id=correspondence.application_id)
    return correspondence


# --- Starting notes ---------------------------------------------------------------------


def _new_note(
    *,
    kind: str,
    channel: str,
    application: Application,
    candidate: Candidate,
    interviewer: Interviewer,
    interview: Interview | None,
    topics: str,
    concerns: str,
    weak: tuple[str, ...],
    resources: list[Resource],
) -> Note:
    merge = selectors.merge_for(
        kind=kind,
        application=application,
        candidate=candidate,
        interviewer=interviewer,
        interview=interview,
        topics=topics,
        concerns=concerns,
        weak=weak,
        resources=resources,
    )
    start = starters.starter(kind, channel, merge)
    now = timezone.now()
    return Note(
        application=application,
        interview=interview,
        interviewer=interviewer,
        kind=kind,
        channel=channel,
        subject=start.subject,
        body=start.body,
        created_at=now,
        updated_at=now,
    )


@transaction.atomic
def thank_you_notes_start(*, interview: Interview, candidate: Candidate) -> list[Note]:
    """Draft a thank-you to each person at the interview who has none yet for it.

    The interview row is locked first, so a double click cannot draft two notes each.
    """
    list(Interview.objects.select_for_update().filter(pk=interview.pk).values_list("pk"))
    have = set(
        Note.objects.filter(interview=interview, kind=CorrespondenceKind.THANK_YOU).values_list(
            "interviewer_id", flat=True
        )
    )
    attendances = interview.attendances.select_related("interviewer").exclude(
        interviewer_id__in=have
    )
    weak = selectors.weak_moments(interview)
    notes = [
        _new_note(
            kind=CorrespondenceKind.THANK_YOU,
            channel=starters.EMAIL,
            application=interview.application,
            candidate=candidate,
            interviewer=attendance.interviewer,
            interview=interview,
            topics=attendance.topics,
            concerns=attendance.concerns,
            weak=weak,
            resources=[],
        )
        for attendance in attendances
    ]
    return Note.objects.bulk_create(notes)


def _discussed(interviewer: Interviewer, interview: Interview | None) -> tuple[str, str]:
    """(topics, concerns) recorded for a person: at one round, or at all of them."""
    rows = Attendance.objects.filter(interviewer=interviewer)
    if interview is not None:
        rows = rows.filter(interview=interview)
    rows = list(rows)
    return (
        "\n".join(row.topics for row in rows if row.topics),
        "\n".join(row.concerns for row in rows if row.concerns),
    )


def note_create(
    *,
    application: Application,
    candidate: Candidate,
    interviewer: Interviewer,
    kind: str,
    channel: str = starters.EMAIL,
    interview: Interview | None = None,
) -> Note:
    """Start a note of any kind to one person, from its starter.

    A note other than a thank-you hangs off the latest round the person attended, if any,
    for the "when" of its wording; its topics come from every round they attended.
    """
    if interviewer.application_id != application.pk:
        raise ValueError("The interviewer must belong to the application.")
    if interview is None:
        interview = (
            Interview.objects.filter(application=application, attendances__interviewer=interviewer)
            .order_by("-starts_at", "-pk")
            .first()
        )
    one_round = interview if kind == CorrespondenceKind.THANK_YOU else None
    topics, concerns = _discussed(interviewer, one_round)
    note = _new_note(
        kind=kind,
        channel=channel,
        application=application,
        candidate=candidate,
        interviewer=interviewer,
        interview=interview,
        topics=topics,
        concerns=concerns,
        weak=selectors.weak_moments(interview) if kind == CorrespondenceKind.THANK_YOU else (),
        resources=list(Resource.objects.owned_by(candidate)),
    )
    note.save()
    return note


def note_send_another(*, note: Note, candidate: Candidate, channel: str) -> Note:
    """A new draft of the same kind to the same person, say a card after the email."""
    return note_create(
        application=note.application,
        candidate=candidate,
        interviewer=note.interviewer,
        kind=note.kind,
        channel=channel,
        interview=note.interview,
    )


# --- Saving and sending -----------------------------------------------------------------


def _unchanged(note: Note, fields: dict[str, Any]) -> bool:
    return all(getattr(note, name) == value for name, value in fields.items())


def _save_text(*, note: Note, expected_version: int, editor: str, fields: dict[str, Any]) -> Note:
    """1. Read the row as it is now; a sent note is never changed.
    2. Same text as stored: nothing to write, whatever version the client had.
    3. The client saw the latest version, or made it itself: write it, on the condition
       that the version is still the one read (a conditional UPDATE: a save landing
       between the read and the write makes this one a conflict, never a lost update).
    """
    unknown = set(fields) - set(NOTE_TEXT_FIELDS)
    if unknown:
        raise ValueError(f"Not note text: {sorted(unknown)}")
    current = Note.objects.get(pk=note.pk)
    if current.is_sent:
        raise NoteAlreadySent(current)
    if _unchanged(current, fields):
        return current
    own = bool(editor) and current.editor == editor
    if current.version != expected_version and not own:
        raise NoteConflict(current)
    now = timezone.now()
    written = Note.objects.filter(pk=note.pk, version=current.version, sent_at__isnull=True).update(
        **fields, editor=editor, version=F("version") + 1, updated_at=now
    )
    if not written:
        raise NoteConflict(Note.objects.get(pk=note.pk))
    for name, value in fields.items():
        setattr(current, name, value)
    current.version += 1
    current.editor = editor
    current.updated_at = now
    return current


@transaction.atomic
def note_save(*, note: Note, expected_version: int, editor: str = "", **fields) -> Note:
    """Save a draft's text; returns the row as saved. Raises NoteConflict, NoteAlreadySent."""
    return _save_text(note=note, expected_version=expected_version, editor=editor, fields=fields)


@transaction.atomic
def note_mark_sent(
    *,
    note: Note,
    sent_at: datetime,
    channel: str,
    expected_version: int,
    editor: str = "",
    **fields,
) -> Correspondence:
    """Save the text as shown, mark the note sent and record it on the application.

    Recording the Correspondence announces it (``signals.facts_changed``), so the
    application is planned again and the reminders about it stop. The note stays,
    read-only, as sent.
    """
    saved = _save_text(
        note=note,
        expected_version=expected_version,
        editor=editor,
        fields={**fields, "channel": channel},
    )
    claimed = Note.objects.filter(pk=note.pk, sent_at__isnull=True).update(
        sent_at=sent_at, version=F("version") + 1, updated_at=timezone.now()
    )
    if not claimed:
        raise NoteAlreadySent(Note.objects.get(pk=note.pk))
    correspondence = correspondence_record(
        application_id=saved.application_id,
        interview_id=saved.interview_id,
        interviewer_id=saved.interviewer_id,
        kind=saved.kind,
        channel=channel,
        sent_at=sent_at,
        subject=saved.subject if channel == starters.EMAIL else "",
        body=saved.body,
    )
    Note.objects.filter(pk=note.pk).update(correspondence=correspondence)
    note.refresh_from_db()
    return correspondence


def note_delete(*, note: Note) -> None:
    """Discard a draft. A sent note is part of the record and stays."""
    deleted, _ = Note.objects.filter(pk=note.pk, sent_at__isnull=True).delete()
    if not deleted:
        raise NoteAlreadySent(note)


# --- Brag book, library, settings -------------------------------------------------------


def _update(instance, fields: dict[str, Any]) -> list[str]:
    changed = assign_changed(instance, fields)
    if changed:
        instance.save(update_fields=changed)
    return changed


def testimonial_create(*, owner: Candidate, **fields) -> Testimonial:
    return Testimonial.objects.create(owner=owner, **fields)


def testimonial_update(*, testimonial: Testimonial, **fields) -> list[str]:
    return _update(testimonial, fields)


def testimonial_delete(*, testimonial: Testimonial) -> None:
    testimonial.delete()


def achievement_create(*, owner: Candidate, **fields) -> Achievement:
    return Achievement.objects.create(owner=owner, **fields)


def achievement_update(*, achievement: Achievement, **fields) -> list[str]:
    return _update(achievement, fields)


def achievement_delete(*, achievement: Achievement) -> None:
    achievement.delete()


def resource_create(*, owner: Candidate, **fields) -> Resource:
    return Resource.objects.create(owner=owner, **fields)


def resource_update(*, resource: Resource, **fields) -> list[str]:
    return _update(resource, fields)


def resource_delete(*, resource: Resource) -> None:
    resource.delete()


def notes_settings_update(*, owner: Candidate, confidential_terms: str) -> NotesSettings:
    settings, _ = NotesSettings.objects.update_or_create(
        owner=owner, defaults={"confidential_terms": confidential_terms}
    )
    return settings
