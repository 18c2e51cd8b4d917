"""Push and Apprise (issue 19): digests, and the one send path, against real parts.

The push service is ``tests/reminders/push_receiver.py``: an HTTP server on 127.0.0.1
that is each device's endpoint, checks the VAPID header and decrypts every push with the
subscription's own keys. Apprise posts to a local HTTP sink (``json://``, ``ntfy://``).
Nothing is mocked: the dispatcher, pywebpush, Apprise and the database are the real ones.
"""

from __future__ import annotations

import smtplib
import threading
from collections import Counter
from datetime import UTC, datetime, time, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from inbox.crypto import encrypt
from reminders import links, notify, services
from reminders.models import (
    AppriseChannel,
    Delivery,
    DeliveryStatus,
    Digest,
    FollowUp,
    PushDevice,
    ReminderSettings,
    Status,
)
from reminders.rules import RULES
from tests.factories import CandidateFactory
from tests.reminders.conftest import log_interview

pytestmark = pytest.mark.django_db

PLANNED = datetime(2026, 11, 18, 15, 30, tzinfo=UTC)
# The debrief (R1) is due at 16:00; the thank-yous to both people (R2, R3) and the missing
# email address (R13) at 18:00. London is on GMT: local time is UTC.
AFTERNOON = datetime(2026, 11, 18, 16, 5, tzinfo=UTC)
EVENING = datetime(2026, 11, 18, 18, 5, tzinfo=UTC)
LONG_AGO = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture
def logged(owner):
    logged = log_interview(owner)
    services.plan_application(application_id=logged.application.pk, now=PLANNED)
    return logged


def _device(owner, receiver, *, created_at=LONG_AGO, **fields) -> PushDevice:
    subscription = receiver.subscribe()
    return PushDevice.objects.create(
        owner=owner, endpoint=subscription.endpoint, p256dh=subscription.p256dh,
        auth=subscription.auth, browser="Firefox", created_at=created_at, **fields,
    )


def _apprise(owner, url: str, *, label="ntfy", created_at=LONG_AGO) -> AppriseChannel:
    return AppriseChannel.objects.create(
        owner=owner, label=label, url_encrypted=encrypt(url), hint=url.split("/")[0] + "//…",
        created_at=created_at,
    )


def _path(device: PushDevice) -> str:
    return "/" + device.endpoint.split("/", 3)[3]


def _due(logged, now) -> list[int]:
    return list(
        FollowUp.objects.filter(application=logged.application, due_at__lte=now)
        .order_by("due_at", "id").values_list("id", flat=True)
    )


# --- Digests ------------------------------------------------------------------------------


def test_one_digest_per_tick_with_a_delivery_per_enabled_channel(logged, push_receiver):
    phone = _device(logged.owner, push_receiver)
    _device(logged.owner, push_receiver, enabled=False)
    ntfy = _apprise(logged.owner, "ntfy://127.0.0.1:9/reminders")

    assert notify.make_digests(now=EVENING) == 1
    digest = Digest.objects.get()
    assert digest.followup_ids == _due(logged, EVENING)
    deliveries = Delivery.objects.filter(digest=digest)
    assert {(d.device_id, d.apprise_id) for d in deliveries} == {(phone.pk, None),
                                                                  (None, ntfy.pk)}
    assert {d.due_at for d in deliveries} == {EVENING}
    assert ReminderSettings.objects.get(candidate=logged.owner).digested_through == EVENING

    # The same tick again, and a later one with nothing new: no digest.
    assert notify.make_digests(now=EVENING) == 0
    assert notify.make_digests(now=EVENING + timedelta(minutes=1)) == 0
    assert Digest.objects.count() == 1


def test_each_tick_digests_only_what_came_due_since_the_last(logged, push_receiver):
    _device(logged.owner, push_receiver)
    notify.make_digests(now=AFTERNOON)
    notify.make_digests(now=EVENING)
    first, second = Digest.objects.order_by("id")
    assert first.followup_ids == _due(logged, AFTERNOON)
    assert second.followup_ids == [pk for pk in _due(logged, EVENING)
                                   if pk not in first.followup_ids]


def test_the_digests_of_a_tick_take_a_bounded_number_of_queries(
    owner, push_receiver, django_assert_max_num_queries
):
    for n in range(6):
        candidate = owner if n == 0 else CandidateFactory()
        logged = log_interview(candidate, company=f"Company {n}")
        services.plan_application(application_id=logged.application.pk, now=PLANNED)
        _device(candidate, push_receiver)
    with django_assert_max_num_queries(14):
        assert notify.make_digests(now=EVENING) == 6
    assert Delivery.objects.count() == 6


def test_sending_takes_as_many_queries_for_one_follow_up_as_for_six(push_receiver):
    from django.test.utils import CaptureQueriesContext

    counts = []
    for now in (AFTERNOON, EVENING):  # the debrief alone, then six rows in three tasks
        candidate = CandidateFactory()
        logged = log_interview(candidate)
        services.plan_application(application_id=logged.application.pk, now=PLANNED)
        _device(candidate, push_receiver)
        notify.make_digests(now=now)
        with CaptureQueriesContext(connection) as queries:
            assert notify.dispatch_deliveries(now=now) == 1
        counts.append(len(queries))
        PushDevice.objects.filter(owner=candidate).update(enabled=False)
    assert len(push_receiver.pushes()) == 2
    assert counts[0] == counts[1], counts


def test_no_digest_for_a_paused_candidate_nor_one_without_an_enabled_channel(
    logged, push_receiver
):
    other = log_interview(CandidateFactory(), company="Globex")
    services.plan_application(application_id=other.application.pk, now=PLANNED)
    _device(other.owner, push_receiver, enabled=False)
    _device(logged.owner, push_receiver)
    ReminderSettings.objects.create(candidate=logged.owner, paused=True)

    assert notify.make_digests(now=EVENING) == 0
    assert not Delivery.objects.exists()


def test_no_backlog_replay_a_new_device_gets_only_what_comes_due_after_it(
    logged, push_receiver
):
    # Turned on at 17:00: the debrief, due at 16:00, is the email's and the app's.
    _device(logged.owner, push_receiver, created_at=datetime(2026, 11, 18, 17, 0, tzinfo=UTC))
    notify.make_digests(now=EVENING)
    rows = FollowUp.objects.in_bulk(Digest.objects.get().followup_ids)
    assert {row.rule for row in rows.values()} == {"R2", "R3", "R13"}


def test_a_follow_up_snoozed_and_due_again_comes_in_a_new_digest(logged, push_receiver):
    _device(logged.owner, push_receiver)
    notify.make_digests(now=EVENING)
    r13 = FollowUp.objects.get(application=logged.application, rule="R13")
    snoozed = services.followup_snooze(followup=r13, at=EVENING + timedelta(minutes=5))
    assert snoozed.changed

    again = snoozed.until + timedelta(minutes=1)
    assert notify.make_digests(now=again) == 1
    first, second = Digest.objects.order_by("id")
    assert r13.pk in first.followup_ids and r13.pk in second.followup_ids
    # Nothing else of the first digest again; what came due meanwhile (R5) is new.
    rules_again = FollowUp.objects.filter(pk__in=second.followup_ids).values_list("rule",
                                                                               flat=True)
    assert sorted(rules_again) == ["R13", "R5"]


def test_outside_waking_hours_the_delivery_waits_for_the_morning(logged, push_receiver):
    device = _device(logged.owner, push_receiver)
    late = datetime(2026, 11, 18, 22, 30, tzinfo=UTC)
    notify.make_digests(now=late)
    morning = datetime(2026, 11, 19, 9, 0, tzinfo=UTC)  # the reminder hour, 9:00 London
    assert Delivery.objects.get().due_at == morning

    notify.dispatch_deliveries(now=late + timedelta(hours=2))
    assert push_receiver.pushes() == []
    notify.dispatch_deliveries(now=morning)
    assert len(push_receiver.pushes(_path(device))) == 1


def test_waking_hours_changed_after_the_digest_hold_the_push_back(logged, push_receiver):
    _device(logged.owner, push_receiver)
    notify.make_digests(now=EVENING)
    ReminderSettings.objects.filter(candidate=logged.owner).update(
        waking_from=time(7), waking_until=time(18)
    )
    notify.dispatch_deliveries(now=EVENING)
    delivery = Delivery.objects.get()
    assert push_receiver.pushes() == []
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.due_at == datetime(2026, 11, 19, 7, 0, tzinfo=UTC)
    assert delivery.attempts == 0 and delivery.claim_token is None


# --- The push -----------------------------------------------------------------------------


def test_a_push_is_received_decrypted_and_says_the_tasks(logged, push_receiver):
    device = _device(logged.owner, push_receiver)
    assert notify.tick(now=EVENING) == 1

    assert push_receiver.errors == []
    (push,) = push_receiver.pushes(_path(device))
    payload = push.payload
    digest = Digest.objects.get()
    r1 = FollowUp.objects.get(application=logged.application, rule="R1")
    assert payload["title"] == "3 follow-ups to do"
    assert payload["body"] == (f"{RULES['R1'].title}, Product Manager at Acme Analytics, "
                               "and 2 more.")
    assert payload["url"] == reverse("debrief", args=[r1.interview_id])  # the first task
    assert payload["tag"] == f"followup-digest-{digest.pk}"
    # Several tasks: "Done" would not say which.
    assert [a["action"] for a in payload["actions"]] == ["snooze"]
    assert payload["tokens"]["done"] == []
    assert payload["act"] == "/r/push/"
    snoozed = [links.read_token(t, action="snooze") for t in payload["tokens"]["snooze"]]
    assert sorted(p.followup_id for p in snoozed) == sorted(digest.followup_ids)
    assert {p.owner_id for p in snoozed} == {logged.owner.pk}
    with pytest.raises(links.BadLink):  # a snooze token is no "done" token
        links.read_token(payload["tokens"]["snooze"][0], action="done")

    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.sent_at, delivery.attempts) == ("sent", EVENING, 1)
    device.refresh_from_db()
    assert device.last_push_at == EVENING


def test_a_single_task_offers_done_with_a_token_per_row_and_opens_the_task(
    logged, push_receiver
):
    device = _device(logged.owner, push_receiver)
    notify.tick(now=AFTERNOON)

    (push,) = push_receiver.pushes(_path(device))
    payload = push.payload
    r1 = FollowUp.objects.get(application=logged.application, rule="R1")
    assert payload["title"] == RULES["R1"].title
    assert payload["body"] == "Product Manager at Acme Analytics"
    assert payload["url"] == reverse("debrief", args=[logged.interview.pk])
    assert [a["action"] for a in payload["actions"]] == ["done", "snooze"]
    (done,) = payload["tokens"]["done"]
    assert links.read_token(done, action="done") == links.LinkPayload(r1.pk, logged.owner.pk)


def test_the_thank_you_task_of_one_interview_is_one_task(logged, push_receiver):
    device = _device(logged.owner, push_receiver)
    FollowUp.objects.filter(rule__in=("R1", "R13")).update(status=Status.DONE)
    notify.tick(now=EVENING)
    (push,) = push_receiver.pushes(_path(device))
    assert push.payload["title"] == "Thank the 2 people you met"
    assert push.payload["url"] == reverse("interview_notes", args=[logged.interview.pk])
    done = [links.read_token(t, action="done").followup_id
            for t in push.payload["tokens"]["done"]]
    assert sorted(done) == sorted(FollowUp.objects.filter(rule__in=("R2", "R3"))
                                  .values_list("id", flat=True))


def test_digests_piled_up_overnight_go_as_one_push(logged, push_receiver):
    device = _device(logged.owner, push_receiver)
    ReminderSettings.objects.create(candidate=logged.owner, waking_from=time(9),
                                    waking_until=time(12))
    notify.make_digests(now=AFTERNOON)
    notify.make_digests(now=EVENING)
    assert Delivery.objects.count() == 2
    notify.dispatch_deliveries(now=datetime(2026, 11, 19, 9, 0, tzinfo=UTC))
    (push,) = push_receiver.pushes(_path(device))
    assert push.payload["title"] == "3 follow-ups to do"
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def test_the_dispatcher_run_twice_pushes_each_digest_once(logged, push_receiver):
    device = _device(logged.owner, push_receiver)
    notify.tick(now=EVENING)
    notify.tick(now=EVENING)
    notify.tick(now=EVENING + services.LEASE * 2)
    assert len(push_receiver.pushes(_path(device))) == 1


def test_followups_closed_before_the_send_are_not_pushed(logged, push_receiver):
    device = _device(logged.owner, push_receiver)
    notify.make_digests(now=EVENING)
    for row in FollowUp.objects.filter(rule__in=("R1", "R13")):
        services.followup_complete(followup=row, at=EVENING)
    notify.dispatch_deliveries(now=EVENING + timedelta(minutes=1))
    (push,) = push_receiver.pushes(_path(device))
    assert push.payload["title"] == "Thank the 2 people you met"


def test_a_digest_with_nothing_left_open_is_skipped_with_a_note(logged, push_receiver):
    _device(logged.owner, push_receiver)
    notify.make_digests(now=AFTERNOON)
    r1 = FollowUp.objects.get(application=logged.application, rule="R1")
    services.followup_complete(followup=r1, at=AFTERNOON)
    notify.dispatch_deliveries(now=AFTERNOON)
    assert push_receiver.pushes() == []
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.SKIPPED
    assert delivery.status_note == notify.NOTHING_OPEN


def test_an_application_ended_meanwhile_is_left_out_by_the_rules_recheck(
    logged, push_receiver
):
    device = _device(logged.owner, push_receiver)
    notify.make_digests(now=AFTERNOON)
    # Changed straight in the table: the planner has not closed the debrief's row yet,
    # only the rules' re-check can tell.
    Application = type(logged.application)
    Application.objects.filter(pk=logged.application.pk).update(status="withdrawn")
    notify.dispatch_deliveries(now=AFTERNOON)
    assert push_receiver.pushes(_path(device)) == []
    assert Delivery.objects.get().status == DeliveryStatus.SKIPPED
    assert FollowUp.objects.get(rule="R1").status == Status.PENDING


def test_pause_all_stops_every_channel(logged, push_receiver, http_sink):
    _device(logged.owner, push_receiver)
    _apprise(logged.owner, f"json://127.0.0.1:{http_sink.port}/hook")
    notify.make_digests(now=EVENING)
    ReminderSettings.objects.filter(candidate=logged.owner).update(paused=True)
    notify.dispatch_deliveries(now=EVENING)
    assert push_receiver.pushes() == [] and http_sink.requests == []
    assert set(Delivery.objects.values_list("status", "status_note")) == {
        (DeliveryStatus.SKIPPED, notify.PAUSED)
    }


def test_a_channel_turned_off_after_the_digest_gets_nothing(logged, push_receiver):
    device = _device(logged.owner, push_receiver)
    notify.make_digests(now=EVENING)
    PushDevice.objects.filter(pk=device.pk).update(enabled=False)
    notify.dispatch_deliveries(now=EVENING)
    assert push_receiver.pushes() == []
    assert Delivery.objects.get().status_note == notify.CHANNEL_OFF


# --- Failures -----------------------------------------------------------------------------


@pytest.mark.parametrize("status", [410, 404])
def test_a_dropped_subscription_deletes_the_device(logged, push_receiver, status):
    device = _device(logged.owner, push_receiver)
    push_receiver.answer(_path(device), status)
    notify.tick(now=EVENING)
    assert not PushDevice.objects.filter(pk=device.pk).exists()
    assert not Delivery.objects.exists()  # its deliveries went with it


def test_a_500_is_retried_with_the_emails_backoff_then_fails(logged, push_receiver):
    device = _device(logged.owner, push_receiver)
    push_receiver.answer(_path(device), 500)
    notify.make_digests(now=EVENING)
    now = EVENING
    for attempt in range(1, services.MAX_ATTEMPTS):
        notify.dispatch_deliveries(now=now)
        delivery = Delivery.objects.get()
        assert delivery.status == DeliveryStatus.PENDING
        assert delivery.attempts == attempt
        assert delivery.retry_at == now + services.BACKOFF[attempt - 1]
        assert "500" in delivery.last_error
        notify.dispatch_deliveries(now=delivery.retry_at - timedelta(seconds=1))
        assert Delivery.objects.get().attempts == attempt  # not before its backoff
        now = delivery.retry_at
    notify.dispatch_deliveries(now=now)
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == services.MAX_ATTEMPTS
    assert delivery.status_note == "The notification could not be delivered."
    assert PushDevice.objects.filter(pk=device.pk).exists()


def test_a_429_is_temporary_too(logged, push_receiver):
    device = _device(logged.owner, push_receiver)
    push_receiver.answer(_path(device), 429)
    notify.tick(now=EVENING)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.retry_at) == ("pending", EVENING + services.BACKOFF[0])
    push_receiver.answer(_path(device), None)
    notify.tick(now=delivery.retry_at)
    assert len(push_receiver.pushes(_path(device))) == 1
    assert Delivery.objects.get().status == DeliveryStatus.SENT


def test_a_refused_apprise_url_fails_at_once_and_says_so_on_the_channel(logged):
    channel = _apprise(logged.owner, "nosuchservice://example/token")
    notify.tick(now=EVENING)
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.status_note == "The service refused the notification."
    channel.refresh_from_db()
    assert "does not recognise" in channel.last_error


def test_an_apprise_url_that_cannot_be_decrypted_fails_and_says_so(logged, settings):
    from cryptography.fernet import Fernet

    channel = _apprise(logged.owner, "json://127.0.0.1:9/hook")
    settings.INBOX_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # not rotated
    notify.tick(now=EVENING)
    assert Delivery.objects.get().status == DeliveryStatus.FAILED
    channel.refresh_from_db()
    assert channel.last_error == "The stored URL cannot be read any more; add it again."


def test_one_failing_channel_does_not_block_the_others(logged, push_receiver, http_sink):
    other = log_interview(CandidateFactory(), company="Globex")
    services.plan_application(application_id=other.application.pk, now=PLANNED)
    broken = _device(logged.owner, push_receiver)
    fine = _device(logged.owner, push_receiver)
    theirs = _device(other.owner, push_receiver)
    _apprise(logged.owner, f"json://127.0.0.1:{http_sink.port}/hook")
    push_receiver.answer(_path(broken), 500)

    notify.tick(now=EVENING)
    assert push_receiver.pushes(_path(broken)) == []
    assert len(push_receiver.pushes(_path(fine))) == 1
    assert len(push_receiver.pushes(_path(theirs))) == 1
    assert len(http_sink.requests) == 1


def test_rate_limited_per_device(logged, push_receiver, settings):
    settings.PUSH_BURST, settings.PUSH_REFILL_SECONDS = 2, 600
    device = _device(logged.owner, push_receiver)
    r1 = FollowUp.objects.get(application=logged.application, rule="R1")
    for minute in range(3):
        digest = Digest.objects.create(owner=logged.owner, followup_ids=[r1.pk])
        Delivery.objects.create(digest=digest, owner=logged.owner, device=device,
                                due_at=EVENING)
        notify.dispatch_deliveries(now=EVENING + timedelta(minutes=minute))
    assert len(push_receiver.pushes(_path(device))) == 2
    waiting = Delivery.objects.get(status=DeliveryStatus.PENDING)
    # One token back 600 s after the bucket was last taken from, counted from then.
    assert waiting.retry_at == EVENING + timedelta(minutes=2) + timedelta(
        seconds=600 - 2 * 60)
    assert waiting.attempts == 0

    notify.dispatch_deliveries(now=waiting.retry_at)
    assert len(push_receiver.pushes(_path(device))) == 3


# --- Apprise ------------------------------------------------------------------------------


def test_apprise_json_to_a_local_sink(logged, http_sink):
    channel = _apprise(logged.owner, f"json://127.0.0.1:{http_sink.port}/hook")
    notify.tick(now=EVENING)
    (request,) = http_sink.requests
    body = request.json()
    assert request.path == "/hook"
    assert body["title"] == "3 follow-ups to do"
    assert "Thank the 2 people you met (Product Manager at Acme Analytics)" in body["message"]
    assert "http://testserver/" in body["message"]
    channel.refresh_from_db()
    assert channel.last_sent_at == EVENING
    assert Delivery.objects.get().status == DeliveryStatus.SENT


def test_apprise_ntfy_to_a_local_sink(logged, http_sink):
    _apprise(logged.owner, f"ntfy://127.0.0.1:{http_sink.port}/followups")
    notify.tick(now=EVENING)
    (request,) = http_sink.requests
    body = request.json()  # ntfy's JSON publishing, to the server's root
    assert (request.path, body["topic"], body["title"]) == ("/", "followups",
                                                             "3 follow-ups to do")
    assert body["message"].splitlines()[:3] == [
        f"- {RULES['R1'].title} (Product Manager at Acme Analytics)",
        "- Thank the 2 people you met (Product Manager at Acme Analytics)",
        f"- {RULES['R13'].title} (Product Manager at Acme Analytics)",
    ]
    assert body["message"].endswith(
        "Open Follow-up: http://testserver" + reverse("debrief", args=[logged.interview.pk])
    )
    # Apprise's default would have ntfy fetch a logo from elsewhere on the internet.
    assert not {name.lower() for name in request.headers} & {"x-icon", "x-attach"}


def test_a_failing_apprise_sink_is_retried(logged, http_sink):
    _apprise(logged.owner, f"json://127.0.0.1:{http_sink.port}/hook")
    http_sink.status = 503
    notify.tick(now=EVENING)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert delivery.retry_at == EVENING + services.BACKOFF[0]
    http_sink.status = 200
    notify.tick(now=delivery.retry_at)
    assert Delivery.objects.get().status == DeliveryStatus.SENT
    assert len(http_sink.requests) == 2


# --- Email and the other channels ---------------------------------------------------------


def _closed_port() -> int:
    from tests.reminders.conftest import _free_port

    return _free_port()


def test_an_smtp_server_that_is_down_does_not_stop_push(logged, push_receiver, settings):
    device = _device(logged.owner, push_receiver)
    port = _closed_port()
    settings.MAILERS = {"default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 2},
    }}
    with pytest.raises((smtplib.SMTPException, OSError)):
        smtplib.SMTP("127.0.0.1", port, timeout=2)
    assert services.dispatch_due(now=EVENING) == 0  # the email waits for the server
    notify.tick(now=EVENING)
    assert len(push_receiver.pushes(_path(device))) == 1


def test_email_switched_off_leaves_the_rows_due_for_the_other_channels(
    logged, push_receiver, flaky_mailer
):
    device = _device(logged.owner, push_receiver)
    ReminderSettings.objects.create(candidate=logged.owner, email_enabled=False)
    services.dispatch_due(now=EVENING)
    assert mail.outbox == []
    due = FollowUp.objects.filter(due_at__lte=EVENING)
    assert set(due.values_list("status", flat=True)) == {Status.PENDING}
    assert {row.display_state(EVENING) for row in due} == {"due"}
    assert not due.filter(claim_token__isnull=False).exists()

    notify.tick(now=EVENING)
    assert len(push_receiver.pushes(_path(device))) == 1
    # Switched on again, the email goes as before.
    ReminderSettings.objects.filter(candidate=logged.owner).update(email_enabled=True)
    services.dispatch_due(now=EVENING + timedelta(minutes=1))
    assert set(due.values_list("status", flat=True)) == {Status.REMINDED}


def test_the_emails_unsubscribe_link_stops_the_email_and_not_the_push(
    logged, push_receiver, flaky_mailer
):
    device = _device(logged.owner, push_receiver)
    # What a mail client posts for the List-Unsubscribe header (RFC 8058): no CSRF token.
    Client(enforce_csrf_checks=True).post(links.unsubscribe_path(owner_id=logged.owner.pk))

    services.dispatch_due(now=EVENING)
    notify.tick(now=EVENING)

    assert mail.outbox == []
    assert len(push_receiver.pushes(_path(device))) == 1


# --- Two dispatchers at once (PostgreSQL) -------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_at_once_push_each_digest_once_per_device(push_receiver):
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL")
    push_receiver.delay = 0.02
    devices = []
    for n in range(8):
        logged = log_interview(CandidateFactory(), company=f"Company {n}")
        services.plan_application(application_id=logged.application.pk, now=PLANNED)
        devices += [_device(logged.owner, push_receiver), _device(logged.owner, push_receiver)]
    barrier = threading.Barrier(2)
    failures = []

    def worker():
        try:
            barrier.wait()
            notify.tick(now=EVENING)
        except Exception as error:  # reported below
            failures.append(error)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert Digest.objects.count() == 8
    per_device = Counter(p.path for p in push_receiver.pushes())
    assert per_device == Counter({_path(d): 1 for d in devices})
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


# --- The receiver checks what it is sent ----------------------------------------------------


def test_the_receiver_refuses_a_push_signed_with_another_key(logged, push_receiver, settings):
    from core.vapid import generate

    device = _device(logged.owner, push_receiver)
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = generate()
    notify.tick(now=EVENING)
    assert push_receiver.pushes() == []
    assert any("k is not the server's VAPID public key" in e for e in push_receiver.errors)
    delivery = Delivery.objects.get(device=device)
    assert delivery.status == DeliveryStatus.FAILED  # 400: the push service refused it


def test_the_receiver_refuses_a_push_for_another_subscriptions_keys(logged, push_receiver):
    device = _device(logged.owner, push_receiver)
    stranger = push_receiver.subscribe()
    PushDevice.objects.filter(pk=device.pk).update(p256dh=stranger.p256dh)
    notify.tick(now=EVENING)
    assert push_receiver.pushes() == []
    assert push_receiver.errors, "a push encrypted to other keys must not decrypt"


def test_the_admin_shows_neither_a_devices_keys_nor_an_apprise_url(
    admin_client, owner, push_receiver
):
    device = _device(owner, push_receiver)
    channel = _apprise(owner, "ntfys://ntfy.example/secret-topic-123")
    page = admin_client.get(reverse("admin:reminders_pushdevice_change", args=[device.pk]))
    assert page.status_code == 200
    assert device.p256dh not in page.text and device.auth not in page.text
    page = admin_client.get(reverse("admin:reminders_apprisechannel_change", args=[channel.pk]))
    assert page.status_code == 200
    assert "secret-topic-123" not in page.text


def test_the_minute_tick_runs_the_push_task_by_the_real_clock(owner, push_receiver, settings):
    from reminders import tasks
    from tests.reminders.test_integration import _recent_interview

    schedule = {entry["task"]: entry["schedule"]
                for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule["reminders.tasks.notify_task"] == timedelta(minutes=1)
    application = _recent_interview(owner)
    services.plan_application(application_id=application.pk)
    device = _device(owner, push_receiver)
    # Awake all day, whatever the hour this test runs at.
    ReminderSettings.objects.create(candidate=owner, waking_from=time(0), waking_until=time(0))

    assert tasks.notify_task() == 1
    (push,) = push_receiver.pushes(_path(device))
    assert push.payload["title"] == RULES["R1"].title
    assert tasks.notify_task() == 0


def test_email_switched_off_after_the_claim_sends_no_email_and_hands_the_rows_back(
    logged, flaky_mailer, monkeypatch
):
    real = services._claimed_rows

    def read_then_switch_off(batch):
        rows = real(batch)
        ReminderSettings.objects.update_or_create(candidate=logged.owner,
                                                  defaults={"email_enabled": False})
        return rows

    monkeypatch.setattr(services, "_claimed_rows", read_then_switch_off)
    services.dispatch_due(now=EVENING)
    assert mail.outbox == []
    due = FollowUp.objects.filter(due_at__lte=EVENING)
    assert set(due.values_list("status", "attempts", "claim_token")) == {(Status.PENDING, 0,
                                                                          None)}


def test_the_operators_command_sends_what_is_due(logged, push_receiver):
    from io import StringIO

    from django.core.management import call_command

    _device(logged.owner, push_receiver)
    out = StringIO()
    call_command("followups", "notify", "--now", EVENING.isoformat(), stdout=out)
    assert out.getvalue().strip() == "Channels handled: 1."
    assert len(push_receiver.pushes()) == 1


def test_a_claim_still_sending_after_its_budget_hands_the_rest_back(
    logged, push_receiver, monkeypatch
):
    first, second = _device(logged.owner, push_receiver), _device(logged.owner, push_receiver)
    monkeypatch.setattr(services, "SEND_BUDGET", timedelta(0))
    notify.make_digests(now=EVENING)
    assert notify.dispatch_one(now=EVENING) == 2
    assert len(push_receiver.pushes()) == 1
    waiting = Delivery.objects.get(status=DeliveryStatus.PENDING)
    assert (waiting.attempts, waiting.claim_token) == (0, None)
    notify.dispatch_deliveries(now=EVENING)
    assert {p.path for p in push_receiver.pushes()} == {_path(first), _path(second)}
