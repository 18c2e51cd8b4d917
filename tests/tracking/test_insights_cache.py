"""The insights' cache: constant cost at any size, and every change to what they count shows
at once (the same data version as the dashboard's, ``followup_site/freshness.py``)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from interviews import services as interview_services
from interviews.models import ApplicationStatus
from notes import services as note_services
from notes.models import Channel, CorrespondenceKind
from tests.factories import ApplicationFactory
from tests.tracking.tracking_fixtures import (
    CURRENT_TIME,
    count_queries,
    frozen,  # noqa: F401 — a fixture
    lived_in,
    signed_in,
)

pytestmark = pytest.mark.usefixtures("frozen")
URL = reverse("insights")


def _page(client) -> str:
    """The page without what differs between two loads (CSRF tokens, CSP nonces)."""
    response = client.get(URL)
    assert response.status_code == 200
    text = re.sub(r'nonce="[^"]*"', "nonce", response.content.decode())
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "csrf", text)
    text = re.sub(r'"X-CSRFToken": "[^"]*"', "csrf", text)
    return re.sub(r"\s+", " ", text)


def _assert_fresh(client) -> str:
    """The page as served equals one computed from scratch; returns it."""
    served = _page(client)
    cache.clear()
    assert served == _page(client)
    return served


@pytest.fixture
def lived(owner):
    return lived_in(owner)


def test_the_second_load_runs_none_of_the_insights_queries(owner_client, lived):
    cold = count_queries(owner_client, URL)  # with an empty cache; fills it
    first = _page(owner_client)
    with CaptureQueriesContext(connection) as warm:
        owner_client.get(URL)

    assert len(warm) <= cold - 4  # the four aggregates are not run again
    assert _page(owner_client) == first


def test_a_status_change_shows_at_once(owner_client, lived):
    before = _page(owner_client)

    interview_services.application_set_status(
        application=lived.application, status=ApplicationStatus.REJECTED
    )

    after = _assert_fresh(owner_client)
    assert after != before
    assert "Rejected" in after


def test_logging_an_interview_shows_at_once(owner_client, lived):
    before = _page(owner_client)

    interview_services.interview_create(
        application=lived.application, round_number=3, format="video",
        starts_at=CURRENT_TIME - timedelta(days=8),
        ends_at=CURRENT_TIME - timedelta(days=8, hours=-1),
    )

    assert _assert_fresh(owner_client) != before


def test_a_new_application_shows_at_once(owner, owner_client, lived):
    before = _page(owner_client)

    interview_services.application_create(owner=owner, company="Globex", role_title="PM")

    assert _assert_fresh(owner_client) != before


def test_a_thank_you_sent_shows_at_once(owner_client, lived, django_capture_on_commit_callbacks):
    before = _page(owner_client)

    with django_capture_on_commit_callbacks(execute=True):
        note_services.correspondence_record(
            application=lived.application, interview=lived.past, interviewer=lived.grace,
            kind=CorrespondenceKind.THANK_YOU, channel=Channel.EMAIL, sent_at=CURRENT_TIME,
        )

    assert _assert_fresh(owner_client) != before


def test_deleting_an_application_shows_at_once(owner, owner_client, lived):
    other = ApplicationFactory(owner=owner, company="Initech", status=ApplicationStatus.OFFER)
    before = _page(owner_client)

    interview_services.application_delete(application=other)

    assert _assert_fresh(owner_client) != before


def test_the_weeks_roll_over_with_the_candidates_day(owner_client, lived, time_machine):
    before = _page(owner_client)

    time_machine.move_to(CURRENT_TIME + timedelta(days=7), tick=False)

    assert _assert_fresh(owner_client) != before


def test_another_candidates_change_neither_renews_nor_leaks(owner_client, outsider, lived):
    before = _page(owner_client)
    ApplicationFactory(owner=outsider, company="Secret Corp", status=ApplicationStatus.OFFER)

    after = _page(owner_client)

    assert after == before
    assert "Secret Corp" not in after
    # And the outsider sees only their own.
    assert "Acme" not in _page(signed_in(outsider))
