"""Planning and dispatching follow-ups.

Planning (``plan_application``) turns the pure rules' answer into rows: it creates what is
missing (the unique ``key`` makes a second run a no-op), moves what is pending when the facts
moved, closes what is satisfied and skips what no longer applies. It never touches a row a
dispatcher has claimed.

Re-planning is asked for through an outbox (``plan_request``: a ``PlanRequest`` row written
in the transaction of the change). Once the change commits, the request that made it plans
the application (``plan_now``), so that the page the user lands on shows the new plan; what
that leaves (a failure, a change to many applications) goes to the planning task, and the
minute tick plans every request still there (``plan_requested``).

Dispatching (``dispatch_one``) follows the "claim, then send, then record" pattern of
healthchecks' ``sendalerts``:

1. In a short durable transaction, lock up to ``CANDIDATES_PER_CLAIM`` candidates that no
   other dispatcher holds, those with the most overdue reminders and a verified address
   (``select_for_update(skip_locked=True)``), and stamp their due rows with a lease and a
   token in one conditional UPDATE (``claim_batch``). The claim writes only lease columns,
   which no index covers, so that on PostgreSQL it is a cheap HOT update
   (``reminders.models``).
2. Re-check the whole claim against fresh facts, in a fixed number of queries
   (``_recheck``): a stale row is closed, not sent. Then, for each candidate, re-read what
   the user can change (``_send``: the rows' state, the pause, rules switched off, the
   address and whether it is verified, the application's status and correspondence),
   render the email from its templates and send it over the batch's one connection.
3. Record the outcome on the rows that still carry our token: an accepted email by one
   UPDATE straight after the server accepted it (``record_sent``); a failure at once
   (retried with backoff after a temporary SMTP error, failed after a permanent one or an
   error of our own, such as a template that does not render).

A dispatcher killed before step 3 leaves rows claimed, which are claimable again once the
lease runs out. Only an email accepted by the server in the span of the one statement that
records it can be sent a second time: we chose at-least-once over at-most-once, because a
missed reminder can cost a job and a duplicate only costs a frown. After a database error
the claim is settled at once (``_after_database_error``). A dispatcher that is still
sending from a claim after ``SEND_BUDGET`` hands the rest back instead of sending on a
lease that may be over.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import socket
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q
from django.utils import timezone

from inbox.services import employer_last_wrote
from interviews.models import (
    Application,
    Attendance,
    Candidate,
    Interview,
    Interviewer,
    InterviewerRole,
    StatusChange,
)
from reminders import rules, signals
from reminders.emails import build_reminder_email, unsent_drafts
from reminders.models import OPEN_STATUSES, FollowUp, PlanRequest, ReminderSettings, Status

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
# How long a dispatcher sends from one claim before it hands the rest back.
SEND_BUDGET = LEASE / 2
MAX_ATTEMPTS = 5
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1))
MAX_ROWS_PER_EMAIL = 50
# How many candidates one claim takes: one claim and one re-check serve this many emails,
# and a claim this size is sent well inside its lease.
CANDIDATES_PER_CLAIM = 200
# How many of the most overdue rows claim_batch reads to find the candidates to claim,
# past those that other dispatchers hold (four times further at each further try).
OWNER_WINDOW = 4 * CANDIDATES_PER_CLAIM
CLAIM_TRIES = 3
SNOOZE = timedelta(days=2)
# A snooze that would bring the reminder back sooner than this is refused (window closing).
SNOOZE_AT_LEAST = timedelta(hours=1)
SNOOZED_NOTE = "Snoozed for 2 days."
ALREADY_CLOSED = "This follow-up was already closed; nothing changed."


# --- Facts --------------------------------------------------------------------------------


def _settings_of(candidate, prefs: ReminderSettings | None) -> rules.CandidateSettings:
    return rules.CandidateSettings(
        zone=candidate.zone,
        country=str(candidate.country or ""),
        reminder_hour=candidate.reminder_hour,
        disabled_rules=frozenset(prefs.disabled_rules if prefs else ()),
    )


def candidate_settings(candidate) -> rules.CandidateSettings:
    return _settings_of(candidate, ReminderSettings.objects.filter(candidate=candidate).first())


def candidates_settings(candidates) -> dict[int, rules.CandidateSettings]:
    """The settings of several candidates, in one query."""
    candidates = list(candidates)
    prefs = {
        p.candidate_id: p
        for p in ReminderSettings.objects.filter(candidate__in=[c.pk for c in candidates])
    }
    return {c.pk: _settings_of(c, prefs.get(c.pk)) for c in candidates}


def _debriefed_interview_ids(interview_ids: list[int]) -> set[int]:
    try:
        debrief = apps.get_model("interviews", "Debrief")
    except LookupError:  # the debrief is not part of this installation
        return set()
    return set(
        debrief.objects.filter(interview_id__in=interview_ids, completed_at__isnull=False)
        .values_list("interview_id", flat=True)
    )


def _sent_facts(application_ids: list[int]) -> dict[int, list[rules.SentFacts]]:
    correspondence = apps.get_model("notes", "Correspondence")
    sent: dict[int, list[rules.SentFacts]] = defaultdict(list)
    for application_id, kind, channel, sent_at, person in correspondence.objects.filter(
        application_id__in=application_ids
    ).values_list("application_id", "kind", "channel", "sent_at", "interviewer_id"):
        sent[application_id].append(
            rules.SentFacts(kind=kind, channel=channel, sent_at=sent_at, interviewer_id=person)
        )
    return sent


def application_facts(application: Application) -> rules.ApplicationFacts:
    return applications_facts([application])[application.id]


def applications_facts(applications: Iterable[Application]) -> dict[int, rules.ApplicationFacts]:
    """The facts of several applications in seven queries, however many there are.

    The one place facts are read: planning one application and the dispatcher's re-check
    of a whole claim (``_recheck``) use it alike.
    """
    applications = list(applications)
    ids = [a.id for a in applications]
    interviews: dict[int, list] = defaultdict(list)
    # A round the employer cancelled asks for no follow-up.
    for interview in Interview.objects.filter(application_id__in=ids, cancelled_at__isnull=True):
        interviews[interview.application_id].append(interview)
    debriefed = _debriefed_interview_ids([i.id for rounds in interviews.values() for i in rounds])
    attended: dict[int, set[int]] = defaultdict(set)
    for person, interview_id in Attendance.objects.filter(
        interviewer__application_id__in=ids
    ).values_list("interviewer_id", "interview_id"):
        attended[person].add(interview_id)
    people: dict[int, list] = defaultdict(list)
    for person in Interviewer.objects.filter(application_id__in=ids):
        people[person.application_id].append(person)
    # When each application took each status last.
    since: dict[tuple[int, str], datetime] = {}
    for application_id, status, at in StatusChange.objects.filter(
        application_id__in=ids
    ).values_list("application_id", "to_status", "changed_at"):
        key = (application_id, status)
        if key not in since or at > since[key]:
            since[key] = at
    sent = _sent_facts(ids)
    wrote = employer_last_wrote(ids)  # received mail filed to each application
    return {
        application.id: rules.ApplicationFacts(
            id=application.id,
            status=application.status,
            decision_date=application.decision_date,
            status_since=since.get((application.id, application.status)),
            interviews=tuple(
                rules.InterviewFacts(
                    id=i.id, round_number=i.round_number, starts_at=i.starts_at,
                    ends_at=i.ends_at, booked_at=i.created_at, debriefed=i.id in debriefed,
                )
                for i in interviews[application.id]
            ),
            interviewers=tuple(
                rules.InterviewerFacts(
                    id=p.id, name=p.name, has_email=bool(p.email), has_title=bool(p.title),
                    is_hr=p.role == InterviewerRole.HR,
                    interview_ids=frozenset(attended[p.id]),
                )
                for p in people[application.id]
            ),
            sent=tuple(sent[application.id]),
            employer_last_wrote_at=wrote.get(application.id),
        )
        for application in applications
    }


# --- Planning -----------------------------------------------------------------------------


@dataclass
class PlanResult:
    planned: dict[str, rules.Planned]
    created: int = 0
    updated: int = 0
    closed: int = 0


def _desired(application: Application, existing: Iterable[FollowUp], now: datetime, *,
             facts: rules.ApplicationFacts | None = None,
             prefs: rules.CandidateSettings | None = None):
    # Rows already emailed, being sent or snoozed by the user keep their time: the cap
    # plans around them instead of moving them.
    fixed = {
        row.key: row.due_at
        for row in existing
        if row.status == Status.REMINDED or row.is_claimed or (row.snoozed and row.is_open)
    }
    # The rows planned so far are facts too: a series (R8, R11) continues from how its last
    # occurrence ended, and R13 is done once the details it asked for are complete.
    facts = replace(facts or application_facts(application),
                    followups=_followup_facts(existing))
    planned = rules.plan(
        facts, prefs or candidate_settings(application.owner), now, fixed_due=fixed,
    )
    return {item.key: item for item in planned}


def _followup_facts(existing: Iterable[FollowUp]) -> tuple[rules.FollowUpFacts, ...]:
    return tuple(
        rules.FollowUpFacts(key=row.key, rule=row.rule, status=row.status, due_at=row.due_at,
                            closed_at=row.closed_at, sent_at=row.sent_at)
        for row in existing
    )


@transaction.atomic
def plan_application(*, application_id: int, now: datetime | None = None) -> PlanResult:
    """Make the application's follow-up rows match what the rules want now."""
    now = now or timezone.now()
    application = (
        Application.objects.select_related("owner").select_for_update(of=("self",))
        .filter(pk=application_id).first()
    )
    if application is None:
        return PlanResult(planned={})
    existing = {row.key: row for row in application.followups.all()}
    prefs = candidate_settings(application.owner)
    planned = _desired(application, existing.values(), now, prefs=prefs)
    result = PlanResult(planned=planned)
    zone = application.owner.zone

    new_rows = [
        FollowUp(
            owner_id=application.owner_id, application=application, rule=item.rule,
            key=item.key, due_at=item.due_at, postponed_from=item.postponed_from,
            interview_id=item.interview_id, interviewer_id=item.interviewer_id,
            status=_initial_status(item, now),
            status_note=_initial_note(item, now, zone),
            closed_at=None if _initial_status(item, now) == Status.PENDING else now,
            created_at=now,
        )
        for key, item in planned.items()
        if key not in existing
    ]
    if new_rows:
        FollowUp.objects.bulk_create(new_rows, ignore_conflicts=True)
        result.created = len(new_rows)

    closing: dict[tuple[str, str], list[int]] = defaultdict(list)  # (status, note) → ids
    for key, row in existing.items():
        item = planned.get(key)
        if row.status == Status.SKIPPED and _applies_again(item, now):
            # Skipped while a rule was off or the status said so; the facts say it is
            # wanted again (rule switched back on, application reopened).
            _reopen(row, item)
            result.updated += 1
            continue
        if row.status not in (Status.PENDING, Status.REMINDED) or row.is_claimed:
            continue  # closed rows are history; claimed rows belong to a dispatcher
        if item is None:
            closing[Status.SKIPPED, _skip_reason(application, row, prefs)].append(row.pk)
        elif item.satisfied:
            closing[Status.DONE, item.note or "Done: you recorded it."].append(row.pk)
        elif item.expired(now):
            closing[Status.SKIPPED, _window_closed(row, item, zone)].append(row.pk)
        elif row.status == Status.PENDING and not row.snoozed and (
            row.due_at != item.due_at or row.postponed_from != item.postponed_from
        ):
            row.due_at, row.postponed_from = item.due_at, item.postponed_from
            row.retry_at = None
            row.save(update_fields=["due_at", "postponed_from", "retry_at"])
            result.updated += 1
    # One UPDATE per outcome, however many rows it closes: a rejection closes most of a
    # plan at once, and planning in the request that made it must stay a few queries.
    for (status, note), ids in closing.items():
        FollowUp.objects.filter(pk__in=ids).update(status=status, status_note=note,
                                                   closed_at=now)
        result.closed += len(ids)
    return result


def _applies_again(item: rules.Planned | None, now: datetime) -> bool:
    return item is not None and not item.satisfied and not item.expired(now)


def _reopen(row: FollowUp, item: rules.Planned) -> None:
    row.status, row.status_note, row.closed_at = Status.PENDING, "", None
    row.due_at, row.postponed_from = item.due_at, item.postponed_from
    row.retry_at, row.attempts, row.last_error = None, 0, ""
    row.save(update_fields=["status", "status_note", "closed_at", "due_at", "postponed_from",
                            "retry_at", "attempts", "last_error"])


def _initial_status(item: rules.Planned, now: datetime) -> str:
    if item.satisfied:
        return Status.DONE
    return Status.SKIPPED if item.expired(now) else Status.PENDING


def _initial_note(item: rules.Planned, now: datetime, zone: ZoneInfo | None = None) -> str:
    if item.satisfied:
        return item.note or "Already done when planned."
    return _too_late(item, zone) if item.expired(now) else ""


def _local(moment: datetime, zone: ZoneInfo | None) -> str:
    """A time as the candidate reads it: in their zone (stored notes have no request)."""
    return f"{moment.astimezone(zone or UTC):%a %d %b %Y, %H:%M}"


def _too_late(item: rules.Planned, zone: ZoneInfo | None = None) -> str:
    return f"Skipped: its window closed on {_local(item.expires_at, zone)}."


def _window_closed(row: FollowUp, item: rules.Planned, zone: ZoneInfo | None) -> str:
    """The note of an open row whose window closed: as it happened."""
    if row.sent_at is not None:
        # Emailed, and perhaps acted on without telling us: not "skipped".
        return (f"Reminded on {_local(row.sent_at, zone)}; its window closed on "
                f"{_local(item.expires_at, zone)}.")
    return _too_late(item, zone)


def _ended(application: Application) -> str:
    return f"Skipped: the application ended ({application.get_status_display().lower()})."


def _skip_reason(application: Application, row: FollowUp,
                 prefs: rules.CandidateSettings) -> str:
    if application.is_closed:
        return _ended(application)
    if row.rule in prefs.disabled_rules:
        return "Skipped: you switched this rule off."
    return "Skipped: no longer applies after what you recorded."


def plan_all(*, now: datetime | None = None, batch: int = 500) -> int:
    """The periodic sweep: re-plan every application that can still need a follow-up."""
    count = 0
    ids = (
        Application.objects.exclude(status__in=rules.CLOSED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    last = 0
    while chunk := list(ids.filter(pk__gt=last)[:batch]):
        for application_id in chunk:
            plan_application(application_id=application_id, now=now)
            count += 1
        last = chunk[-1]
    # Rows of applications that ended are skipped by planning them once more.
    ended = (
        FollowUp.objects.filter(status__in=(Status.PENDING, Status.REMINDED),
                                application__status__in=rules.CLOSED)
        .values_list("application_id", flat=True).distinct()
    )
    for application_id in list(ended):
        plan_application(application_id=application_id, now=now)
        count += 1
    return count


# --- The user's actions -----------------------------------------------------------------


def followup_complete(*, followup: FollowUp, at: datetime | None = None) -> bool:
    return _user_close(followup, Status.DONE, DONE_NOTE, at)


def followup_dismiss(*, followup: FollowUp, at: datetime | None = None) -> bool:
    return _user_close(followup, Status.DISMISSED, DISMISSED_NOTE, at)


DONE_NOTE, DISMISSED_NOTE = "Marked done.", "Dismissed."


def followup_undo(*, followup: FollowUp, at: datetime | None = None) -> bool:
    """Open again a follow-up the candidate marked done or dismissed, as it was: the same
    due time, reminded again only if it had not been emailed yet.

    Only the candidate's own closing is undone: a row the plan closed (a note recorded, a
    window closed) would be closed again by the next planning.
    """
    at = at or timezone.now()
    emailed = followup.sent_at is not None and not followup.snoozed
    previous = Status.REMINDED if emailed else Status.PENDING
    changed = FollowUp.objects.filter(
        pk=followup.pk,
        status__in=(Status.DONE, Status.DISMISSED),
        status_note__in=(DONE_NOTE, DISMISSED_NOTE),
    ).update(status=previous, status_note="", closed_at=None)
    if changed:
        # A series (R8, R11) planned its next occurrence when this one closed.
        plan_request(application_ids=[followup.application_id], now=at)
    followup.refresh_from_db()
    return bool(changed)


def _user_close(followup: FollowUp, status: str, note: str, at: datetime | None) -> bool:
    at = at or timezone.now()
    # Clearing the token wins over a dispatcher's record of an email in flight (``_send``).
    changed = FollowUp.objects.filter(pk=followup.pk, status__in=OPEN_STATUSES).update(
        status=status, status_note=note, closed_at=at, claimed_until=None, claim_token=None,
    )
    if changed:
        # Closing one occurrence of a series (R8, R11) plans the next one.
        plan_request(application_ids=[followup.application_id], now=at)
    followup.refresh_from_db()
    return bool(changed)


@dataclass(frozen=True)
class Snoozed:
    """What a snooze did, in a sentence for the candidate (true when it snoozed)."""

    changed: bool
    message: str
    until: datetime | None = None
    refused: bool = False  # too close to the window's end: the row was left as it was

    def __bool__(self) -> bool:
        return self.changed


def _snooze_window(followup: FollowUp, at: datetime) -> datetime | None:
    """When the follow-up's window closes, as planning sees it (None: it has none)."""
    application = followup.application
    item = _desired(application, list(application.followups.all()), at).get(followup.key)
    if item is not None:
        return item.expires_at
    return rules.window_closes(
        followup.rule, followup.interview.ends_at if followup.interview_id else None
    )


def snooze_until(followup: FollowUp, at: datetime) -> tuple[datetime | None, datetime | None]:
    """(when a snooze at ``at`` reminds again, when the window closes).

    Two days on, but never later than ``rules.TIME_TO_ACT`` before the window closes: a
    reminder snoozed past it would be skipped, not sent. None when that leaves less than
    ``SNOOZE_AT_LEAST``: the snooze is refused rather than made pointless.
    """
    closes = _snooze_window(followup, at)
    until = at + SNOOZE
    if closes is None or until <= closes - rules.TIME_TO_ACT:
        return until, closes
    latest = closes - rules.TIME_TO_ACT
    return (latest if latest - at >= SNOOZE_AT_LEAST else None), closes


def snooze_preview(followup: FollowUp, at: datetime) -> str:
    """What a snooze would do when not the plain two days, for the page that asks first."""
    until, closes = snooze_until(followup, at)
    zone = followup.owner.zone
    if until is None:
        return (f"Its window closes on {_local(closes, zone)}: too soon to snooze. Do it now, "
                "or dismiss it.")
    if until != at + SNOOZE:
        return (f"Its window closes on {_local(closes, zone)}: you would be reminded on "
                f"{_local(until, zone)}, not in 2 days.")
    return ""


def followup_snooze(*, followup: FollowUp, at: datetime | None = None) -> Snoozed:
    """Remind again in two days, or sooner if its window closes before then (a snoozed row
    keeps its new time when re-planned)."""
    at = at or timezone.now()
    zone = followup.owner.zone
    until, closes = snooze_until(followup, at)
    if until is None:
        followup.refresh_from_db()
        if not followup.is_open:
            return Snoozed(False, ALREADY_CLOSED)
        return Snoozed(
            False,
            f"Not snoozed: its window closes on {_local(closes, zone)}, too soon to remind "
            "you again. Do it now, or dismiss it.",
            refused=True,
        )
    capped = until != at + SNOOZE
    changed = FollowUp.objects.filter(pk=followup.pk, status__in=OPEN_STATUSES).update(
        status=Status.PENDING, due_at=until, snoozed=True, retry_at=None,
        claimed_until=None, claim_token=None,
        status_note=(
            f"Snoozed until {_local(until, zone)}: its window closes on "
            f"{_local(closes, zone)}." if capped else SNOOZED_NOTE
        ),
        # A new occasion: earlier delivery trouble must not count against it.
        attempts=0, last_error="",
    )
    followup.refresh_from_db()
    if not changed:
        return Snoozed(False, ALREADY_CLOSED)
    if capped:
        return Snoozed(True, (
            f"Snoozed until {_local(until, zone)}, not 2 days: its window closes on "
            f"{_local(closes, zone)}, and that leaves you time to act."
        ), until=until)
    return Snoozed(True, "Snoozed: you will be reminded in 2 days.", until=until)


def settings_update(*, candidate, paused: bool, disabled_rules: list[str]) -> ReminderSettings:
    # The dispatcher re-reads these settings right before each email (``_send``).
    with transaction.atomic():
        prefs, _ = ReminderSettings.objects.update_or_create(
            candidate=candidate,
            defaults={"paused": paused, "disabled_rules": sorted(set(disabled_rules))},
        )
        plan_request(application_ids=candidate.applications.values_list("pk", flat=True))
    return prefs


# --- Re-planning requests: the transactional outbox -----------------------------------------


# How many applications one change plans in its own request. Planning one takes a fixed
# number of queries, however many applications the candidate has
# (tests/reminders/test_plan_now.py); a change to more (the reminder settings touch every
# application) leaves the rest to the worker.
PLAN_NOW_AT_MOST = 20


def plan_request(*, application_ids: Iterable[int], now: datetime | None = None) -> None:
    """Record, in the caller's transaction, that these applications need re-planning.

    The request commits or rolls back with the change that made it: neither a planning
    that fails, a broker that is down nor a task lost on the way can lose it, since the
    minute tick plans every request (``plan_requested``, from ``dispatch_due``). Once the
    transaction commits, the applications are planned there and then (``plan_now``).
    """
    ids = sorted(set(application_ids))
    if not ids:
        return
    now = now or timezone.now()
    # Sorted, so that two writers upserting the same requests lock them in the same order.
    PlanRequest.objects.bulk_create(
        [PlanRequest(application_id=pk, token=uuid.uuid4(), requested_at=now) for pk in ids],
        update_conflicts=True, unique_fields=["application"],
        update_fields=["token", "requested_at"],
    )
    transaction.on_commit(lambda: plan_now(application_ids=ids), robust=True)


def plan_now(*, application_ids: list[int]) -> list[int]:
    """Plan what a change asked for, in the request that made it, once it committed.

    1. Each application goes through the worker's own unit (``plan_requested``): it is
       planned and its request consumed, so no task is enqueued for it and the minute tick
       finds nothing left to do.
    2. A planning that fails is logged, never raised: the change is already committed and
       the user's save must not answer 500. Its request stays in the outbox.
    3. What is left (failures, applications past ``PLAN_NOW_AT_MOST``) is announced
       (``plans_requested``), and the receiver enqueues the planning task; the minute
       tick is the safety net of both.

    Returns the ids left to the worker.
    """
    left = application_ids[PLAN_NOW_AT_MOST:]
    for pk in application_ids[:PLAN_NOW_AT_MOST]:
        try:
            with transaction.atomic():
                plan_requested(application_id=pk)
        except Exception:
            log.exception("Planning application %s after its change failed; its request "
                          "waits in the outbox for the worker.", pk)
            left.append(pk)
    if left:
        signals.plans_requested.send(sender=PlanRequest, application_ids=left)
    return left


def plan_requested(*, application_id: int | None = None, now: datetime | None = None,
                   limit: int = 5000, batch: int = 200) -> int:
    """Plan what the outbox asks for: one application (the request that changed it, or the
    planning task) or every request (the minute tick), oldest first. Returns how many
    applications were planned.

    A request is deleted only if its token is still the one read before planning: a change
    that committed meanwhile made a new token, and its request stays for the next pass.
    """
    requests = PlanRequest.objects.order_by("requested_at", "application_id")
    if application_id is not None:
        requests = requests.filter(application_id=application_id)
    done = 0
    seen: set[int] = set()
    while done < limit and (
        chunk := list(requests.exclude(application_id__in=seen)
                      .values_list("application_id", "token")[:batch])
    ):
        for pk, token in chunk:
            plan_application(application_id=pk, now=now)
            PlanRequest.objects.filter(application_id=pk, token=token).delete()
            seen.add(pk)
            done += 1
    return done


# --- Dispatch -----------------------------------------------------------------------------


@dataclass
class Batch:
    """What one claim took: the rows of up to ``CANDIDATES_PER_CLAIM`` candidates."""

    token: uuid.UUID
    # Candidate id → the ids of their claimed rows; the most overdue candidate first.
    owners: dict[int, list[int]]

    @property
    def ids(self) -> list[int]:
        return sorted(pk for ids in self.owners.values() for pk in ids)

    @property
    def owner_ids(self) -> list[int]:
        return list(self.owners)


def _claimable(now: datetime):
    """Rows a dispatcher may claim: due (``FollowUpQuerySet.due``: past any retry backoff,
    not held by another dispatcher's running lease) and with attempts left (rows that used
    them up are failed by ``release_expired_leases``)."""
    return FollowUp.objects.due(now).filter(attempts__lt=MAX_ATTEMPTS)


def _sendable(rows):
    """Rows of candidates who get reminder emails: not paused, email not switched off
    (``ReminderSettings.email_enabled``), with a verified address.

    The rows of a candidate who switched the email off are never claimed: they stay
    pending, read "Due" in the app once their time has come, and reach the candidate
    through their other channels (``reminders.notify``).

    Correlated EXISTS rather than joins, so that the database walks the partial index of
    pending rows instead of reading the whole candidate table first.
    """
    return rows.exclude(
        Exists(ReminderSettings.objects.filter(candidate_id=OuterRef("owner_id"))
               .filter(Q(paused=True) | Q(email_enabled=False)))
    ).filter(Exists(Candidate.objects.filter(pk=OuterRef("owner_id"), email_verified=True)))


def claim_batch(*, now: datetime, candidates: int | None = None) -> Batch | None:
    """Claim the due rows of the candidates whose reminders are the most overdue.

    In a short durable transaction, nothing sent while it runs:

    1. Read the owners of the ``OWNER_WINDOW`` most overdue sendable rows, in that order.
    2. Lock up to ``candidates`` of them (default ``CANDIDATES_PER_CLAIM``), skipping those
       another dispatcher holds (``select_for_update(skip_locked=True)``), so that two
       dispatchers never split one candidate's reminders over two emails.
    3. Stamp up to ``MAX_ROWS_PER_EMAIL`` claimable rows of each with a token and a lease,
       in one conditional UPDATE: a row that stopped being claimable meanwhile is left out,
       and the rows that carry the token are the claim.

    A dispatcher that looks while others are claiming may find every candidate in its
    window locked; it tries again, looking further, up to ``CLAIM_TRIES`` times. On SQLite,
    which has one writer at a time, the lock does nothing and the UPDATE's condition alone
    keeps two claims apart.
    """
    candidates = candidates or CANDIDATES_PER_CLAIM
    for attempt in range(CLAIM_TRIES):
        token = uuid.uuid4()
        with transaction.atomic(durable=True):
            overdue = (_sendable(_claimable(now)).order_by("due_at", "id")
                       .values_list("owner_id", flat=True))
            # Each try looks four times further, past the candidates being claimed meanwhile.
            owner_ids = list(dict.fromkeys(overdue[: OWNER_WINDOW * 4**attempt]))
            if not owner_ids:
                return None  # nothing due for anyone who gets emails
            owners = _lock_candidates(owner_ids, candidates)
            rows = _claimable(now).filter(owner_id__in=owners).order_by("due_at", "id")
            ids: list[int] = []
            taken: dict[int, int] = defaultdict(int)
            for pk, owner_id in rows.values_list("id", "owner_id"):
                if taken[owner_id] < MAX_ROWS_PER_EMAIL:
                    taken[owner_id] += 1
                    ids.append(pk)
            _claimable(now).filter(id__in=ids).update(
                claim_token=token, claimed_until=now + LEASE, attempts=F("attempts") + 1
            )
        claimed = FollowUp.objects.filter(id__in=ids, claim_token=token).order_by("due_at", "id")
        by_owner: dict[int, list[int]] = {}
        for pk, owner_id in claimed.values_list("id", "owner_id"):
            by_owner.setdefault(owner_id, []).append(pk)
        if by_owner:
            return Batch(token=token, owners=by_owner)
    return None


def _lock_candidates(owner_ids: list[int], count: int) -> list[int]:
    """Lock up to ``count`` of these candidates, in their order, skipping those another
    transaction holds. Never locks more than it returns."""
    locked: list[int] = []
    rest = owner_ids
    while rest and len(locked) < count:
        chunk, rest = rest[: count - len(locked)], rest[count - len(locked):]
        got = set(
            Candidate.objects.filter(pk__in=chunk)
            .select_for_update(skip_locked=True, no_key=True)
            .values_list("pk", flat=True)
        )
        locked += [pk for pk in chunk if pk in got]
    return locked


def release_expired_leases(*, now: datetime) -> int:
    """Recover the rows of a dispatcher that died; fail those that keep killing it.

    1. Rows that used up their attempts fail, where the user sees them.
    2. The others are released: an expired lease does not stop a new claim, but clearing it
       lets the planner update the row again.

    Returns how many rows were released.
    """
    # A claimed row is due (planning leaves it alone, a snooze releases it): one range of
    # the partial index on pending rows.
    expired = FollowUp.objects.filter(status=Status.PENDING, due_at__lte=now,
                                      claimed_until__lt=now)
    expired.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=Status.FAILED, claim_token=None, claimed_until=None, closed_at=now,
        last_error="The dispatcher stopped while sending this reminder, every time it tried.",
        status_note="The reminder email could not be delivered.",
    )
    return expired.update(claim_token=None, claimed_until=None)


def record_sent(*, token: uuid.UUID, ids: list[int], now: datetime) -> int:
    """Mark rows reminded once the SMTP server accepted their email (one UPDATE).

    Only rows that still carry the claim's token: a row the user closed meanwhile keeps
    what the user said.
    """
    if not ids:
        return 0
    return FollowUp.objects.filter(id__in=ids, claim_token=token).update(
        status=Status.REMINDED, sent_at=now, claim_token=None, claimed_until=None,
        last_error="", retry_at=None,
    )


def _release(token: uuid.UUID, ids: list[int]) -> None:
    """Hand back claimed rows that were not sent; their attempt does not count."""
    FollowUp.objects.filter(id__in=ids, claim_token=token).update(
        claim_token=None, claimed_until=None, attempts=F("attempts") - 1
    )


def _close_claimed(token: uuid.UUID, ids: list[int], status: str, note: str,
                   now: datetime) -> None:
    FollowUp.objects.filter(id__in=ids, claim_token=token).update(
        status=status, status_note=note, closed_at=now, claim_token=None, claimed_until=None,
    )


# What the claim's re-check read of each application, and each re-read before an email reads
# again: its status, and how many pieces of correspondence it has and the newest one's id.
# A re-read that finds other values re-checks those rows against the rules (``_send``).
AsChecked = tuple[str, int, int | None]


def _as_checked(application_ids: Iterable[int]) -> dict[int, AsChecked]:
    """The applications' ``AsChecked`` now, in one query.

    Read *before* the re-check reads the facts, so that whatever commits between the two
    reads makes the re-read differ (and re-check once more) rather than go unseen.
    """
    return {
        pk: (status, count, last)
        for pk, status, count, last in Application.objects.filter(pk__in=application_ids)
        .annotate(count=Count("correspondence"), last=Max("correspondence"))
        .values_list("pk", "status", "count", "last")
    }


def _recheck(rows: list[FollowUp], now: datetime) -> dict[int, tuple[str, str]]:
    """The claimed rows that fresh facts say must not be sent: id → (status, note).

    Public as ``recheck``: push and Apprise (``reminders.notify``) re-check with it too.

    Every application of the claim is re-planned together, in memory: its facts in a fixed
    number of queries (``applications_facts``), its settings and its rows in one each,
    then the pure rules. Nothing is written here; planning itself is the planner's work.
    """
    application_ids = sorted({row.application_id for row in rows})
    applications = list(
        Application.objects.filter(pk__in=application_ids).select_related("owner")
    )
    facts = applications_facts(applications)
    prefs = candidates_settings({a.owner for a in applications})
    existing: dict[int, list[FollowUp]] = defaultdict(list)
    for row in FollowUp.objects.filter(application_id__in=application_ids).only(
        "application_id", "key", "rule", "due_at", "status", "claim_token", "snoozed",
        "closed_at", "sent_at",
    ):
        existing[row.application_id].append(row)
    plans = {
        a.id: _desired(a, existing[a.id], now, facts=facts[a.id], prefs=prefs[a.owner_id])
        for a in applications
    }
    ended = {a.id: _ended(a) for a in applications if a.is_closed}
    stale = {}
    for row in rows:
        item = plans.get(row.application_id, {}).get(row.key)
        if row.application_id in plans and row.rule in prefs[row.owner_id].disabled_rules:
            stale[row.id] = (Status.SKIPPED, "Skipped: you switched this rule off.")
        elif row.application_id in ended:
            stale[row.id] = (Status.SKIPPED, ended[row.application_id])
        elif item is None:
            stale[row.id] = (Status.SKIPPED, "Skipped: no longer applied when it was due.")
        elif item.satisfied:
            stale[row.id] = (Status.DONE, "Done before the reminder went out.")
        elif item.expired(now):
            stale[row.id] = (Status.SKIPPED, _too_late(item, prefs[row.owner_id].zone))
    return stale


recheck = _recheck


def _is_temporary(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    return isinstance(error, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError,
                              ConnectionError, socket.timeout, OSError))


def _record_failure(token: uuid.UUID, ids: list[int], error: Exception, now: datetime) -> None:
    mine = FollowUp.objects.filter(id__in=ids, claim_token=token)
    text = f"{type(error).__name__}: {error}"[:1000]
    if _is_temporary(error):
        # Rows that used up their attempts fail; the others wait for their backoff.
        mine.filter(attempts__gte=MAX_ATTEMPTS).update(
            status=Status.FAILED, last_error=text, claim_token=None, claimed_until=None,
            closed_at=now, status_note="The reminder email could not be delivered.",
        )
        for attempts in range(1, MAX_ATTEMPTS):
            delay = BACKOFF[min(attempts, len(BACKOFF)) - 1]
            mine.filter(attempts=attempts).update(
                retry_at=now + delay, last_error=text, claim_token=None, claimed_until=None,
            )
    else:
        refused = isinstance(error, smtplib.SMTPException)
        mine.update(
            status=Status.FAILED, last_error=text, claim_token=None, claimed_until=None,
            closed_at=now,
            status_note="The reminder email was refused by the mail server." if refused
            else "The reminder email could not be prepared.",
        )


def _close_quietly(connection) -> None:
    if connection is None:
        return
    try:
        connection.close()
    except (smtplib.SMTPException, OSError) as error:  # already broken: nothing to save
        log.info("Closing the mail connection failed: %s", error)


def _reconnect(connection) -> None:
    """Open the batch's connection afresh after an error left it in an unknown state.

    If the server cannot be reached now, the next email's send reports it, on its rows.
    """
    _close_quietly(connection)
    try:
        connection.open()
    except (smtplib.SMTPException, OSError) as error:
        log.info("Reopening the mail connection failed: %s", error)


def dispatch_one(*, now: datetime | None = None, connection=None) -> int:
    """Claim, re-check, send and record the due reminders of a few candidates.

    1. One claim (``claim_batch``) and one re-check of all its rows (``_recheck``): a
       stale row is closed, not sent.
    2. For each candidate, most overdue first: re-read what the user can change and send
       one email over ``connection`` (``_send``; the open mail backend of the caller's
       loop, else one opened for this claim); record it with one UPDATE as soon as the
       server accepted it (``record_sent``), so that a crash from there on sends nothing
       again. A failure is recorded on the rows at once.
    3. A dispatcher still sending after ``SEND_BUDGET`` hands the rest back rather than
       send on a lease that may be over; a database error settles the claim
       (``_after_database_error``).

    Returns how many candidates were handled, 0 when nothing was due, so that loops (the
    beat task, the management command) run until nothing is due.
    """
    if connection is None:
        from django.core.mail import mailers

        with mailers.default as opened:  # one connection for the claim
            return dispatch_one(now=now, connection=opened)
    now = now or timezone.now()
    batch = claim_batch(now=now)
    if batch is None:
        return 0
    started = time.monotonic()
    handled = 0
    accepted: list[int] = []  # the rows of the email the server accepted, until recorded
    try:
        rows = _claimed_rows(batch)
        claimed = [row for owner in rows.values() for row in owner]
        checked = _as_checked({row.application_id for row in claimed})
        stale = _recheck(claimed, now)
        drafts = unsent_drafts(claimed)  # the drafts the emails link to, for the whole claim
        for (status, note), ids in _grouped(stale).items():
            _close_claimed(batch.token, ids, status, note, now)
        for owner_id in batch.owner_ids:
            if handled and time.monotonic() - started > SEND_BUDGET.total_seconds():
                # Never send on a lease that may have run out: hand the rest back.
                _release(batch.token, [pk for owner in batch.owner_ids[handled:]
                                       for pk in batch.owners[owner]])
                break
            fresh = [row for row in rows.get(owner_id, []) if row.id not in stale]
            accepted = _send(batch.token, fresh, now, connection, drafts, checked)
            record_sent(token=batch.token, ids=accepted, now=now)
            accepted = []
            handled += 1
    except DatabaseError as error:
        log.warning("The database failed while dispatching (%s): recording what was sent "
                    "and handing the rest of the claim back.", error)
        _after_database_error(batch, accepted, now)
        return max(handled, 1)  # the claim is settled: the caller's loop may go on
    return handled


def _grouped(stale: dict[int, tuple[str, str]]) -> dict[tuple[str, str], list[int]]:
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for pk, outcome in stale.items():
        groups[outcome].append(pk)
    return groups


# How long a dispatcher that lost its database keeps trying to settle its claim: well
# inside the lease, after which lease recovery would settle it instead.
RECONNECT_FOR = timedelta(seconds=60)


def _after_database_error(batch: Batch, accepted: list[int], now: datetime) -> None:
    """Settle a claim after its database connection broke (a restart, a failover, a killed
    backend), without a restart of the worker.

    1. Drop the broken connection: the next query opens a new one.
    2. As soon as the database answers (for up to ``RECONNECT_FOR``): mark reminded the
       rows of the email the server accepted and whose record failed (``accepted``, kept
       in memory), so that it is not sent again; hand every other row back at once rather
       than hold it for the rest of the lease.

    If the database stays away longer, the lease runs out and the rows are claimed again:
    only the email accepted while the database was already gone can be sent a second time.
    """
    deadline = time.monotonic() + RECONNECT_FOR.total_seconds()
    pause = 0.05
    while True:
        with contextlib.suppress(DatabaseError):  # broken: closing it is all we want
            connections[DEFAULT_DB_ALIAS].close()
        try:
            record_sent(token=batch.token, ids=accepted, now=now)
            _release(batch.token, batch.ids)
            return
        except DatabaseError as error:
            if time.monotonic() > deadline:
                log.error("The database is still unreachable (%s); the lease of claim %s "
                          "will settle it.", error, batch.token)
                return
            time.sleep(pause)
            pause = min(pause * 2, 2.0)


def _claimed_rows(batch: Batch) -> dict[int, list[FollowUp]]:
    """The claimed rows that still carry the token, by candidate, in due order."""
    rows: dict[int, list[FollowUp]] = {}
    for row in (
        FollowUp.objects.filter(id__in=batch.ids, claim_token=batch.token)
        .select_related("owner", "application", "interview", "interviewer")
        .order_by("due_at", "id")
    ):
        rows.setdefault(row.owner_id, []).append(row)
    return rows


class Fresh(NamedTuple):
    """What the user can change about a claimed row, re-read right before its email."""

    email: str
    verified: bool
    paused: bool  # or the reminder email switched off
    switched_off: frozenset[str]
    application: AsChecked


def _reread(token: uuid.UUID, ids: list[int]) -> dict[int, Fresh]:
    """Row id → its ``Fresh`` state, for the rows among ``ids`` still pending with our
    token (a row the user closed, snoozed or deleted is not there), in one query."""
    found = (
        FollowUp.objects.filter(id__in=ids, claim_token=token, status=Status.PENDING)
        .order_by()
        .annotate(sent_count=Count("application__correspondence"),
                  sent_last=Max("application__correspondence"))
        .values_list("id", "owner__email", "owner__email_verified",
                     "owner__reminder_settings__paused",
                     "owner__reminder_settings__email_enabled",
                     "owner__reminder_settings__disabled_rules", "application__status",
                     "sent_count", "sent_last")
    )
    return {
        pk: Fresh(email, verified, bool(paused) or email_enabled is False,
                  frozenset(disabled or ()), (status, count or 0, last))
        for pk, email, verified, paused, email_enabled, disabled, status, count, last in found
    }


def _send(token: uuid.UUID, rows: list[FollowUp], now: datetime, connection,
          drafts: list, checked: dict[int, AsChecked]) -> list[int]:
    """Email one candidate their claimed rows, if they still want them now; returns the
    ids of the rows whose email the server accepted, for the caller to record at once.

    1. Re-read, in one query (``_reread``), what the user can change: the rows' own state
       (Done, Dismiss, Snooze; a deleted interview takes its rows with it), the
       candidate's pause and switched-off rules, whether their address is verified and
       what it is now, and each application's status and correspondence. A change
       committed before the re-read wins. One that commits after it cannot recall the
       email, but wins over its record: the rows are recorded only while they still carry
       the claim's token, which every user action clears.
    2. A paused or unverified candidate's rows are handed back: they stay due, shown in the
       app, and go out once reminders are on again. Switched-off rules are skipped. Rows
       of an application whose status or correspondence changed since the claim's
       re-check (``checked``) are re-checked against the rules (``_recheck``): a thank-you
       recorded meanwhile, or an application withdrawn, sends nothing.
    3. Render and send. A failure is recorded on the rows (``_record_failure``) and the
       connection is opened afresh for the next email.
    """
    if not rows:
        return []
    fresh = _reread(token, [row.id for row in rows])
    rows = [row for row in rows if row.id in fresh]
    if not rows:
        return []
    state = fresh[rows[0].id]
    if state.paused or not state.verified:
        _release(token, [row.id for row in rows])
        return []
    off = [row.id for row in rows if row.rule in state.switched_off]
    if off:
        _close_claimed(token, off, Status.SKIPPED, "Skipped: you switched this rule off.", now)
        rows = [row for row in rows if row.rule not in state.switched_off]
    moved = [row for row in rows if fresh[row.id].application != checked.get(row.application_id)]
    if moved:
        # The facts the claim was re-checked with changed: the same re-check, on these rows.
        stale = _recheck(moved, now)
        for (status, note), stale_ids in _grouped(stale).items():
            _close_claimed(token, stale_ids, status, note, now)
        rows = [row for row in rows if row.id not in stale]
    if not rows:
        return []
    ids = [row.id for row in rows]
    if not state.email:
        FollowUp.objects.filter(id__in=ids, claim_token=token).update(
            status=Status.FAILED, claim_token=None, claimed_until=None, closed_at=now,
            last_error="No email address on the account.",
            status_note="Not emailed: your account has no email address.",
        )
        return []
    owner = rows[0].owner
    owner.email = state.email  # the address of now, not of the claim
    try:
        message = build_reminder_email(owner=owner, followups=rows, now=now, drafts=drafts)
        connection.send_messages([message])
    except DatabaseError:
        raise  # the database, not the email: settled by dispatch_one
    except (smtplib.SMTPException, OSError) as error:
        log.warning("Reminder email to candidate %s failed: %s", owner.pk, error)
        _record_failure(token, ids, error, now)
        _reconnect(connection)
        return []
    except Exception as error:
        # A bug or bad data (a template error, an address the mail library refuses):
        # record it on the rows, where the user sees it, instead of leaving them claimed
        # and stopping every other candidate's reminders with it.
        log.exception("Reminder email to candidate %s could not be built or sent", owner.pk)
        _record_failure(token, ids, error, now)
        _reconnect(connection)
        return []
    return ids


def dispatch_due(*, now: datetime | None = None, connection=None, limit: int = 10_000) -> int:
    """The minute tick: plan what the outbox asks for, then send every due reminder, one
    email per candidate, over one SMTP connection.

    1. ``plan_requested``: changes made while the broker was down (or whose task was lost)
       are planned before their reminders are due.
    2. When the mail server cannot be reached nothing is claimed: the rows stay due and the
       next tick tries again.
    3. Leases of dispatchers that died are recovered; then claims are sent until nothing
       is due or about ``limit`` candidates were handled. A database that goes away ends
       the tick (what was sent is recorded, the rest handed back); the next one goes on.

    Returns the number of candidates handled.
    """
    from django.core.mail import mailers

    plan_requested(now=now)
    connection = connection or mailers.default
    try:
        connection.open()
    except (smtplib.SMTPException, OSError) as error:
        log.warning("Mail server unreachable (%s); due reminders wait for the next tick.", error)
        return 0
    handled = 0
    try:
        release_expired_leases(now=now or timezone.now())
        while handled < limit and (count := dispatch_one(now=now, connection=connection)):
            handled += count
    except DatabaseError as error:
        log.warning("The database failed during dispatch (%s); the next tick goes on.", error)
        connections[DEFAULT_DB_ALIAS].close()
    finally:
        _close_quietly(connection)
    return handled
