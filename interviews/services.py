"""Writes with side effects: status history, derived updates and domain announcements.

Views and admin actions call these rather than saving models directly, so the history is
never skipped and every change the follow-up plan depends on is announced
(``signals.facts_changed``) inside the transaction that writes it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from interviews import signals
from interviews.models import (
    DEBRIEF_ANSWER_FIELDS,
    Application,
    ApplicationStatus,
    Attendance,
    Candidate,
    Debrief,
    DebriefDraft,
    Interview,
    Interviewer,
    StatusChange,
)

DEBRIEF_FIELDS = frozenset(
    {*DEBRIEF_ANSWER_FIELDS, "went_well_rating", "top_candidate_rating", "next_steps_said"}
)


def _facts_changed(application_id: int) -> None:
    """Announce, inside the writer's transaction, that the application's plan may change
    (see ``signals.facts_changed``)."""
    signals.facts_changed.send(sender=Application, application_id=application_id)


def assign_changed(instance, fields: dict[str, Any]) -> list[str]:
    """Set the fields whose value differs; return their names (for ``update_fields``)."""
    changed = []
    for name, value in fields.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


@transaction.atomic
def application_create(*, owner: Candidate, at: datetime | None = None, **fields) -> Application:
    at = at or timezone.now()
    application = Application.objects.create(owner=owner, created_at=at, **fields)
    StatusChange.objects.create(
        application=application, from_status="", to_status=application.status, changed_at=at
    )
    return application


@transaction.atomic
def application_update(
    *, application: Application, at: datetime | None = None, **fields
) -> list[str]:
    """Save the given fields; record and announce a status or decision-date change.

    Returns the names of the fields that changed.
    """
    at = at or timezone.now()
    old_status = application.status
    changed = assign_changed(application, fields)
    if not changed:
        return []
    application.save(update_fields=[*changed, "updated_at"])
    if "status" in changed:
        _record_status_change(application, old_status, at)
    if "status" in changed or "decision_date" in changed:
        _facts_changed(application.pk)
    return changed


def application_set_status(
    *, application: Application, status: str, at: datetime | None = None
) -> bool:
    return bool(application_update(application=application, status=status, at=at))


def _record_status_change(application: Application, old_status: str, at: datetime) -> None:
    StatusChange.objects.create(
        application=application,
        from_status=old_status,
        to_status=application.status,
        changed_at=at,
    )


def application_delete(*, application: Application) -> None:
    application.delete()


def _after_interview_saved(interview: Interview) -> None:
    """1. A logged interview means the application is being interviewed for.
    2. A decision date given in the interview becomes the application's decision date.
    3. Announce that the application's facts changed.
    """
    application = interview.application
    updates: dict[str, Any] = {}
    if application.status in (ApplicationStatus.SAVED, ApplicationStatus.APPLIED):
        updates["status"] = ApplicationStatus.INTERVIEWING
    if interview.q_decision_by and interview.q_decision_by != application.decision_date:
        updates["decision_date"] = interview.q_decision_by
    if updates:
        application_update(application=application, **updates)
    _facts_changed(interview.application_id)


@transaction.atomic
def interview_create(*, application: Application, **fields) -> Interview:
    interview = Interview.objects.create(application=application, **fields)
    _after_interview_saved(interview)
    return interview


@transaction.atomic
def interview_update(*, interview: Interview, **fields) -> list[str]:
    changed = assign_changed(interview, fields)
    if changed:
        interview.save(update_fields=[*changed, "updated_at"])
        _after_interview_saved(interview)
    return changed


@transaction.atomic
def interview_delete(*, interview: Interview) -> None:
    # Its follow-ups go with it (cascade); the application's plan is re-made now, not
    # at the hourly sweep (an R7/R8 counted from this round).
    application_id = interview.application_id
    interview.delete()
    _facts_changed(application_id)


@transaction.atomic
def interview_cancel(*, interview: Interview, at: datetime | None = None) -> bool:
    """Mark the round cancelled by the employer; announced so its follow-ups are closed."""
    if interview.cancelled_at is not None:
        return False
    interview.cancelled_at = at or timezone.now()
    interview.save(update_fields=["cancelled_at", "updated_at"])
    _facts_changed(interview.application_id)
    return True


@transaction.atomic
def interviewer_add(
    *, interview: Interview, topics: str = "", concerns: str = "", **fields
) -> Attendance:
    """Create an interviewer on the interview's application and record them as attending."""
    interviewer = Interviewer.objects.create(application=interview.application, **fields)
    attendance = Attendance.objects.create(
        interview=interview, interviewer=interviewer, topics=topics, concerns=concerns
    )
    _facts_changed(interviewer.application_id)
    return attendance


@transaction.atomic
def interviewer_update(*, interviewer: Interviewer, **fields) -> list[str]:
    changed = assign_changed(interviewer, fields)
    if changed:
        interviewer.save(update_fields=changed)
        _facts_changed(interviewer.application_id)
    return changed


@transaction.atomic
def interviewer_delete(*, interviewer: Interviewer) -> None:
    # Their follow-ups go with them (cascade); the application's plan is re-made now, not
    # at the hourly sweep (a thank-you or R13 for this person, outreach counted from them).
    application_id = interviewer.application_id
    interviewer.delete()
    _facts_changed(application_id)


@transaction.atomic
def attendance_link(*, interview: Interview, interviewer: Interviewer) -> Attendance:
    """Record that an interviewer of the same application attended this interview too."""
    if interviewer.application_id != interview.application_id:
        raise ValueError("An interviewer can only attend interviews of their own application.")
    attendance, created = Attendance.objects.get_or_create(
        interview=interview, interviewer=interviewer
    )
    if created:
        _facts_changed(interview.application_id)
    return attendance


def attendance_update(*, attendance: Attendance, topics: str, concerns: str) -> list[str]:
    changed = assign_changed(attendance, {"topics": topics, "concerns": concerns})
    if changed:
        attendance.save(update_fields=changed)
    return changed


@transaction.atomic
def attendance_remove(*, attendance: Attendance) -> None:
    attendance.delete()
    _facts_changed(attendance.interview.application_id)


@transaction.atomic
def debrief_save(
    *,
    interview: Interview,
    answers: dict[str, Any],
    attendance_notes: dict[int, dict[str, str]] | None = None,
    interview_answers: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> Debrief:
    """Save the debrief of an interview, and what it taught about the people and the process.

    1. ``attendance_notes`` ({attendance id: {"topics", "concerns"}}) are written back to
       this interview's attendance rows; ids of other interviews are ignored.
    2. ``interview_answers`` fill the §1 questions still blank on the interview (an answer
       recorded meanwhile is never overwritten), through ``interview_update`` so a decision
       date reaches the application.
    3. The debrief is created, or updated when edited later; the first save completes it,
       and the draft the wizard kept (``DebriefDraft``) is deleted with it.
    4. The application's facts changed: its plan is re-made.
    """
    unknown = set(answers) - DEBRIEF_FIELDS
    if unknown:
        raise ValueError(f"Not debrief answers: {sorted(unknown)}")
    at = at or timezone.now()
    notes = attendance_notes or {}
    for attendance in interview.attendances.filter(pk__in=notes):
        attendance_update(attendance=attendance, **notes[attendance.pk])
    blank = set(interview.unanswered_questions())
    filled = {
        name: value
        for name, value in (interview_answers or {}).items()
        if name in blank and value not in ("", None)
    }
    if filled:
        interview_update(interview=interview, **filled)
    debrief, created = Debrief.objects.select_for_update().get_or_create(
        interview=interview, defaults={**answers, "created_at": at, "completed_at": at}
    )
    if not created:
        changed = assign_changed(debrief, {**answers, "completed_at": debrief.completed_at or at})
        if changed:
            debrief.save(update_fields=[*changed, "updated_at"])
    DebriefDraft.objects.filter(interview=interview).delete()
    _facts_changed(interview.application_id)
    return debrief


def debrief_draft_store(*, interview: Interview, data: dict[str, Any]) -> DebriefDraft:
    """Keep the debrief wizard's state for this interview (one draft per interview)."""
    draft, _created = DebriefDraft.objects.update_or_create(
        interview=interview, defaults={"data": data}
    )
    return draft


def debrief_draft_discard(*, interview: Interview) -> None:
    DebriefDraft.objects.filter(interview=interview).delete()


def profile_update(*, candidate: Candidate, **fields) -> list[str]:
    changed = assign_changed(candidate, fields)
    if changed:
        candidate.save(update_fields=changed)
    return changed


def candidate_welcome(*, candidate: Candidate, at: datetime, **fields) -> list[str]:
    """Save the welcome's answers and stop asking.

    The name is also the name for letters unless the candidate already gave one, so a
    letter's header never shows their email address instead.
    """
    if not candidate.signature_name and fields.get("display_name"):
        fields["signature_name"] = fields["display_name"]
    if candidate.welcomed_at is None:
        fields["welcomed_at"] = at
    return profile_update(candidate=candidate, **fields)


def candidate_welcome_skip(*, candidate: Candidate, at: datetime) -> None:
    """Keep the defaults, and stop asking at sign-in."""
    Candidate.objects.filter(pk=candidate.pk, welcomed_at=None).update(welcomed_at=at)
    candidate.welcomed_at = candidate.welcomed_at or at


def candidate_sync_email_verified(*, candidate: Candidate) -> bool:
    """Set ``email_verified`` from allauth's record of the candidate's current address.

    The address counts as verified only when an ``EmailAddress`` row for exactly that
    address (case-insensitive) is verified: a new address replaces the old one only once its
    owner opened the link sent to it, and until then reminders keep going to the old one.
    Written with ``update()`` so that a stale in-memory candidate saved later by allauth
    cannot undo it through another field. Returns the new value.
    """
    from allauth.account.models import EmailAddress

    email = Candidate.objects.filter(pk=candidate.pk).values_list("email", flat=True).first()
    verified = bool(email) and EmailAddress.objects.filter(
        user_id=candidate.pk, email__iexact=email, verified=True
    ).exists()
    Candidate.objects.filter(pk=candidate.pk).exclude(email_verified=verified).update(
        email_verified=verified
    )
    candidate.email_verified = verified
    return verified


def candidate_mark_email_verified(*, candidate: Candidate) -> None:
    """Record the candidate's current address as verified without a link (demo data, an
    operator who checked it by other means)."""
    from allauth.account.models import EmailAddress

    with transaction.atomic():
        address, _ = EmailAddress.objects.get_or_create(
            user=candidate, email=candidate.email, defaults={"primary": True, "verified": True}
        )
        if not (address.verified and address.primary):
            address.verified = address.primary = True
            address.save(update_fields=["verified", "primary"])
    candidate_sync_email_verified(candidate=candidate)


# --- Deleting an account ------------------------------------------------------------------


@transaction.atomic
def candidate_delete(*, candidate: Candidate) -> dict[str, int]:
    """Delete the account and every row of it, in one transaction.

    1. Its sessions on every device: the session table has no key to the user, so each
       stored session's data is read (``_sessions_end``).
    2. The candidate row. Every other row of the account points at it, directly or through
       other rows, with ``on_delete=CASCADE``: applications and all under them (status
       history, interviews, interviewers, attendances, debriefs), notes and correspondence,
       the brag book and library, follow-ups, reminder and notes settings, the calendar feed,
       allauth's email addresses and two-factor authenticators. This app names none of them:
       a model added later that points at the candidate goes with it
       (tests/interviews/test_delete_account.py walks every model to prove it).

    Returns how many rows went, by model label (for the log).
    """
    sessions = _sessions_end(candidate)
    _, by_model = Candidate.objects.filter(pk=candidate.pk).delete()
    return {**by_model, "sessions": sessions}


def _sessions_end(candidate: Candidate) -> int:
    """End the candidate's sessions in every database-backed store (``db``, ``cached_db``);
    a session kept only in a cache or a cookie cannot be listed, and dies with the account
    anyway (it names a user that no longer exists). Returns how many were ended."""
    from django.conf import settings
    from django.contrib.auth import SESSION_KEY
    from django.utils.module_loading import import_string

    store_class = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
    if not hasattr(store_class, "get_model_class"):
        return 0
    decoder = store_class()
    mine = [
        key
        for key, data in store_class.get_model_class()
        .objects.values_list("session_key", "session_data")
        .iterator(chunk_size=2000)
        if str(decoder.decode(data).get(SESSION_KEY)) == str(candidate.pk)
    ]
    for key in mine:
        store_class(session_key=key).delete()  # the row, and a cached copy if any
    return len(mine)
