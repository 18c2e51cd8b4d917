"""Real SMTP delivery to the forwarding server (the controller ``manage.py inbound_smtpd``
runs, on a free loopback port): what it accepts is stored once, what it refuses is refused
at SMTP time and nothing is stored."""

from __future__ import annotations

import os
import signal
import smtplib
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection, connections

from inbox import services, tasks
from inbox.models import ReceivedMessage, Source
from inbox.smtpd import RateLimiter, make_controller, stop, token_of
from tests.inbox import hostile
from tests.inbox.conftest import make_email, make_ics

DOMAIN = "in.followup.test"

pytestmark = pytest.mark.django_db(transaction=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(settings):
    settings.INBOUND_DOMAIN = DOMAIN
    settings.INBOX_MAX_BYTES = 50_000
    settings.INBOUND_RATE_PER_HOUR = 3
    controller = make_controller(host="127.0.0.1", port=free_port(), domain=DOMAIN)
    controller.start()
    yield controller
    stop(controller)


def address_of(owner) -> str:
    return services.full_address(services.inbound_address_for(owner))


def send(server, rcpt: str, raw: bytes, *, mail_options=()):
    with smtplib.SMTP(server.hostname, server.port, timeout=10) as client:
        client.ehlo("sender.example")
        return client.sendmail("priya.raman@northwind.io", [rcpt], raw, mail_options)


def test_forwarded_mail_is_stored_once_for_the_tokens_owner(server, owner, application):
    rcpt = address_of(owner)
    assert send(server, rcpt, make_email(ics=make_ics())) == {}
    send(server, rcpt, make_email(ics=make_ics()))  # the same Message-ID again
    assert tasks.parse_pending_task() == 1  # the worker reads what the server stored
    message = ReceivedMessage.objects.get()
    assert (message.owner, message.source) == (owner, Source.SMTP)
    assert message.application == application
    assert message.invites.count() == 1


def test_unknown_and_revoked_tokens_are_refused_with_550(server, owner):
    old = address_of(owner)
    services.inbound_address_regenerate(owner=owner)
    for rcpt in (old, f"in+nosuchtoken1234@{DOMAIN}", "someone@elsewhere.example"):
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            send(server, rcpt, make_email())
        code, _ = refused.value.recipients[rcpt]
        assert code == 550
    assert not ReceivedMessage.objects.exists()


def test_over_size_is_refused_with_552_by_SIZE_and_at_DATA(server, owner):
    rcpt = address_of(owner)
    big = make_email(body=("x" * 70 + "\n") * 900)
    with smtplib.SMTP(server.hostname, server.port, timeout=10) as client:
        client.ehlo("sender.example")
        assert int(client.esmtp_features["size"]) == 50_000
        code, _ = client.mail("a@b.example", [f"SIZE={len(big)}"])
        assert code == 552
    with pytest.raises(smtplib.SMTPResponseException) as refused:
        send(server, rcpt, big)  # sendmail announces SIZE itself: refused at MAIL
    assert refused.value.smtp_code == 552
    with smtplib.SMTP(server.hostname, server.port, timeout=10) as client:
        client.helo("old.sender.example")  # no ESMTP, no SIZE: refused at DATA
        client.mail("a@b.example")
        client.rcpt(rcpt)
        code, _ = client.data(big)
        assert code == 552
    assert not ReceivedMessage.objects.exists()


def test_a_full_account_is_deferred_with_452_at_RCPT_and_at_DATA(server, owner, settings):
    rcpt = address_of(owner)
    first = make_email(message_id="<q1@x>")
    settings.INBOX_QUOTA_BYTES = len(first) + 10
    assert send(server, rcpt, first) == {}
    # Room left at RCPT, but this message would go over the quota: deferred at DATA.
    with smtplib.SMTP(server.hostname, server.port, timeout=10) as client:
        client.ehlo("sender.example")
        client.mail("a@b.example")
        client.rcpt(rcpt)
        code, _ = client.data(make_email(message_id="<q2@x>"))
        assert code == 452
    settings.INBOX_QUOTA_BYTES = len(first)  # now full: deferred at RCPT already
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        send(server, rcpt, make_email(message_id="<q3@x>"))
    assert refused.value.recipients[rcpt][0] == 452
    assert ReceivedMessage.objects.count() == 1


def test_each_token_is_rate_limited_with_a_4xx(server, owner):
    rcpt = address_of(owner)
    for n in range(3):
        send(server, rcpt, make_email(message_id=f"<r{n}@x>"))
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        send(server, rcpt, make_email(message_id="<r3@x>"))
    assert refused.value.recipients[rcpt][0] == 451
    assert ReceivedMessage.objects.count() == 3


def test_a_token_only_ever_files_into_its_own_account(server, owner, outsider, application):
    send(server, address_of(outsider), make_email())
    message = ReceivedMessage.objects.get()
    assert message.owner == outsider
    assert message.application is None  # the owner's matching application is not theirs


def test_unreadable_mail_is_refused_at_DATA(server, owner):
    with smtplib.SMTP(server.hostname, server.port, timeout=10) as client:
        client.ehlo("sender.example")
        client.mail("a@b.example")
        client.rcpt(address_of(owner))
        code, _ = client.data(b"\r\n\r\n")
    assert code >= 500
    assert not ReceivedMessage.objects.exists()


def test_token_of_reads_only_our_domain():
    assert token_of("<IN+abcd2345efgh@In.Followup.Test>", DOMAIN) == "abcd2345efgh"
    assert token_of("in+abcd2345efgh@other.test", DOMAIN) is None
    assert token_of("out+abcd2345efgh@in.followup.test", DOMAIN) is None


def test_rate_limiter_window_slides():
    limiter = RateLimiter(2, window=60)
    assert limiter.allow("t", now=0) and limiter.allow("t", now=1)
    assert not limiter.allow("t", now=2)
    assert limiter.allow("t", now=61)


# --- The server never reads a message (issue 16, section 2) ---------------------------------


@pytest.fixture
def roomy_server(settings):
    """The server with the default 10 MB limit and room for many messages an hour."""
    settings.INBOUND_DOMAIN = DOMAIN
    settings.INBOX_MAX_BYTES = 11 * 1024 * 1024
    settings.INBOUND_RATE_PER_HOUR = 1_000
    controller = make_controller(host="127.0.0.1", port=free_port(), domain=DOMAIN)
    controller.start()
    yield controller
    stop(controller)


def test_the_server_stores_unread_and_the_worker_reads_even_with_eager_tasks(
    server, owner, application
):
    assert send(server, address_of(owner), make_email(ics=make_ics())) == {}
    message = ReceivedMessage.objects.get()
    assert message.parsed_at is None and message.application is None  # stored, not read
    assert services.parse_one() is True
    message.refresh_from_db()
    assert message.parsed_at is not None and not message.unreadable
    assert (message.kind, message.application) == ("invitation", application)
    assert message.invites.count() == 1
    assert services.parse_one() is False  # nothing left to read


def test_a_message_without_message_id_twice_is_kept_once(server, owner):
    raw = make_email(message_id=None)
    send(server, address_of(owner), raw)
    send(server, address_of(owner), raw)
    assert ReceivedMessage.objects.count() == 1


def test_hostile_mail_is_accepted_at_once_and_kept_with_what_could_not_be_read(roomy_server, owner):
    rcpt = address_of(owner)
    for raw in (hostile.long_content_type(), hostile.split_boundary(), hostile.time_zone_bomb()):
        assert send(roomy_server, rcpt, raw) == {}
    assert not ReceivedMessage.objects.filter(parsed_at__isnull=False).exists()
    assert tasks.parse_pending_task() == 3
    rows = {m.message_id: m for m in ReceivedMessage.objects.all()}
    assert "Content-Type header is over 8 KB" in rows["<long-ct@northwind.io>"].unreadable
    assert "parts" in rows["<split@northwind.io>"].unreadable
    bomb = rows["<bomb@northwind.io>"]
    assert bomb.parsed_at is not None
    assert bomb.unreadable or bomb.problems  # read without its calendar, and says so


def test_fifty_senders_are_answered_while_hostile_mail_is_read(roomy_server, owner, outsider):
    """Hostile mail arrives first; then 50 concurrent senders, while a worker thread reads
    the hostile mail (within the parse budget): every sender is answered, every message kept."""
    rcpt, hostile_rcpt = address_of(outsider), address_of(owner)
    # Stored before, read by the worker while the senders send (no check refuses it).
    services.store(owner=owner, raw=hostile.newlines(), source=Source.SMTP)
    delivered = threading.Event()
    barrier = threading.Barrier(50)
    outcomes: list[object] = []
    hostile_replies: list[int] = []

    def attacker() -> None:
        with smtplib.SMTP(roomy_server.hostname, roomy_server.port, timeout=60) as client:
            client.ehlo("attacker.example")
            for raw in (hostile.long_content_type(), hostile.time_zone_bomb()):
                client.mail("a@b.example")
                client.rcpt(hostile_rcpt)
                assert client.docmd("DATA")[0] == 354
                client.send(raw + b".\r\n")  # each builder ends its lines with CRLF
                delivered.set()  # the senders start while the server has it
                hostile_replies.append(client.getreply()[0])

    def sender(n: int) -> None:
        delivered.wait(timeout=60)
        barrier.wait()
        try:
            with smtplib.SMTP(roomy_server.hostname, roomy_server.port, timeout=20) as client:
                client.ehlo("sender.example")
                refused = client.sendmail(
                    "a@b.example", [rcpt], make_email(message_id=f"<fifty-{n}@x>")
                )
            outcomes.append(refused)
        except (smtplib.SMTPException, OSError) as error:
            outcomes.append(error)

    def worker() -> None:
        try:
            while not done.is_set():
                if not services.parse_one():
                    time.sleep(0.05)
        finally:
            connections.close_all()

    done = threading.Event()
    threads = [threading.Thread(target=worker), threading.Thread(target=attacker)]
    threads += [threading.Thread(target=sender, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads[1:]:
        thread.join()
    while services.parse_one():
        pass
    done.set()
    threads[0].join()
    assert outcomes == [{}] * 50
    assert hostile_replies == [250, 250]
    assert ReceivedMessage.objects.filter(owner=outsider).count() == 50
    assert not ReceivedMessage.objects.filter(parsed_at__isnull=True).exists()
    assert ReceivedMessage.objects.filter(owner=owner).exclude(unreadable="").exists()


def test_rcpt_without_data_does_not_count_toward_the_hourly_limit(server, owner):
    rcpt = address_of(owner)  # INBOUND_RATE_PER_HOUR is 3 here
    with smtplib.SMTP(server.hostname, server.port, timeout=10) as client:
        client.ehlo("sender.example")
        for _ in range(10):
            client.mail("a@b.example")
            assert client.rcpt(rcpt)[0] == 250
            client.rset()
    for n in range(3):
        assert send(server, rcpt, make_email(message_id=f"<real-{n}@x>")) == {}
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        send(server, rcpt, make_email(message_id="<real-3@x>"))
    assert refused.value.recipients[rcpt][0] == 451
    assert ReceivedMessage.objects.count() == 3


def _database_url() -> str:
    """The test database, for a server started as its own process."""
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{database['NAME']}"
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    return (
        f"postgres://{database['USER']}{password}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )


def test_the_server_process_stops_on_sigterm_right_after_hostile_mail(owner, tmp_path, settings):
    settings.INBOUND_DOMAIN = DOMAIN
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "INBOUND_DOMAIN": DOMAIN,
        "DATA_DIR": os.environ.get("DATA_DIR", str(tmp_path)),
        "CELERY_BROKER_URL": "memory://",
    }
    process = subprocess.Popen(
        [sys.executable, "manage.py", "inbound_smtpd", "--host", "127.0.0.1", "--port", str(port)],
        cwd=Path(__file__).resolve().parents[2],  # where manage.py is
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert "Receiving mail" in process.stdout.readline()
        rcpt = address_of(owner)
        with smtplib.SMTP("127.0.0.1", port, timeout=20) as client:
            client.ehlo("sender.example")
            assert client.sendmail("a@b.example", [rcpt], hostile.long_content_type()) == {}
        # Hostile mail of another sender is halfway through DATA when the signal comes.
        client = smtplib.SMTP("127.0.0.1", port, timeout=20)
        client.ehlo("sender.example")
        client.mail("a@b.example")
        client.rcpt(rcpt)
        assert client.docmd("DATA")[0] == 354
        client.send(hostile.long_content_type()[:100_000])
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=8) == 0
        client.close()
        assert "Stopped." in process.stdout.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert ReceivedMessage.objects.filter(owner=owner, parsed_at__isnull=True).count() == 1
