"""What the user closed is not sent (issue 10.3) and only verified addresses get reminders
(issue 10.4).

Each action happens in the window the issue measured: after a dispatcher claimed and read
the rows, before their email goes out.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from interviews.models import Candidate
from reminders import services
from reminders.models import FollowUp, Status
from tests.factories import CandidateFactory
from tests.reminders.conftest import log_interview

pytestmark = pytest.mark.django_db

# Just after the thank-you duties of log_interview's interview fell due at 18:00.
CURRENT_TIME = datetime(2026, 11, 18, 15, 30, tzinfo=UTC)
EVENING = datetime(2026, 11, 18, 18, 5, tzinfo=UTC)


@pytest.fixture
def logged(owner):
    logged = log_interview(owner)
    services.plan_application(application_id=logged.application.pk, now=CURRENT_TIME)
    return logged


def _r2_ada(logged) -> FollowUp:
    return FollowUp.objects.get(application=logged.application, rule="R2",
                                interviewer=logged.ada)


def _after_the_claim(monkeypatch, action):
    """Run ``action`` once the dispatcher claimed the rows and read them, before anything
    is sent (``_claimed_rows`` is wrapped to act right after it)."""
    real = services._claimed_rows

    def read_then_act(batch):
        rows = real(batch)
        assert FollowUp.objects.held(EVENING).exists()
        action()
        return rows

    monkeypatch.setattr(services, "_claimed_rows", read_then_act)


def _items(message) -> str:
    return message.body


@pytest.mark.parametrize(("act", "status"), [
    (services.followup_complete, Status.DONE),
    (services.followup_dismiss, Status.DISMISSED),
])
def test_R2_closed_by_the_user_after_the_claim_is_not_emailed(
    logged, mailoutbox, monkeypatch, act, status
):
    row = _r2_ada(logged)
    _after_the_claim(monkeypatch, lambda: act(followup=row, at=EVENING))

    assert services.dispatch_due(now=EVENING) == 1

    (message,) = mailoutbox
    assert "Send a thank-you email — for Ada Lovelace" not in _items(message)
    assert "Mail a thank-you card or one-page letter — for Ada Lovelace" in _items(message)
    assert "Send a thank-you email — for Grace Hopper" in _items(message)
    row.refresh_from_db()
    assert row.status == status  # the user's word, not "reminded"
    assert row.sent_at is None


def test_R2_snoozed_after_the_claim_is_not_emailed_and_comes_back_before_its_window_closes(
    logged, mailoutbox, monkeypatch
):
    row = _r2_ada(logged)
    _after_the_claim(monkeypatch, lambda: services.followup_snooze(followup=row, at=EVENING))

    services.dispatch_due(now=EVENING)

    (message,) = mailoutbox
    assert "Send a thank-you email — for Ada Lovelace" not in _items(message)
    row.refresh_from_db()
    # Not two days on: R2's window (48 hours after the interview, which ended at 15:00 on
    # the 18th) closes before, so the snooze stops TIME_TO_ACT (6 hours) short of it.
    assert (row.status, row.snoozed, row.due_at) == (
        Status.PENDING, True, datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    )
    assert row.claim_token is None and row.accepted_at is None


def test_pausing_all_reminders_after_the_claim_sends_nothing_and_keeps_them_due(
    logged, mailoutbox, monkeypatch
):
    _after_the_claim(monkeypatch, lambda: services.settings_update(
        candidate=logged.owner, paused=True, disabled_rules=[]
    ))

    services.dispatch_due(now=EVENING)

    assert mailoutbox == []
    due = FollowUp.objects.filter(application=logged.application, due_at__lte=EVENING)
    assert {(row.status, row.claim_token, row.attempts) for row in due} == {
        (Status.PENDING, None, 0)
    }
    # Unpaused, they go out at the next tick.
    monkeypatch.undo()
    services.settings_update(candidate=logged.owner, paused=False, disabled_rules=[])
    assert services.dispatch_due(now=EVENING + timedelta(minutes=1)) == 1
    assert len(mailoutbox) == 1


def test_a_rule_switched_off_after_the_claim_is_skipped_not_emailed(
    logged, mailoutbox, monkeypatch
):
    _after_the_claim(monkeypatch, lambda: services.settings_update(
        candidate=logged.owner, paused=False, disabled_rules=["R2"]
    ))

    services.dispatch_due(now=EVENING)

    (message,) = mailoutbox
    assert "Send a thank-you email" not in _items(message)
    r2 = FollowUp.objects.filter(application=logged.application, rule="R2")
    assert {(row.status, row.status_note) for row in r2} == {
        (Status.SKIPPED, "Skipped: you switched this rule off.")
    }


def test_an_address_changed_after_the_claim_gets_the_email_not_the_old_one(
    logged, mailoutbox, monkeypatch
):
    def change_address():
        Candidate.objects.filter(pk=logged.owner.pk).update(email="new@example.com")

    _after_the_claim(monkeypatch, change_address)

    services.dispatch_due(now=EVENING)

    assert [message.to for message in mailoutbox] == [["new@example.com"]]


# --- Verified addresses only (10.4) ---------------------------------------------------------


def test_an_unverified_address_gets_no_reminder_and_its_rows_wait_still_due(mailoutbox):
    unverified = CandidateFactory(email="someone-else@example.com", email_verified=False)
    logged = log_interview(unverified)
    services.plan_application(application_id=logged.application.pk, now=CURRENT_TIME)
    due = FollowUp.objects.filter(application=logged.application, due_at__lte=EVENING)
    assert due.count() == 6, "planning is unaffected"

    assert services.dispatch_due(now=EVENING) == 0

    assert mailoutbox == []
    assert {(row.status, row.claim_token, row.attempts) for row in due} == {
        (Status.PENDING, None, 0)
    }
    # Verified: the waiting reminders go out.
    Candidate.objects.filter(pk=unverified.pk).update(email_verified=True)
    assert services.dispatch_due(now=EVENING + timedelta(minutes=1)) == 1
    assert [message.to for message in mailoutbox] == [["someone-else@example.com"]]


def test_unverified_candidates_overdue_rows_do_not_starve_a_verified_one(
    owner, mailoutbox, monkeypatch
):
    # A claim reads a window of the most overdue rows; those of unverified candidates,
    # older than anyone's, must not fill it.
    monkeypatch.setattr(services, "OWNER_WINDOW", 4)
    for n in range(3):
        stranger = CandidateFactory(email=f"stranger{n}@example.com", email_verified=False)
        theirs = log_interview(stranger, company=f"Co {n}", later=-timedelta(days=1))
        services.plan_application(application_id=theirs.application.pk, now=CURRENT_TIME)
    mine = log_interview(owner)
    services.plan_application(application_id=mine.application.pk, now=CURRENT_TIME)

    assert services.dispatch_due(now=EVENING) == 1

    assert [message.to for message in mailoutbox] == [[owner.email]]


def test_a_verification_revoked_after_the_claim_holds_the_email_back(
    logged, mailoutbox, monkeypatch
):
    _after_the_claim(monkeypatch, lambda: Candidate.objects.filter(pk=logged.owner.pk).update(
        email_verified=False
    ))

    services.dispatch_due(now=EVENING)

    assert mailoutbox == []
    # The rows wait, unclaimed and still due, for the address to be verified again.
    due = FollowUp.objects.filter(application=logged.application, due_at__lte=EVENING)
    assert {(row.status, row.claim_token) for row in due} == {(Status.PENDING, None)}
