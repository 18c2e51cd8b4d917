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
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.fields.json import KT
from django.utils import timezone

from interviews import drafts as debrief_drafts
from interviews.models import Application, ApplicationStatus, Debrief, DebriefDraft, Interview
from notes.models import CorrespondenceKind, Note
from reminders import grouping, rules
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
# The thank-yous of one interview are one task (``reminders.grouping``), read on their own.
THANK_YOU_RULES = tuple(grouping.THANK_YOU_RULES)
# Open thank-you rows read at most: they live two or three days after each interview.
THANK_YOU_ROWS = 200
# Within this, a card says "closes in 5 h" rather than a date and time.
SOON = timedelta(hours=24)
KIND_LABELS = {
    "followup": "Follow-up", "thanks": "Thank-you", "draft": "Note not sent",
    "debrief": "Debrief", "interview": "Interview", "decision": "Decision",
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

    def bucket(self, due_at: datetime, closes_at: datetime | None = None) -> str:
        """overdue, today or week. Something overdue whose window closes today is today's
        to do (its last chance), not lost among the overdue."""
        if due_at < self.today_start:
            if closes_at is not None and self.now < closes_at < self.tomorrow_start:
                return "today"
            return "overdue"
        return "today" if due_at < self.tomorrow_start else "week"


@dataclass(frozen=True)
class Action:
    """One thing to do. ``kind`` picks the buttons: followup, thanks, draft, debrief,
    decision, interview."""

    kind: str
    due_at: datetime
    application: Application
    obj: object  # the FollowUp, Task, Note, Interview or Application acted on
    closes_at: datetime | None = None  # when its window closes, if it has one
    when: str = ""  # "closes in 5 h", "due 2 h ago": set when within a day

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def when_at(self) -> datetime:
        """The moment ``when`` speaks of: the window's close or the due time."""
        return self.closes_at if self.when.startswith("closes") else self.due_at

    @property
    def debrief_step(self) -> int | None:
        """The step a debrief was left at (1-based), if one was started."""
        return debrief_drafts.step_number(getattr(self.obj, "draft_step", None))

    @property
    def debrief_steps(self) -> int:
        return len(debrief_drafts.STEPS)


def _span(delta: timedelta) -> str:
    minutes = max(1, round(delta.total_seconds() / 60))
    if minutes < 60:
        return f"{minutes} min"
    hours = round(minutes / 60)
    return f"{hours} h"


def when_text(*, due_at: datetime, closes_at: datetime | None, now: datetime) -> str:
    """How soon, when it is within a day: "closes in 5 h", "due in 3 h", "due 2 h ago";
    "" for what is further away (the card shows its date)."""
    if closes_at is not None and now < closes_at <= now + SOON:
        return f"closes in {_span(closes_at - now)}"
    if now <= due_at <= now + SOON:
        return f"due in {_span(due_at - now)}"
    if now - SOON <= due_at < now:
        return f"due {_span(now - due_at)} ago"
    return ""


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
        .exclude(rule__in=(DEBRIEF_RULE, *THANK_YOU_RULES))
        .select_related("application", "interviewer", "interview")
        .only(
            "id", "rule", "due_at", "status", "interview_id", "application__id",
            "application__company", "application__role_title", "interviewer__name",
            "interview__ends_at",
        )
        .order_by("due_at", "id")
    )
    found = [f for status in OPEN_STATUSES for f in rows.filter(status=status)[: LIMIT + 1]]
    return sorted(found, key=lambda f: (f.due_at, f.pk))[: LIMIT + 1]


def thank_you_tasks(user, day: Day) -> list[grouping.Task]:
    """The thank-you tasks with something still to do this week, most urgent first: every
    thank-you row (open or closed, so that done lines show ticked) of the interviews that
    have an open one, in one query."""
    open_interviews = (
        FollowUp.objects.filter(
            owner=user, rule__in=THANK_YOU_RULES, status__in=OPEN_STATUSES,
            due_at__lt=day.week_end,
        )
        .order_by("due_at", "id").values("interview_id")[:THANK_YOU_ROWS]
    )
    rows = (
        FollowUp.objects.filter(
            owner=user, rule__in=THANK_YOU_RULES, interview_id__in=Subquery(open_interviews)
        )
        .select_related("application", "interviewer", "interview")
        .only(
            "id", "rule", "due_at", "status", "sent_at", "application__id",
            "application__company",
            "application__role_title", "interviewer__id", "interviewer__name",
            "interviewer__role", "interview__id", "interview__ends_at", "interview__format",
        )
        .order_by("due_at", "id")
    )
    tasks = [task for task in grouping.group(rows) if task.is_open]
    return sorted(tasks, key=lambda t: (t.due_at, t.pk))


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
    draft_step = DebriefDraft.objects.filter(interview=OuterRef("pk")).annotate(
        step=KT("data__step")
    ).values("step")[:1]
    return list(
        _interviews(user)
        .annotate(draft_step=Subquery(draft_step))
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
    """Every next action of the candidate, sorted by when it is due, in seven queries.

    The thank-yous of one interview are one action (``reminders.grouping``), with the
    drafts written for them on their lines rather than as cards of their own."""
    now = now or timezone.now()
    day = Day.of(now, user.zone)
    board = Dashboard()
    actions: list[Action] = []

    tasks = _limited(thank_you_tasks(user, day), "thanks", board.more)
    drafts = draft_notes(user)
    for task in tasks:
        for line in task.lines:
            for cell in line.cells:
                if cell.is_open:
                    cell.draft = grouping.draft_for(cell, drafts)
    on_tasks = grouping.thank_you_drafts(tasks)
    actions += [
        Action("thanks", t.due_at, t.application, t, closes_at=t.closes_at) for t in tasks
    ]
    actions += [
        Action("followup", f.due_at, f.application, f, closes_at=rules.window_closes(
            f.rule, f.interview.ends_at if f.interview_id else None))
        for f in _limited(due_followups(user, day), "followup", board.more)
    ]
    actions += [
        Action("draft", _draft_due(note), note.application, note)
        for note in _limited([d for d in drafts if d.pk not in on_tasks], "draft", board.more)
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
        if action.kind != "decision":
            action = replace(action, when=when_text(
                due_at=action.due_at, closes_at=action.closes_at, now=now))
        getattr(board, day.bucket(action.due_at, action.closes_at)).append(action)
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
