"""Fixtures of the notes tests: an interview that has ended, with the people met."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from interviews.models import InterviewerRole
from notes import services
from tests.factories import ApplicationFactory, AttendanceFactory, InterviewFactory

# Friday 20 November 2026: the interview ends at 15:00 UTC (15:00 in London).
INTERVIEW_END = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
# Four hours later, the same evening: the notes are being written.
CURRENT_TIME = datetime(2026, 11, 20, 19, 0, tzinfo=UTC)

LISTING = """Senior Product Manager – Data Platform

About Initech
Initech builds the payments infrastructure that thousands of small businesses rely on.

What you will do
- Own the product roadmap for the data platform, from discovery to delivery
- Lead cross-functional teams of engineers, designers and analysts
- Drive stakeholder management across finance, risk and compliance
- Champion data privacy and regulatory compliance (GDPR, PCI DSS)

What you bring
- Experience with event streaming platforms such as Kafka
- A track record of shipping data products used by thousands of customers
"""


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(CURRENT_TIME, tick=False)


@pytest.fixture
def owner_with_signature(owner):
    owner.signature_name = "Ada Lovelace"
    owner.signature_phone = "+44 20 7946 0000"
    owner.signature_address = "12 St James's Square\nLondon SW1Y 4JH\nUnited Kingdom"
    owner.save()
    return owner


@pytest.fixture
def application(owner_with_signature):
    return ApplicationFactory(
        owner=owner_with_signature,
        company="Initech",
        role_title="Senior Product Manager",
        listing_text=LISTING,
    )


@pytest.fixture
def interview(application):
    return InterviewFactory(
        application=application,
        starts_at=INTERVIEW_END.replace(hour=14),
        ends_at=INTERVIEW_END,
        q_most_difficult="Migrating every team to event streaming within a year",
    )


@pytest.fixture
def manager(interview):
    """The hiring manager: Grace Hopper."""
    return AttendanceFactory(
        interview=interview,
        interviewer__name="Grace Hopper",
        interviewer__title="Director of Product",
        interviewer__email="grace@initech.example",
        interviewer__role=InterviewerRole.HIRING_MANAGER,
        topics="Scaling the data platform; the hiring plan",
        concerns="No direct experience with Kafka",
    )


@pytest.fixture
def recruiter(interview):
    """HR: Alan Turing."""
    return AttendanceFactory(
        interview=interview,
        interviewer__name="Alan Turing",
        interviewer__title="Talent Partner",
        interviewer__email="alan@initech.example",
        interviewer__role=InterviewerRole.HR,
        topics="Relocation to Manchester",
        concerns="",
    )


@pytest.fixture
def notes(owner_with_signature, interview, manager, recruiter):
    """The two thank-you drafts, hiring manager's first."""
    created = services.thank_you_notes_start(interview=interview, candidate=owner_with_signature)
    return sorted(created, key=lambda note: note.interviewer.role != InterviewerRole.HIRING_MANAGER)


@pytest.fixture
def sign_in(live_server, _close_event_loop_connections):
    """Sign a Playwright page in as a candidate, with a session made by Django's test client."""
    from django.conf import settings
    from django.test import Client

    def sign_in_page(page, user) -> None:
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
        )

    return sign_in_page
