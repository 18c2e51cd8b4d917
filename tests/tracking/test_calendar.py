"""The calendar feed: interviews and due follow-ups at a secret, revocable URL."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import icalendar
import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from reminders.models import FollowUp, Status
from tests.tracking.tracking_fixtures import (
    CURRENT_TIME,
    TOMORROW_10AM,
    frozen,  # noqa: F401 — a fixture
    lived_in,
)
from tracking import calendar
from tracking.models import CalendarFeed

pytestmark = pytest.mark.usefixtures("frozen")


def _new_feed_url(client) -> str:
    """Make (or remake) the address from the "Your data" page, as the candidate does."""
    response = client.post(reverse("calendar_feed_regenerate"), follow=True)
    assert response.status_code == 200
    found = re.search(r'value="(http://testserver/calendar/[^"]+\.ics)"', response.content.decode())
    assert found, "the new address is shown once"
    return found.group(1).removeprefix("http://testserver")


def _events(client, url: str) -> dict[str, icalendar.Event]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    parsed = icalendar.Calendar.from_ical(response.content)
    return {str(event["UID"]): event for event in parsed.walk("VEVENT")}


@pytest.fixture
def lived(owner):
    lived = lived_in(owner)
    FollowUp.objects.create(
        owner=owner, application=lived.application, interview=lived.past, rule="R5",
        key=f"R5:{lived.past.pk}", due_at=CURRENT_TIME + timedelta(hours=3),
    )
    return lived


def test_feed_parses_back_with_the_owners_interviews_and_open_follow_ups(
    owner_client, client, lived
):
    url = _new_feed_url(owner_client)

    # A calendar app subscribes without signing in.
    events = _events(client, url)

    assert set(events) == {
        f"interview-{lived.past.pk}@followup",
        f"interview-{lived.coming.pk}@followup",
        # The open ones only: the value-add due tonight and Grace's thank-you reminder.
        *(f"followup-{f.pk}@followup" for f in FollowUp.objects.filter(
            status__in=(Status.PENDING, Status.REMINDED))),
    }
    coming = events[f"interview-{lived.coming.pk}@followup"]
    assert coming["SUMMARY"] == "Interview: Product Manager at Acme Analytics"
    assert coming.decoded("DTSTART") == TOMORROW_10AM
    assert coming.decoded("DTEND") == TOMORROW_10AM + timedelta(hours=2)
    assert coming["LOCATION"] == "Head office"
    value_add = events[f"followup-{FollowUp.objects.get(rule='R5').pk}@followup"]
    assert value_add["SUMMARY"].startswith("Follow-up: Send a value-added follow-up")
    assert value_add.decoded("DTSTART") == CURRENT_TIME + timedelta(hours=3)


def test_feed_never_contains_another_candidates_items(owner_client, client, outsider, lived):
    theirs = lived_in(outsider, company="Theirs Ltd")

    response = client.get(_new_feed_url(owner_client))

    assertNotContains(response, "Theirs Ltd")
    assertNotContains(response, f"interview-{theirs.coming.pk}@")


def test_regenerating_revokes_the_old_address(owner_client, client, lived):
    old = _new_feed_url(owner_client)
    new = _new_feed_url(owner_client)

    assert old != new
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    assert CalendarFeed.objects.count() == 1


def test_turning_the_feed_off_revokes_it(owner_client, client, lived):
    url = _new_feed_url(owner_client)

    response = owner_client.post(reverse("calendar_feed_revoke"), follow=True)

    assertContains(response, "Calendar address turned off")
    assert client.get(url).status_code == 404
    assert not CalendarFeed.objects.exists()


def test_only_a_hash_of_the_token_is_stored_and_it_is_unguessable(owner):
    token = calendar.feed_regenerate(owner=owner)

    stored = CalendarFeed.objects.get(owner=owner).token_hash
    assert stored == hashlib.sha256(token.encode()).hexdigest()
    assert token not in stored
    assert len(token) >= 43  # 32 random bytes, URL-safe base64
    assert calendar.feed_owner(token) == owner


@pytest.mark.parametrize("token", ["", "x", "a" * 43, "A" * 500])
def test_a_wrong_token_finds_nothing(owner, token):
    calendar.feed_regenerate(owner=owner)

    assert calendar.feed_owner(token) is None


def test_a_wrong_token_is_a_404(client, owner):
    calendar.feed_regenerate(owner=owner)

    assert client.get(reverse("calendar_feed", args=["not-the-token"])).status_code == 404


def test_the_address_is_shown_once(owner_client, lived):
    url = _new_feed_url(owner_client)

    again = owner_client.get(reverse("your_data"))

    assertNotContains(again, url)
    assertContains(again, "An address is active since")
