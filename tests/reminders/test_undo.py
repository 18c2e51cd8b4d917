"""Done and Dismiss answer with "Undo": a POST that puts the follow-up back as it was."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from reminders import services
from reminders.models import FollowUp, PlanRequest, Status
from tests.reminders.conftest import INTERVIEW_END

EVENING = INTERVIEW_END.replace(hour=18)

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def r2(logged, time_machine):
    time_machine.move_to(INTERVIEW_END, tick=False)
    services.plan_application(application_id=logged.application.pk, now=INTERVIEW_END)
    return FollowUp.objects.get(application=logged.application, rule="R2",
                                interviewer=logged.ada)


def _undo(client, row, next_path="/"):
    return client.post(reverse("followup_undo", args=[row.pk]), {"next": next_path})


@pytest.mark.parametrize("action", ["done", "dismiss"])
def test_done_or_dismiss_offers_undo_and_undo_restores_the_row_with_its_due_time(
    owner_client, r2, action
):
    due = r2.due_at
    page = owner_client.post(reverse("followup_action", args=[r2.pk, action]),
                             {"next": "/"}, follow=True)

    r2.refresh_from_db()
    assert r2.status == (Status.DONE if action == "done" else Status.DISMISSED)
    # The toast: what happened, announced, with an Undo button posting with CSRF.
    undo_url = reverse("followup_undo", args=[r2.pk])
    assertContains(page, 'role="status" aria-live="polite"')
    assertContains(page, "Send a thank-you email — Ada Lovelace.")
    assertContains(page, f'<form method="post" action="{undo_url}"')
    assertContains(page, ">Undo</button>")

    response = _undo(owner_client, r2)

    assert response.status_code == 302 and response["Location"] == "/"
    r2.refresh_from_db()
    assert r2.status == Status.PENDING  # not yet emailed: pending, as it was
    assert r2.due_at == due and r2.closed_at is None and r2.status_note == ""
    assertContains(owner_client.get("/"), "is to do again")


def test_undo_of_an_emailed_reminder_puts_it_back_as_due(owner_client, r2):
    FollowUp.objects.filter(pk=r2.pk).update(status=Status.REMINDED, sent_at=EVENING)
    r2.refresh_from_db()
    services.followup_complete(followup=r2)

    _undo(owner_client, r2)

    r2.refresh_from_db()
    assert r2.status == Status.REMINDED and r2.sent_at == EVENING


def test_undo_leaves_a_row_the_plan_closed_alone(owner_client, r2):
    FollowUp.objects.filter(pk=r2.pk).update(status=Status.DONE,
                                             status_note="Done: you recorded it.")

    response = _undo(owner_client, r2)

    assert response.status_code == 302
    r2.refresh_from_db()
    assert r2.status == Status.DONE
    assertContains(owner_client.get("/"), "There was nothing to undo")


def test_undo_is_a_post(owner_client, r2):
    services.followup_complete(followup=r2)

    assert owner_client.get(reverse("followup_undo", args=[r2.pk])).status_code == 405
    r2.refresh_from_db()
    assert r2.status == Status.DONE


def test_undo_needs_the_csrf_token(owner, r2):
    services.followup_complete(followup=r2)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")

    assert _undo(strict, r2).status_code == 403
    r2.refresh_from_db()
    assert r2.status == Status.DONE


def test_another_candidates_undo_is_a_404(outsider_client, r2):
    services.followup_complete(followup=r2)

    assert _undo(outsider_client, r2).status_code == 404
    r2.refresh_from_db()
    assert r2.status == Status.DONE


def test_undo_asks_for_the_application_to_be_planned_again(owner_client, r2):
    services.followup_complete(followup=r2)
    PlanRequest.objects.all().delete()

    # Without the request's after-commit planning (transaction=False), the outbox shows it.
    assert services.followup_undo(followup=r2)
    assert PlanRequest.objects.filter(application_id=r2.application_id).exists()


def test_snooze_says_how_long_and_offers_no_undo(owner_client, r2):
    page = owner_client.post(reverse("followup_action", args=[r2.pk, "snooze"]),
                             {"next": "/"}, follow=True)

    assertNotContains(page, ">Undo</button>")
    assertContains(page, "Snoozed")
