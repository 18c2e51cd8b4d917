"""The IMAP client is bounded and pinned (issue 16, section 3), against real sockets:

- a message over INBOX_MAX_BYTES is never downloaded: asked for its size first, it is
  recorded in the Inbox as too large; a server that announces a small message and sends a
  300 MB literal is cut off before the literal is read; memory stays bounded either way;
- the whole connection has a deadline: a greeting sent a byte at a time is cut off;
- a far end that is not IMAP (an SSH server) is "not an IMAP server", its banner never shown;
- the host name is resolved once: the connection goes to the address that was checked,
  never to a second lookup's answer (DNS rebinding), and TLS is still verified against
  the host name (Dovecot with a throwaway certificate).
"""

from __future__ import annotations

import ipaddress
import socket
import sys
import tracemalloc

import pytest
from django.urls import reverse

from inbox import mailbox
from inbox.models import MailboxConnection, ReceivedMessage, Security, Source
from tests.inbox.conftest import make_email
from tests.inbox.dovecot import start_dovecot
from tests.inbox.imap_fakes import FakeImap, FakeMessage, message

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
HUGE = 300 * MB
SSH_BANNER = b"SSH-2.0-OpenSSH_9.6p1 Debian-3 internal-host-db7.corp.example\r\n"


@pytest.fixture(autouse=True)
def loopback_allowed(settings):
    """The scripted servers listen on loopback, as a developer's own server would."""
    settings.INBOX_IMAP_ALLOW_PRIVATE = True
    settings.INBOX_MAX_BYTES = 1 * MB


@pytest.fixture
def servers():
    started: list[FakeImap] = []

    def start(**options) -> FakeImap:
        server = FakeImap(**options).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def small(subject: str, message_id: str) -> FakeMessage:
    raw = make_email(subject=subject, message_id=message_id)
    head, _, _body = raw.partition(b"\r\n\r\n")
    return FakeMessage(head, len(raw))


def connect(owner, server, security=Security.NONE, host=None) -> MailboxConnection:
    return mailbox.mailbox_connect(
        owner=owner, password="p", host=host or server.host, port=server.port,
        security=security, username="anna@example.com", folder="INBOX",
    )


def peak_while(call):
    """``call()``'s result and the peak of Python's allocations while it ran."""
    tracemalloc.start()
    try:
        result = call()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# --- Size ---------------------------------------------------------------------------------


def test_a_message_over_the_limit_is_recorded_as_too_large_and_never_downloaded(
    owner, owner_client, servers
):
    server = servers(messages={
        1: small("Before", "<before@northwind.io>"),
        2: message(subject="Our whole design archive", size=HUGE),
        3: small("After", "<after@northwind.io>"),
    })
    connection = connect(owner, server)

    stored, peak = peak_while(lambda: mailbox.poll_one(connection.pk))

    assert stored == 3
    assert peak < 16 * MB  # the 300 MB were never in memory
    assert not any(" 2 " in command for command in server.fetched_bodies())
    assert 2 not in server.sent  # not a byte of its body went out
    big = ReceivedMessage.objects.get(message_id="<big@northwind.io>")
    assert big.source == Source.IMAP and big.mailbox == connection
    assert big.subject == "Our whole design archive"
    assert big.sender_email == "priya.raman@northwind.io"
    assert big.problems == [
        "This message is 300.0 MB, over the limit of 1.0 MB: Follow-up did not download it. "
        "Read it in your mail program."
    ]
    assert big.size == 0 and bytes(big.raw) == b""  # nothing counts against the quota
    assert set(ReceivedMessage.objects.values_list("subject", flat=True)) == {
        "Before", "Our whole design archive", "After"
    }
    connection.refresh_from_db()
    assert connection.last_uid == 3 and connection.last_error == ""
    inbox = owner_client.get(reverse("inbox"))
    assert b"over the limit of 1.0 MB: Follow-up did not download it" in inbox.content
    assert mailbox.poll_one(connection.pk) == 0  # recorded once


def test_the_inbox_list_gives_each_message_its_reason_once(owner, owner_client):
    """The list shows a message's first problem (a too-large one's sentence); an unreadable
    message already says "Could not be read: …", so its reason is not repeated."""
    from django.utils import timezone

    reason = "The declared boundary never appears, so the parts were dropped."
    ReceivedMessage.objects.create(
        owner=owner, source=Source.UPLOAD, raw=b"x", size=1, message_id="<u@x>",
        parsed_at=timezone.now(), unreadable=reason, problems=[reason], subject="Broken",
    )
    ReceivedMessage.objects.create(
        owner=owner, source=Source.IMAP, message_id="<big@x>", parsed_at=timezone.now(),
        problems=["This message is 300.0 MB, over the limit."], subject="Big",
    )
    page = owner_client.get(reverse("inbox")).content.decode()
    assert page.count(reason) == 1
    assert page.count("This message is 300.0 MB, over the limit.") == 1


def test_a_server_that_sends_more_than_it_announced_is_cut_off_before_the_literal(
    owner, servers
):
    """imaplib reads a literal of whatever size the server announces: the client refuses
    ``{314572800}`` before reading it, records the message as too large and goes on with the
    next one at the next poll."""
    server = servers(messages={
        1: message(subject="Small, it says", size=HUGE, announced=2000),
        2: small("Next", "<next@northwind.io>"),
    })
    connection = connect(owner, server)

    stored, peak = peak_while(lambda: mailbox.poll_one(connection.pk))

    assert stored == 1
    assert peak < 16 * MB
    assert server.sent[1] < 64 * MB  # what the kernel buffers took before the client hung up
    lied = ReceivedMessage.objects.get()
    assert lied.problems[0].startswith("This message is 300.0 MB, over the limit of 1.0 MB")
    assert bytes(lied.raw) == b"" and lied.size == 0
    connection.refresh_from_db()
    assert connection.last_uid == 1 and connection.last_error == ""

    assert mailbox.poll_one(connection.pk) == 1
    assert ReceivedMessage.objects.filter(subject="Next").exists()


# --- Deadline -----------------------------------------------------------------------------


def test_a_greeting_sent_one_byte_at_a_time_is_cut_off_at_the_deadline(
    owner, owner_client, servers, settings
):
    """Each byte comes well within the 20-second read timeout, so only a deadline for
    the whole connection ends it; the page and the row say so plainly."""
    settings.INBOX_IMAP_WEB_DEADLINE = 1
    settings.INBOX_IMAP_DEADLINE = 1
    server = servers(drip=0.2)  # the greeting's 50-odd bytes would take over 10 s
    form = {
        "host": server.host, "port": server.port, "security": Security.NONE,
        "username": "u", "password": "p", "folder": "INBOX", "test": "1",
    }
    page = owner_client.post(reverse("inbox_mailbox_connect"), form)
    assert page.status_code == 422
    assert b"The server took more than 1 seconds; Follow-up closed the connection." in (
        page.content
    )
    assert server.greeting_sent < len(server.greeting)  # cut off before it was done

    connection = connect(owner, server)
    assert mailbox.poll_one(connection.pk) == 0
    connection.refresh_from_db()
    assert connection.last_error.startswith("The server took more than 1 seconds")
    assert server.greeting_sent < 2 * len(server.greeting)


# --- What the far end says is never shown ---------------------------------------------------


@pytest.mark.parametrize("security", [Security.NONE, Security.STARTTLS, Security.SSL])
def test_a_server_that_is_not_imap_is_named_so_and_its_banner_never_shown(
    owner, owner_client, servers, security
):
    server = servers(banner=SSH_BANNER)
    form = {
        "host": server.host, "port": server.port, "security": security,
        "username": "u", "password": "p", "folder": "INBOX", "test": "1",
    }
    page = owner_client.post(reverse("inbox_mailbox_connect"), form)
    assert page.status_code == 422
    assert b"not an IMAP server" in page.content
    for leaked in (b"SSH", b"internal-host", b"OpenSSH", b"unexpected response"):
        assert leaked not in page.content

    connection = connect(owner, server, security)
    assert mailbox.poll_one(connection.pk) == 0
    connection.refresh_from_db()
    assert "not an IMAP server" in connection.last_error
    assert "SSH" not in connection.last_error and "internal-host" not in connection.last_error


# --- Resolved once, pinned, verified against the name -----------------------------------------

# Connections the tests' firewall refused: while it is on (a list), a connect to anything
# but loopback is refused before a packet leaves, and recorded. An audit hook, the one
# place every socket.connect passes through; it cannot be removed, so it is off (None)
# outside these tests.
FIREWALL: list | None = None


def _firewall(event: str, args: tuple) -> None:
    if event != "socket.connect" or FIREWALL is None:
        return
    address = args[1]
    if not isinstance(address, tuple):
        return  # a Unix socket
    if not ipaddress.ip_address(address[0].split("%")[0]).is_loopback:
        FIREWALL.append(address[:2])
        raise ConnectionRefusedError(111, "Connection refused")


sys.addaudithook(_firewall)


@pytest.fixture
def firewall():
    global FIREWALL
    FIREWALL = []
    yield FIREWALL
    FIREWALL = None


@pytest.fixture
def resolver(monkeypatch):
    """A name server under test control, at the socket level: ``answers[name]`` is the list
    of addresses it gives on each successive lookup (the last one repeats)."""
    real = socket.getaddrinfo
    answers: dict[str, list[str]] = {}
    lookups: list[str] = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in answers:
            return real(host, port, *args, **kwargs)
        lookups.append(host)
        ip = answers[host][min(len(lookups) - 1, len(answers[host]) - 1)]
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (ip, int(port)))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers, lookups


def test_a_rebinding_name_server_cannot_send_the_connection_to_loopback(
    owner, owner_client, servers, settings, resolver, firewall
):
    """The first lookup says a public address (the check passes); any later one says
    127.0.0.1, where a listener waits. The connection goes to the address checked (the
    firewall refuses it, as an unreachable server would), so the listener never hears
    from the app, let alone its CAPABILITY in clear."""
    settings.INBOX_IMAP_ALLOW_PRIVATE = False
    listener = servers(messages={1: small("Internal", "<internal@corp>")})
    answers, lookups = resolver
    answers["imap.rebind.example"] = ["93.184.215.14", "127.0.0.1"]
    form = {
        "host": "imap.rebind.example", "port": listener.port, "security": Security.STARTTLS,
        "username": "u", "password": "p", "folder": "INBOX", "test": "1",
    }
    page = owner_client.post(reverse("inbox_mailbox_connect"), form)

    assert page.status_code == 422
    assert b"The server refused the connection" in page.content
    assert lookups == ["imap.rebind.example"]  # resolved once
    assert firewall == [("93.184.215.14", listener.port)]  # connected to what was checked
    assert listener.connections == 0 and listener.commands == []


@pytest.fixture
def imap_tls(monkeypatch):
    server = start_dovecot(tls=True)
    monkeypatch.setenv("SSL_CERT_FILE", str(server.cert_file))  # trusted, as an operator's CA
    yield server
    server.stop()


@pytest.mark.parametrize("security", [Security.SSL, Security.STARTTLS])
def test_tls_is_verified_against_the_host_name_at_the_pinned_address(
    owner, imap_tls, resolver, security
):
    """Dovecot's certificate names localhost and 127.0.0.1. Reached by the name
    "localhost", resolved once to 127.0.0.1, the folder is read over TLS. A name the
    certificate does not carry, resolved to the same address, is refused: the check is
    against the name the user gave, not the address connected to."""
    imap = imap_tls
    imap.append(make_email(message_id="<pinned@northwind.io>"))
    answers, lookups = resolver
    answers["localhost"] = ["127.0.0.1"]
    answers["imap.other-name.example"] = ["127.0.0.1"]
    port = imap.tls_port if security == Security.SSL else imap.port

    good = mailbox.mailbox_connect(
        owner=owner, password=imap.password, host="localhost", port=port,
        security=security, username=imap.user, folder="INBOX",
    )
    assert mailbox.poll_one(good.pk) == 1
    good.refresh_from_db()
    assert good.last_error == ""
    assert lookups == ["localhost"]
    assert len([line for line in imap.logins() if ", TLS," in line]) == 1

    wrong = mailbox.mailbox_connect(
        owner=owner, password=imap.password, host="imap.other-name.example", port=port,
        security=security, username=imap.user, folder="INBOX",
    )
    assert mailbox.poll_one(wrong.pk) == 0
    wrong.refresh_from_db()
    assert "certificate is not trusted" in wrong.last_error
    assert "imap.other-name.example" in wrong.last_error  # OpenSSL's "not valid for" the name
    assert len([line for line in imap.logins() if ", TLS," in line]) == 1  # no second login


def test_read_now_still_reads_a_genuine_folder(owner, owner_client):
    """Read now from the page, against Dovecot: the bounds do not get in the way."""
    imap = start_dovecot()
    try:
        imap.append(make_email(message_id="<readnow@northwind.io>"))
        connection = mailbox.mailbox_connect(
            owner=owner, password=imap.password, host=imap.host, port=imap.port,
            security=Security.NONE, username=imap.user, folder="INBOX",
        )
        page = owner_client.post(reverse("inbox_mailbox_poll", args=[connection.pk]),
                                 follow=True)
    finally:
        imap.stop()
    assert page.status_code == 200 and b"1 new messages" in page.content
    assert ReceivedMessage.objects.filter(message_id="<readnow@northwind.io>").exists()
