"""A snooze never pushes a reminder past its window (issue 13): two days on, or at the
latest ``rules.TIME_TO_ACT`` before the window closes, or refused when that leaves no room.

The interview (tests.reminders.conftest) ended at 15:00 on Wed 18 Nov 2026: R2's window
(a thank-you within 48 hours) closes at 15:00 on Fri 20 Nov, so a snooze ends by 09:00.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from reminders import links, rules, services
from reminders.models import FollowUp, Status

EVENING = datetime(2026, 11, 18, 18, 5, tzinfo=UTC)
WINDOW_CLOSES = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
LATEST = WINDOW_CLOSES - rules.TIME_TO_ACT  # Fri 20 Nov, 09:00
NO_ROOM = LATEST - timedelta(minutes=30)  # less than SNOOZE_AT_LEAST before LATEST


@pytest.fixture
def r2(logged) -> FollowUp:
    services.plan_application(application_id=logged.application.pk, now=EVENING)
    return FollowUp.objects.get(application=logged.application, rule="R2",
                                interviewer=logged.ada)


def _link(followup: FollowUp, action: str = "snooze") -> str:
    return links.action_path(followup_id=followup.pk, owner_id=followup.owner_id, action=action)


def test_R2_snooze_stops_time_to_act_before_the_window_closes(r2):
    result = services.followup_snooze(followup=r2, at=EVENING)

    assert result and result.until == LATEST
    assert result.message == (
        "Snoozed until Fri 20 Nov 2026, 09:00, not 2 days: its window closes on "
        "Fri 20 Nov 2026, 15:00, and that leaves you time to act."
    )
    r2.refresh_from_db()
    assert (r2.status, r2.snoozed, r2.due_at) == (Status.PENDING, True, LATEST)
    assert r2.status_note == (
        "Snoozed until Fri 20 Nov 2026, 09:00: its window closes on Fri 20 Nov 2026, 15:00."
    )


def test_R2_snoozed_near_its_window_is_emailed_not_skipped(r2, mailoutbox):
    services.followup_snooze(followup=r2, at=EVENING)
    services.plan_application(application_id=r2.application_id, now=EVENING)

    services.dispatch_due(now=LATEST + timedelta(minutes=1))

    r2.refresh_from_db()
    assert r2.status == Status.REMINDED and r2.sent_at is not None
    assert any("Send a thank-you email — for Ada Lovelace" in m.body for m in mailoutbox)


def test_R2_snooze_with_no_room_before_the_window_is_refused_and_changes_nothing(r2):
    before = (r2.status, r2.due_at, r2.snoozed, r2.status_note)

    result = services.followup_snooze(followup=r2, at=NO_ROOM)

    assert not result and result.refused
    assert result.message == (
        "Not snoozed: its window closes on Fri 20 Nov 2026, 15:00, too soon to remind you "
        "again. Do it now, or dismiss it."
    )
    r2.refresh_from_db()
    assert (r2.status, r2.due_at, r2.snoozed, r2.status_note) == before


def test_a_rule_without_a_window_snoozes_two_days(logged):
    services.plan_application(application_id=logged.application.pk, now=EVENING)
    r13 = FollowUp.objects.get(application=logged.application, rule="R13")

    result = services.followup_snooze(followup=r13, at=EVENING)

    assert result.until == EVENING + services.SNOOZE
    assert result.message == "Snoozed: you will be reminded in 2 days."


def test_the_snooze_message_is_in_the_candidates_zone(r2):
    r2.owner.time_zone = "America/New_York"
    r2.owner.save(update_fields=["time_zone"])

    result = services.followup_snooze(followup=r2, at=EVENING)

    assert result.message.startswith(
        "Snoozed until Fri 20 Nov 2026, 04:00, not 2 days: its window closes on "
        "Fri 20 Nov 2026, 10:00"
    )


def test_the_app_button_says_the_snooze_was_shortened(owner_client, r2, time_machine):
    time_machine.move_to(EVENING, tick=False)

    response = owner_client.post(
        reverse("followup_action", args=[r2.pk, "snooze"]), follow=True
    )

    assertContains(response, "Snoozed until Fri 20 Nov 2026, 09:00, not 2 days")
    assertNotContains(response, "you will be reminded in 2 days")


def test_the_app_button_says_why_it_did_not_snooze(owner_client, r2, time_machine):
    time_machine.move_to(NO_ROOM, tick=False)

    response = owner_client.post(
        reverse("followup_action", args=[r2.pk, "snooze"]), follow=True
    )

    assertContains(response, "Not snoozed: its window closes on Fri 20 Nov 2026, 15:00")
    assertNotContains(response, "already closed")
    r2.refresh_from_db()
    assert not r2.snoozed


def test_the_link_page_says_before_and_after_what_the_snooze_does(client, r2, time_machine):
    time_machine.move_to(EVENING, tick=False)

    asked = client.get(_link(r2))
    assertContains(asked, "you would be reminded on Fri 20 Nov 2026, 09:00, not in 2 days.")

    done = client.post(_link(r2))
    assertContains(done, "Snoozed until Fri 20 Nov 2026, 09:00, not 2 days")

    again = client.get(_link(r2))
    assertContains(again, "you will be reminded again on Friday 20 November 2026, 09:00, "
                          "before its window closes.")


def test_the_link_page_refuses_a_snooze_with_no_room(client, r2, time_machine):
    time_machine.move_to(NO_ROOM, tick=False)

    asked = client.get(_link(r2))
    assertContains(asked, "Its window closes on Fri 20 Nov 2026, 15:00: too soon to snooze.")

    refused = client.post(_link(r2))
    assert refused.status_code == 200
    assertContains(refused, "Not snoozed: its window closes on Fri 20 Nov 2026, 15:00")
    r2.refresh_from_db()
    assert not r2.snoozed
