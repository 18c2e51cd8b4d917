"""Reading a connected IMAP folder with imap-tools: each new message taken once.

``poll_one`` is the periodic unit: it leases one connection (a conditional UPDATE, so two
workers never poll the same folder at once), reads the messages whose UID is above the
last one taken (all of them again if the folder's UIDVALIDITY changed — Message-ID keeps
them from being stored twice), hands each raw message to ``services.receive`` and moves
``last_uid`` forward after each one. A server that is down or refuses the login is
recorded on the row (``last_error``), shown in the app, and never raises to a page.

The connection is bounded, whatever the server does:

1. The host name is resolved once; every address is checked (``check_host``) and the
   socket connects to one of those addresses, never to a second lookup's answer. TLS is
   still verified against the host name (SNI and the certificate's names).
2. The whole connection has a deadline (``INBOX_IMAP_DEADLINE``, shorter in a web
   request): a timer shuts the socket down when it passes, which ends a read that a
   per-read timeout would let a server stretch a byte at a time.
3. A message over ``INBOX_MAX_BYTES`` is never downloaded: its size is asked first
   (RFC822.SIZE) and it is recorded in the Inbox as too large, with its sender and
   subject. A literal over the cap is refused before a byte of it is read (imaplib would
   read whatever size the server announces), and so is a response over the cap.
4. What the server says is never shown: errors are the app's own sentences.
"""

from __future__ import annotations

import imaplib
import ipaddress
import logging
import re
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q
from django.utils import timezone
from imap_tools import AND, BaseMailBox, U
from imap_tools.errors import (
    ImapToolsError,
    MailboxFetchError,
    MailboxFolderSelectError,
    MailboxFolderStatusError,
    MailboxLoginError,
    MailboxStarttlsError,
)
from imap_tools.message import MailMessage
from imap_tools.utils import check_command_status

from inbox import crypto, mime, services
from inbox.models import MailboxConnection, ReceivedMessage, Security, Source
from interviews.models import Candidate

logger = logging.getLogger(__name__)

TIMEOUT = 20  # seconds per network operation, within the connection's deadline
LEASE = timedelta(minutes=4)  # under the 5-minute beat period
BATCH = 50  # messages per poll; the next poll goes on from there
# What one command's answer may hold beyond the message itself (its lines: a long SEARCH
# of a big folder's new UIDs, the FETCH lines around a literal).
RESPONSE_SLACK = 8 * 1024 * 1024
HEADER_PEEK = 16 * 1024  # bytes of a too-large message's headers read to name it
NAMING_HEADERS = "FROM SUBJECT DATE MESSAGE-ID"


class MailboxError(Exception):
    """A user-facing reason the folder could not be read."""


class HostRefused(OSError):
    """A host the app will not connect to (a private address, or no TLS off this machine)."""


class NotImapServer(Exception):
    """The far end did not greet as an IMAP server (what it sent is never shown)."""


class ResponseTooLarge(Exception):
    """The server announced more than the app reads; refused before reading it."""

    def __init__(self, size: int) -> None:
        super().__init__(f"{size} bytes announced")
        self.size = size


class DeadlinePassed(Exception):
    """The connection outlived its deadline and was shut down."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"over {seconds} s")
        self.seconds = seconds


NETWORK_ERRORS = (
    imaplib.IMAP4.error, OSError, ssl.SSLError, ImapToolsError, EOFError,
    NotImapServer, ResponseTooLarge, DeadlinePassed,
)


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


# --- Where to connect: resolved once, checked, pinned ----------------------------------------


@dataclass(frozen=True)
class Address:
    """One answer of the single lookup: what is checked is what the socket connects to."""

    family: int
    sockaddr: tuple

    @property
    def ip(self) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
        return ipaddress.ip_address(self.sockaddr[0].split("%")[0])


def resolve(host: str, port: int) -> list[Address]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except UnicodeError as error:  # "a..b", a label over 63 characters: not a host name
        raise HostRefused(f"{host[:100]} is not a valid host name.") from error
    addresses: list[Address] = []
    for family, _type, _proto, _name, sockaddr in infos:
        address = Address(family, tuple(sockaddr))
        if address not in addresses:
            addresses.append(address)
    return addresses


def check_host(params: Settings) -> list[Address]:
    """Resolve the host once and refuse, before connecting, one the app must not reach.

    Without TLS only a loopback server (the password would cross the network in clear);
    unless ``INBOX_IMAP_ALLOW_PRIVATE``, only public addresses, so "Test connection" cannot
    be used to probe the app's own network (its database, its cache, a cloud's metadata
    address). A name that resolves to several addresses must pass for every one. The
    addresses returned are the only ones the connection may use (no second lookup, which
    a rebinding name server could answer with another address).
    """
    addresses = resolve(params.host, params.port)
    ips = [address.ip for address in addresses]
    if params.security == Security.NONE and not all(ip.is_loopback for ip in ips):
        raise HostRefused(
            "Without TLS Follow-up only connects to a mail server on this machine: choose "
            "TLS or STARTTLS."
        )
    if not settings.INBOX_IMAP_ALLOW_PRIVATE and not all(
        ip.is_global and not ip.is_multicast for ip in ips
    ):
        raise HostRefused(
            f"{params.host} is a private or local address; Follow-up only connects to mail "
            "servers on the internet."
        )
    return addresses


class Deadline:
    """The whole connection's time. When it passes, a timer thread shuts the socket down:
    a read in progress ends at once, which a per-read timeout cannot do against a server
    that sends a byte every few seconds."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.passed = False
        self._at = time.monotonic() + seconds
        self._lock = threading.Lock()
        self._watch: socket.socket | None = None
        self._timer: threading.Timer | None = None

    def remaining(self) -> float:
        left = self._at - time.monotonic()
        if left <= 0:
            self.passed = True
            raise DeadlinePassed(self.seconds)
        return left

    def guard(self, sock: socket.socket) -> None:
        # A duplicate of the descriptor: shutting it down ends the connection under the
        # TLS layer too, and after STARTTLS has replaced the socket object.
        self._watch = sock.dup()
        self._timer = threading.Timer(self.remaining(), self._cut)
        self._timer.daemon = True
        self._timer.start()

    def _cut(self) -> None:
        with self._lock:
            if self._watch is None:
                return
            self.passed = True
            with suppress(OSError):
                self._watch.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        if self._timer:
            self._timer.cancel()
        with self._lock:
            if self._watch is not None:
                self._watch.close()
                self._watch = None


def _open_socket(addresses: list[Address], deadline: Deadline) -> socket.socket:
    """A TCP connection to the first checked address that answers."""
    error: OSError = OSError("The host name has no address.")
    for address in addresses:
        sock = socket.socket(address.family, socket.SOCK_STREAM)
        try:
            sock.settimeout(min(TIMEOUT, deadline.remaining()))
            sock.connect(address.sockaddr)
            deadline.guard(sock)
        except OSError as failed:
            sock.close()
            error = failed
            continue
        except BaseException:
            sock.close()
            raise
        return sock
    raise error


# --- The bounded client -------------------------------------------------------------------


class _Bounded:
    """imaplib, connecting to the pinned addresses and reading within a budget.

    imaplib reads a literal of whatever size the server announces (``{314572800}``) into
    memory: ``read`` refuses one over ``INBOX_MAX_BYTES`` before reading it, and the lines
    and literals answering one command may not exceed the cap plus ``RESPONSE_SLACK``.
    After a refusal the stream is mid-answer, so the connection is ``broken``: it is shut,
    never logged out.
    """

    broken = False

    def __init__(self, host: str, port: int, *, addresses: list[Address], deadline: Deadline,
                 **options) -> None:
        self.addresses = addresses
        self.deadline = deadline
        self.literal_max = settings.INBOX_MAX_BYTES
        self.response_max = settings.INBOX_MAX_BYTES + RESPONSE_SLACK
        self._budget = self.response_max
        super().__init__(host, port, timeout=TIMEOUT, **options)

    def _create_socket(self, timeout):
        return _open_socket(self.addresses, self.deadline)

    def _connect(self) -> None:
        # The greeting and CAPABILITY: anything unexpected is "not an IMAP server",
        # never the first line the far end sent (an SSH banner names its host).
        try:
            super()._connect()
        except imaplib.IMAP4.error:
            raise NotImapServer() from None

    def send(self, data: bytes) -> None:
        self._budget = self.response_max
        super().send(data)

    def read(self, size: int) -> bytes:
        if size > self.literal_max:
            self._refuse(size)
        self._spend(size)
        return super().read(size)

    def readline(self) -> bytes:
        line = self.file.readline(self._budget + 1)
        self._spend(len(line))
        return line

    def _spend(self, size: int) -> None:
        if size > self._budget:
            self._refuse(size)
        self._budget -= size

    def _refuse(self, size: int) -> None:
        self.broken = True
        raise ResponseTooLarge(size)


class _Client(_Bounded, imaplib.IMAP4):
    pass


class _TlsClient(_Bounded, imaplib.IMAP4_SSL):
    def _create_socket(self, timeout):
        # Connected to the pinned address, verified against the name the user gave.
        return self.ssl_context.wrap_socket(
            super()._create_socket(timeout), server_hostname=self.host
        )


class _MailBox(BaseMailBox):
    """imap-tools over the bounded client (plain, TLS from the first byte, or STARTTLS)."""

    email_message_class = RawMailMessage

    def __init__(self, params: Settings, addresses: list[Address], deadline: Deadline) -> None:
        self._params = params
        self._addresses = addresses
        self._deadline = deadline
        super().__init__()

    def _get_mailbox_client(self) -> imaplib.IMAP4:
        params = self._params
        options = {"addresses": self._addresses, "deadline": self._deadline}
        context = ssl.create_default_context()
        if params.security == Security.SSL:
            return _TlsClient(params.host, params.port, ssl_context=context, **options)
        client = _Client(params.host, params.port, **options)
        if params.security == Security.STARTTLS:
            try:
                check_command_status(client.starttls(context), MailboxStarttlsError)
            except BaseException:
                with suppress(OSError):  # a failed handshake has closed the socket already
                    client.shutdown()
                raise
        return client


@contextmanager
def _session(params: Settings, password: str, *, seconds: float) -> Iterator[BaseMailBox]:
    """A logged-in mailbox with its folder selected, closed on the way out; an error after
    the deadline passed is ``DeadlinePassed``, whatever the cut made the client raise."""
    addresses = check_host(params)
    deadline = Deadline(seconds)
    mailbox = None
    try:
        mailbox = _MailBox(params, addresses, deadline)
        mailbox.login(params.username, password, initial_folder=params.folder)
        yield mailbox
    except NETWORK_ERRORS as error:
        if deadline.passed and not isinstance(error, DeadlinePassed):
            raise DeadlinePassed(seconds) from error
        raise
    finally:
        if mailbox is not None:
            _close(mailbox)
        deadline.close()


def _close(mailbox: BaseMailBox) -> None:
    client = mailbox.client
    if client.broken or client.deadline.passed:  # mid-answer, or cut: no LOGOUT
        with suppress(OSError):
            client.shutdown()
        return
    try:
        mailbox.logout()
    except (*NETWORK_ERRORS, AttributeError):
        pass


def _describe(error: BaseException) -> str:
    """The app's own sentence for a failure; nothing the server sent is repeated."""
    if isinstance(error, HostRefused):
        return str(error)
    if isinstance(error, DeadlinePassed):
        return (
            f"The server took more than {error.seconds:g} seconds; Follow-up closed the "
            "connection. Try again later."
        )
    if isinstance(error, NotImapServer):
        return "This is not an IMAP server: check the host and port."
    if isinstance(error, ResponseTooLarge):
        return (
            f"The server sent more than the limit of {_megabytes(settings.INBOX_MAX_BYTES)} "
            "at once; Follow-up closed the connection."
        )
    if isinstance(error, ssl.SSLCertVerificationError):  # before SSLError, its parent
        return (
            f"The server's certificate is not trusted ({error.verify_message or error.reason}); "
            "Follow-up only connects to a server whose certificate is valid for its name."
        )
    if isinstance(error, ssl.SSLError):
        if error.reason in ("WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE"):  # not TLS at all
            return (
                "This is not an IMAP server with TLS on this port: check the host and port "
                "(TLS is usually port 993; on port 143 choose STARTTLS)."
            )
        return f"The TLS connection failed ({error.reason or 'no reason given'})."
    if isinstance(error, TimeoutError):
        return "The server did not answer in time."
    if isinstance(error, ConnectionRefusedError):
        return "The server refused the connection: check the host and port."
    if isinstance(error, OSError):
        return f"Could not reach the server ({error.strerror or 'the network failed'})."
    if isinstance(error, MailboxLoginError):
        return "The server refused the user name or password (use an app password)."
    if isinstance(error, MailboxFolderSelectError | MailboxFolderStatusError):
        return "The folder does not exist on the server."
    if isinstance(error, MailboxStarttlsError) or "STARTTLS" in str(error):
        return "The server does not offer STARTTLS on this port: choose TLS (port 993)."
    if isinstance(error, imaplib.IMAP4.abort | EOFError):
        return "The server closed the connection unexpectedly. Try again later."
    return "The server answered in a way Follow-up cannot use: check the settings."


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f} MB"


def test_connection(params: Settings, password: str) -> int:
    """Log in and open the folder; the number of messages in it, or ``MailboxError``.

    Called from a page: bounded by ``INBOX_IMAP_WEB_DEADLINE``."""
    try:
        with _session(params, password, seconds=settings.INBOX_IMAP_WEB_DEADLINE) as mailbox:
            status = mailbox.folder.status(params.folder, ["MESSAGES", "UIDVALIDITY"])
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


# --- Polling ------------------------------------------------------------------------------


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


def poll_one(
    connection_id: int, *, now: datetime | None = None, seconds: float | None = None
) -> int | None:
    """Take the new messages of one folder; how many were stored (None: not claimed).

    ``seconds`` bounds the connection (``INBOX_IMAP_DEADLINE`` by default; "Read now"
    passes the shorter web deadline)."""
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
        stored = _take_new(
            connection, password, seconds=seconds or settings.INBOX_IMAP_DEADLINE, now=now
        )
    except NETWORK_ERRORS as error:
        logger.info("mailbox %s: %r", connection.pk, error)
        _record(connection, error=_describe(error), now=now)
        return 0
    except services.Refused as error:
        # The account is full: stop here; last_uid stays before this message, so the
        # next poll after old mail was deleted takes it (shown on the setup page).
        _record(connection, error=error.reason, now=now)
        return 0
    _record(connection, now=now)
    return stored


def _take_new(
    connection: MailboxConnection, password: str, *, seconds: float, now: datetime
) -> int:
    """1. The new UIDs; 2. their sizes (RFC822.SIZE), so none over the cap is downloaded;
    3. each in turn, stored or recorded as too large, ``last_uid`` moved after each.

    A deadline that passes after some messages were taken is not an error: the next poll
    goes on from there."""
    stored = 0
    try:
        with _session(settings_of(connection), password, seconds=seconds) as mailbox:
            uids, uidvalidity = _new_uids(mailbox, connection)
            sizes = _sizes(mailbox, uids)
            for uid in uids:
                try:
                    stored += _take_one(
                        mailbox, connection, uid, sizes.get(uid, 0), uidvalidity, now
                    )
                except ResponseTooLarge as error:
                    # It announced a small message and sent a larger one: recorded
                    # without reading it; the connection is mid-answer, so the poll ends.
                    stored += _record_too_large(connection, uid, uidvalidity, error.size, b"", now)
                    _advance(connection, uid)
                    break
                _advance(connection, uid)
    except DeadlinePassed:
        if not stored:
            raise
        logger.info("mailbox %s: deadline passed after %s messages", connection.pk, stored)
    return stored


def _new_uids(mailbox: BaseMailBox, connection: MailboxConnection) -> tuple[list[int], int | None]:
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
    )
    return uids[:BATCH], uidvalidity


def _take_one(
    mailbox: BaseMailBox,
    connection: MailboxConnection,
    uid: int,
    size: int,
    uidvalidity: int | None,
    now: datetime,
) -> int:
    if size > settings.INBOX_MAX_BYTES:
        headers = _naming_headers(mailbox, uid)
        return _record_too_large(connection, uid, uidvalidity, size, headers, now)
    stored = 0
    for message in mailbox.fetch(uid_list=[str(uid)], mark_seen=False, bulk=False):
        stored += _store(connection, message.raw)
    return stored


def _advance(connection: MailboxConnection, uid: int) -> None:
    MailboxConnection.objects.filter(pk=connection.pk).update(last_uid=uid)


SIZE_RE = re.compile(rb"RFC822\.SIZE (\d+)")
UID_RE = re.compile(rb"UID (\d+)")


def _sizes(mailbox: BaseMailBox, uids: list[int]) -> dict[int, int]:
    """Each message's size as the server announces it (one FETCH for the batch)."""
    if not uids:
        return {}
    result = mailbox.client.uid("FETCH", ",".join(map(str, uids)), "(UID RFC822.SIZE)")
    check_command_status(result, MailboxFetchError)
    sizes: dict[int, int] = {}
    for line in result[1]:
        if isinstance(line, bytes) and (uid := UID_RE.search(line)) and (
            size := SIZE_RE.search(line)
        ):
            sizes[int(uid.group(1))] = int(size.group(1))
    return sizes


def _naming_headers(mailbox: BaseMailBox, uid: int) -> bytes:
    """From, Subject, Date and Message-ID of a message not downloaded, at most
    ``HEADER_PEEK`` bytes of them (a partial FETCH; the literal cap holds if ignored)."""
    result = mailbox.client.uid(
        "FETCH", str(uid), f"(BODY.PEEK[HEADER.FIELDS ({NAMING_HEADERS})]<0.{HEADER_PEEK}>)"
    )
    check_command_status(result, MailboxFetchError)
    for item in result[1]:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            return item[1][:HEADER_PEEK]
    return b""


def _record_too_large(
    connection: MailboxConnection,
    uid: int,
    uidvalidity: int | None,
    size: int,
    headers: bytes,
    now: datetime,
) -> int:
    """A row in the Inbox for a message not downloaded: who sent it, its subject, and why
    it was not read. No raw bytes (so it is never parsed again) and no size on the quota."""
    reason = (
        f"This message is {_megabytes(size)}, over the limit of "
        f"{_megabytes(settings.INBOX_MAX_BYTES)}: Follow-up did not download it. "
        "Read it in your mail program."
    )
    try:
        named = mime.parse_message(headers + b"\r\n", max_bytes=HEADER_PEEK + 2)
    except mime.MessageRefused:
        named = None
    message_id = (named.message_id if named and headers else "") or (
        f"<too-large-{connection.pk}-{uidvalidity or 0}-{uid}@inbox.invalid>"
    )
    _, created = ReceivedMessage.objects.get_or_create(
        owner=connection.owner,
        message_id=message_id[:500],
        defaults={
            "source": Source.IMAP,
            "mailbox": connection,
            "received_at": now,
            "parsed_at": now,
            "subject": (named.subject if named else "")[:500],
            "sender_name": (named.sender.name if named and named.sender else "")[:300],
            "sender_email": (named.sender.email if named and named.sender else "")[:320],
            "written_at": named.date if named else None,
            "problems": [reason],
            "summary": reason[:500],
        },
    )
    logger.info("mailbox %s: UID %s of %s bytes not downloaded", connection.pk, uid, size)
    return int(created)


def _store(connection: MailboxConnection, raw: bytes) -> int:
    try:
        received = services.receive(
            owner=connection.owner, raw=raw, source=Source.IMAP, mailbox=connection
        )
    except services.Refused as error:
        if error.temporary:
            raise  # a full account: poll_one stops and tries again next time
        # Unreadable: skipped (the user still has it in their mailbox).
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
