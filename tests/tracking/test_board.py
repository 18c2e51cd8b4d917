"""The pipeline board: applications in columns by status, moved from a menu, htmx, a drag or
the keyboard."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from playwright.sync_api import Browser, ConsoleMessage, Page, expect
from pytest_django.asserts import assertContains, assertNotContains

from interviews.models import Application, ApplicationStatus, StatusChange
from interviews.services import interview_create
from reminders.models import FollowUp
from tests.browser import wait_for_htmx
from tests.factories import ApplicationFactory, CandidateFactory, InterviewFactory
from tests.site.test_accessibility import DESKTOP, OVERFLOW, PHONE
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
    return re.findall(r'<a class="fw-semibold board-card-link" href="[^"]+"[^>]*>([^<]+)</a>',
                      found.group(0))


def _card(response, application) -> str:
    found = re.search(rf'<li class="card board-card[^"]*"[^>]* id="card-{application.pk}">.*?</li>'
                      r'(?=\s*(?:<li class="card|</ol>))',
                      response.content.decode(), re.S)
    assert found, f"no card for {application}"
    return found.group(0)


@pytest.fixture
def pipeline(owner):
    return {
        company: ApplicationFactory(owner=owner, company=company, status=status)
        for company, status in (
            ("Bluth", "saved"), ("Acme", "applied"), ("Globex", "interviewing"),
            ("Initech", "offer"), ("Umbrella", "on_hold"), ("Hooli", "rejected"),
            ("Pied Piper", "accepted"),
        )
    }


def test_board_has_a_column_per_open_status_and_collapses_the_closed(owner_client, pipeline):
    response = owner_client.get(URL)

    assert response.status_code == 200
    for status, company in (("saved", "Bluth"), ("applied", "Acme"), ("interviewing", "Globex"),
                            ("offer", "Initech"), ("on_hold", "Umbrella")):
        assert _column(response, status) == [company]
    content = response.content.decode()
    # Saved listings come first: people keep them before they apply.
    assert re.findall(r'<section class="board-column" data-status="(\w+)"', content)[:5] == [
        "saved", "applied", "interviewing", "offer", "on_hold",
    ]
    closed = content[content.index('<details class="board-closed'):]
    assert "<summary>Closed applications (2)</summary>" in closed
    # Closed columns are counts with a link to their applications, not cards.
    assert _column(response, "rejected") == []
    assert _column(response, "accepted") == []
    assertContains(response, f'{reverse("application_list")}?status=rejected">See 1 in the list')
    assertNotContains(response, "Hooli")
    assert content.index('data-status="on_hold"') < content.index('<details class="board-closed')


def test_an_empty_saved_column_says_what_it_is_for(owner_client):
    response = owner_client.get(URL)

    assertContains(response, "Listings you keep before you apply.")
    assertContains(response, f'href="{reverse("application_create")}?status=saved">Save a listing')
    form = owner_client.get(f'{reverse("application_create")}?status=saved')
    assertContains(form, '<option value="saved" selected>Saved</option>', html=True)


@pytest.fixture
def new_yorker(owner):
    owner.time_zone = "America/New_York"
    owner.save(update_fields=["time_zone"])
    return owner


def _followup(application, rule: str, due_at, status: str = "pending") -> FollowUp:
    return FollowUp.objects.create(
        owner=application.owner, application=application, rule=rule,
        key=f"{rule}:{application.pk}:{due_at.isoformat()}", due_at=due_at, status=status,
    )


def test_a_card_shows_the_next_interview_the_next_step_and_an_overdue_mark(
    owner_client, new_yorker
):
    late = ApplicationFactory(owner=new_yorker, company="Acme", role_title="Staff Engineer",
                              status="interviewing")
    InterviewFactory(application=late, starts_at=CURRENT_TIME - timedelta(days=3))
    InterviewFactory(application=late, starts_at=datetime(2026, 11, 20, 14, 0, tzinfo=UTC))
    InterviewFactory(application=late, starts_at=datetime(2026, 11, 19, 14, 0, tzinfo=UTC),
                     cancelled_at=CURRENT_TIME)
    _followup(late, "R1", CURRENT_TIME - timedelta(days=4), status="done")
    _followup(late, "R2", CURRENT_TIME - timedelta(days=2))
    _followup(late, "R7", CURRENT_TIME + timedelta(days=5))
    calm = ApplicationFactory(owner=new_yorker, company="Globex", status="interviewing")
    _followup(calm, "R7", datetime(2026, 11, 21, 14, 0, tzinfo=UTC))
    today = ApplicationFactory(owner=new_yorker, company="Initech", status="offer")
    _followup(today, "R5", datetime(2026, 11, 18, 12, 0, tzinfo=UTC))  # 07:00 in New York
    bare = ApplicationFactory(owner=new_yorker, company="Hooli", role_title="Designer")

    response = owner_client.get(URL)

    card = _card(response, late)
    assert ">Acme</a>" in card and "Staff Engineer" in card
    # The next interview that will happen, in the candidate's own zone (14:00 UTC is 09:00).
    assert 'Interview <time datetime="2026-11-20T09:00:00-0500">Fri 20 Nov, 09:00</time>' in card
    assert "Overdue</span>" in card and "board-card-overdue" in card
    assert "Next: Send a thank-you email" in card
    calm_card = _card(response, calm)
    assert "Overdue" not in calm_card and "Interview" not in calm_card
    assert re.search(r"Next: Check in politely <span[^>]*>· <time [^>]*>21 Nov</time>", calm_card)
    today_card = _card(response, today)
    assert "Overdue" not in today_card
    assert re.search(r"Next: Send a value-added follow-up <span[^>]*>· today</span>", today_card)
    bare_card = _card(response, bare)
    assert "Designer" in bare_card and "Next:" not in bare_card and "Overdue" not in bare_card
    # No per-card select, no "wrote never" line.
    assertNotContains(response, "<select")
    assertNotContains(response, "never")
    assertNotContains(response, "Employer wrote")


def test_each_card_moves_from_its_menu_without_javascript(
    owner_client, pipeline, time_machine
):
    acme = pipeline["Acme"]
    response = owner_client.get(URL)
    time_machine.move_to(CURRENT_TIME + timedelta(minutes=1), tick=False)
    url = reverse("application_move", args=[acme.pk])

    card = _card(response, acme)
    assert f'<form class="board-move" method="post" action="{url}" data-hx-post="{url}">' in card
    assert 'name="csrfmiddlewaretoken"' in card
    assert re.search(r'<summary[^>]*>Move <span class="visually-hidden">Acme </span>to…</summary>',
                     card)
    # Every column but its own, each a button that posts its status.
    assert re.findall(r'<button class="dropdown-item" type="submit" name="status" '
                      r'value="(\w+)">', card) == [
        "saved", "interviewing", "offer", "on_hold", "accepted", "rejected", "withdrawn",
        "filled",
    ]

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
    assertContains(response, 'data-announce="Moved Product Manager at Acme to Offer."')
    assert StatusChange.objects.filter(application=acme, to_status="offer").exists()


def test_a_card_moves_to_saved_and_back_to_applied(owner_client, pipeline, time_machine):
    acme = pipeline["Acme"]
    url = reverse("application_move", args=[acme.pk])

    time_machine.move_to(CURRENT_TIME + timedelta(minutes=1), tick=False)
    owner_client.post(url, {"status": "saved"})
    page = owner_client.get(URL)
    time_machine.move_to(CURRENT_TIME + timedelta(minutes=2), tick=False)
    owner_client.post(url, {"status": "applied"}, headers=HTMX)

    assert _column(page, "saved") == ["Acme", "Bluth"]
    assert list(acme.status_changes.values_list("from_status", "to_status")) == [
        ("", "applied"), ("applied", "saved"), ("saved", "applied"),
    ]


def test_moving_to_saved_leaves_no_follow_up_to_send(
    owner_client, owner, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(owner=owner, company="Acme", status="interviewing")
    with django_capture_on_commit_callbacks(execute=True):
        interview_create(application=application, round_number=1, format="video",
                         starts_at=CURRENT_TIME - timedelta(hours=3),
                         ends_at=CURRENT_TIME - timedelta(hours=2))
    assert FollowUp.objects.filter(application=application).open().exists()  # can fail

    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(reverse("application_move", args=[application.pk]),
                          {"status": "saved"})

    assert not FollowUp.objects.filter(application=application).open().exists()
    assert _column(owner_client.get(URL), "saved") == ["Acme"]


def test_a_listing_saved_from_the_form_plans_nothing_until_an_interview(
    owner_client, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("application_create"), {
            "company": "Acme", "role_title": "Designer", "status": "saved",
        })
    application = Application.objects.get(owner=owner, company="Acme")

    assert response.status_code == 302
    assert application.status == "saved"
    assert not FollowUp.objects.filter(application=application).exists()
    assert _column(owner_client.get(URL), "saved") == ["Acme"]
    # An interview means they applied: the listing becomes an application being interviewed
    # for, and its follow-ups are planned.
    with django_capture_on_commit_callbacks(execute=True):
        interview_create(application=application, round_number=1, format="video",
                         starts_at=CURRENT_TIME - timedelta(hours=3),
                         ends_at=CURRENT_TIME - timedelta(hours=2))
    application.refresh_from_db()
    assert application.status == "interviewing"
    assert FollowUp.objects.filter(application=application).open().exists()


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
    acme, bluth = pipeline["Acme"], pipeline["Bluth"]

    responses = [
        client.post(reverse("application_move", args=[acme.pk]), {"status": "offer"}),
        client.post(reverse("application_move", args=[acme.pk]), {"status": "saved"},
                    headers=HTMX),
        client.post(reverse("application_move", args=[bluth.pk]), {"status": "applied"}),
    ]
    board = client.get(URL)

    assert [r.status_code for r in responses] == [404, 404, 404]
    acme.refresh_from_db()
    bluth.refresh_from_db()
    assert (acme.status, bluth.status) == ("applied", "saved")
    assert acme.status_changes.count() == bluth.status_changes.count() == 1
    assertNotContains(board, "Acme")
    assertNotContains(board, "Bluth")


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
    # Session, user, the counts and one query per open column (five): a card's next
    # interview and next step are subqueries of its column's query.
    assert one == thousand <= 8


# --- In a real browser --------------------------------------------------------------------

# Where the screenshots go when asked for (FOLLOWUP_SCREENSHOTS=dir), to look at them.
SCREENSHOTS = os.environ.get("FOLLOWUP_SCREENSHOTS")


def _screenshot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


@pytest.fixture
def board_page(browser: Browser, live_server, _close_event_loop_connections):
    """Opens the board of ``candidate``, signed in, in a browser context of its own; console
    errors and uncaught exceptions land in ``page.errors``."""
    contexts = []

    def open_board(candidate, **options) -> Page:
        client = Client()
        client.force_login(candidate, backend=MODEL_BACKEND)
        context = browser.new_context(**options)
        contexts.append(context)
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                              "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                              "url": live_server.url}])
        page = context.new_page()
        page.errors = []  # type: ignore[attr-defined]

        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                page.errors.append(message.text)  # type: ignore[attr-defined]

        page.on("console", on_console)
        page.on("pageerror", lambda error: page.errors.append(str(error)))  # type: ignore[attr-defined]
        page.goto(f"{live_server.url}{URL}")
        return page

    yield open_board
    for context in contexts:
        context.close()


def _cards(page: Page, status: str):
    return page.locator(f'.board-column[data-status="{status}"] .board-card .board-card-link')


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "390px"])
def test_a_card_moves_by_dragging_with_the_keyboard_and_from_its_menu(
    board_page, owner, viewport
):
    acme = ApplicationFactory(owner=owner, company="Acme", role_title="Staff Engineer")
    ApplicationFactory(owner=owner, company="Globex", status="interviewing")
    ApplicationFactory(owner=owner, company="Bluth", status="saved")
    page = board_page(owner, viewport=viewport)
    wait_for_htmx(page)
    expect(_cards(page, "applied")).to_have_text(["Acme"])
    _screenshot(page, f"board-{viewport['width']}")
    measured = page.evaluate(OVERFLOW)
    assert measured["scrollWidth"] <= measured["innerWidth"], measured

    # The pointer way: drag the card to the Offer column (SortableJS), sent by htmx.
    card = page.locator(f"#card-{acme.pk}")
    with page.expect_response(lambda r: "/move/" in r.url) as moved:
        card.drag_to(page.locator('.board-column[data-status="offer"] ol.board-cards'))
    assert moved.value.request.headers.get("hx-request") == "true"
    expect(_cards(page, "offer")).to_have_text(["Acme"])
    expect(_cards(page, "applied")).to_have_count(0)
    expect(page.locator("#board-status")).to_have_text("Moved Staff Engineer at Acme to Offer.")

    # The keyboard way: on the card, Shift and the left arrow move it one column back.
    page.locator(f"#card-{acme.pk} .board-card-link").focus()
    with page.expect_response(lambda r: "/move/" in r.url):
        page.keyboard.press("Shift+ArrowLeft")
    expect(_cards(page, "interviewing")).to_have_text(["Acme", "Globex"])
    expect(page.locator("#board-status")).to_have_text(
        "Moved Staff Engineer at Acme to Interviewing."
    )
    # The keyboard user keeps their place: focus is back on the moved card.
    expect(page.locator(f"#card-{acme.pk} .board-card-link")).to_be_focused()

    # The menu, by keyboard: Tab to "Move to…", open it, arrow down to "Saved", Enter.
    page.keyboard.press("Tab")
    expect(page.locator(f"#card-{acme.pk} summary")).to_be_focused()
    page.keyboard.press("Enter")
    menu = page.locator(f"#card-{acme.pk} .dropdown-menu")
    expect(menu).to_be_visible()
    measured = page.evaluate(OVERFLOW)  # an open menu does not widen the page either
    assert measured["scrollWidth"] <= measured["innerWidth"], measured
    _screenshot(page, f"board-menu-{viewport['width']}")
    page.keyboard.press("ArrowDown")
    expect(menu.get_by_role("button", name="Saved")).to_be_focused()
    with page.expect_response(lambda r: "/move/" in r.url):
        page.keyboard.press("Enter")
    expect(_cards(page, "saved")).to_have_text(["Acme", "Bluth"])
    expect(page.locator(f"#card-{acme.pk} .board-card-link")).to_be_focused()

    # The menu, by pointer, to a closed column: the closed section opens with its count.
    page.locator(f"#card-{acme.pk} summary").click()
    with page.expect_response(lambda r: "/move/" in r.url):
        page.locator(f"#card-{acme.pk} .dropdown-menu").get_by_role(
            "button", name="Rejected").click()
    expect(page.locator("details.board-closed")).to_have_attribute("open", "")
    expect(page.locator("details.board-closed > summary")).to_have_text(
        "Closed applications (1)")
    expect(page.locator("#board-status")).to_have_text("Moved Staff Engineer at Acme to Rejected.")
    expect(page.locator(f"#card-{acme.pk}")).to_have_count(0)

    acme.refresh_from_db()
    assert acme.status == "rejected"
    assert list(acme.status_changes.values_list("to_status", flat=True)) == [
        "applied", "offer", "interviewing", "saved", "rejected",
    ]
    assert page.errors == []  # type: ignore[attr-defined]  # no CSP refusal, no script error


@pytest.mark.browser
def test_the_move_menu_works_without_javascript(board_page, owner):
    acme = ApplicationFactory(owner=owner, company="Acme", role_title="Staff Engineer")
    page = board_page(owner, java_script_enabled=False)

    page.locator(f"#card-{acme.pk} summary").click()
    menu = page.locator(f"#card-{acme.pk} .dropdown-menu")
    menu.get_by_role("button", name="Interviewing").click()

    expect(page.get_by_role("status").filter(has_text="Moved")).to_have_text(
        "Moved Staff Engineer at Acme to Interviewing.")
    expect(_cards(page, "interviewing")).to_have_text(["Acme"])
    acme.refresh_from_db()
    assert acme.status == "interviewing"
