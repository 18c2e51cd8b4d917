"""What the user closed is not sent (issue 10.3) and only verified addresses get reminders
(issue 10.4).

Each action happens in the window the issue measured: after a dispatcher claimed and read
the rows, before their email goes out.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from interviews import services as interview_services
from interviews.models import Candidate
from notes import services as note_services
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
    assert row.claim_token is None


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


# --- The application's status and the correspondence, right before the email (16.5) ---------
#
# The claim's re-check ran; the user acts just before the last re-read of the rows, where
# Done, Dismiss, Snooze, the pause and the rules switched off were already honoured.


def _right_before_the_email(monkeypatch, action):
    """Run ``action`` once, after the claim's re-check, right before the rows' last re-read
    (``_reread``, the one query before each email)."""
    real = services._reread
    acted = []

    def act_then_reread(token, ids):
        if not acted:
            acted.append(action())
        return real(token, ids)

    monkeypatch.setattr(services, "_reread", act_then_reread)


def _thank_ada(logged):
    return lambda: note_services.correspondence_record(
        application=logged.application, interview=logged.interview, interviewer=logged.ada,
        kind="thank_you", channel="email", sent_at=EVENING,
    )


def test_a_thank_you_recorded_right_before_the_email_leaves_its_r2_out(
    logged, mailoutbox, monkeypatch
):
    row = _r2_ada(logged)
    _right_before_the_email(monkeypatch, _thank_ada(logged))

    assert services.dispatch_due(now=EVENING) == 1

    (message,) = mailoutbox
    assert "Send a thank-you email — for Ada Lovelace" not in _items(message)
    assert "Send a thank-you email — for Grace Hopper" in _items(message)
    # An email is not the mailed card: Ada's R3 still goes.
    assert "Mail a thank-you card or one-page letter — for Ada Lovelace" in _items(message)
    row.refresh_from_db()
    assert (row.status, row.status_note, row.sent_at, row.claim_token) == (
        Status.DONE, "Done before the reminder went out.", None, None
    )


@pytest.mark.parametrize(("status", "label"), [
    ("withdrawn", "withdrawn"), ("filled", "position filled"), ("accepted", "accepted"),
])
def test_an_application_ended_right_before_the_email_sends_none_of_its_rows(
    logged, mailoutbox, monkeypatch, status, label
):
    due = FollowUp.objects.filter(application=logged.application, due_at__lte=EVENING)
    assert due.count() == 6
    _right_before_the_email(monkeypatch, lambda: interview_services.application_set_status(
        application=logged.application, status=status, at=EVENING))

    services.dispatch_due(now=EVENING)

    assert mailoutbox == []
    assert {(row.status, row.status_note, row.sent_at, row.claim_token) for row in due} == {
        (Status.SKIPPED, f"Skipped: the application ended ({label}).", None, None)
    }


def test_a_rejection_right_before_the_email_stops_the_thank_you_duties(
    logged, mailoutbox, monkeypatch
):
    _right_before_the_email(monkeypatch, lambda: interview_services.application_set_status(
        application=logged.application, status="rejected", at=EVENING))

    services.dispatch_due(now=EVENING)

    assert mailoutbox == []
    due = FollowUp.objects.filter(application=logged.application, due_at__lte=EVENING)
    assert {row.status for row in due} == {Status.SKIPPED}


def test_only_the_changed_application_is_re_checked_another_one_in_the_email_still_goes(
    owner, mailoutbox, monkeypatch
):
    kept = log_interview(owner, company="Bravo Ltd")
    withdrawn = log_interview(owner)
    for logged in (kept, withdrawn):
        services.plan_application(application_id=logged.application.pk, now=CURRENT_TIME)
    _right_before_the_email(monkeypatch, lambda: interview_services.application_set_status(
        application=withdrawn.application, status="withdrawn", at=EVENING))

    services.dispatch_due(now=EVENING)

    (message,) = mailoutbox
    assert "Bravo Ltd" in _items(message)
    assert "Acme Analytics" not in _items(message)
    assert not FollowUp.objects.filter(application=withdrawn.application,
                                       status=Status.REMINDED).exists()
    assert FollowUp.objects.filter(application=kept.application,
                                   status=Status.REMINDED).count() == 6


# After a rejection the cordial reply (R9) still goes, and so does the inquiry about other
# openings (R10) a month on: the re-check must not stop a rejected application's rows.
REJECTED_AT = datetime(2026, 11, 19, 10, 0, tzinfo=UTC)  # Thursday
R9_DUE = datetime(2026, 11, 20, 9, 5, tzinfo=UTC)  # Friday's reminder hour
R10_DUE = datetime(2026, 12, 21, 9, 5, tzinfo=UTC)  # a month on, on a business day


@pytest.fixture
def rejected(logged):
    interview_services.application_set_status(
        application=logged.application, status="rejected", at=REJECTED_AT)
    services.plan_application(application_id=logged.application.pk, now=REJECTED_AT)
    return logged


@pytest.mark.parametrize(("rule", "now", "title"), [
    ("R9", R9_DUE, "Reply cordially to the rejection"),
    ("R10", R10_DUE, "Ask about other openings"),
])
def test_a_rejections_own_reminders_still_go_when_facts_change_before_the_email(
    rejected, mailoutbox, monkeypatch, rule, now, title
):
    # Something the candidate sent meanwhile (not the reply itself) makes the dispatcher
    # look at the application again: the rejection's own rule still applies.
    _right_before_the_email(monkeypatch, lambda: note_services.correspondence_record(
        application=rejected.application, kind="other", channel="email", sent_at=now))

    assert services.dispatch_due(now=now) == 1

    (message,) = mailoutbox
    assert title in _items(message)
    row = FollowUp.objects.get(application=rejected.application, rule=rule)
    assert row.status == Status.REMINDED


def test_a_rejection_reply_recorded_right_before_the_email_leaves_r9_out(
    rejected, mailoutbox, monkeypatch
):
    _right_before_the_email(monkeypatch, lambda: note_services.correspondence_record(
        application=rejected.application, kind="rejection_reply", channel="email",
        sent_at=R9_DUE))

    services.dispatch_due(now=R9_DUE)

    assert mailoutbox == []
    row = FollowUp.objects.get(application=rejected.application, rule="R9")
    assert (row.status, row.status_note) == (Status.DONE, "Done before the reminder went out.")


def test_an_interview_deleted_after_the_claim_sends_none_of_its_rows(
    owner, mailoutbox, monkeypatch
):
    kept = log_interview(owner, company="Bravo Ltd")
    deleted = log_interview(owner)
    for logged in (kept, deleted):
        services.plan_application(application_id=logged.application.pk, now=CURRENT_TIME)
    interview_id = deleted.interview.pk
    assert FollowUp.objects.filter(interview_id=interview_id).exists()
    _right_before_the_email(monkeypatch, lambda: interview_services.interview_delete(
        interview=deleted.interview))

    assert services.dispatch_due(now=EVENING) == 1

    # The deleted interview's rows went with it: only Bravo's debrief and thank-yous go.
    (message,) = mailoutbox
    assert _items(message).count("Debrief while it is fresh") == 1
    assert _items(message).count("Send a thank-you email — for Ada Lovelace") == 1
    assert not FollowUp.objects.filter(interview_id=interview_id).exists()
    assert FollowUp.objects.filter(application=kept.application, interview__isnull=False,
                                   status=Status.REMINDED).count() == 5
