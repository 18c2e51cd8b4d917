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


def test_compare_starts_with_the_open_debriefed_applications_and_offers_the_rest_to_debrief(
    owner_client, applications
):
    response = owner_client.get(URL)

    assert set(_rows(response)) == {"Hooli", "Globex", "Acme"}
    debrief_url = reverse("debrief", args=[applications["initech_interview"].pk])
    to_debrief = response.content.decode().split('id="to-debrief"', 1)[1]
    assert f'<a href="{debrief_url}">debrief your latest interview</a>' in to_debrief
    assert "Initech" in to_debrief
    # Nothing held yet at Umbrella: nothing to debrief nor to compare.
    assertNotContains(response, "Umbrella")


def test_compare_offers_each_open_debriefed_application_as_a_choice_freshest_first(
    owner_client, applications
):
    content = owner_client.get(URL).content.decode()

    offered = re.findall(r'name="pick" value="(\d+)" id="pick-\d+"( checked)?', content)
    expected = [applications[name].pk for name in ("hooli", "globex", "acme")]
    assert [int(pk) for pk, _checked in offered] == expected
    assert all(checked for _pk, checked in offered)


def test_compare_shows_only_the_applications_picked(owner_client, applications):
    picks = [applications["globex"].pk, applications["acme"].pk]

    response = owner_client.get(URL, {"picked": "1", "pick": picks})

    assert _order(response) == ["Globex", "Acme"]
    content = response.content.decode()
    checked = re.findall(r'name="pick" value="(\d+)" id="pick-\d+" checked', content)
    assert sorted(map(int, checked)) == sorted(picks)


def test_compare_shows_at_most_four_side_by_side(owner, owner_client):
    for day in range(1, 7):
        DebriefFactory(interview=_held(_application(owner, f"Company {day}", 10 - day), day))

    default = owner_client.get(URL)
    every = [int(pk) for pk in re.findall(r'name="pick" value="(\d+)"', default.content.decode())]
    picked_all = owner_client.get(URL, {"picked": "1", "pick": every})

    # The freshest debriefs first: the interviews of 6, 5, 4 and 3 July.
    assert set(_order(default)) == {"Company 6", "Company 5", "Company 4", "Company 3"}
    assert len(every) == 6
    assert len(_order(picked_all)) == 4
    assertContains(picked_all, "At most 4 side by side")


def test_compare_does_not_offer_closed_applications(owner, owner_client, applications):
    for status in (ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN,
                   ApplicationStatus.FILLED, ApplicationStatus.ACCEPTED):
        closed = _application(owner, f"Closed {status}", 6, status=status)
        DebriefFactory(interview=_held(closed, 12))

    response = owner_client.get(URL)

    assert set(_order(response)) == {"Hooli", "Globex", "Acme"}
    assertNotContains(response, "Closed ")


@pytest.mark.parametrize("pick", ["x", "-1", "99999999999999999999", "1e3", ""])
def test_compare_ignores_picks_that_are_not_ids(owner_client, applications, pick):
    response = owner_client.get(URL, {"picked": "1", "pick": [pick, applications["acme"].pk]})

    assert response.status_code == 200
    assert _order(response) == ["Acme"]


def test_compare_asks_for_a_pick_when_none_is_made(owner_client, applications):
    response = owner_client.get(URL, {"picked": "1"})

    assert _order(response) == []
    assertContains(response, "Pick at least one application")


def test_compare_sort_links_keep_the_picks(owner_client, applications):
    acme = applications["acme"].pk
    response = owner_client.get(URL, {"picked": "1", "pick": [acme]})

    links = re.findall(r'href="(\?[^"]*sort=went_well[^"]*)"', response.content.decode())
    assert links
    assert all(f"pick={acme}" in html.unescape(link) for link in links)


def test_compare_shows_only_the_candidates_own_applications(
    owner_client, applications, outsider
):
    secret = ApplicationFactory(owner=outsider, company="Secretco")
    DebriefFactory(interview=_held(secret, 12))

    assert "Secretco" not in _order(owner_client.get(URL))
    picked = owner_client.get(URL, {"picked": "1", "pick": [secret.pk]})
    assert picked.status_code == 200
    assertNotContains(picked, "Secretco")


def test_compare_lists_newest_application_first_by_default(owner_client, applications):
    assert _order(owner_client.get(URL)) == ["Hooli", "Globex", "Acme"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        # Rated best first; unrated debriefs last.
        ("went_well", ["Acme", "Globex", "Hooli"]),
        ("top_candidate", ["Globex", "Acme", "Hooli"]),
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
    assert _order(response) == ["Hooli", "Globex", "Acme"]
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
    assert len(_order(owner_client.get(URL, {"sort": sort}))) == 4
    assert with_one == with_200
    assert with_200 <= 5, "session, user, the choices, the applications, those to debrief"


def test_compare_lays_the_picker_out_as_a_list_and_the_table_in_a_scrolling_region(
    owner_client, applications
):
    # Issue 18, point 7: the checkboxes wrap in a grid of their own (a legend's float once
    # pushed them past the card), and the wide table scrolls inside a named region a
    # keyboard can reach, so that the page itself never scrolls sideways.
    content = owner_client.get(URL, {"picked": "1", "pick": applications["acme"].pk}).content
    content = content.decode()
    assert re.search(r"</legend>\s*<ul class=\"list-unstyled compare-choices", content)
    assert 'href="/static/css/compare.css"' in content
    assert re.search(
        r'<div class="table-responsive compare-scroll" role="region" '
        r'aria-labelledby="compare-caption" tabindex="0">\s*<table',
        content,
    )
    assert '<caption class="visually-hidden" id="compare-caption">' in content
