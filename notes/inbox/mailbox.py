"""Reading a connected IMAP folder with imap-tools: each new message taken once.

``poll_one`` is the periodic unit: it leases one connection (a conditional UPDATE, so two
workers never poll the same folder at once), reads the messages whose UID is above the
last one taken (all of them again if the folder's UIDVALIDITY changed — Message-ID keeps
them from being stored twice), hands each raw message to ``services.receive`` and moves
``last_uid`` forward after each one. A server that is down or refuses the login is
recorded on the row (``last_error``), shown in the app, and never raises to a page.
"""

from __future__ import annotations

import imaplib
import ipaddress
import logging
import socket
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q
from django.utils import timezone
from imap_tools import AND, BaseMailBox, MailBox, MailBoxStartTls, MailBoxUnencrypted, U
from imap_tools.errors import ImapToolsError
from imap_tools.message import MailMessage

from interviews.models import Candidate
from notes.inbox import crypto, services
from notes.inbox.models import MailboxConnection, Security, Source

logger = logging.getLogger(__name__)

TIMEOUT = 20  # seconds per network operation
LEASE = timedelta(minutes=4)  # under the 5-minute beat period
BATCH = 50  # messages per poll; the next poll goes on from there
NETWORK_ERRORS = (imaplib.IMAP4.error, OSError, ssl.SSLError, ImapToolsError, EOFError)


class MailboxError(Exception):
    """A user-facing reason the folder could not be read."""


class RawMailMessage(MailMessage):
    """imap-tools' message that also keeps the bytes as the server sent them."""

    def __init__(self, fetch_data: list) -> None:
        super().__init__(fetch_data)
        self.raw = self._get_message_data_parts(fetch_data)[0]


@dataclass(frozen=True)
class Settings:
    host: str
    port: int
    security: str
    username: str
    folder: str


class HostRefused(OSError):
    """A host the app will not connect to (a private address, or no TLS off this machine)."""


def _addresses(host: str, port: int) -> set[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except UnicodeError as error:  # "a..b", a label over 63 characters: not a host name
        raise HostRefused(f"{host[:100]} is not a valid host name.") from error
    return {ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos}


def check_host(params: Settings) -> None:
    """Refuse, before connecting, a host the app must not reach for a user.

    Without TLS only a loopback server (the password would cross the network in clear);
    unless ``INBOX_IMAP_ALLOW_PRIVATE``, only public addresses, so "Test connection" cannot
    be used to probe the app's own network (its database, its cache, a cloud's metadata
    address). A name that resolves to several addresses must pass for every one.
    """
    addresses = _addresses(params.host, params.port)
    if params.security == Security.NONE and not all(a.is_loopback for a in addresses):
        raise HostRefused(
            "Without TLS Follow-up only connects to a mail server on this machine: choose "
            "TLS or STARTTLS."
        )
    if settings.INBOX_IMAP_ALLOW_PRIVATE:
        return
    if not all(a.is_global and not a.is_multicast for a in addresses):
        raise HostRefused(
            f"{params.host} is a private or local address; Follow-up only connects to mail "
            "servers on the internet."
        )


def _client(params: Settings) -> BaseMailBox:
    check_host(params)
    if params.security == Security.SSL:
        mailbox: BaseMailBox = MailBox(
            params.host, params.port, timeout=TIMEOUT, ssl_context=ssl.create_default_context()
        )
    elif params.security == Security.STARTTLS:
        mailbox = MailBoxStartTls(
            params.host, params.port, timeout=TIMEOUT, ssl_context=ssl.create_default_context()
        )
    else:
        mailbox = MailBoxUnencrypted(params.host, params.port, timeout=TIMEOUT)
    mailbox.email_message_class = RawMailMessage
    return mailbox


def _describe(error: BaseException) -> str:
    if isinstance(error, HostRefused):
        return str(error)
    if isinstance(error, ssl.SSLCertVerificationError):  # before SSLError, its parent
        return (
            f"The server's certificate is not trusted ({error.verify_message or error.reason}); "
            "Follow-up only connects to a server whose certificate is valid for its name."
        )
    if isinstance(error, ssl.SSLError):
        return f"The TLS connection failed ({error.reason or error})."
    if isinstance(error, TimeoutError):
        return "The server did not answer in time."
    if isinstance(error, ConnectionRefusedError):
        return "The server refused the connection: check the host and port."
    if isinstance(error, OSError) and not isinstance(error, ssl.SSLError):
        return f"Could not reach the server ({error.strerror or error})."
    text = str(error)
    if "LOGIN" in text.upper() or "AUTHENTICATIONFAILED" in text.upper():
        return "The server refused the user name or password (use an app password)."
    if "SELECT" in text.upper() or "folder" in text.lower():
        return "The folder does not exist on the server."
    return f"The server answered with an error: {text[:200]}"


def _open(params: Settings, password: str) -> BaseMailBox:
    mailbox = _client(params)
    try:
        mailbox.login(params.username, password, initial_folder=params.folder)
    except BaseException:
        _close(mailbox)
        raise
    return mailbox


def _close(mailbox: BaseMailBox) -> None:
    try:
        mailbox.logout()
    except (*NETWORK_ERRORS, AttributeError):
        pass


def test_connection(params: Settings, password: str) -> int:
    """Log in and open the folder; the number of messages in it, or ``MailboxError``."""
    try:
        mailbox = _open(params, password)
        try:
            status = mailbox.folder.status(params.folder, ["MESSAGES", "UIDVALIDITY"])
        finally:
            _close(mailbox)
    except NETWORK_ERRORS as error:
        raise MailboxError(_describe(error)) from error
    return status.get("MESSAGES", 0)


def settings_of(connection: MailboxConnection) -> Settings:
    return Settings(
        host=connection.host,
        port=connection.port,
        security=connection.security,
        username=connection.username,
        folder=connection.folder,
    )


def mailbox_connect(*, owner: Candidate, password: str, **fields) -> MailboxConnection:
    return MailboxConnection.objects.create(
        owner=owner, password_encrypted=crypto.encrypt(password), **fields
    )


def mailbox_delete(*, connection: MailboxConnection) -> None:
    connection.delete()


def _claim(connection_id: int, now: datetime) -> MailboxConnection | None:
    claimed = (
        MailboxConnection.objects.filter(pk=connection_id, enabled=True)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_until=now + LEASE)
    )
    if not claimed:
        return None
    return MailboxConnection.objects.select_related("owner").get(pk=connection_id)


def _record(connection: MailboxConnection, *, error: str = "", now: datetime) -> None:
    fields = {"lease_until": None, "polled_at": now}
    if error:
        fields |= {"last_error": error[:500], "last_error_at": now}
    else:
        fields |= {"last_error": ""}
    MailboxConnection.objects.filter(pk=connection.pk).update(**fields)


def poll_one(connection_id: int, *, now: datetime | None = None) -> int | None:
    """Take the new messages of one folder; how many were stored (None: not claimed)."""
    now = now or timezone.now()
    connection = _claim(connection_id, now)
    if connection is None:
        return None
    try:
        password = crypto.decrypt(connection.password_encrypted)
    except (crypto.SecretUnreadable, ImproperlyConfigured) as error:
        _record(connection, error=str(error), now=now)
        return 0
    try:
        stored = _take_new(connection, password)
    except NETWORK_ERRORS as error:
        logger.info("mailbox %s: %s", connection.pk, error)
        _record(connection, error=_describe(error), now=now)
        return 0
    except services.Refused as error:
        # The account is full: stop here; last_uid stays before this message, so the
        # next poll after old mail was deleted takes it (shown on the setup page).
        _record(connection, error=error.reason, now=now)
        return 0
    _record(connection, now=now)
    return stored


def _take_new(connection: MailboxConnection, password: str) -> int:
    mailbox = _open(settings_of(connection), password)
    try:
        status = mailbox.folder.status(connection.folder, ["UIDVALIDITY"])
        uidvalidity = status.get("UIDVALIDITY")
        last_uid = connection.last_uid
        if uidvalidity != connection.uidvalidity:
            # A new folder generation: its UIDs mean other messages. Take them all again;
            # Message-IDs already stored are skipped by receive().
            last_uid = 0
            MailboxConnection.objects.filter(pk=connection.pk).update(
                uidvalidity=uidvalidity, last_uid=0
            )
        # "N:*" always includes the highest UID, even when it is below N.
        uids = sorted(
            int(uid) for uid in mailbox.uids(AND(uid=U(last_uid + 1, "*"))) if int(uid) > last_uid
        )[:BATCH]
        stored = 0
        for uid in uids:
            for message in mailbox.fetch(uid_list=[str(uid)], mark_seen=False, bulk=False):
                stored += _store(connection, message.raw)
            MailboxConnection.objects.filter(pk=connection.pk).update(last_uid=uid)
        return stored
    finally:
        _close(mailbox)


def _store(connection: MailboxConnection, raw: bytes) -> int:
    try:
        received = services.receive(
            owner=connection.owner, raw=raw, source=Source.IMAP, mailbox=connection
        )
    except services.Refused as error:
        if error.temporary:
            raise  # a full account: poll_one stops and tries again next time
        # Too large or unreadable: skipped (the user still has it in their mailbox).
        logger.info("mailbox %s: message refused: %s", connection.pk, error.reason)
        return 0
    return int(received.created)


def due_connection_ids() -> list[int]:
    now = timezone.now()
    return list(
        MailboxConnection.objects.filter(enabled=True)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .values_list("pk", flat=True)
    )
