"""A real Dovecot folder polled with imap-tools: each message taken once (UIDVALIDITY + UID),
the password encrypted at rest, a server down recorded on the row and shown, never a 500;
over TLS and STARTTLS with a throwaway self-signed certificate the tests trust through
SSL_CERT_FILE, and refused (never logged in) when nothing trusts it."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.urls import reverse

from inbox import crypto, mailbox
from inbox.models import MailboxConnection, ReceivedMessage, Security, Source
from tests.inbox.conftest import make_email, make_ics
from tests.inbox.dovecot import start_dovecot

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_hosts_allowed(settings):
    """The throwaway Dovecot listens on loopback, as a developer's own server would."""
    settings.INBOX_IMAP_ALLOW_PRIVATE = True


@pytest.fixture
def imap():
    server = start_dovecot()
    yield server
    server.stop()


def connect(owner, imap, password=None) -> MailboxConnection:
    return mailbox.mailbox_connect(
        owner=owner,
        password=password or imap.password,
        host=imap.host,
        port=imap.port,
        security=Security.NONE,
        username=imap.user,
        folder="INBOX",
    )


def test_a_folder_polled_twice_takes_each_message_once(owner, application, imap):
    imap.append(make_email(message_id="<one@northwind.io>", ics=make_ics()))
    imap.append(make_email(message_id="<two@northwind.io>", body="We will decide by Friday."))
    connection = connect(owner, imap)

    assert mailbox.poll_one(connection.pk) == 2
    assert mailbox.poll_one(connection.pk) == 0
    imap.append(make_email(message_id="<three@northwind.io>"))
    assert mailbox.poll_one(connection.pk) == 1

    connection.refresh_from_db()
    assert connection.last_uid == 3 and connection.uidvalidity
    assert connection.last_error == ""
    messages = ReceivedMessage.objects.filter(owner=owner)
    assert messages.count() == 3
    assert set(messages.values_list("source", flat=True)) == {Source.IMAP}
    assert messages.get(message_id="<one@northwind.io>").invites.count() == 1
    assert all(m.application == application for m in messages)


def test_a_new_uidvalidity_rereads_the_folder_without_duplicates(owner, imap):
    imap.append(make_email(message_id="<one@x>"))
    connection = connect(owner, imap)
    mailbox.poll_one(connection.pk)
    MailboxConnection.objects.filter(pk=connection.pk).update(uidvalidity=1, last_uid=99)
    assert mailbox.poll_one(connection.pk) == 0
    connection.refresh_from_db()
    assert connection.last_uid == 1
    assert ReceivedMessage.objects.count() == 1


def test_a_full_account_stops_the_poll_and_takes_the_message_once_there_is_room(
    owner, imap, settings
):
    first, second = make_email(message_id="<q1@x>"), make_email(message_id="<q2@x>")
    imap.append(first)
    imap.append(second)
    settings.INBOX_QUOTA_BYTES = len(first) + 10
    connection = connect(owner, imap)
    mailbox.poll_one(connection.pk)
    connection.refresh_from_db()
    assert ReceivedMessage.objects.count() == 1
    assert connection.last_uid == 1 and "full" in connection.last_error

    settings.INBOX_QUOTA_BYTES = 10 * len(first)  # old mail deleted, or a bigger quota
    assert mailbox.poll_one(connection.pk) == 1
    connection.refresh_from_db()
    assert connection.last_uid == 2 and connection.last_error == ""
    assert set(ReceivedMessage.objects.values_list("message_id", flat=True)) == {"<q1@x>", "<q2@x>"}


def test_the_password_is_encrypted_at_rest_and_keys_rotate(owner, imap, settings):
    connection = connect(owner, imap)
    stored = bytes(connection.password_encrypted)
    assert imap.password.encode() not in stored
    assert crypto.decrypt(stored) == imap.password
    new_key = Fernet.generate_key().decode()
    settings.INBOX_ENCRYPTION_KEYS = [new_key, *settings.INBOX_ENCRYPTION_KEYS]
    from django.core.management import call_command

    call_command("inbox", "rotate-keys")
    connection.refresh_from_db()
    settings.INBOX_ENCRYPTION_KEYS = [new_key]  # the old key retired
    assert crypto.decrypt(connection.password_encrypted) == imap.password


def test_a_wrong_password_and_a_server_down_are_recorded_not_raised(owner, imap):
    wrong = connect(owner, imap, password="not-it")
    assert mailbox.poll_one(wrong.pk) == 0
    wrong.refresh_from_db()
    assert "password" in wrong.last_error
    imap.stop()
    down = connect(owner, imap)
    assert mailbox.poll_one(down.pk) == 0
    down.refresh_from_db()
    assert down.last_error and down.last_error_at


def test_a_leased_connection_is_not_polled_twice_at_once(owner, imap):
    connection = connect(owner, imap)
    assert mailbox._claim(connection.pk, connection.created_at) is not None
    assert mailbox.poll_one(connection.pk) is None  # someone holds the lease


def test_test_connection_and_connect_pages(owner_client, owner, imap):
    url = reverse("inbox_mailbox_connect")
    form = {
        "host": imap.host, "port": imap.port, "security": Security.NONE,
        "username": imap.user, "password": imap.password, "folder": "INBOX",
    }
    tested = owner_client.post(url, {**form, "test": "1"})
    assert tested.status_code == 200
    assert b"Connection works" in tested.content
    assert not MailboxConnection.objects.exists()
    bad = owner_client.post(url, {**form, "password": "wrong"})
    assert bad.status_code == 422
    assert b"password" in bad.content
    assert owner_client.post(url, form).status_code == 302
    page = owner_client.get(reverse("inbox_setup"))
    assert imap.password.encode() not in page.content  # never shown again
    connection = MailboxConnection.objects.get()
    imap.stop()
    response = owner_client.post(reverse("inbox_mailbox_poll", args=[connection.pk]))
    assert response.status_code == 302
    page = owner_client.get(reverse("inbox_setup"))
    assert b"Problem" in page.content


def test_the_beat_task_fans_out_one_poll_per_connection(owner, imap):
    from inbox.tasks import poll_all_task

    imap.append(make_email(message_id="<beat@x>"))
    connect(owner, imap)
    assert poll_all_task.delay().get() == 1  # eager in tests: the polls ran too
    assert ReceivedMessage.objects.filter(message_id="<beat@x>").exists()


def test_in_production_private_and_local_hosts_are_refused_before_connecting(
    owner_client, owner, imap, settings
):
    """"Test connection" cannot probe the app's own network: loopback, private and
    link-local addresses are refused before any connection, on the page and when polling."""
    settings.INBOX_IMAP_ALLOW_PRIVATE = False
    params = mailbox.Settings(host="127.0.0.1", port=imap.port, security=Security.SSL,
                              username=imap.user, folder="INBOX")
    for host in ("127.0.0.1", "10.1.2.3", "192.168.0.10", "169.254.169.254", "::1"):
        with pytest.raises(mailbox.HostRefused, match="private or local"):
            mailbox.check_host(params.__class__(**{**params.__dict__, "host": host}))
    mailbox.check_host(params.__class__(**{**params.__dict__, "host": "8.8.8.8"}))  # public
    form = {
        "host": "127.0.0.1", "port": imap.port, "security": Security.STARTTLS,
        "username": imap.user, "password": imap.password, "folder": "INBOX", "test": "1",
    }
    page = owner_client.post(reverse("inbox_mailbox_connect"), form)
    assert page.status_code == 422
    assert b"private or local address" in page.content
    assert not MailboxConnection.objects.exists()
    settings.INBOX_IMAP_ALLOW_PRIVATE = True
    connection = connect(owner, imap)
    settings.INBOX_IMAP_ALLOW_PRIVATE = False
    assert mailbox.poll_one(connection.pk) == 0
    connection.refresh_from_db()
    assert "private or local address" in connection.last_error


def test_without_tls_only_a_server_on_this_machine(owner_client, imap):
    """The password never crosses a network in clear, whatever the deployment allows."""
    params = mailbox.Settings(host="10.1.2.3", port=143, security=Security.NONE,
                              username="u", folder="INBOX")
    with pytest.raises(mailbox.HostRefused, match="Without TLS"):
        mailbox.check_host(params)
    form = {
        "host": "192.168.0.10", "port": 143, "security": Security.NONE, "username": "u",
        "password": "p", "folder": "INBOX", "test": "1",
    }
    page = owner_client.post(reverse("inbox_mailbox_connect"), form)
    assert page.status_code == 422 and b"Without TLS" in page.content
    mailbox.check_host(params.__class__(**{**params.__dict__, "host": "127.0.0.1"}))


@pytest.mark.parametrize("host", ["imap..example.com", "x" * 64 + ".example.com", "."])
def test_a_host_name_that_cannot_be_resolved_is_an_error_on_the_page_not_a_500(
    owner_client, host
):
    form = {
        "host": host, "port": 993, "security": Security.SSL, "username": "u",
        "password": "p", "folder": "INBOX", "test": "1",
    }
    page = owner_client.post(reverse("inbox_mailbox_connect"), form)
    assert page.status_code == 422
    assert b"not a valid host name" in page.content


# --- TLS and STARTTLS against Dovecot with a throwaway self-signed certificate ------------


@pytest.fixture
def imap_tls():
    server = start_dovecot(tls=True)
    yield server
    server.stop()


@pytest.fixture
def trusted(imap_tls, monkeypatch):
    """The tests trust the throwaway certificate the way an operator adds a CA: OpenSSL's
    default verify file (read when the app makes its default context); the app's
    verification is unchanged."""
    monkeypatch.setenv("SSL_CERT_FILE", str(imap_tls.cert_file))
    return imap_tls


def connect_tls(owner, imap, security) -> MailboxConnection:
    return mailbox.mailbox_connect(
        owner=owner, password=imap.password, host=imap.host, port=port_for(imap, security),
        security=security, username=imap.user, folder="INBOX",
    )


def port_for(imap, security) -> int:
    return imap.tls_port if security == Security.SSL else imap.port


def tls_logins(imap) -> list[str]:
    """The logins made over TLS (the helper's own appends log in in clear on loopback)."""
    return [line for line in imap.logins() if ", TLS," in line]


@pytest.mark.parametrize("security", [Security.SSL, Security.STARTTLS])
def test_a_folder_polled_over_tls_takes_each_message_once(
    owner_client, owner, application, trusted, security
):
    imap = trusted
    imap.append(make_email(message_id="<tls1@northwind.io>", ics=make_ics()))
    imap.append(make_email(message_id="<tls2@northwind.io>"))
    form = {
        "host": imap.host, "port": port_for(imap, security), "security": security,
        "username": imap.user, "password": imap.password, "folder": "INBOX", "test": "1",
    }
    tested = owner_client.post(reverse("inbox_mailbox_connect"), form)
    assert b"Connection works: 2 messages" in tested.content
    connection = connect_tls(owner, imap, security)

    assert mailbox.poll_one(connection.pk) == 2
    assert mailbox.poll_one(connection.pk) == 0
    imap.append(make_email(message_id="<tls3@northwind.io>"))
    assert mailbox.poll_one(connection.pk) == 1

    connection.refresh_from_db()
    assert connection.last_error == "" and connection.last_uid == 3
    assert ReceivedMessage.objects.filter(owner=owner, source=Source.IMAP).count() == 3
    # The test page and the three polls logged in over TLS; nothing of the app's in clear.
    assert len(tls_logins(imap)) == 4
    assert len(imap.logins()) == 4 + 3  # and the helper's three appends


@pytest.mark.parametrize("security", [Security.SSL, Security.STARTTLS])
def test_an_untrusted_certificate_is_a_certificate_error_shown_and_never_logged_in(
    owner_client, owner, imap_tls, monkeypatch, security
):
    """Without SSL_CERT_FILE pointing at it, the self-signed certificate is refused: the
    password is never sent, the row records why and the pages show it, never a 500."""
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    imap = imap_tls
    imap.append(make_email(message_id="<untrusted@northwind.io>"))
    form = {
        "host": imap.host, "port": port_for(imap, security), "security": security,
        "username": imap.user, "password": imap.password, "folder": "INBOX", "test": "1",
    }
    tested = owner_client.post(reverse("inbox_mailbox_connect"), form)
    assert tested.status_code == 422
    assert b"certificate is not trusted (self-signed certificate)" in tested.content
    assert not MailboxConnection.objects.exists()

    connection = connect_tls(owner, imap, security)
    assert mailbox.poll_one(connection.pk) == 0
    connection.refresh_from_db()
    assert "certificate is not trusted (self-signed certificate)" in connection.last_error
    assert connection.last_error_at and connection.last_uid == 0
    polled = owner_client.post(reverse("inbox_mailbox_poll", args=[connection.pk]), follow=True)
    assert polled.status_code == 200 and b"certificate is not trusted" in polled.content
    setup = owner_client.get(reverse("inbox_setup"))
    assert setup.status_code == 200 and b"certificate is not trusted" in setup.content
    assert not ReceivedMessage.objects.exists()
    assert tls_logins(imap) == []  # the password never went to that server
    assert len(imap.logins()) == 1  # only the helper's append


def test_starttls_on_the_tls_port_is_an_error_on_the_page_not_a_500(owner_client):
    """Port 993 speaks TLS from the first byte; imap-tools refuses STARTTLS there with a
    ValueError before connecting, which must not reach the page."""
    form = {
        "host": "127.0.0.1", "port": 993, "security": Security.STARTTLS, "username": "u",
        "password": "p", "folder": "INBOX", "test": "1",
    }
    page = owner_client.post(reverse("inbox_mailbox_connect"), form)
    assert page.status_code == 422
    assert b"Port 993 is for TLS" in page.content
