"""Data for the tracking tests (dashboard, list, timeline, insights, calendar, export).

The time is frozen at ``CURRENT_TIME``, a Wednesday afternoon in London (GMT in November,
so local time is UTC). ``lived_in`` builds one application with a bit of everything, through
the services where they exist; ``many_applications`` bulk-creates a large account, with
something of every kind the dashboard shows, for the query-count tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from interviews import services as interview_services
from interviews.models import (
    Application,
    ApplicationStatus,
    Attendance,
    Candidate,
    Interview,
    Interviewer,
    InterviewerRole,
    StatusChange,
)
from notes.models import Channel, Correspondence, CorrespondenceKind, Note
from reminders.models import FollowUp, Status

CURRENT_TIME = datetime(2026, 11, 18, 15, 30, tzinfo=UTC)
YESTERDAY_2PM = datetime(2026, 11, 17, 14, 0, tzinfo=UTC)
TOMORROW_10AM = datetime(2026, 11, 19, 10, 0, tzinfo=UTC)
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
MAX_QUERIES = 8


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(CURRENT_TIME, tick=False)
    return CURRENT_TIME


def signed_in(user: Candidate) -> Client:
    client = Client()
    client.force_login(user, backend=MODEL_BACKEND)
    return client


def count_queries(client: Client, url: str) -> int:
    """Queries of one GET, after a first one that warms caches (content types, session).

    The cache of rendered content is emptied in between: this measures the cold path.
    """
    assert client.get(url).status_code == 200
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@dataclass
class LivedIn:
    owner: Candidate
    application: Application
    past: Interview  # ended yesterday, debriefed
    coming: Interview  # tomorrow
    ada: Interviewer
    grace: Interviewer


def lived_in(owner: Candidate, *, company: str = "Acme Analytics") -> LivedIn:
    """An application interviewed for yesterday (debriefed, a thank-you sent to Ada, a draft
    to Grace), a second round tomorrow, and follow-ups: one emailed and done."""
    application = interview_services.application_create(
        owner=owner, company=company, role_title="Product Manager",
        at=CURRENT_TIME - timedelta(days=10),
    )
    past = interview_services.interview_create(
        application=application, round_number=1, format="video",
        starts_at=YESTERDAY_2PM, ends_at=YESTERDAY_2PM + timedelta(hours=1),
    )
    ada = interview_services.interviewer_add(
        interview=past, name="Ada Lovelace", title="CTO", email="ada@acme.example",
        role=InterviewerRole.HIRING_MANAGER,
    ).interviewer
    grace = interview_services.interviewer_add(
        interview=past, name="Grace Hopper", title="Engineer", email="grace@acme.example",
        role=InterviewerRole.COLLEAGUE,
    ).interviewer
    interview_services.debrief_save(
        interview=past, answers={"went_well": "Yes", "went_well_rating": 4},
        at=YESTERDAY_2PM + timedelta(hours=2),
    )
    coming = interview_services.interview_create(
        application=application, round_number=2, format="on_site",
        starts_at=TOMORROW_10AM, ends_at=TOMORROW_10AM + timedelta(hours=2),
        location="Head office",
    )
    Correspondence.objects.create(
        application=application, interview=past, interviewer=ada,
        kind=CorrespondenceKind.THANK_YOU, channel=Channel.EMAIL,
        sent_at=YESTERDAY_2PM + timedelta(hours=5), subject="Thank you",
    )
    Note.objects.create(
        application=application, interview=past, interviewer=grace,
        kind=CorrespondenceKind.THANK_YOU, subject="Thanks", body="Dear Grace,",
        created_at=YESTERDAY_2PM + timedelta(hours=3),
    )
    FollowUp.objects.create(
        owner=owner, application=application, interview=past, interviewer=ada, rule="R2",
        key=f"R2:{past.pk}:{ada.pk}", due_at=YESTERDAY_2PM + timedelta(hours=4),
        status=Status.DONE, sent_at=YESTERDAY_2PM + timedelta(hours=4, minutes=1),
        closed_at=YESTERDAY_2PM + timedelta(hours=5), status_note="Done: you recorded it.",
    )
    FollowUp.objects.create(
        owner=owner, application=application, interview=past, interviewer=grace, rule="R2",
        key=f"R2:{past.pk}:{grace.pk}", due_at=YESTERDAY_2PM + timedelta(hours=4),
        status=Status.REMINDED, sent_at=YESTERDAY_2PM + timedelta(hours=4, minutes=1),
    )
    application.refresh_from_db()
    return LivedIn(owner, application, past, coming, ada, grace)


def many_applications(owner: Candidate, count: int) -> list[Application]:
    """``count`` applications in bulk, with every kind of thing the dashboard shows.

    Each has a status history, an interview that ended yesterday without a debrief and one
    coming up tomorrow, an interviewer at both, an open follow-up due yesterday, a draft
    note; one in three has a decision date that has passed.
    """
    applications = Application.objects.bulk_create(
        Application(
            owner=owner, company=f"Company {n:04d}", role_title="Engineer",
            status=ApplicationStatus.INTERVIEWING,
            decision_date=date(2026, 11, 10) if n % 3 == 0 else None,
            created_at=CURRENT_TIME - timedelta(days=30, minutes=n),
        )
        for n in range(count)
    )
    StatusChange.objects.bulk_create(
        StatusChange(application=a, from_status="", to_status="applied",
                     changed_at=a.created_at)
        for a in applications
    )
    interviews = Interview.objects.bulk_create(
        Interview(application=a, round_number=round_number, starts_at=start,
                  ends_at=start + timedelta(hours=1))
        for a in applications
        for round_number, start in ((1, YESTERDAY_2PM), (2, TOMORROW_10AM))
    )
    people = Interviewer.objects.bulk_create(
        Interviewer(application=a, name=f"Person {n}", email=f"p{n}@example.com")
        for n, a in enumerate(applications)
    )
    Attendance.objects.bulk_create(
        Attendance(interview=interview, interviewer=people[index // 2])
        for index, interview in enumerate(interviews)
    )
    FollowUp.objects.bulk_create(
        FollowUp(owner=owner, application=a, interviewer=people[n], rule="R13",
                 key=f"R13:{people[n].pk}", due_at=CURRENT_TIME - timedelta(days=1))
        for n, a in enumerate(applications)
    )
    Note.objects.bulk_create(
        Note(application=a, interview=interviews[2 * n], interviewer=people[n])
        for n, a in enumerate(applications)
    )
    return applications
