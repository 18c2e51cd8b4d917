"""A killed worker resends at most the email it was sending (issue 10.2).

1. A real dispatcher process is SIGKILLed in the middle of a batch; after the lease a
   second dispatcher finishes it. Duplicates are counted at the real SMTP sink (aiosmtpd):
   at most one.
2. The dispatcher's PostgreSQL backend is terminated (``pg_terminate_backend`` from another
   connection, as a restart or failover would) right after the SMTP server accepted an
   email: the dispatcher reconnects on its own, records that email, hands the rest of the
   claim back at once and goes on in the same run: nothing is sent twice, nothing waits for
   the lease.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.core.mail.backends.smtp import EmailBackend
from django.db import connection

from interviews.models import Application, Attendance, Candidate, Interview, Interviewer
from reminders import services
from reminders.models import FollowUp, Status
from tests.reminders.test_integration import (
    BASE_DIR,
    EVENING,
    INTERVIEW_START,
    _dispatch,
    _wait_for,
    _worker_env,
)

USERS = 120
DUE_EACH = 4  # R1, and R2, R3 and R13 for the one person met, who left no email


def _seed(users: int = USERS) -> int:
    """``users`` candidates with one interview this afternoon each, planned for real."""
    candidates = Candidate.objects.bulk_create(
        Candidate(email=f"crash{n}@example.com", time_zone="Europe/London", country="GB",
                  email_verified=True)
        for n in range(users)
    )
    applications = Application.objects.bulk_create(
        Application(owner=c, company=f"Company {n}", role_title="Engineer",
                    status="interviewing")
        for n, c in enumerate(candidates)
    )
    interviews = Interview.objects.bulk_create(
        Interview(application=a, round_number=1, starts_at=INTERVIEW_START,
                  ends_at=INTERVIEW_START + timedelta(hours=1))
        for a in applications
    )
    people = Interviewer.objects.bulk_create(
        Interviewer(application=i.application, name=f"Person {n}", title="Engineer")
        for n, i in enumerate(interviews)
    )
    Attendance.objects.bulk_create(
        Attendance(interview=i, interviewer=p) for i, p in zip(interviews, people, strict=True)
    )
    services.plan_all(now=EVENING)
    return FollowUp.objects.filter(due_at__lte=EVENING, status=Status.PENDING).count()

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql():
    from tests.reminders.test_integration import _missing

    if connection.vendor != "postgresql":
        _missing("needs PostgreSQL: set DATABASE_URL=postgres://…")


def _duplicates(sink) -> int:
    per_user = Counter(message["X-Envelope-To"] for message in sink.messages)
    return sum(count - 1 for count in per_user.values())


DISPATCHER = """
import sys
import django
django.setup()
from datetime import datetime
from reminders import services
print(services.dispatch_due(now=datetime.fromisoformat(sys.argv[1])), flush=True)
"""


def test_a_dispatcher_killed_mid_batch_resends_at_most_the_email_in_flight(smtp_sink):
    assert _seed() == USERS * DUE_EACH
    slow = smtp_sink.handle_DATA

    async def a_little_slow(server, session, envelope):
        await asyncio.sleep(0.01)  # so that the kill lands mid-batch, with emails in flight
        return await slow(server, session, envelope)

    smtp_sink.handle_DATA = a_little_slow
    env = {**_worker_env(), "EMAIL_URL": f"smtp://127.0.0.1:{smtp_sink.port}"}
    process = subprocess.Popen(
        [sys.executable, "-c", DISPATCHER, EVENING.isoformat()], env=env, cwd=BASE_DIR,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        _wait_for(lambda: len(smtp_sink.messages) >= 30, timeout=60, what="30 emails sent")
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    killed_after = len(smtp_sink.messages)
    assert killed_after < USERS, "killed before the batch was done"

    # The next dispatchers: within the lease the killed one's rows wait; after it, the rows
    # it had accepted are recorded as sent and the others are sent once.
    _dispatch(EVENING + timedelta(minutes=1))
    _dispatch(EVENING + services.LEASE + timedelta(seconds=1))

    rows = FollowUp.objects.filter(due_at__lte=EVENING)
    assert Counter(rows.values_list("status", flat=True)) == {Status.REMINDED: USERS * DUE_EACH}
    assert len({m["X-Envelope-To"] for m in smtp_sink.messages}) == USERS
    assert _duplicates(smtp_sink) <= 1, f"{_duplicates(smtp_sink)} emails sent twice"


class TerminatedAfter(EmailBackend):
    """The real SMTP backend; after the ``kill_at``-th accepted email, the dispatcher's own
    PostgreSQL backend is terminated from another connection."""

    kill_at = 3
    sent = 0
    terminated_pid: int | None = None

    def send_messages(self, messages):
        count = super().send_messages(messages)
        type(self).sent += count
        if type(self).sent == self.kill_at:
            import psycopg

            pid = connection.connection.info.backend_pid
            settings = connection.settings_dict
            with psycopg.connect(host=settings["HOST"] or "127.0.0.1",
                                 port=settings["PORT"] or 5432, user=settings["USER"],
                                 password=settings["PASSWORD"] or None,
                                 dbname=settings["NAME"], autocommit=True) as other:
                other.execute("SELECT pg_terminate_backend(%s)", [pid])
            type(self).terminated_pid = pid
            time.sleep(0.2)
        return count


def test_postgresql_gone_mid_dispatch_sends_nothing_twice_and_hands_the_rest_back_at_once(
    smtp_sink, settings
):
    assert _seed() == USERS * DUE_EACH
    TerminatedAfter.sent, TerminatedAfter.terminated_pid = 0, None
    settings.MAILERS = {"default": {
        **smtp_sink.mailers()["default"],
        "BACKEND": "tests.reminders.test_crashes.TerminatedAfter",
    }}

    # One run of the minute tick, on a database connection that dies after email 3.
    handled = services.dispatch_due(now=EVENING)

    assert TerminatedAfter.terminated_pid is not None, "the backend was terminated"
    assert connection.connection.info.backend_pid != TerminatedAfter.terminated_pid
    assert handled >= USERS - 3, "the run went on after the database came back"
    # Whatever the first run did not reach, the next tick sends: no lease to wait for.
    _dispatch(EVENING + timedelta(seconds=30))
    rows = FollowUp.objects.filter(due_at__lte=EVENING)
    assert Counter(rows.values_list("status", flat=True)) == {Status.REMINDED: USERS * DUE_EACH}
    assert not FollowUp.objects.filter(claim_token__isnull=False).exists()
    assert len(smtp_sink.messages) == USERS
    assert _duplicates(smtp_sink) == 0
