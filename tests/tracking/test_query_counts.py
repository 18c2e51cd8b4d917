"""Every main page runs the same number of queries at 1 and at 1,000 applications.

The pages are those of ``bench/http_load.py``; a page whose queries grew with the account
(a query per row, N+1) would fail here before it showed in the benchmark.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from interviews.models import Application, ApplicationStatus
from notes.models import Note
from tests.factories import CandidateFactory
from tests.tracking.tracking_fixtures import (
    count_queries,
    frozen,  # noqa: F401 — a fixture
    lived_in,
    many_applications,
    signed_in,
)

pytestmark = pytest.mark.usefixtures("frozen")


def _pages(lived) -> dict[str, str]:
    """The benchmark's pages, for the lived-in application of one candidate."""
    note = Note.objects.get(application=lived.application)
    return {
        "dashboard": reverse("home"),
        "applications list": reverse("application_list"),
        "board": reverse("board"),
        "compare": reverse("compare"),
        "insights": reverse("insights"),
        "timeline": reverse("application_timeline", args=[lived.application.pk]),
        "application page": lived.application.get_absolute_url(),
        "interview page": lived.past.get_absolute_url(),
        "note editor": reverse("note_edit", args=[note.pk]),
        "debrief step": reverse("debrief", args=[lived.past.pk]),
        "your data": reverse("your_data"),
    }


def _spread_statuses(owner) -> None:
    """Put the bulk applications in every column, so each status's code path runs."""
    ids = list(
        Application.objects.filter(owner=owner, company__startswith="Company ")
        .order_by("id").values_list("id", flat=True)
    )
    statuses = [status for status, _ in ApplicationStatus.choices]
    for n, status in enumerate(statuses):
        Application.objects.filter(id__in=ids[n :: len(statuses)]).update(status=status)


def test_every_page_runs_the_same_queries_at_1_and_1000_applications(db, capsys):
    small_owner = CandidateFactory(email="small@example.com", time_zone="Europe/London")
    large_owner = CandidateFactory(email="large@example.com", time_zone="Europe/London")
    small = lived_in(small_owner)
    large = lived_in(large_owner)
    many_applications(large_owner, 999)
    _spread_statuses(large_owner)
    assert large_owner.applications.count() == 1000

    small_client, large_client = signed_in(small_owner), signed_in(large_owner)
    small_pages, large_pages = _pages(small), _pages(large)
    counts = {
        page: (count_queries(small_client, small_pages[page]),
               count_queries(large_client, large_pages[page]))
        for page in small_pages
    }

    with capsys.disabled():
        print("\nqueries at 1 and 1,000 applications: " + ", ".join(
            f"{page} {one}/{thousand}" for page, (one, thousand) in counts.items()))
    grown = {page: pair for page, pair in counts.items() if pair[0] != pair[1]}
    assert grown == {}
