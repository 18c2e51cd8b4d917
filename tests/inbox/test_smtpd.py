"""Real SMTP delivery to the forwarding server (the controller ``manage.py inbound_smtpd``
runs, on a free loopback port): what it accepts is stored once, what it refuses is refused
at SMTP time and nothing is stored."""

from __future__ import annotations

import smtplib
import socket

import pytest

from notes.inbox import services
from notes.inbox.models import ReceivedMessage, Source
from notes.inbox.smtpd import RateLimiter, make_controller, stop, token_of
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
