"""The pipeline board: applications in columns by status, and the control that moves them.

Each card shows an application (``interviews``) and who wrote last (the Inbox's clocks):
the tracking app composes the two. A move goes through
``interviews.services.application_set_status``: the status history is recorded and the
change is announced, so follow-ups are re-planned.

The move control is a small form per card (a status select and a button): it works
without JavaScript (POST, then redirect back), with htmx the board is swapped in place,
and ``static/js/board.js`` adds drag and drop on top of the same form.

Its queries do not grow in number or in rows returned with the number of applications: the
open columns show their latest ``CARDS_PER_COLUMN`` cards and a count with a link to the
rest (the filtered, paginated applications list); the closed columns show only their
counts. Each open column is read off an index on (owner, status, updated_at), so the
database's work does not grow either.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST

from core.redirects import safe_next
from inbox.services import clocks_for
from interviews import services
from interviews.access import get_application_for_user
from interviews.forms import StatusForm
from interviews.models import Application, ApplicationStatus

OPEN_COLUMNS = (
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
    options: str = ""  # the move menu's options, this column's status selected

    @property
    def hidden(self) -> int:
        return self.total - len(self.cards)


def board_columns(user) -> tuple[list[Column], list[Column]]:
    """The open columns with their latest cards, and the closed columns' counts.

    One query for the counts and one per open column, each reading at most
    ``CARDS_PER_COLUMN`` rows off the index on (owner, status, updated_at): the database
    stops there whatever the account's size.
    """
    totals = dict(
        Application.objects.owned_by(user)
        .order_by()
        .values_list("status")
        .annotate(total=Count("id"))
    )
    fields = ("id", "company", "role_title", "status", "decision_date", "updated_at")
    cards = [
        card
        for status in OPEN_COLUMNS
        for card in Application.objects.owned_by(user)
        .filter(status=status)
        .only(*fields)
        .order_by("-updated_at", "-id")[:CARDS_PER_COLUMN]
    ]
    by_status: dict[str, list[Application]] = {}
    for card in cards:
        by_status.setdefault(card.status, []).append(card)
    labels = dict(ApplicationStatus.choices)

    def column(status: str) -> Column:
        return Column(status, labels[status], by_status.get(status, []), totals.get(status, 0))

    return [column(s) for s in OPEN_COLUMNS], [column(s) for s in CLOSED_COLUMNS]


def _add_clocks(columns: list[Column]) -> None:
    """Each card shown gets ``clock``: when the employer and the candidate last wrote (two
    queries for all the cards, ``inbox.services.clocks_for``)."""
    shown = [card for column in columns for card in column.cards]
    clocks = clocks_for([card.pk for card in shown]) if shown else {}
    for card in shown:
        card.clock = clocks.get(card.pk)


def _with_options(column: Column) -> Column:
    """Every card of a column has the column's status, so its move menu is the same: the
    options are rendered once a column rather than once a card."""
    options = render_to_string(
        "tracking/_board.html#options",
        {"statuses": ApplicationStatus.choices, "status": column.status},
    )
    return replace(column, options=options)


def _context(request: HttpRequest, moved: Application | None = None) -> dict:
    open_columns, closed_columns = board_columns(request.user)
    open_columns = [_with_options(column) for column in open_columns]
    _add_clocks(open_columns)
    return {
        "open_columns": open_columns,
        "closed_columns": closed_columns,
        "closed_total": sum(c.total for c in closed_columns),
        "moved": moved,
        "statuses": ApplicationStatus.choices,
    }


@login_required
def board(request: HttpRequest) -> HttpResponse:
    return render(request, "tracking/board.html", _context(request))


@login_required
@require_POST
def application_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a card to another column: records the status change like any other."""
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
