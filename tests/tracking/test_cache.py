"""The dashboard's cache: fast when nothing changed, never stale after the candidate acts."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from followup_site import freshness
from interviews import services as interview_services
from interviews.models import ApplicationStatus
from notes import services as note_services
from notes.models import Channel, CorrespondenceKind, Note
from reminders.models import FollowUp, Status
from tests.factories import ApplicationFactory, InterviewFactory
from tests.tracking.tracking_fixtures import (
    CURRENT_TIME,
    count_queries,
    frozen,  # noqa: F401 — a fixture
    lived_in,
    signed_in,
)

pytestmark = pytest.mark.usefixtures("frozen")
HOME = "/"


def _normalized(response) -> str:
    """The page without what differs between two loads (CSRF tokens, CSP nonces)."""
    assert response.status_code == 200
    text = response.content.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "csrf", text)
    text = re.sub(r'"X-CSRFToken": "[^"]*"', "csrf", text)
    text = re.sub(r'<div class="alert[^"]*" role="status">.*?</div>', "", text)  # messages
    text = re.sub(r'nonce="[^"]*"', "nonce", text)
    return re.sub(r"\s+", " ", text)


def _cards(client) -> set[str]:
    return set(re.findall(r'<li class="card[^"]*" id="([^"]+)"', client.get(HOME).content.decode()))


def _assert_fresh(client) -> str:
    """The dashboard as served equals one computed from scratch; returns it."""
    served = _normalized(client.get(HOME))
    cache.clear()
    assert served == _normalized(client.get(HOME))
    return served


@pytest.fixture
def busy(owner):
    lived = lived_in(owner)
    this_morning = InterviewFactory(
        application=lived.application, round_number=3,
        starts_at=CURRENT_TIME.replace(hour=10), ends_at=CURRENT_TIME.replace(hour=11),
    )
    waiting = ApplicationFactory(
        owner=owner, company="Globex", status=ApplicationStatus.INTERVIEWING,
        decision_date=date(2026, 11, 13),
    )
    return {"lived": lived, "this_morning": this_morning, "waiting": waiting,
            "reminded": FollowUp.objects.get(owner=owner, status=Status.REMINDED)}


def test_the_second_load_is_served_from_the_cache_with_the_same_content(owner_client, busy):
    cold = count_queries(owner_client, HOME)  # with an empty cache; fills it
    first = owner_client.get(HOME)
    with CaptureQueriesContext(connection) as warm:
        owner_client.get(HOME)

    assert len(warm) < cold
    assert _normalized(owner_client.get(HOME)) == _normalized(first)


def test_cached_cards_carry_the_pages_own_csrf_token(owner_client, busy):
    owner_client.get(HOME)
    response = owner_client.get(HOME)
    page = response.content.decode()

    assert "<!--csrf-->" not in page
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert len(tokens) >= 3 and all(tokens)


def test_text_looking_like_the_csrf_mark_stays_text(owner, owner_client):
    ApplicationFactory(owner=owner, company="<!--csrf-->", status=ApplicationStatus.APPLIED,
                       decision_date=date(2026, 11, 13))

    page = owner_client.get(HOME).content.decode()

    assert "&lt;!--csrf--&gt;" in page


def test_done_from_the_dashboard_shows_at_once(owner_client, busy):
    card = f"action-followup-{busy['reminded'].pk}"
    assert card in _cards(owner_client)

    owner_client.post(reverse("followup_action", args=[busy["reminded"].pk, "done"]),
                      {"next": "/"})

    assert card not in _cards(owner_client)
    _assert_fresh(owner_client)


def test_snoozing_shows_at_once(owner_client, busy):
    before = _normalized(owner_client.get(HOME))

    owner_client.post(reverse("followup_action", args=[busy["reminded"].pk, "snooze"]),
                      {"next": "/"})

    assert _assert_fresh(owner_client) != before


def test_a_status_change_shows_at_once(owner_client, busy):
    card = f"action-decision-{busy['waiting'].pk}"
    assert card in _cards(owner_client)

    owner_client.post(reverse("application_move", args=[busy["waiting"].pk]),
                      {"status": "rejected", "next": "/"})

    assert card not in _cards(owner_client)
    _assert_fresh(owner_client)


def test_logging_an_interview_shows_at_once(owner_client, busy):
    owner_client.get(HOME)

    interview = interview_services.interview_create(
        application=busy["waiting"], round_number=1, format="video",
        starts_at=CURRENT_TIME + timedelta(days=2),
        ends_at=CURRENT_TIME + timedelta(days=2, hours=1),
    )

    assert f"action-interview-{interview.pk}" in _cards(owner_client)
    _assert_fresh(owner_client)


def test_saving_a_draft_renews_the_cache_and_sending_it_clears_its_card(
    owner, owner_client, busy
):
    draft = Note.objects.get(application__owner=owner, sent_at__isnull=True)
    owner_client.get(HOME)
    version = freshness.version(owner.pk)

    saved = note_services.note_save(note=draft, expected_version=draft.version,
                                    body="Dear Grace, thank you.")

    assert freshness.version(owner.pk) != version
    assert f"action-draft-{draft.pk}" in _cards(owner_client)

    note_services.note_mark_sent(note=saved, sent_at=CURRENT_TIME, channel=Channel.EMAIL,
                                 expected_version=saved.version)

    assert f"action-draft-{draft.pk}" not in _cards(owner_client)
    _assert_fresh(owner_client)


def test_recording_correspondence_shows_at_once(
    owner, owner_client, busy, django_capture_on_commit_callbacks
):
    lived = busy["lived"]
    owner_client.get(HOME)
    version = freshness.version(owner.pk)

    with django_capture_on_commit_callbacks(execute=True):  # re-planning, as the worker would
        note_services.correspondence_record(
            application=lived.application, interview=lived.past, interviewer=lived.grace,
            kind=CorrespondenceKind.THANK_YOU, channel=Channel.EMAIL, sent_at=CURRENT_TIME,
        )

    assert freshness.version(owner.pk) != version
    _assert_fresh(owner_client)


def test_a_debrief_shows_at_once(owner_client, busy):
    card = f"action-debrief-{busy['this_morning'].pk}"
    assert card in _cards(owner_client)

    interview_services.debrief_save(
        interview=busy["this_morning"], answers={"went_well": "Fine"}, at=CURRENT_TIME
    )

    assert card not in _cards(owner_client)
    _assert_fresh(owner_client)


def test_deleting_an_application_shows_at_once(owner_client, busy):
    assert f"action-decision-{busy['waiting'].pk}" in _cards(owner_client)

    interview_services.application_delete(application=busy["waiting"])

    assert f"action-decision-{busy['waiting'].pk}" not in _cards(owner_client)


def test_buckets_roll_over_with_the_clock(owner, owner_client, busy, time_machine):
    evening = FollowUp.objects.create(
        owner=owner, application=busy["lived"].application, rule="R5", key="R5:evening",
        due_at=CURRENT_TIME.replace(hour=18),
    )
    page = owner_client.get(HOME).content.decode()
    assert re.search(rf'bucket-today".*action-followup-{evening.pk}".*bucket-week', page, re.S)

    time_machine.move_to(CURRENT_TIME.replace(hour=23) + timedelta(hours=2), tick=False)

    page = owner_client.get(HOME).content.decode()
    assert re.search(rf'bucket-overdue".*action-followup-{evening.pk}".*bucket-today', page,
                     re.S)


def test_another_candidates_change_neither_renews_nor_leaks(owner, outsider, owner_client, busy):
    mine = _cards(owner_client)
    version = freshness.version(owner.pk)

    theirs = lived_in(outsider, company="Initech")
    FollowUp.objects.filter(owner=outsider).update(status=Status.PENDING)
    interview_services.application_set_status(
        application=theirs.application, status=ApplicationStatus.ON_HOLD
    )

    assert freshness.version(owner.pk) == version
    assert _cards(owner_client) == mine
    outsider_page = signed_in(outsider).get(HOME).content.decode()
    assert "Initech" in outsider_page
    assert "Acme Analytics" not in outsider_page and "Globex" not in outsider_page
    assert not any(card in outsider_page for card in mine)
