"""What needs doing next, read from every app: the dashboard's selectors.

The dashboard lives in the tracking room because it reads every app (applications and
interviews, the notes' drafts, the follow-up rows): ``interviews`` ← ``notes`` ←
``reminders`` ← ``tracking``. The cadence engine (``reminders``) never imports it, so the
two change independently.

It never depends on email arriving: every open follow-up is shown here whether or not its
reminder was sent, next to the facts a reminder would point at (drafts not sent, debriefs
not done, decisions overdue, interviews coming up).

Each kind is one query whatever the number of applications (the follow-ups two, one per
open status), fetching at most ``LIMIT + 1`` rows (the extra one says "there are more")
off an index read in order, so the page stays fast for a candidate with a thousand
applications. The same definitions give the "needs action" filter of the
applications list (``needs_action_q``), so both pages agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from interviews.models import Application, ApplicationStatus, Debrief, Interview
from notes.models import CorrespondenceKind, Note
from reminders.models import OPEN_STATUSES, FollowUp

LIMIT = 6  # items of each kind shown; the list's "needs action" filter shows them all
# A debrief is still worth writing for two weeks (for comparisons); after that it is
# dropped from the dashboard rather than nagging forever.
DEBRIEF_WINDOW = timedelta(days=14)
DEBRIEF_DUE_AFTER = timedelta(hours=1)  # R1: within the hour
THANK_YOU_DUE_AFTER = timedelta(hours=24)  # a thank-you draft is overdue after a day
# Applications that are over: nothing to debrief or decide any more.
ENDED_STATUSES = frozenset({*ApplicationStatus.closed(), ApplicationStatus.REJECTED})
# Still waiting for the employer's decision (an offer is a decision).
AWAITING_DECISION = (
    ApplicationStatus.APPLIED, ApplicationStatus.INTERVIEWING, ApplicationStatus.ON_HOLD,
)
# The debrief has its own section (from the facts), so its follow-up (R1) is not repeated.
DEBRIEF_RULE = "R1"
KIND_LABELS = {
    "followup": "Follow-up", "draft": "Note not sent", "debrief": "Debrief",
    "interview": "Interview", "decision": "Decision",
}
# What a decision can turn out to be, offered on an overdue decision.
OUTCOMES = (
    ApplicationStatus.OFFER, ApplicationStatus.REJECTED, ApplicationStatus.ON_HOLD,
    ApplicationStatus.FILLED, ApplicationStatus.WITHDRAWN,
)


@dataclass(frozen=True)
class Day:
    """The candidate's today, in their own zone, as UTC instants for queries."""

    now: datetime
    today: date
    today_start: datetime
    tomorrow_start: datetime
    week_end: datetime

    @classmethod
    def of(cls, now: datetime, zone: ZoneInfo) -> Day:
        today = now.astimezone(zone).date()

        def midnight(day: date) -> datetime:
            return datetime.combine(day, time(0), tzinfo=zone)

        return cls(
            now=now,
            today=today,
            today_start=midnight(today),
            tomorrow_start=midnight(today + timedelta(days=1)),
            week_end=midnight(today + timedelta(days=7)),
        )

    def bucket(self, due_at: datetime) -> str:
        if due_at < self.today_start:
            return "overdue"
        return "today" if due_at < self.tomorrow_start else "week"


@dataclass(frozen=True)
class Action:
    """One thing to do. ``kind`` picks the buttons: followup, draft, debrief, decision,
    interview."""

    kind: str
    due_at: datetime
    application: Application
    obj: object  # the FollowUp, Note, Interview or Application acted on

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


@dataclass
class Dashboard:
    overdue: list[Action] = field(default_factory=list)
    today: list[Action] = field(default_factory=list)
    week: list[Action] = field(default_factory=list)
    # Kinds with more items than shown (the list's "needs action" filter has them all).
    more: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.today or self.week)

    def buckets(self) -> list[tuple[str, str, list[Action]]]:
        return [
            ("overdue", "Overdue", self.overdue),
            ("today", "Today", self.today),
            ("week", "This week", self.week),
        ]


# --- The queries --------------------------------------------------------------------------


def _limited(rows: Iterable, kind: str, more: list[str]) -> list:
    rows = list(rows)
    if len(rows) > LIMIT:
        more.append(kind)
    return rows[:LIMIT]


def due_followups(user, day: Day) -> list[FollowUp]:
    """Open follow-ups due before the week is out, most urgent first.

    One query per open status: each reads the index on (owner, status, due_at) in order
    and stops after ``LIMIT + 1`` rows, where one query for both statuses would sort every
    open row of the account."""
    rows = (
        FollowUp.objects.filter(owner=user, due_at__lt=day.week_end)
        .exclude(rule=DEBRIEF_RULE)
        .select_related("application", "interviewer")
        .only(
            "id", "rule", "due_at", "status", "interview_id", "application__id",
            "application__company", "application__role_title", "interviewer__name",
        )
        .order_by("due_at", "id")
    )
    found = [f for status in OPEN_STATUSES for f in rows.filter(status=status)[: LIMIT + 1]]
    return sorted(found, key=lambda f: (f.due_at, f.pk))[: LIMIT + 1]


def draft_notes(user) -> list[Note]:
    return list(
        Note.objects.owned_by(user)
        .drafts()
        .select_related("application", "interviewer", "interview")
        .only(
            "id", "kind", "created_at", "application__id", "application__company",
            "application__role_title", "interviewer__name", "interview__id",
            "interview__ends_at",
        )
        .order_by("created_at", "id")[: LIMIT + 1]
    )


def _debriefed() -> Exists:
    return Exists(Debrief.objects.filter(interview=OuterRef("pk"), completed_at__isnull=False))


INTERVIEW_FIELDS = (
    "id", "round_number", "format", "starts_at", "ends_at", "application__id",
    "application__company", "application__role_title",
)


def _interviews(user):
    return (
        Interview.objects.owned_by(user)
        .exclude(application__status__in=ENDED_STATUSES)
        .select_related("application")
        .only(*INTERVIEW_FIELDS)
    )


def interviews_not_debriefed(user, day: Day) -> list[Interview]:
    """Interviews ended in the last two weeks without a completed debrief, oldest first."""
    return list(
        _interviews(user)
        .filter(ends_at__lte=day.now, ends_at__gte=day.now - DEBRIEF_WINDOW)
        # No debrief, or one not finished. NOT EXISTS rather than a LEFT JOIN: the database
        # then reads the interviews in order off the index on ``ends_at`` and stops early.
        .exclude(_debriefed())
        .order_by("ends_at", "id")[: LIMIT + 1]
    )


def interviews_coming_up(user, day: Day) -> list[Interview]:
    return list(
        _interviews(user)
        .filter(starts_at__gte=day.now, starts_at__lt=day.week_end)
        .order_by("starts_at", "id")[: LIMIT + 1]
    )


def overdue_decisions(user, day: Day) -> list[Application]:
    return list(
        Application.objects.owned_by(user)
        .filter(decision_date__lt=day.today, status__in=AWAITING_DECISION)
        .only("id", "company", "role_title", "status", "decision_date")
        .order_by("decision_date", "id")[: LIMIT + 1]
    )


# --- Putting it together ------------------------------------------------------------------


def _draft_due(note: Note) -> datetime:
    if note.kind == CorrespondenceKind.THANK_YOU and note.interview is not None:
        return note.interview.ends_at + THANK_YOU_DUE_AFTER
    return note.created_at


def dashboard_for(user, now: datetime | None = None) -> Dashboard:
    """Every next action of the candidate, sorted by when it is due, in six queries."""
    now = now or timezone.now()
    day = Day.of(now, user.zone)
    board = Dashboard()
    actions: list[Action] = []

    actions += [
        Action("followup", f.due_at, f.application, f)
        for f in _limited(due_followups(user, day), "followup", board.more)
    ]
    actions += [
        Action("draft", _draft_due(note), note.application, note)
        for note in _limited(draft_notes(user), "draft", board.more)
    ]
    actions += [
        Action("debrief", i.ends_at + DEBRIEF_DUE_AFTER, i.application, i)
        for i in _limited(interviews_not_debriefed(user, day), "debrief", board.more)
    ]
    actions += [
        Action("interview", i.starts_at, i.application, i)
        for i in _limited(interviews_coming_up(user, day), "interview", board.more)
    ]
    actions += [
        Action("decision", datetime.combine(a.decision_date, time(23, 59), tzinfo=user.zone),
               a, a)
        for a in _limited(overdue_decisions(user, day), "decision", board.more)
    ]
    for action in sorted(actions, key=lambda a: (a.due_at, a.kind, a.obj.pk)):
        getattr(board, day.bucket(action.due_at)).append(action)
    return board


# --- The same definitions as a filter of applications ---------------------------------------


def needs_action_q(now: datetime, zone: ZoneInfo) -> Q:
    """Applications with something to do by the end of today: a follow-up due, a note not
    sent, a debrief not done or a decision overdue (what the dashboard shows as overdue or
    today)."""
    day = Day.of(now, zone)
    followup_due = Exists(
        FollowUp.objects.filter(
            application=OuterRef("pk"), status__in=OPEN_STATUSES, due_at__lt=day.tomorrow_start
        )
    )
    draft = Exists(Note.objects.filter(application=OuterRef("pk"), sent_at__isnull=True))
    debrief_missing = Exists(
        Interview.objects.filter(
            application=OuterRef("pk"), ends_at__lte=now, ends_at__gte=now - DEBRIEF_WINDOW
        ).exclude(_debriefed())
    )
    decision_overdue = Q(decision_date__lt=day.today, status__in=AWAITING_DECISION)
    still_open = ~Q(status__in=ENDED_STATUSES)
    return Q(followup_due) | Q(draft) | (Q(debrief_missing) & still_open) | decision_overdue
