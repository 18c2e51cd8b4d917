"""Between the emails of one claim, over a real SMTP server (aiosmtpd, ``smtp_sink``): what
the user does to the next candidate's reminders still wins, and a crash still repeats at
most one email.

Two candidates are due in one claim: A (the more overdue, emailed first) and B. B's rows are
re-read right before B's email (``services._reread``), after A's was sent and recorded, so a
user action on B lands either before that re-read (the email leaves it out, or is not sent)
or after it (the email cannot be recalled, but the row keeps what the user said).
"""

from __future__ import annotations

import threading
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

CURRENT_TIME = datetime(2026, 11, 18, 15, 30, tzinfo=UTC)
EVENING = datetime(2026, 11, 18, 18, 5, tzinfo=UTC)


@pytest.fixture
def two(owner):
    """(A, B): A's interview an hour earlier than B's, so A's email goes first."""
    b = CandidateFactory(email="b@example.com")
    first = log_interview(owner, later=-timedelta(hours=1))
    second = log_interview(b, company="Bravo Ltd")
    for logged in (first, second):
        services.plan_application(application_id=logged.application.pk, now=CURRENT_TIME)
    return first, second


def _r2_ada(logged) -> FollowUp:
    return FollowUp.objects.get(application=logged.application, rule="R2",
                                interviewer=logged.ada)


def _on_reread_of(monkeypatch, logged, *, before=None, after=None, log=None):
    """Run ``before`` / ``after`` around the re-read of ``logged``'s rows; log re-reads."""
    theirs = set(FollowUp.objects.filter(owner=logged.owner).values_list("id", flat=True))
    real = services._reread

    def reread(token, ids):
        mine = bool(set(ids) & theirs)
        if log is not None:
            log.append(("reread", logged.owner.email if mine else "other"))
        if mine and before:
            before()
        found = real(token, ids)
        if mine and after:
            after()
        return found

    monkeypatch.setattr(services, "_reread", reread)


def _bodies(sink) -> dict[str, str]:
    return {m["X-Envelope-To"]: m.get_body(("plain",)).get_content() for m in sink.messages}


ADA_THANKS = "Send a thank-you email — for Ada Lovelace"


@pytest.mark.parametrize(("act", "status"), [
    (services.followup_complete, Status.DONE),
    (services.followup_dismiss, Status.DISMISSED),
])
def test_done_or_dismiss_before_the_reread_is_left_out_of_the_email(
    two, smtp_sink, monkeypatch, act, status
):
    _, b = two
    row = _r2_ada(b)
    _on_reread_of(monkeypatch, b, before=lambda: act(followup=row, at=EVENING))

    assert services.dispatch_due(now=EVENING) == 2

    bodies = _bodies(smtp_sink)
    assert ADA_THANKS in bodies["owner@example.com"]
    assert ADA_THANKS not in bodies["b@example.com"]
    assert "Mail a thank-you card or one-page letter — for Ada Lovelace" in bodies[
        "b@example.com"]
    row.refresh_from_db()
    assert (row.status, row.sent_at) == (status, None)


def test_a_snooze_before_the_reread_is_left_out_and_comes_back(
    two, smtp_sink, monkeypatch
):
    _, b = two
    row = _r2_ada(b)
    _on_reread_of(monkeypatch, b,
                  before=lambda: services.followup_snooze(followup=row, at=EVENING))

    services.dispatch_due(now=EVENING)

    assert ADA_THANKS not in _bodies(smtp_sink)["b@example.com"]
    row.refresh_from_db()
    assert (row.status, row.snoozed, row.claim_token) == (Status.PENDING, True, None)


def test_a_pause_before_the_reread_sends_b_nothing_and_keeps_the_rows_due(
    two, smtp_sink, monkeypatch
):
    _, b = two
    _on_reread_of(monkeypatch, b, before=lambda: services.settings_update(
        candidate=b.owner, paused=True, disabled_rules=[]))

    services.dispatch_due(now=EVENING)

    assert set(_bodies(smtp_sink)) == {"owner@example.com"}
    due = FollowUp.objects.filter(owner=b.owner, due_at__lte=EVENING)
    assert {(row.status, row.claim_token, row.attempts) for row in due} == {
        (Status.PENDING, None, 0)
    }


def test_a_rule_switched_off_before_the_reread_is_skipped(two, smtp_sink, monkeypatch):
    _, b = two
    _on_reread_of(monkeypatch, b, before=lambda: services.settings_update(
        candidate=b.owner, paused=False, disabled_rules=["R2"]))

    services.dispatch_due(now=EVENING)

    assert "Send a thank-you email" not in _bodies(smtp_sink)["b@example.com"]
    assert {(row.status, row.status_note)
            for row in FollowUp.objects.filter(owner=b.owner, rule="R2")} == {
        (Status.SKIPPED, "Skipped: you switched this rule off.")
    }


def test_an_address_changed_before_the_reread_gets_the_email(
    two, smtp_sink, monkeypatch
):
    _, b = two
    _on_reread_of(monkeypatch, b, before=lambda: Candidate.objects.filter(
        pk=b.owner.pk).update(email="b-new@example.com"))

    services.dispatch_due(now=EVENING)

    bodies = _bodies(smtp_sink)
    assert set(bodies) == {"owner@example.com", "b-new@example.com"}
    assert "as b-new@example.com" in bodies["b-new@example.com"]  # the footer too


def test_a_verification_revoked_before_the_reread_holds_the_email_back(
    two, smtp_sink, monkeypatch
):
    _, b = two
    _on_reread_of(monkeypatch, b, before=lambda: Candidate.objects.filter(
        pk=b.owner.pk).update(email_verified=False))

    services.dispatch_due(now=EVENING)

    assert set(_bodies(smtp_sink)) == {"owner@example.com"}
    assert not FollowUp.objects.filter(owner=b.owner, claim_token__isnull=False).exists()


def test_a_thank_you_recorded_before_the_reread_is_left_out_of_the_email(
    two, smtp_sink, monkeypatch
):
    _, b = two
    row = _r2_ada(b)
    _on_reread_of(monkeypatch, b, before=lambda: note_services.correspondence_record(
        application=b.application, interview=b.interview, interviewer=b.ada,
        kind="thank_you", channel="email", sent_at=EVENING))

    assert services.dispatch_due(now=EVENING) == 2

    bodies = _bodies(smtp_sink)
    assert ADA_THANKS in bodies["owner@example.com"]
    assert ADA_THANKS not in bodies["b@example.com"]
    assert "Send a thank-you email — for Grace Hopper" in bodies["b@example.com"]
    row.refresh_from_db()
    assert (row.status, row.sent_at) == (Status.DONE, None)


def test_an_application_withdrawn_before_the_reread_sends_b_nothing(
    two, smtp_sink, monkeypatch
):
    _, b = two
    _on_reread_of(monkeypatch, b, before=lambda: interview_services.application_set_status(
        application=b.application, status="withdrawn", at=EVENING))

    services.dispatch_due(now=EVENING)

    assert set(_bodies(smtp_sink)) == {"owner@example.com"}
    due = FollowUp.objects.filter(owner=b.owner, due_at__lte=EVENING)
    assert {(row.status, row.status_note, row.sent_at) for row in due} == {
        (Status.SKIPPED, "Skipped: the application ended (withdrawn).", None)
    }


def test_done_after_the_reread_cannot_recall_the_email_but_wins_over_its_record(
    two, smtp_sink, monkeypatch
):
    _, b = two
    row = _r2_ada(b)
    _on_reread_of(monkeypatch, b, after=lambda: services.followup_complete(
        followup=row, at=EVENING))

    services.dispatch_due(now=EVENING)

    assert ADA_THANKS in _bodies(smtp_sink)["b@example.com"]  # already on its way
    row.refresh_from_db()
    assert (row.status, row.status_note, row.sent_at) == (Status.DONE, "Marked done.", None)
    others = FollowUp.objects.filter(owner=b.owner, due_at__lte=EVENING).exclude(pk=row.pk)
    assert {r.status for r in others} == {Status.REMINDED}


def test_each_email_is_recorded_before_the_next_reaches_the_server(
    two, smtp_sink, monkeypatch
):
    """The crash guarantee: at most one email is accepted and not recorded at any time.

    A's rows are recorded (one UPDATE) after A's data reached the server and before B's
    re-read and B's data."""
    a, b = two
    events: list[tuple] = []
    lock = threading.Lock()
    _on_reread_of(monkeypatch, b, log=events)
    real_record = services.record_sent

    def record(*, token, ids, now):
        with lock:
            events.append(("record", tuple(sorted(ids))))
        return real_record(token=token, ids=ids, now=now)

    monkeypatch.setattr(services, "record_sent", record)
    received = smtp_sink.handle_DATA

    async def handle_DATA(server, session, envelope):
        with lock:
            events.append(("data", envelope.rcpt_tos[0]))
        return await received(server, session, envelope)

    smtp_sink.handle_DATA = handle_DATA
    a_rows = tuple(sorted(FollowUp.objects.filter(owner=a.owner, due_at__lte=EVENING)
                          .values_list("id", flat=True)))

    assert services.dispatch_due(now=EVENING) == 2

    data_a = events.index(("data", "owner@example.com"))
    recorded_a = events.index(("record", a_rows))
    reread_b = events.index(("reread", "b@example.com"))
    data_b = events.index(("data", "b@example.com"))
    assert data_a < recorded_a < reread_b < data_b, events
    assert [event[0] for event in events].count("data") == 2
    assert FollowUp.objects.filter(owner=a.owner, due_at__lte=EVENING,
                                   status=Status.REMINDED).count() == len(a_rows)
