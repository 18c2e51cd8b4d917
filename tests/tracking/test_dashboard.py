"""The home page: a dashboard of next actions, overdue, today and this week."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from interviews import services as interview_services
from interviews.models import ApplicationStatus, StatusChange
from reminders.models import FollowUp, Status
from tests.factories import ApplicationFactory, CandidateFactory, InterviewFactory
from tests.tracking.tracking_fixtures import (
    CURRENT_TIME,
    MAX_QUERIES,
    count_queries,
    frozen,  # noqa: F401 — a fixture
    lived_in,
    many_applications,
    signed_in,
)
from tracking import dashboard

pytestmark = pytest.mark.usefixtures("frozen")


def _cards(response, bucket: str) -> list[str]:
    """The ids of the cards in one section (overdue, today, week)."""
    section = re.search(
        rf'<section class="[^"]*bucket-{bucket}".*?</section>', response.content.decode(), re.S
    )
    assert section, f"no {bucket} section"
    return re.findall(r'<li class="card[^"]*" id="([^"]+)"', section.group(0))


@pytest.fixture
def busy(owner):
    """lived_in, plus an interview that ended this morning (no debrief), a follow-up due this
    evening, and another application whose decision date has passed."""
    lived = lived_in(owner)
    this_morning = InterviewFactory(
        application=lived.application, round_number=3,
        starts_at=CURRENT_TIME.replace(hour=10), ends_at=CURRENT_TIME.replace(hour=11),
    )
    evening = FollowUp.objects.create(
        owner=owner, application=lived.application, interview=lived.past, rule="R5",
        key=f"R5:{lived.past.pk}", due_at=CURRENT_TIME.replace(hour=18),
    )
    waiting = ApplicationFactory(
        owner=owner, company="Globex", status=ApplicationStatus.INTERVIEWING,
        decision_date=date(2026, 11, 13),
    )
    return {"lived": lived, "this_morning": this_morning, "evening": evening,
            "waiting": waiting}


def test_dashboard_puts_each_action_in_its_bucket(owner_client, busy):
    lived = busy["lived"]
    reminded = FollowUp.objects.get(status=Status.REMINDED)
    draft = lived.application.written_notes.get()

    response = owner_client.get(reverse("home"))

    assert response.status_code == 200
    # Overdue: the thank-yous of yesterday's interview, one task (the email to Grace was
    # emailed as a reminder yesterday evening; its window closes tomorrow), and the decision
    # promised for last Friday.
    assert reminded.interview_id == lived.past.pk
    assert set(_cards(response, "overdue")) == {
        f"action-thanks-{lived.past.pk}", f"action-decision-{busy['waiting'].pk}",
    }
    # The draft to Grace is on her line of the task, not a card of its own.
    assert f"action-draft-{draft.pk}" not in response.content.decode()
    assertContains(response, f'href="{draft.get_absolute_url()}" aria-label="Finish and send '
                             'the email to Grace Hopper">Finish and send</a>')
    # Today, in order: debrief this morning's interview (by noon), the value-add this
    # evening.
    assert _cards(response, "today") == [
        f"action-debrief-{busy['this_morning'].pk}", f"action-followup-{busy['evening'].pk}",
    ]
    # This week: tomorrow's interview.
    assert _cards(response, "week") == [f"action-interview-{lived.coming.pk}"]


def test_every_card_has_a_one_click_way_to_act(owner_client, busy):
    lived = busy["lived"]
    reminded = FollowUp.objects.get(status=Status.REMINDED)
    draft = lived.application.written_notes.get()

    response = owner_client.get(reverse("home"))

    # The thank-you line of Grace: her email is done or skipped in one click.
    for action in ("done", "dismiss"):
        url = reverse("followup_action", args=[reminded.pk, action])
        assertContains(response, f'<form method="post" action="{url}"')
    # A follow-up of its own: done, snoozed or dismissed in one click.
    for action in ("done", "snooze", "dismiss"):
        url = reverse("followup_action", args=[busy["evening"].pk, action])
        assertContains(response, f'<form method="post" action="{url}"')
    assertContains(response, f'href="{draft.get_absolute_url()}" aria-label="Finish and send '
                             'the email to Grace Hopper">Finish and send</a>')
    assertContains(
        response, f'href="{reverse("debrief", args=[busy["this_morning"].pk])}">Debrief now</a>'
    )
    assertContains(response, f'href="{lived.coming.get_absolute_url()}">Prepare</a>')
    move = reverse("application_move", args=[busy["waiting"].pk])
    assertContains(response, f'<form method="post" action="{move}"')
    assert response.content.decode().count('name="csrfmiddlewaretoken"') >= 5


def test_done_from_the_dashboard_closes_the_follow_up_and_comes_back(owner_client, busy):
    reminded = FollowUp.objects.get(status=Status.REMINDED)

    response = owner_client.post(
        reverse("followup_action", args=[reminded.pk, "done"]), {"next": "/"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/"
    reminded.refresh_from_db()
    assert reminded.status == Status.DONE
    # Grace's email was the last thank-you to do: the task is done and leaves the page.
    assert f"action-thanks-{reminded.interview_id}" not in _cards(
        owner_client.get(reverse("home")), "overdue"
    )


def test_recording_an_overdue_decision_moves_the_application(owner_client, busy):
    waiting = busy["waiting"]

    response = owner_client.post(
        reverse("application_move", args=[waiting.pk]), {"status": "rejected", "next": "/"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/"
    waiting.refresh_from_db()
    assert waiting.status == ApplicationStatus.REJECTED
    assert StatusChange.objects.filter(application=waiting, to_status="rejected").exists()
    page = owner_client.get(reverse("home"))
    assert f"action-decision-{waiting.pk}" not in _cards(page, "overdue")


def test_a_debriefed_interview_is_not_asked_for_again(owner_client, busy):
    interview_services.debrief_save(
        interview=busy["this_morning"], answers={"went_well": "Fine"}, at=CURRENT_TIME
    )

    response = owner_client.get(reverse("home"))

    assert f"action-debrief-{busy['this_morning'].pk}" not in _cards(response, "today")
    # The debrief follow-up (R1) is never shown twice: the debrief card stands for it.
    assert not re.search(r'id="action-followup-\d+".*Debrief while it is fresh',
                         response.content.decode())


def test_ended_applications_ask_for_nothing(owner_client, busy):
    interview_services.application_set_status(
        application=busy["lived"].application, status=ApplicationStatus.WITHDRAWN
    )

    response = owner_client.get(reverse("home"))

    assertNotContains(response, f"action-debrief-{busy['this_morning'].pk}")
    assertNotContains(response, f"action-interview-{busy['lived'].coming.pk}")


def test_dashboard_never_shows_another_candidates_actions(owner_client, outsider):
    theirs = lived_in(outsider, company="Theirs Ltd")
    FollowUp.objects.create(
        owner=outsider, application=theirs.application, rule="R7", key="R7:x",
        due_at=CURRENT_TIME - timedelta(hours=1),
    )

    response = owner_client.get(reverse("home"))

    assertNotContains(response, "Theirs Ltd")
    assertNotContains(response, theirs.application.get_absolute_url())
    assertContains(response, "Start with your first application")


def test_a_new_candidate_is_offered_the_first_application(owner_client):
    response = owner_client.get(reverse("home"))

    assertContains(response, "Start with your first application")
    assertContains(response, "Add your first application")
    assertNotContains(response, "Nothing to do this week")
    assertContains(response, f'href="{reverse("application_create")}"')


def test_a_candidate_with_applications_and_nothing_due_sees_a_calm_week(owner_client, owner):
    ApplicationFactory(owner=owner)

    response = owner_client.get(reverse("home"))

    assertContains(response, "Nothing to do this week")
    assertNotContains(response, "Start with your first application")


def test_a_long_backlog_shows_the_most_urgent_and_links_to_all(db, owner):
    many_applications(owner, dashboard.LIMIT + 3)

    response = signed_in(owner).get(reverse("home"))

    overdue = _cards(response, "overdue")
    assert len([c for c in overdue if c.startswith("action-followup-")]) == dashboard.LIMIT
    assertContains(response, f'{reverse("application_list")}?needs_action=on')


def test_times_are_shown_in_the_candidates_zone(db):
    tokyo = CandidateFactory(time_zone="Asia/Tokyo")
    application = ApplicationFactory(owner=tokyo)
    FollowUp.objects.create(
        owner=tokyo, application=application, rule="R7", key="R7:tokyo",
        due_at=datetime(2026, 11, 19, 1, 0, tzinfo=CURRENT_TIME.tzinfo),
    )

    response = signed_in(tokyo).get(reverse("home"))

    # 01:00 UTC on Thursday is 10:00 on Thursday in Tokyo, which is already "today" there.
    assertContains(response, "Thu 19 Nov, 10:00")
    assert len(_cards(response, "today")) == 1


def test_dashboard_runs_the_same_few_queries_for_1_and_1000_applications(db, capsys):
    small, large = CandidateFactory(), CandidateFactory()
    many_applications(small, 1)
    many_applications(large, 1000)

    one = count_queries(signed_in(small), reverse("home"))
    thousand = count_queries(signed_in(large), reverse("home"))

    with capsys.disabled():
        print(f"\ndashboard queries: {one} with 1 application, {thousand} with 1,000")
    # Two more than the other pages: the follow-ups are read one open status at a time,
    # and the thank-you tasks on their own.
    assert one == thousand <= MAX_QUERIES + 2


def test_needs_action_means_what_the_dashboard_shows_by_today(owner_client, busy, owner):
    quiet = ApplicationFactory(owner=owner, company="Quiet Co")

    response = owner_client.get(reverse("application_list"), {"needs_action": "on"})

    companies = re.findall(r'<td><a href="[^"]+">([^<]+)</a></td>', response.content.decode())
    assert sorted(companies) == ["Acme Analytics", "Globex"]
    assert quiet.company not in companies
