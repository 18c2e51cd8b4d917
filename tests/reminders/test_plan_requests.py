"""The re-planning outbox (issue 10.1): a change and its need to re-plan commit together.

``PlanRequest`` rows are what makes planning independent of the broker: they must be
written inside the writer's transaction (so a change never commits without one, and a
rolled-back change leaves none), and a request renewed while it is being planned must
survive that pass, or the change that renewed it would never be planned.
"""

from __future__ import annotations

import pytest
from django.db import transaction

from interviews import services as interview_services
from reminders import services
from reminders.models import PlanRequest

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


@pytest.fixture
def application(owner):
    application = interview_services.application_create(
        owner=owner, company="Globex", role_title="Analyst"
    )
    services.plan_requested()
    assert not PlanRequest.objects.exists()
    return application


def test_the_request_is_written_in_the_changes_own_transaction_and_rolls_back_with_it(
    application,
):
    with pytest.raises(Boom), transaction.atomic():
        interview_services.application_set_status(application=application, status="on_hold")
        # Already there before the commit: not left to an on-commit hook that a crash or a
        # failing hook would skip.
        assert PlanRequest.objects.filter(application=application).exists()
        raise Boom

    assert not PlanRequest.objects.exists()


def test_a_request_renewed_while_it_is_planned_stays_for_the_next_pass(
    application, monkeypatch
):
    interview_services.application_set_status(application=application, status="on_hold")
    real = services.plan_application

    def planned_while_a_change_commits(**kwargs):
        real(**kwargs)
        # A change to the application commits while the planner is at work.
        services.plan_request(application_ids=[application.pk])

    monkeypatch.setattr(services, "plan_application", planned_while_a_change_commits)
    assert services.plan_requested() == 1
    assert PlanRequest.objects.filter(application=application).exists()

    monkeypatch.setattr(services, "plan_application", real)
    assert services.plan_requested() == 1
    assert not PlanRequest.objects.exists()
