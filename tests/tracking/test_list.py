"""The applications list: search, filters, "needs action", sorting and pagination."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from interviews.models import Application, ApplicationStatus
from reminders.models import FollowUp
from tests.factories import ApplicationFactory, CandidateFactory
from tests.tracking.tracking_fixtures import (
    CURRENT_TIME,
    MAX_QUERIES,
    count_queries,
    frozen,  # noqa: F401 — a fixture
    many_applications,
    signed_in,
)
from tracking.views import APPLICATIONS_PER_PAGE

pytestmark = pytest.mark.usefixtures("frozen")
URL = reverse("application_list")


def _companies(response) -> list[str]:
    return [
        html.unescape(name)
        for name in re.findall(r'<td><a href="[^"]+">([^<]+)</a></td>', response.content.decode())
    ]


@pytest.fixture
def applications(owner):
    """Five applications of the owner, created a day apart (Acme the oldest)."""
    rows = [
        ("Acme Robotics", "Product Manager", ApplicationStatus.APPLIED, None),
        ("Globex", "Data Analyst", ApplicationStatus.INTERVIEWING, date(2026, 11, 25)),
        ("Initech", "Product Owner", ApplicationStatus.REJECTED, None),
        ("Umbrella", "Engineer", ApplicationStatus.OFFER, date(2026, 11, 20)),
        ("Hooli", "Senior Product Manager", ApplicationStatus.WITHDRAWN, None),
    ]
    return {
        company: ApplicationFactory(
            owner=owner, company=company, role_title=role, status=status,
            decision_date=decision,
            created_at=CURRENT_TIME - timedelta(days=len(rows) - index),
        )
        for index, (company, role, status, decision) in enumerate(rows)
    }


def test_list_shows_newest_first_by_default(owner_client, applications):
    response = owner_client.get(URL)

    assert _companies(response) == ["Hooli", "Umbrella", "Initech", "Globex", "Acme Robotics"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"company": "glob"}, ["Globex"]),
        ({"role": "product"}, ["Hooli", "Initech", "Acme Robotics"]),
        ({"status": "interviewing"}, ["Globex"]),
        ({"status": "open"}, ["Umbrella", "Globex", "Acme Robotics"]),
        ({"status": "ended"}, ["Hooli", "Initech"]),
        ({"added_from": "2026-11-15", "added_to": "2026-11-16"}, ["Umbrella", "Initech"]),
        ({"role": "product", "status": "open"}, ["Acme Robotics"]),
    ],
)
def test_filters_narrow_the_list(owner_client, applications, query, expected):
    response = owner_client.get(URL, query)

    assert _companies(response) == expected


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("oldest", ["Acme Robotics", "Globex", "Initech", "Umbrella", "Hooli"]),
        ("company", ["Acme Robotics", "Globex", "Hooli", "Initech", "Umbrella"]),
        ("decision", ["Umbrella", "Globex", "Acme Robotics", "Initech", "Hooli"]),
        ("status", ["Acme Robotics", "Globex", "Umbrella", "Initech", "Hooli"]),
    ],
)
def test_list_sorts(owner_client, applications, sort, expected):
    assert _companies(owner_client.get(URL, {"sort": sort})) == expected


def test_needs_action_keeps_only_applications_with_something_due(
    owner_client, owner, applications
):
    FollowUp.objects.create(
        owner=owner, application=applications["Acme Robotics"], rule="R7", key="R7:a",
        due_at=CURRENT_TIME - timedelta(hours=2),
    )
    # Due next week: nothing to do today.
    FollowUp.objects.create(
        owner=owner, application=applications["Globex"], rule="R7", key="R7:g",
        due_at=CURRENT_TIME + timedelta(days=6),
    )

    response = owner_client.get(URL, {"needs_action": "on"})

    assert _companies(response) == ["Acme Robotics"]
    assertContains(response, "Needs action</span>")


def test_an_invalid_filter_is_reported_and_ignored(owner_client, applications):
    response = owner_client.get(
        URL, {"added_from": "not a date", "status": "bogus", "company": "glob"}
    )

    assert response.status_code == 200
    assert _companies(response) == ["Globex"]
    assertContains(response, "Enter a valid date.")


def test_a_reversed_date_range_is_an_error(owner_client, applications):
    response = owner_client.get(URL, {"added_from": "2026-11-16", "added_to": "2026-11-01"})

    assertContains(response, "The end of the range is before its start.")


def test_no_match_says_so_and_offers_to_clear(owner_client, applications):
    response = owner_client.get(URL, {"company": "Nothing like it"})

    assertContains(response, "No application matches these filters")
    assertNotContains(response, "No applications yet")


def test_pagination_keeps_the_filters(owner_client, owner):
    Application.objects.bulk_create(
        Application(owner=owner, company=f"Acme {n:02d}", role_title="PM",
                    created_at=CURRENT_TIME - timedelta(hours=n))
        for n in range(APPLICATIONS_PER_PAGE + 5)
    )

    first = owner_client.get(URL, {"company": "acme", "sort": "company"})
    second = owner_client.get(URL, {"company": "acme", "sort": "company", "page": 2})

    assert APPLICATIONS_PER_PAGE <= 50
    assert len(_companies(first)) == APPLICATIONS_PER_PAGE
    assertContains(first, 'href="?company=acme&amp;sort=company&amp;page=2"')
    assert _companies(second) == [f"Acme {n:02d}" for n in range(25, 30)]


def test_list_never_shows_another_candidates_applications(owner_client, owner, outsider):
    ApplicationFactory(owner=owner, company="Mine Inc")
    ApplicationFactory(owner=outsider, company="Theirs Ltd")

    response = owner_client.get(URL, {"company": "i"})

    assert _companies(response) == ["Mine Inc"]


@pytest.mark.parametrize("query", [{}, {"needs_action": "on", "sort": "next_interview"}])
def test_list_runs_the_same_few_queries_for_1_and_1000_applications(db, capsys, query):
    small, large = CandidateFactory(), CandidateFactory()
    many_applications(small, 1)
    many_applications(large, 1000)
    url = f"{URL}?{'&'.join(f'{k}={v}' for k, v in query.items())}"

    one = count_queries(signed_in(small), url)
    thousand = count_queries(signed_in(large), url)

    with capsys.disabled():
        print(f"\nlist queries ({query or 'no filter'}): {one} with 1, {thousand} with 1,000")
    assert one == thousand <= MAX_QUERIES
