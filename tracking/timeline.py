"""One application's story in one chronological list.

Status changes and interviews (``interviews``), debriefs, notes sent (``notes``'
Correspondence), the employer's mail received (the Inbox) and the reminders emailed with
their outcome (``FollowUp``): it reads every app, hence this module in the tracking room;
it only reads.

Five queries per application whatever its size or the candidate's number of applications,
three of them shared with the application page's panels (``inbox.selectors.mail_of``,
``reminders.selectors.followups_of``: read once a request); rows are turned into plain
``Event`` values, so the template needs no further query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from inbox.selectors import mail_of
from interviews.models import Application, ApplicationStatus, Interview
from reminders import rules
from reminders.models import FollowUp, Status
from reminders.selectors import followups_of


@dataclass(frozen=True)
class Event:
    """One entry. ``kind``: status, interview, debrief, sent, received, reminder."""

    at: datetime
    kind: str
    title: str
    detail: str = ""
    detail_at: datetime | None = None  # shown after the detail: "done on 3 Jul 2026"
    url: str = ""
    # Orders events of the same instant: a status change before what it caused.
    order: int = 0


@dataclass(frozen=True)
class Timeline:
    past: list[Event]  # oldest first
    upcoming: list[Event]  # interviews still to come, soonest first


def _status_events(application: Application) -> list[Event]:
    labels = dict(ApplicationStatus.choices)
    events = []
    for change in application.status_changes.order_by("changed_at", "id"):
        if change.from_status:
            title = f"{labels.get(change.from_status, change.from_status)} → "
        else:
            title = "Created as "
        events.append(Event(
            change.changed_at, "status", title,
            detail=labels.get(change.to_status, change.to_status), order=change.pk,
        ))
    return events


def _interviews(application: Application) -> list[Interview]:
    """The application's interviews with their debriefs: the ones its page's view already
    read (prefetched with their debriefs), or one query."""
    rows = getattr(application, "_prefetched_objects_cache", {}).get("interviews")
    if rows is not None and all(Interview.debrief.is_cached(i) for i in rows):
        return list(rows)
    return list(application.interviews.select_related("debrief").order_by("starts_at"))


def _interview_events(application: Application) -> list[Event]:
    events = []
    for interview in _interviews(application):
        url = interview.get_absolute_url()
        events.append(Event(interview.starts_at, "interview", str(interview), url=url,
                            order=interview.pk))
        debrief = getattr(interview, "debrief", None)
        if debrief is not None and debrief.completed_at:
            rating = (
                f"went well: {debrief.went_well_rating}/5" if debrief.went_well_rating else ""
            )
            events.append(Event(
                debrief.completed_at, "debrief", f"Debriefed round {interview.round_number}",
                detail=rating, url=debrief.get_absolute_url(), order=debrief.pk,
            ))
    return events


def _sent_events(application: Application) -> list[Event]:
    rows = mail_of(application).sent  # as the correspondence panel reads them
    return [
        Event(
            c.sent_at, "sent",
            f"{c.get_kind_display()} sent"
            + (f" to {c.interviewer.name}" if c.interviewer else ""),
            detail=" · ".join(part for part in (c.get_channel_display(), c.subject) if part),
            order=c.pk,
        )
        for c in rows
    ]


def _received_events(application: Application) -> list[Event]:
    """What the employer wrote (the Inbox's messages filed here): inbound correspondence."""
    rows = mail_of(application).received  # as the two clocks read them
    return [
        Event(
            min(m.wrote_at, m.received_at), "received",
            f"{m.sender_name or m.sender_email or 'The employer'} wrote",
            detail=m.subject, url=m.get_absolute_url(), order=m.pk,
        )
        for m in rows
    ]


def _local(moment: datetime, zone: ZoneInfo) -> str:
    # As the plan panel's notes read (``reminders.services``): in the candidate's zone.
    return f"{moment.astimezone(zone):%a %d %b %Y, %H:%M}"


def _reminded_then_closed(followup: FollowUp) -> str:
    """An emailed reminder whose window then closed: reminded, not "skipped" (the
    candidate may well have acted without recording it), as the plan panel says."""
    if followup.status_note.startswith("Reminded on "):
        return followup.status_note.removesuffix(".")  # the planner's own words
    closes = rules.window_closes(
        followup.rule, followup.interview.ends_at if followup.interview_id else None
    ) or followup.closed_at
    zone = followup.owner.zone
    text = f"Reminded on {_local(followup.sent_at, zone)}"
    return f"{text}; its window closed on {_local(closes, zone)}" if closes else text


def _outcome(followup: FollowUp) -> str:
    if followup.status == Status.SKIPPED and followup.sent_at is not None:
        return _reminded_then_closed(followup)
    if followup.status == Status.FAILED:
        return f"could not be emailed: {followup.last_error}" if followup.last_error else (
            "could not be emailed"
        )
    if followup.is_open:
        return "not acted on yet"
    return followup.get_status_display().lower()


def _closed_on(followup: FollowUp) -> datetime | None:
    # "done on 3 Jul": not after "Reminded on …; its window closed on …", which has its dates.
    if followup.is_open or (followup.status == Status.SKIPPED and followup.sent_at is not None):
        return None
    return followup.closed_at


def _reminder_events(application: Application) -> list[Event]:
    # The rows the plan panel reads too; the ones emailed or that could not be.
    rows = [f for f in followups_of(application)
            if f.sent_at is not None or f.status == Status.FAILED]
    return [
        Event(
            f.sent_at or f.closed_at or f.due_at, "reminder",
            f"Reminder: {f.definition.title}"
            + (f" — {f.interviewer.name}" if f.interviewer else ""),
            detail=_outcome(f), detail_at=_closed_on(f), order=f.pk,
        )
        for f in rows
    ]


def timeline_for(application: Application, now: datetime | None = None) -> Timeline:
    """The application's events: what happened (oldest first) and interviews to come."""
    now = now or timezone.now()
    events = [
        *_status_events(application),
        *_interview_events(application),
        *_sent_events(application),
        *_received_events(application),
        *_reminder_events(application),
    ]
    kinds = ("status", "interview", "debrief", "sent", "received", "reminder")
    events.sort(key=lambda e: (e.at, kinds.index(e.kind), e.order))
    return Timeline(
        past=[e for e in events if e.at <= now],
        upcoming=[e for e in events if e.at > now],
    )
