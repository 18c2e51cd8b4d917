"""The reminder engine with its real parts: PostgreSQL, Redis, a Celery worker, an SMTP server.

These tests commit (``transaction=True``) so that the worker, the other dispatchers and the
killed process see the rows. They need PostgreSQL (``DATABASE_URL=postgres://…``) and Redis
on 127.0.0.1:6379 (database 5, flushed around each test). Without them they are skipped on a
workstation, and they fail in CI (``CI`` set), where a skip would hide that they never ran.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/followup .venv/bin/pytest \\
        tests/reminders/test_integration.py
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from core.env import broker_transport_options
from followup_site.celery import app as celery_app
from interviews.models import (
    Application,
    Attendance,
    Candidate,
    Interview,
    Interviewer,
    StatusChange,
)
from reminders import services, tasks
from reminders.models import FollowUp, Status
from reminders.rules import RULES
from tests.reminders.conftest import REDIS_URL, log_interview

BASE_DIR = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)

# The fixed scenario of the dispatch tests: an interview on a Wednesday afternoon in London,
# dispatched that evening, when its thank-you duties and the debrief are due.
INTERVIEW_START = datetime(2026, 11, 18, 14, 0, tzinfo=UTC)
EVENING = datetime(2026, 11, 18, 18, 5, tzinfo=UTC)


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what}: CI must run the integration tests, not skip them.", pytrace=False)
    pytest.skip(what)


@pytest.fixture(autouse=True)
def _postgresql():
    if connection.vendor != "postgresql":
        _missing("needs PostgreSQL: set DATABASE_URL=postgres://…")


@pytest.fixture
def redis_db():
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        _missing(f"needs Redis at {REDIS_URL}")
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@contextmanager
def running_worker():
    """A real Celery worker, in a thread of this process, consuming from Redis.

    It shares this process's settings, so it uses the test database and the SMTP sink.
    Yields the list of the names of the tasks it finished, in order.
    """
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun

    finished: list[str] = []

    def after_task(task=None, **kwargs):
        finished.append(task.name)
        # The worker thread opens its own connections; left open they would block the
        # test database's teardown.
        connections.close_all()

    task_postrun.connect(after_task, weak=False)
    try:
        with using_redis(), start_worker(
            celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING",
            shutdown_timeout=30,
        ):
            yield finished
    finally:
        task_postrun.disconnect(after_task)


def using_redis():
    """Send tasks to the Redis test database instead of running them eagerly."""
    return broker(REDIS_URL)


@contextmanager
def broker(url: str):
    """Send tasks to the broker at ``url`` for real (not eagerly), as a web process does."""
    conf = celery_app.conf
    saved = conf.broker_url, conf.task_always_eager, conf.broker_transport_options
    # Celery reads the CELERY_BROKER_URL environment variable (CI sets it) before its
    # configuration, so the variable is switched too.
    saved_env = os.environ.get("CELERY_BROKER_URL")
    os.environ["CELERY_BROKER_URL"] = url
    # The transport options follow the URL as the settings make them (a redis broker that
    # is down is given up on at once), whatever broker the run was started with.
    conf.broker_url, conf.task_always_eager = url, False
    conf.broker_transport_options = broker_transport_options(url, settings.DATA_DIR)
    _forget_broker_connections()
    try:
        yield
    finally:
        conf.broker_url, conf.task_always_eager, conf.broker_transport_options = saved
        if saved_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = saved_env
        _forget_broker_connections()


def _forget_broker_connections() -> None:
    # Even eager tasks take a producer from the pool, so earlier tests left one connected
    # to the default broker. This is what Celery itself does after a fork.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def worker(redis_db, smtp_sink):
    with running_worker() as started:
        yield started


def _wait_for(condition, *, timeout: float = 30, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def _dispatch(now: datetime) -> str:
    out = StringIO()
    call_command("followups", "dispatch", "--now", now.isoformat(), stdout=out)
    return out.getvalue().strip()


def _recent_interview(owner, *, company: str = "Acme Analytics"):
    """An interview (nobody recorded yet) that ended 90 minutes ago, by the real clock.

    The worker plans with the real clock, so its debrief reminder (R1, an hour after the
    end) is due half an hour ago, and nothing else is due yet.
    """
    from interviews import services as interview_services

    application = interview_services.application_create(
        owner=owner, company=company, role_title="Product Manager"
    )
    ended = timezone.now().replace(microsecond=0) - timedelta(minutes=90)
    interview_services.interview_create(
        application=application, round_number=1, format="video",
        starts_at=ended - timedelta(hours=1), ends_at=ended,
    )
    return application


def _planning_fails_in_the_request(monkeypatch) -> None:
    """Planning fails in this thread, the web request's, and works on the worker's."""
    real = services.plan_application
    request_thread = threading.current_thread()

    def plan_application(**kwargs):
        if threading.current_thread() is request_thread:
            raise RuntimeError("planning failed in the request")
        return real(**kwargs)

    monkeypatch.setattr(services, "plan_application", plan_application)


# --- Logged → planned on the worker → emailed through a real SMTP server -----------------


def test_a_logged_interview_is_planned_by_the_worker_and_reminded_at_the_smtp_server(
    owner, worker, smtp_sink, monkeypatch
):
    # A change is planned in its own request (test_plan_now.py); when that fails, the
    # request enqueues the planning task, which the worker runs.
    _planning_fails_in_the_request(monkeypatch)
    application = _recent_interview(owner)

    r1 = _wait_for(
        lambda: FollowUp.objects.filter(application=application, rule="R1").first(),
        what="the worker to plan the interview",
    )
    assert r1.status == Status.PENDING
    _wait_for(lambda: "reminders.tasks.plan_application_task" in worker,
              what="the planning task to end")

    tasks.dispatch_due_task.delay()  # as beat's minute tick does
    _wait_for(lambda: smtp_sink.messages, what="the reminder at the SMTP server")
    _wait_for(lambda: "reminders.tasks.dispatch_due_task" in worker, what="the task to end")

    (message,) = smtp_sink.messages
    assert message["To"] == "owner@example.com"
    assert message["X-Envelope-To"] == "owner@example.com"
    assert message["Subject"] == "Debrief while it is fresh (Acme Analytics)"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for body in (text, html):
        assert "Debrief while it is fresh" in body
        assert "Write down what happened within the hour" in body
        assert RULES["R1"].why in body and RULES["R1"].article in body  # the advice behind it
        assert "Product Manager at Acme Analytics" in body
        for action in ("done", "snooze", "dismiss"):
            assert f"/r/{action}/" in body
    r1.refresh_from_db()
    assert r1.status == Status.REMINDED

    # Beat keeps ticking: nothing more is sent.
    done = len(worker)
    for _ in range(4):
        tasks.dispatch_due_task.delay()
    tasks.plan_all_task.delay()
    _wait_for(lambda: len(worker) == done + 5, what="the worker to run the ticks")
    assert len(smtp_sink.messages) == 1
    assert worker.count("reminders.tasks.dispatch_due_task") == 5


def test_dispatch_run_five_times_sends_one_email(owner, smtp_sink):
    logged = log_interview(owner)
    services.plan_application(application_id=logged.application.pk, now=EVENING)

    outputs = [_dispatch(EVENING + timedelta(seconds=second)) for second in range(5)]

    assert outputs == ["Candidates handled: 1."] + ["Candidates handled: 0."] * 4
    (message,) = smtp_sink.messages
    text = message.get_body(("plain",)).get_content()
    assert "Send a thank-you email — for Ada Lovelace" in text
    assert "Send a thank-you email — for Grace Hopper" in text
    assert "Complete the contact details — for Grace Hopper" in text
    assert "[late: was due Wed 18 Nov, 16:00]" in text  # R1, two hours ago
    assert FollowUp.objects.filter(status=Status.REMINDED).count() == 6


# --- Concurrency ----------------------------------------------------------------------------


USERS = 250
INTERVIEWS_PER_USER = 2
PEOPLE_PER_INTERVIEW = 3  # none with an email: R1 + 3 × (R2, R3, R13) = 10 due per interview


def _seed_due_rows() -> int:
    """250 candidates with 20 due follow-ups each (5,000), planned by the real planner."""
    candidates = Candidate.objects.bulk_create(
        Candidate(email=f"load{n}@example.com", time_zone="Europe/London", country="GB",
                  email_verified=True)
        for n in range(USERS)
    )
    applications = Application.objects.bulk_create(
        Application(owner=c, company=f"Company {n}", role_title="Engineer",
                    status="interviewing", created_at=INTERVIEW_START - timedelta(days=10))
        for n, c in enumerate(candidates)
    )
    StatusChange.objects.bulk_create(
        StatusChange(application=a, to_status="interviewing", changed_at=a.created_at)
        for a in applications
    )
    interviews = Interview.objects.bulk_create(
        Interview(application=a, round_number=1, starts_at=INTERVIEW_START,
                  ends_at=INTERVIEW_START + timedelta(hours=1),
                  created_at=INTERVIEW_START - timedelta(days=5))
        for a in applications
        for _ in range(INTERVIEWS_PER_USER)
    )
    people = Interviewer.objects.bulk_create(
        Interviewer(application=i.application, name=f"Person {n}", title="Engineer")
        for i in interviews
        for n in range(PEOPLE_PER_INTERVIEW)
    )
    Attendance.objects.bulk_create(
        Attendance(interview=interviews[n // PEOPLE_PER_INTERVIEW], interviewer=person)
        for n, person in enumerate(people)
    )
    services.plan_all(now=EVENING)
    return FollowUp.objects.filter(due_at__lte=EVENING, status=Status.PENDING).count()


def test_four_concurrent_dispatchers_remind_each_of_5000_rows_exactly_once(
    smtp_sink, monkeypatch
):
    # Claims small enough that the 250 candidates keep all four dispatchers busy at once
    # (the default claim, sized for big ticks, would leave two of them nothing to claim).
    monkeypatch.setattr(services, "CANDIDATES_PER_CLAIM", 50)
    due = _seed_due_rows()
    assert due == 5000
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []
    batches: list[int] = []

    def dispatcher():
        try:
            barrier.wait()
            batches.append(services.dispatch_due(now=EVENING))
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=dispatcher) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)

    assert not errors, errors
    assert sum(batches) == USERS
    assert len(batches) == 4 and min(batches) > 0, f"all four dispatchers worked: {batches}"
    rows = FollowUp.objects.filter(due_at__lte=EVENING)
    assert Counter(rows.values_list("status", flat=True)) == {Status.REMINDED: 5000}
    assert set(rows.values_list("attempts", flat=True)) == {1}, "each row claimed once"
    assert not FollowUp.objects.filter(status=Status.PENDING, due_at__lte=EVENING).exists()
    assert not FollowUp.objects.filter(claim_token__isnull=False).exists()
    # One email per user, and the rows of all emails add up: none sent twice. (A thank-you
    # task lists its rows on lines, each with its own Done link.)
    per_user = Counter(message["X-Envelope-To"] for message in smtp_sink.messages)
    assert len(per_user) == USERS
    assert set(per_user.values()) == {1}
    items = sum(
        message.get_body(("plain",)).get_content().count("/r/done/")
        for message in smtp_sink.messages
    )
    assert items == 5000


# --- Failures -----------------------------------------------------------------------------


def _worker_env() -> dict[str, str]:
    """Environment for a subprocess that must use the test database."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}"
    if db.get("PASSWORD"):
        url += f":{db['PASSWORD']}"
    url += f"@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "followup_site.settings"}


KILLED_AFTER_CLAIMING = """
import os, signal, sys
import django
django.setup()
from datetime import datetime
from reminders import services
batch = services.claim_batch(now=datetime.fromisoformat(sys.argv[1]))
print(len(batch.ids), flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # dies before sending or recording anything
"""


def test_rows_of_a_killed_dispatcher_are_sent_once_after_the_lease(owner, smtp_sink):
    logged = log_interview(owner)
    services.plan_application(application_id=logged.application.pk, now=EVENING)

    killed = subprocess.run(
        [sys.executable, "-c", KILLED_AFTER_CLAIMING, EVENING.isoformat()],
        env=_worker_env(), cwd=BASE_DIR, capture_output=True, text=True, timeout=60,
    )

    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert killed.stdout.strip() == "6"
    assert FollowUp.objects.held(EVENING).count() == 6
    assert _dispatch(EVENING + timedelta(minutes=1)) == "Candidates handled: 0."
    assert not smtp_sink.messages, "the lease still holds"

    after_lease = EVENING + services.LEASE + timedelta(seconds=1)
    assert _dispatch(after_lease) == "Candidates handled: 1."
    assert _dispatch(after_lease + timedelta(minutes=1)) == "Candidates handled: 0."

    assert len(smtp_sink.messages) == 1
    assert FollowUp.objects.filter(status=Status.REMINDED).count() == 6


def test_smtp_server_down_is_retried_with_backoff_then_delivered_once(owner, smtp_sink):
    logged = log_interview(owner)
    services.plan_application(application_id=logged.application.pk, now=EVENING)

    def due():
        return FollowUp.objects.filter(
            application=logged.application, due_at__lte=EVENING
        ).open()

    # 1. The server answers, but refuses the message for now (shutting down).
    smtp_sink.refuse = "421 4.3.2 Service shutting down"
    _dispatch(EVENING)
    assert {(r.status, r.attempts, r.retry_at) for r in due()} == {
        (Status.PENDING, 1, EVENING + services.BACKOFF[0])
    }
    assert all("421" in row.last_error for row in due())

    # 2. The server is gone: nothing is claimed, no attempt is used up.
    smtp_sink.stop()
    assert not smtp_sink.is_listening()
    assert _dispatch(EVENING + timedelta(minutes=2)) == "Candidates handled: 0."
    assert {(r.status, r.attempts) for r in due()} == {(Status.PENDING, 1)}

    # 3. It is back: delivered once, and the next ticks send nothing more.
    smtp_sink.refuse = None
    smtp_sink.start()
    assert _dispatch(EVENING + timedelta(minutes=3)) == "Candidates handled: 1."
    assert _dispatch(EVENING + timedelta(minutes=4)) == "Candidates handled: 0."

    assert len(smtp_sink.messages) == 1
    assert {(r.status, r.attempts, r.last_error) for r in due()} == {(Status.REMINDED, 2, "")}


def test_a_flushed_broker_loses_no_reminder(owner, redis_db, smtp_sink, monkeypatch):
    # Planning in the request fails and there is no worker yet: the plan task waits in
    # Redis, with a dispatch tick behind it.
    _planning_fails_in_the_request(monkeypatch)
    with using_redis():
        application = _recent_interview(owner)
        tasks.dispatch_due_task.delay()
    # The plan task(s) of the interview (and of its status change), then the tick.
    assert redis_db.llen("celery") >= 2

    redis_db.flushdb()  # the broker loses everything queued

    assert not FollowUp.objects.filter(application=application).exists()
    # Beat's next ticks, on a worker: the hourly sweep plans, the minute tick sends.
    with running_worker() as finished:
        tasks.plan_all_task.delay()
        tasks.dispatch_due_task.delay()
        _wait_for(lambda: len(finished) == 2, what="the worker to run both ticks")

    (message,) = smtp_sink.messages
    assert message["Subject"] == "Debrief while it is fresh (Acme Analytics)"
    assert FollowUp.objects.get(application=application, rule="R1").status == Status.REMINDED
