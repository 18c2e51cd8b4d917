"""Fixtures of the debrief tests: an interview that has ended, with two people met."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.factories import ApplicationFactory, AttendanceFactory, InterviewFactory


@pytest.fixture
def debrief_interview(owner):
    """Round 1 at Acme, 10 July 2026 09:00–10:00 UTC; the first §1 question was answered."""
    application = ApplicationFactory(
        owner=owner, company="Acme Robotics", role_title="Product Manager"
    )
    return InterviewFactory(
        application=application,
        starts_at=datetime(2026, 7, 10, 9, 0, tzinfo=UTC),
        ends_at=datetime(2026, 7, 10, 10, 0, tzinfo=UTC),
        q_most_important="Ship the new onboarding.",
    )


@pytest.fixture
def attendances(debrief_interview):
    """Two people met, ordered by name: Ada (hiring manager) then Grace."""
    return [
        AttendanceFactory(
            interview=debrief_interview,
            interviewer__name="Ada Lovelace",
            topics="Roadmap for the analytics engine",
            concerns="Whether I have led a team of ten",
        ),
        AttendanceFactory(
            interview=debrief_interview,
            interviewer__name="Grace Hopper",
            topics="",
            concerns="",
        ),
    ]
