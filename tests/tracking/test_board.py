"""The pipeline board: applications in columns by status, moved with a form, htmx or a drag."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from playwright.sync_api import ConsoleMessage, Page, expect
from pytest_django.asserts import assertContains, assertNotContains

from interviews.models import Application, ApplicationStatus, StatusChange
from reminders.models import FollowUp
from tests.browser import wait_for_htmx
from tests.factories import ApplicationFactory, CandidateFactory
from tracking.board import CARDS_PER_COLUMN

CURRENT_TIME = datetime(2026, 11, 18, 15, 30, tzinfo=UTC)
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
HTMX = {"HX-Request": "true"}
URL = reverse("board")


@pytest.fixture(autouse=True)
def _frozen_time(request, time_machine):
    if "live_server" not in request.fixturenames:  # the browser needs a ticking clock
        time_machine.move_to(CURRENT_TIME, tick=False)


def _column(response, status: str) -> list[str]:
    """The companies on the cards of one column, top to bottom."""
    found = re.search(
        rf'<section class="board-column" data-status="{status}".*?</section>',
        response.content.decode(), re.S,
    )
    assert found, f"no {status} column"
    return re.findall(r'<a class="fw-semibold" href="[^"]+">([^<]+)</a>', found.group(0))


@pytest.fixture
def pipeline(owner):
    return {
        company: ApplicationFactory(owner=owner, company=company, status=status)
        for company, status in (
            ("Acme", "applied"), ("Globex", "interviewing"), ("Initech", "offer"),
            ("Umbrella", "on_hold"), ("Hooli", "rejected"), ("Pied Piper", "accepted"),
        )
    }


def test_board_has_a_column_per_open_status_and_collapses_the_closed(owner_client, pipeline):
    response = owner_client.get(URL)

    assert response.status_code == 200
    for status, company in (("applied", "Acme"), ("interviewing", "Globex"),
                            ("offer", "Initech"), ("on_hold", "Umbrella")):
        assert _column(response, status) == [company]
    content = response.content.decode()
    closed = content[content.index('<details class="board-closed'):]
    assert "<summary>Closed applications (2)</summary>" in closed
    # Closed columns are counts with a link to their applications, not cards.
    assert _column(response, "rejected") == []
    assert _column(response, "accepted") == []
    assertContains(response, f'{reverse("application_list")}?status=rejected">See 1 in the list')
    assertNotContains(response, "Hooli")
    assert content.index('data-status="on_hold"') < content.index("<details")


def test_each_card_moves_with_a_labelled_form_that_works_without_javascript(
    owner_client, pipeline, time_machine
):
    acme = pipeline["Acme"]
    response = owner_client.get(URL)
    time_machine.move_to(CURRENT_TIME + timedelta(minutes=1), tick=False)
    url = reverse("application_move", args=[acme.pk])

    assertContains(response, f'action="{url}" data-hx-post="{url}">')
    assertContains(response, f'<label class="visually-hidden" for="move-{acme.pk}">Move Acme to')

    moved = owner_client.post(url, {"status": "interviewing"})

    assert moved.status_code == 302
    assert moved["Location"] == URL
    acme.refresh_from_db()
    assert acme.status == "interviewing"
    assert list(acme.status_changes.values_list("from_status", "to_status")) == [
        ("", "applied"), ("applied", "interviewing"),
    ]
    page = owner_client.get(URL)
    assertContains(page, "Moved Product Manager at Acme to Interviewing.")
    assert _column(page, "interviewing") == ["Acme", "Globex"]  # the moved card on top


def test_with_htmx_the_board_is_swapped_in_place(owner_client, pipeline, time_machine):
    acme = pipeline["Acme"]
    time_machine.move_to(CURRENT_TIME + timedelta(minutes=1), tick=False)

    response = owner_client.post(
        reverse("application_move", args=[acme.pk]), {"status": "offer"}, headers=HTMX
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert content.startswith('<div id="board"')
    assert "<html" not in content
    assert _column(response, "offer") == ["Acme", "Initech"]
    assertContains(response, "Moved Product Manager at Acme to Offer.")
    assert StatusChange.objects.filter(application=acme, to_status="offer").exists()


def test_an_unknown_status_moves_nothing(owner_client, pipeline):
    acme = pipeline["Acme"]

    response = owner_client.post(
        reverse("application_move", args=[acme.pk]), {"status": "hired"}, follow=True
    )

    assertContains(response, "Choose one of the listed statuses.")
    acme.refresh_from_db()
    assert acme.status == "applied"
    assert acme.status_changes.count() == 1


def test_moving_back_to_the_same_column_records_nothing(owner_client, pipeline):
    acme = pipeline["Acme"]

    owner_client.post(reverse("application_move", args=[acme.pk]), {"status": "applied"})

    assert acme.status_changes.count() == 1


def test_a_move_replans_the_follow_ups(owner_client, pipeline, django_capture_on_commit_callbacks):
    hooli = pipeline["Globex"]

    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(reverse("application_move", args=[hooli.pk]), {"status": "rejected"})

    # The rejection rules (R9 reply cordially, R10 ask about other openings) are planned.
    assert set(FollowUp.objects.filter(application=hooli).values_list("rule", flat=True)) == {
        "R9", "R10",
    }


def test_the_move_goes_back_where_it_came_from(owner_client, pipeline):
    acme = pipeline["Acme"]

    response = owner_client.post(
        reverse("application_move", args=[acme.pk]), {"status": "offer", "next": "/"}
    )
    elsewhere = owner_client.post(
        reverse("application_move", args=[acme.pk]),
        {"status": "applied", "next": "https://evil.example/"},
    )

    assert response["Location"] == "/"
    assert elsewhere["Location"] == URL


def test_another_candidates_card_cannot_be_moved_or_seen(client, outsider, pipeline):
    client.force_login(outsider, backend=MODEL_BACKEND)
    acme = pipeline["Acme"]

    response = client.post(reverse("application_move", args=[acme.pk]), {"status": "offer"})
    board = client.get(URL)

    assert response.status_code == 404
    acme.refresh_from_db()
    assert acme.status == "applied"
    assertNotContains(board, "Acme")


def test_full_columns_show_the_latest_cards_and_link_to_the_rest(owner_client, owner):
    Application.objects.bulk_create(
        [Application(owner=owner, company=f"Applied {n:03d}", role_title="PM",
                      status="applied") for n in range(CARDS_PER_COLUMN + 7)]
        + [Application(owner=owner, company=f"Rejected {n:03d}", role_title="PM",
                       status="rejected") for n in range(12)]
    )

    response = owner_client.get(URL)

    assert len(_column(response, "applied")) == CARDS_PER_COLUMN
    assert len(_column(response, "rejected")) == 0
    assertContains(response, f'{reverse("application_list")}?status=applied">Show 7 more in the')
    assertContains(response, f'{reverse("application_list")}?status=rejected">See 12 in the list')
    assertContains(response, 'id="column-applied">Applied <span class="badge rounded-pill '
                             'bg-secondary-subtle text-secondary-emphasis">'
                             f'{CARDS_PER_COLUMN + 7}</span>')


def _queries(user) -> int:
    client = Client()
    client.force_login(user, backend=MODEL_BACKEND)
    client.get(URL)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    return len(queries)


def test_board_runs_the_same_few_queries_for_1_and_1000_applications(db, capsys):
    small, large = CandidateFactory(), CandidateFactory()
    statuses = [status for status, _ in ApplicationStatus.choices]
    for owner, count in ((small, 1), (large, 1000)):
        Application.objects.bulk_create(
            Application(owner=owner, company=f"Company {n}", role_title="PM",
                        status=statuses[n % len(statuses)],
                        created_at=CURRENT_TIME - timedelta(minutes=n))
            for n in range(count)
        )

    one, thousand = _queries(small), _queries(large)

    with capsys.disabled():
        print(f"\nboard queries: {one} with 1 application, {thousand} with 1,000")
    # Session, user, the counts, one query per open column, and the cards' extra lines.
    assert one == thousand <= 11


# --- In a real browser --------------------------------------------------------------------

PASSWORD = "correct horse battery staple"  # tests/conftest.py's


@pytest.fixture
def browser_errors(page: Page) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {"console": [], "page": []}

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors["console"].append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors["page"].append(str(error)))
    return errors


@pytest.mark.browser
def test_candidate_moves_a_card_on_the_board_and_sees_it_on_the_timeline(
    live_server, page: Page, owner, browser_errors
):
    acme = ApplicationFactory(owner=owner, company="Acme", role_title="Staff Engineer")
    ApplicationFactory(owner=owner, company="Globex", status="interviewing")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Next actions")

    page.get_by_role("navigation").get_by_role("link", name="Board").click()
    applied = page.locator('.board-column[data-status="applied"]')
    interviewing = page.locator('.board-column[data-status="interviewing"]')
    expect(applied.locator(".board-card")).to_have_count(1)
    wait_for_htmx(page)

    # The keyboard way: the card's own menu and its Move button, sent by htmx.
    menu = page.get_by_label("Move Acme to")
    menu.select_option("interviewing")
    with page.expect_response(lambda r: "/move/" in r.url) as moved:
        menu.press("Tab")
        page.keyboard.press("Enter")
    assert moved.value.request.headers.get("hx-request") == "true"
    expect(interviewing.locator(".board-card a.fw-semibold")).to_have_text(["Acme", "Globex"])
    expect(applied.locator(".board-card")).to_have_count(0)
    expect(page.locator("#board-status")).to_have_text(
        "Moved Staff Engineer at Acme to Interviewing."
    )
    # The keyboard user keeps their place: focus is back on the moved card's menu.
    expect(page.get_by_label("Move Acme to")).to_be_focused()

    # The pointer way: drag the card to the Offer column.
    with page.expect_response(lambda r: "/move/" in r.url):
        page.locator(f"#card-{acme.pk}").drag_to(page.locator('.board-column[data-status="offer"]'))
    expect(page.locator('.board-column[data-status="offer"] .board-card')).to_have_count(1)

    page.get_by_role("link", name="Acme").click()
    timeline = page.get_by_role("region", name="Timeline")
    expect(timeline.locator("ol.timeline > li")).to_have_count(3)
    expect(timeline.locator("ol.timeline > li").nth(1)).to_contain_text("Applied → Interviewing")
    expect(timeline.locator("ol.timeline > li").nth(2)).to_contain_text("Interviewing → Offer")
    acme.refresh_from_db()
    assert acme.status == "offer"

    csp = [t for t in browser_errors["console"] if "content security policy" in t.lower()]
    assert csp == []
    assert browser_errors["page"] == []
