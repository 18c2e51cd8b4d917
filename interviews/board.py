"""The pipeline board: applications in columns by status, and the control that moves them.

Everything it shows belongs to this app, so it lives here (it reads nothing of ``notes``
or ``reminders``). A move goes through ``services.application_set_status``: the status
history is recorded and the change is announced, so follow-ups are re-planned.

The move control is a small form per card (a status select and a button): it works
without JavaScript (POST, then redirect back), with htmx the board is swapped in place,
and ``static/js/board.js`` adds drag and drop on top of the same form.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, Count, F, Value, When, Window
from django.db.models.functions import RowNumber
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from interviews import services
from interviews.access import get_application_for_user
from interviews.forms import StatusForm
from interviews.models import Application, ApplicationStatus

S = ApplicationStatus
OPEN_COLUMNS = (S.APPLIED, S.INTERVIEWING, S.OFFER, S.ON_HOLD)
CLOSED_COLUMNS = (S.ACCEPTED, S.REJECTED, S.WITHDRAWN, S.FILLED)
CARDS_PER_COLUMN = 50  # the rest are one click away in the filtered applications list
CARDS_PER_CLOSED_COLUMN = 10  # collapsed by default: the latest few are enough


@dataclass(frozen=True)
class Column:
    status: str
    label: str
    cards: list[Application]
    total: int

    @property
    def hidden(self) -> int:
        return self.total - len(self.cards)


def board_columns(user) -> tuple[list[Column], list[Column]]:
    """The open and the closed columns, in one query.

    Each column keeps its most recently updated cards (a window function numbers them per
    status; closed columns keep fewer) and knows its full count (another window).
    """
    cards = (
        Application.objects.owned_by(user)
        .only("id", "company", "role_title", "status", "decision_date", "updated_at")
        .annotate(
            rank=Window(
                RowNumber(), partition_by=F("status"),
                order_by=[F("updated_at").desc(), F("id").desc()],
            ),
            column_total=Window(Count("id"), partition_by=F("status")),
            column_limit=Case(
                When(status__in=CLOSED_COLUMNS, then=Value(CARDS_PER_CLOSED_COLUMN)),
                default=Value(CARDS_PER_COLUMN),
            ),
        )
        .filter(rank__lte=F("column_limit"))
        .order_by("status", "rank")
    )
    by_status: dict[str, list[Application]] = {}
    for card in cards:
        by_status.setdefault(card.status, []).append(card)
    labels = dict(S.choices)

    def column(status: str) -> Column:
        found = by_status.get(status, [])
        return Column(status, labels[status], found, found[0].column_total if found else 0)

    return [column(s) for s in OPEN_COLUMNS], [column(s) for s in CLOSED_COLUMNS]


def _context(request: HttpRequest, moved: Application | None = None) -> dict:
    open_columns, closed_columns = board_columns(request.user)
    return {
        "open_columns": open_columns,
        "closed_columns": closed_columns,
        "closed_total": sum(c.total for c in closed_columns),
        "statuses": S.choices,
        "moved": moved,
    }


@login_required
def board(request: HttpRequest) -> HttpResponse:
    return render(request, "interviews/board.html", _context(request))


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "board"


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
        return render(request, "interviews/_board.html", context)
    return redirect(_back(request))
