"""Fixtures of the reminder tests: a logged interview, a flaky mailer and the real servers.

The real servers (Redis, an SMTP sink, a Celery worker) are only started by the tests of
``test_integration.py`` that ask for them.
"""

from __future__ import annotations

import logging
import os
import smtplib
import socket
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from interviews import services as interview_services
from interviews.models import Application, Candidate, Interview, Interviewer, InterviewerRole

# A Wednesday afternoon in London (GMT in November, so local time is UTC).
INTERVIEW_START = datetime(2026, 11, 18, 14, 0, tzinfo=UTC)
INTERVIEW_END = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)


@dataclass
class Logged:
    """An application with one interview and the two people met there."""

    owner: Candidate
    application: Application
    interview: Interview
    ada: Interviewer  # complete contact details
    grace: Interviewer  # no email: R13 applies


def log_interview(
    owner: Candidate, *, company: str = "Acme Analytics", later: timedelta = timedelta(0)
) -> Logged:
    """Log an application, an interview and its interviewers through the services.

    The interview is on Wednesday 18 November 2026 at 14:00 UTC, or ``later``.
    """
    application = interview_services.application_create(
        owner=owner, company=company, role_title="Product Manager"
    )
    interview = interview_services.interview_create(
        application=application, round_number=1, format="video",
        starts_at=INTERVIEW_START + later, ends_at=INTERVIEW_END + later,
    )
    ada = interview_services.interviewer_add(
        interview=interview, name="Ada Lovelace", title="CTO", email="ada@acme.example",
        role=InterviewerRole.HIRING_MANAGER, topics="The analytics engine",
    ).interviewer
    grace = interview_services.interviewer_add(
        interview=interview, name="Grace Hopper", title="Engineer", email="",
        role=InterviewerRole.COLLEAGUE,
    ).interviewer
    application.refresh_from_db()
    return Logged(owner, application, interview, ada, grace)


@pytest.fixture
def logged(owner) -> Logged:
    return log_interview(owner)


# --- A mail backend that fails on demand ---------------------------------------------------


class FlakyMailer(BaseEmailBackend):
    """Delivers to ``mail.outbox`` like locmem, or raises the next queued error.

    ``FlakyMailer.errors`` is a list of exceptions raised, one per message, before
    delivering again; ``FlakyMailer.opened`` counts connections.
    """

    errors: list[Exception] = []
    opened = 0

    def open(self):
        type(self).opened += 1
        return True

    def send_messages(self, messages):
        count = 0
        for message in messages:
            message.message()  # header validation, as a real backend would
            if type(self).errors:
                raise type(self).errors.pop(0)
            mail.outbox.append(message)
            count += 1
        return count


@pytest.fixture
def flaky_mailer(settings, mailoutbox):
    FlakyMailer.errors = []
    FlakyMailer.opened = 0
    settings.MAILERS = {"default": {"BACKEND": "tests.reminders.conftest.FlakyMailer"}}
    yield FlakyMailer
    FlakyMailer.errors = []


# --- Real servers (test_integration.py) ---------------------------------------------------

REDIS_URL = os.environ.get("REMINDERS_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Sink:
    """A real SMTP server (aiosmtpd) on a free port that keeps what it receives.

    ``refuse`` makes it answer every DATA with a temporary error, like a server that is
    shutting down; ``stop()`` and ``start()`` take it off the network and back.
    """

    port: int = field(default_factory=_free_port)
    messages: list[EmailMessage] = field(default_factory=list)
    refuse: str | None = None
    controller: object | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return self.refuse
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        parsed["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        with self.lock:
            self.messages.append(parsed)
        return "250 Message accepted"

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def mailers(self) -> dict:
        return {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": self.port, "timeout": 5},
            }
        }

    def is_listening(self) -> bool:
        try:
            smtplib.SMTP("127.0.0.1", self.port, timeout=2).quit()
        except OSError:
            return False
        return True


@pytest.fixture
def smtp_sink(settings):
    # aiosmtpd logs every SMTP command at INFO: thousands of lines per test.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    sink = Sink()
    sink.start()
    settings.MAILERS = sink.mailers()
    yield sink
    sink.stop()


# --- Push and Apprise (test_notify.py) ----------------------------------------------------

VAPID_SUBJECT = "mailto:push-tests@example.com"


@pytest.fixture
def vapid(settings):
    """A VAPID key pair of the test's own, and outbound requests to 127.0.0.1 allowed."""
    from core.vapid import generate

    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = generate()
    settings.VAPID_SUBJECT = VAPID_SUBJECT
    settings.OUTBOUND_ALLOW_PRIVATE = True
    return settings


@pytest.fixture
def push_receiver(vapid):
    """A Web Push receiver on 127.0.0.1 (tests/reminders/push_receiver.py)."""
    from tests.reminders.push_receiver import PushReceiver

    receiver = PushReceiver(vapid_public_key=vapid.VAPID_PUBLIC_KEY,
                            vapid_subject=VAPID_SUBJECT).start()
    yield receiver
    receiver.stop()


@pytest.fixture
def http_sink(vapid):
    """An HTTP server on 127.0.0.1 that keeps what Apprise posts to it."""
    from tests.reminders.push_receiver import HttpSink

    sink = HttpSink().start()
    yield sink
    sink.stop()
