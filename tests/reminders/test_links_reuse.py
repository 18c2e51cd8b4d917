"""A signed action link opened again after it was used says what already happened (10.5).

``link_outcome`` is a pure function of the row, tested without the database first; then the
link's page, after the email's own links were used.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from interviews import services as interview_services
from interviews.models import ApplicationStatus, Candidate
from reminders import links, services
from reminders.models import FollowUp, Status

CURRENT_TIME = datetime(2026, 11, 18, 15, 30, tzinfo=UTC)
EVENING = datetime(2026, 11, 18, 18, 5, tzinfo=UTC)
FORM = '<form method="post">'


# --- The pure rule ------------------------------------------------------------------------


def _row(**fields) -> FollowUp:
    owner = Candidate(email="o@example.com", time_zone=fields.pop("zone", "Europe/London"))
    return FollowUp(owner=owner, rule="R2", **{"due_at": CURRENT_TIME, **fields})


def test_a_row_the_user_marked_done_says_when():
    row = _row(status=Status.DONE, status_note="Marked done.", closed_at=EVENING)

    outcome = links.link_outcome(row, action="done", now=EVENING, snooze=services.SNOOZE)

    assert outcome == "You marked this done on Wednesday 18 November 2026, 18:05."


def test_the_time_is_the_candidates_own():
    row = _row(status=Status.DISMISSED, status_note="Dismissed.", closed_at=EVENING,
               zone="America/New_York")

    outcome = links.link_outcome(row, action="snooze", now=EVENING, snooze=services.SNOOZE)

    assert outcome == "You dismissed this on Wednesday 18 November 2026, 13:05."


@pytest.mark.parametrize("action", links.ACTIONS)
def test_any_link_of_a_closed_row_says_what_happened(action):
    row = _row(status=Status.DONE, status_note="Marked done.", closed_at=EVENING)

    assert links.link_outcome(row, action=action, now=EVENING, snooze=services.SNOOZE) == (
        "You marked this done on Wednesday 18 November 2026, 18:05."
    )


def test_a_row_closed_by_the_planner_gives_its_reason():
    row = _row(status=Status.SKIPPED, closed_at=EVENING,
               status_note="Skipped: the application ended (rejected).")

    assert links.link_outcome(row, action="done", now=EVENING, snooze=services.SNOOZE) == (
        "This follow-up was closed on Wednesday 18 November 2026, 18:05. "
        "Skipped: the application ended (rejected)."
    )


def test_a_snoozed_row_answers_a_second_snooze_with_when_it_comes_back():
    row = _row(status=Status.PENDING, snoozed=True, due_at=EVENING + services.SNOOZE)

    assert links.link_outcome(row, action="snooze", now=EVENING, snooze=services.SNOOZE) == (
        "You snoozed this on Wednesday 18 November 2026, 18:05; "
        "you will be reminded again on Friday 20 November 2026, 18:05."
    )


@pytest.mark.parametrize("action", ["done", "dismiss"])
def test_a_snoozed_row_can_still_be_marked_done_or_dismissed(action):
    row = _row(status=Status.PENDING, snoozed=True, due_at=EVENING + services.SNOOZE)

    assert links.link_outcome(row, action=action, now=EVENING, snooze=services.SNOOZE) is None


@pytest.mark.parametrize("action", links.ACTIONS)
def test_a_row_due_again_after_a_snooze_asks_again(action):
    row = _row(status=Status.REMINDED, snoozed=True, due_at=EVENING - timedelta(minutes=5))

    assert links.link_outcome(row, action=action, now=EVENING, snooze=services.SNOOZE) is None


# --- The link's page ----------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _frozen_time(request, time_machine):
    time_machine.move_to(EVENING, tick=False)


@pytest.fixture
def reminded(logged, mailoutbox) -> FollowUp:
    services.plan_application(application_id=logged.application.pk, now=EVENING)
    services.dispatch_due(now=EVENING)
    assert len(mailoutbox) == 1
    return FollowUp.objects.get(
        application=logged.application, rule="R2", interviewer=logged.ada
    )


@pytest.fixture
def reminded_r13(reminded) -> FollowUp:
    """Emailed with R2 and without a window (R2's closes before a two-day snooze ends)."""
    return FollowUp.objects.get(application=reminded.application, rule="R13",
                                interviewer__name="Grace Hopper", sent_at__isnull=False)


def _link(followup: FollowUp, action: str) -> str:
    return links.action_path(followup_id=followup.pk, owner_id=followup.owner_id, action=action)


def test_a_done_link_opened_again_says_when_it_was_marked_done(client, reminded, time_machine):
    client.post(_link(reminded, "done"))
    time_machine.move_to(EVENING + timedelta(days=1), tick=False)

    response = client.get(_link(reminded, "done"))

    assert response.status_code == 200
    assertContains(response, "You marked this done on Wednesday 18 November 2026, 18:05.")
    assertNotContains(response, FORM)
    assertNotContains(response, "Mark as done?")


def test_a_done_link_posted_again_says_what_happened_and_changes_nothing(client, reminded):
    client.post(_link(reminded, "done"))
    reminded.refresh_from_db()
    closed_at = reminded.closed_at

    response = client.post(_link(reminded, "done"))

    assertContains(response, "You marked this done on Wednesday 18 November 2026, 18:05.")
    assertContains(response, "It was already closed; nothing changed.")
    reminded.refresh_from_db()
    assert (reminded.status, reminded.closed_at) == (Status.DONE, closed_at)


def test_a_dismiss_link_after_done_in_the_app_says_it_was_done(owner_client, reminded):
    owner_client.post(f"/followups/{reminded.pk}/done/")

    response = owner_client.get(_link(reminded, "dismiss"))

    assertContains(response, "You marked this done on Wednesday 18 November 2026, 18:05.")
    assertNotContains(response, FORM)


def test_a_snooze_link_opened_again_says_until_when(client, reminded_r13):
    client.post(_link(reminded_r13, "snooze"))

    response = client.get(_link(reminded_r13, "snooze"))

    assertContains(
        response,
        "You snoozed this on Wednesday 18 November 2026, 18:05; "
        "you will be reminded again on Friday 20 November 2026, 18:05.",
    )
    assertNotContains(response, FORM)


def test_a_snooze_link_posted_again_does_not_push_the_reminder_further(client, reminded_r13):
    client.post(_link(reminded_r13, "snooze"))
    reminded_r13.refresh_from_db()
    due_at = reminded_r13.due_at

    response = client.post(_link(reminded_r13, "snooze"))

    assertContains(response, "You snoozed this on")
    assertContains(response, "Nothing changed.")
    reminded_r13.refresh_from_db()
    assert reminded_r13.due_at == due_at == EVENING + services.SNOOZE


def test_the_done_link_of_a_snoozed_reminder_still_asks(client, reminded):
    client.post(_link(reminded, "snooze"))

    response = client.get(_link(reminded, "done"))

    assertContains(response, "Mark as done?")
    assertContains(response, FORM)


def test_a_link_of_a_row_the_planner_closed_gives_the_reason(client, logged, reminded):
    interview_services.application_set_status(
        application=logged.application, status=ApplicationStatus.WITHDRAWN
    )
    services.plan_application(application_id=logged.application.pk, now=EVENING)
    reminded.refresh_from_db()
    assert reminded.status == Status.SKIPPED

    response = client.get(_link(reminded, "done"))

    assertContains(response, "This follow-up was closed on Wednesday 18 November 2026, 18:05.")
    assertContains(response, reminded.status_note)
    assertNotContains(response, FORM)
