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


def test_deleting_an_interview_or_a_person_re_plans_the_application_at_once(application):
    from datetime import timedelta

    from django.utils import timezone

    from reminders.models import FollowUp, Status

    ended = timezone.now() - timedelta(hours=2)
    interview = interview_services.interview_create(
        application=application, round_number=1, format="video",
        starts_at=ended - timedelta(hours=1), ends_at=ended,
    )
    person = interview_services.interviewer_add(
        interview=interview, name="Ada Lovelace", title="", email="", role="hiring_manager"
    ).interviewer
    services.plan_requested()
    r13 = FollowUp.objects.get(application=application, rule="R13")
    flexible = FollowUp.objects.filter(
        application=application, interview=None, status=Status.PENDING, rule__in=["R7", "R8"]
    )
    assert flexible.exists()

    interview_services.interviewer_delete(interviewer=person)
    assert PlanRequest.objects.filter(application=application).exists()
    services.plan_requested()
    assert not FollowUp.objects.filter(pk=r13.pk, status=Status.PENDING).exists()

    interview_services.interview_delete(interview=interview)
    assert PlanRequest.objects.filter(application=application).exists()
    services.plan_requested()
    # No interview left: no check-in or weekly touch counted from one.
    assert not flexible.exists()
