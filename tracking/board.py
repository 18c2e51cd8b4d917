"""The pipeline board: applications in columns by status, and the ways to move them.

Each card shows what a glance at a pipeline needs: the company, the role, the next
interview, the plan's next step and whether a follow-up is overdue. The tracking app
composes them: the application and its interviews (``interviews``), its follow-ups
(``reminders``). A move goes through ``interviews.services.application_set_status``: the
status history is recorded and the change is announced, so follow-ups are re-planned.

Every card has a "Move to…" menu: one small form whose buttons each post a status. It works
without JavaScript (POST, then redirect back); with htmx the board is swapped in place; and
``static/js/board.js`` adds dragging (SortableJS) and a keyboard move (Shift and an arrow
key) that press the same form's buttons, so all three ways post to ``application_move``.

Its queries do not grow in number or in rows returned with the number of applications: the
open columns show their latest ``CARDS_PER_COLUMN`` cards and a count with a link to the
rest (the filtered, paginated applications list); the closed columns show only their
counts. Each open column is read off an index on (owner, status, updated_at), so the
database's work does not grow either; a card's next interview and next step are
subqueries of its column's query, each one row off an index, not a query per card.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.redirects import safe_next
from interviews import services
from interviews.access import get_application_for_user
from interviews.forms import StatusForm
from interviews.models import Application, ApplicationStatus, Interview
from reminders.models import OPEN_STATUSES, FollowUp
from reminders.rules import RULES

OPEN_COLUMNS = (
    ApplicationStatus.SAVED,
    ApplicationStatus.APPLIED,
    ApplicationStatus.INTERVIEWING,
    ApplicationStatus.OFFER,
    ApplicationStatus.ON_HOLD,
)
CLOSED_COLUMNS = (
    ApplicationStatus.ACCEPTED,
    ApplicationStatus.REJECTED,
    ApplicationStatus.WITHDRAWN,
    ApplicationStatus.FILLED,
)
CARDS_PER_COLUMN = 12  # the rest are one click away in the filtered applications list


@dataclass(frozen=True)
class Column:
    status: str
    label: str
    cards: list[Application]
    total: int
    options: str = ""  # the move menu's buttons: every column but this one, in board order

    @property
    def hidden(self) -> int:
        return self.total - len(self.cards)


@dataclass(frozen=True)
class NextStep:
    """The plan's next step for one card: what to do, when, and whether it is late."""

    title: str
    due_at: datetime
    when: str  # "overdue", "today" or "later"

    @property
    def overdue(self) -> bool:
        return self.when == "overdue"


def _card_queryset(now: datetime):
    """A card's fields, its next interview and its plan's next step (the open follow-up
    due first), as subqueries of the column's one query."""
    next_interview = (
        Interview.objects.filter(
            application=OuterRef("pk"), ends_at__gt=now, cancelled_at__isnull=True
        )
        .order_by("starts_at", "id").values("starts_at")[:1]
    )
    next_followup = FollowUp.objects.filter(
        application=OuterRef("pk"), status__in=OPEN_STATUSES
    ).order_by("due_at", "id")
    return Application.objects.only("id", "company", "role_title", "status", "updated_at").annotate(
        next_interview_at=Subquery(next_interview),
        next_rule=Subquery(next_followup.values("rule")[:1]),
        next_due_at=Subquery(next_followup.values("due_at")[:1]),
    )


def _next_step(card: Application, today_start: datetime, tomorrow_start: datetime):
    """Overdue as the dashboard counts it: due before today began, in the candidate's zone."""
    if not card.next_rule or card.next_rule not in RULES:
        return None
    due = card.next_due_at
    when = "overdue" if due < today_start else "today" if due < tomorrow_start else "later"
    return NextStep(RULES[card.next_rule].title, due, when)


def board_columns(user, now: datetime | None = None) -> tuple[list[Column], list[Column]]:
    """The open columns with their latest cards, and the closed columns' counts.

    One query for the counts and one per open column, each reading at most
    ``CARDS_PER_COLUMN`` rows off the index on (owner, status, updated_at): the database
    stops there whatever the account's size.
    """
    now = now or timezone.now()
    zone = user.zone
    today = now.astimezone(zone).date()
    today_start = datetime.combine(today, time(0), tzinfo=zone)
    tomorrow_start = datetime.combine(today + timedelta(days=1), time(0), tzinfo=zone)
    totals = dict(
        Application.objects.owned_by(user)
        .order_by()
        .values_list("status")
        .annotate(total=Count("id"))
    )
    cards = _card_queryset(now).filter(owner=user)
    by_status: dict[str, list[Application]] = {}
    for status in OPEN_COLUMNS:
        column = list(cards.filter(status=status).order_by("-updated_at", "-id")[:CARDS_PER_COLUMN])
        for card in column:
            card.next_step = _next_step(card, today_start, tomorrow_start)
        by_status[status] = column
    labels = dict(ApplicationStatus.choices)

    def column(status: str) -> Column:
        return Column(status, labels[status], by_status.get(status, []), totals.get(status, 0))

    return [column(s) for s in OPEN_COLUMNS], [column(s) for s in CLOSED_COLUMNS]


def _with_options(column: Column) -> Column:
    """Every card of a column has the column's status, so its move menu is the same: the
    menu's buttons are rendered once a column rather than once a card."""
    labels = dict(ApplicationStatus.choices)
    options = render_to_string("tracking/_board.html#options", {
        "open_statuses": [(s, labels[s]) for s in OPEN_COLUMNS],
        "closed_statuses": [(s, labels[s]) for s in CLOSED_COLUMNS],
        "status": column.status,
    })
    return replace(column, options=options)


def _context(request: HttpRequest, moved: Application | None = None) -> dict:
    open_columns, closed_columns = board_columns(request.user)
    return {
        "open_columns": [_with_options(column) for column in open_columns],
        "closed_columns": closed_columns,
        "closed_total": sum(c.total for c in closed_columns),
        "moved": moved,
    }


@login_required
def board(request: HttpRequest) -> HttpResponse:
    return render(request, "tracking/board.html", _context(request))


@login_required
@require_POST
def application_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a card to another column: records the status change like any other. The menu,
    a drag and the keyboard all post here."""
    application = get_application_for_user(request, pk)
    form = StatusForm(request.POST)
    moved = None
    if form.is_valid():
        if services.application_set_status(
            application=application, status=form.cleaned_data["status"]
        ):
            moved = application
            if not request.htmx:
                messages.success(
                    request, f"Moved {application} to {application.get_status_display()}."
                )
    elif not request.htmx:
        messages.error(request, "Choose one of the listed statuses.")
    if request.htmx:
        context = _context(request, moved=moved)
        context["error"] = not form.is_valid()
        return render(request, "tracking/_board.html", context)
    return safe_next(request, "board")
