"""The comparison page: applications side by side, from the latest debrief of each."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from interviews.models import ApplicationStatus
from tests.factories import ApplicationFactory, InterviewFactory
from tests.interviews.factories import DebriefFactory

CURRENT_TIME = datetime(2026, 7, 20, 12, 0, tzinfo=UTC)
URL = reverse("compare")


@pytest.fixture(autouse=True)
def _frozen_time(time_machine):
    time_machine.move_to(CURRENT_TIME, tick=False)


def _held(application, day: int, round_number: int = 1):
    starts_at = datetime(2026, 7, day, 9, 0, tzinfo=UTC)
    return InterviewFactory(
        application=application,
        round_number=round_number,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
    )


def _application(owner, company: str, days_ago: int, **fields):
    return ApplicationFactory(
        owner=owner, company=company, created_at=CURRENT_TIME - timedelta(days=days_ago), **fields
    )


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _rows(response) -> dict[str, list[str]]:
    """Company → the visible text of each cell of its row, in page order."""
    body = re.search(r"<tbody>(.*?)</tbody>", response.content.decode(), re.S)
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1) if body else "", re.S):
        cells = [_text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        company = _text(re.search(r'<th scope="row"><a [^>]*>(.*?)</a>', row).group(1))
        rows[company] = cells
    return rows


def _order(response) -> list[str]:
    return list(_rows(response))


@pytest.fixture
def applications(owner):
    """Acme: two rounds, each debriefed; Globex: debriefed; Hooli: debriefed, unrated;
    Initech: an interview held, no debrief; Umbrella: nothing held yet. Newest first:
    Umbrella, Initech, Hooli, Globex, Acme."""
    acme = _application(
        owner, "Acme", 5, status=ApplicationStatus.INTERVIEWING, decision_date=date(2026, 7, 31)
    )
    first, second = _held(acme, 1), _held(acme, 8, round_number=2)
    # The second round's debrief was written first: the latest round still wins.
    DebriefFactory(
        interview=second, went_well_rating=5, top_candidate_rating=2,
        excited_about="Second round: the team", concerns="Commute",
        top_candidate="Strong system design", fit="Good fit, remote days",
        created_at=datetime(2026, 7, 8, 12, 0, tzinfo=UTC),
    )
    DebriefFactory(
        interview=first, went_well_rating=1, top_candidate_rating=1,
        excited_about="First round: the product", concerns="Old concern",
        created_at=datetime(2026, 7, 9, 12, 0, tzinfo=UTC),
    )
    globex = _application(owner, "Globex", 4)
    DebriefFactory(
        interview=_held(globex, 10), went_well_rating=3, top_candidate_rating=5,
        excited_about="Mission", concerns="Pay", top_candidate="Rare skills", fit="Great",
    )
    hooli = _application(owner, "Hooli", 3)
    DebriefFactory(
        interview=_held(hooli, 11), went_well_rating=None, top_candidate_rating=None,
        excited_about="Perks", concerns="Culture", top_candidate="", fit="Unsure",
    )
    initech = _application(owner, "Initech", 2)
    initech_interview = _held(initech, 12)
    umbrella = _application(owner, "Umbrella", 1)
    InterviewFactory(
        application=umbrella,
        starts_at=CURRENT_TIME + timedelta(days=3),
        ends_at=CURRENT_TIME + timedelta(days=3, hours=1),
    )
    return {
        "acme": acme, "globex": globex, "hooli": hooli, "initech": initech,
        "initech_interview": initech_interview, "umbrella": umbrella, "acme_second": second,
    }


def test_compare_shows_each_application_from_its_latest_debrief(owner_client, applications):
    response = owner_client.get(URL)

    assert response.status_code == 200
    acme = _rows(response)["Acme"]
    assert acme[:10] == [
        "Acme Product Manager",
        "Interviewing",
        "2",
        "31 Jul 2026",
        "5 / 5",
        "2 / 5",
        "Second round: the team",
        "Commute",
        "Strong system design",
        "Good fit, remote days Full debrief",
    ]
    assertNotContains(response, "First round: the product")
    assertContains(
        response, f'href="{applications["acme_second"].get_absolute_url()}#debrief"'
    )


def test_compare_shows_a_debrief_without_ratings_as_unrated(owner_client, applications):
    hooli = _rows(owner_client.get(URL))["Hooli"]

    assert hooli[4:8] == ["—", "—", "Perks", "Culture"]


def test_compare_lists_applications_without_a_debrief_with_a_link_to_do_it(
    owner_client, applications
):
    response = owner_client.get(URL)
    rows = _rows(response)

    assert rows["Initech"][1:5] == [
        "Applied", "1", "—", "No debrief yet. Debrief your latest interview"
    ]
    debrief_url = reverse("debrief", args=[applications["initech_interview"].pk])
    assertContains(
        response, f'<a href="{debrief_url}">Debrief your latest interview</a>', html=True
    )
    assert rows["Umbrella"][2] == "0"
    assert "No interview held yet" in rows["Umbrella"][4]
    log_url = reverse("interview_create", args=[applications["umbrella"].pk])
    assertContains(response, f'href="{log_url}"')


def test_compare_shows_only_the_candidates_own_applications(
    owner_client, applications, outsider
):
    ApplicationFactory(owner=outsider, company="Secretco")

    assert "Secretco" not in _order(owner_client.get(URL))


def test_compare_lists_newest_application_first_by_default(owner_client, applications):
    assert _order(owner_client.get(URL)) == ["Umbrella", "Initech", "Hooli", "Globex", "Acme"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        # Rated best first; unrated debriefs and applications without one last, newest first.
        ("went_well", ["Acme", "Globex", "Umbrella", "Initech", "Hooli"]),
        ("top_candidate", ["Globex", "Acme", "Umbrella", "Initech", "Hooli"]),
    ],
)
def test_compare_sorts_by_each_rating_with_unrated_last(
    owner_client, applications, sort, expected
):
    response = owner_client.get(URL, {"sort": sort})

    assert _order(response) == expected
    assertContains(response, 'aria-sort="descending"', count=1)


@pytest.mark.parametrize("sort", ["company; DROP TABLE", "-went_well", "owner__password", ""])
def test_compare_falls_back_to_newest_first_on_an_unknown_sort(owner_client, applications, sort):
    response = owner_client.get(URL, {"sort": sort})

    assert response.status_code == 200
    assert _order(response) == ["Umbrella", "Initech", "Hooli", "Globex", "Acme"]
    assertNotContains(response, "aria-sort")


def test_compare_invites_to_add_applications_when_there_are_none(owner_client):
    assertContains(owner_client.get(URL), "Nothing to compare yet")


def test_navbar_links_to_compare(owner_client):
    response = owner_client.get(reverse("home"))

    assertContains(response, f'<a class="nav-link" href="{URL}">Compare</a>', html=True)


def _application_with_debriefs(owner, n: int) -> None:
    """Every other application has two debriefed rounds; the others none."""
    application = ApplicationFactory(owner=owner, company=f"Company {n:03d}")
    if n % 2:
        return
    first, second = _held(application, 1), _held(application, 2, round_number=2)
    DebriefFactory(interview=first, went_well_rating=n % 5 + 1)
    DebriefFactory(interview=second, top_candidate_rating=n % 5 + 1)


def _queries(client, sort: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(URL, {"sort": sort})
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("sort", ["", "went_well", "top_candidate"])
def test_compare_runs_the_same_number_of_queries_at_1_and_200_applications(
    owner_client, owner, sort
):
    _application_with_debriefs(owner, 0)
    owner_client.get(URL)  # warm up: the session's first read
    with_one = _queries(owner_client, sort)

    for n in range(1, 200):
        _application_with_debriefs(owner, n)

    with_200 = _queries(owner_client, sort)
    assert len(_order(owner_client.get(URL, {"sort": sort}))) == 200
    assert with_one == with_200
    assert with_200 <= 3, "session, user, the applications"
