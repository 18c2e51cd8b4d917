"""The forwarding server: aiosmtpd accepting ``in+<token>@INBOUND_DOMAIN`` and nothing else.

Like healthchecks' ``smtpd`` command, it refuses at SMTP time what it will not keep, so a
sender's server bounces it rather than the app dropping it silently:

* RCPT of an unknown or regenerated (revoked) token, or another domain: 550, nothing stored;
* RCPT beyond the address's hourly rate (``INBOUND_RATE_PER_HOUR``) or a full account: 451 /
  452, so well-behaved senders retry later;
* a message over ``INBOX_MAX_BYTES``: 552, announced with the SIZE extension (MAIL FROM
  ``SIZE=`` over the limit is refused before any data) and enforced at DATA.

It decides from the envelope and the size alone and never reads a message: accepted mail
is stored raw (``services.store``) and the answer given at once; a worker reads it within
the parse budget (``services.parse_one``, published after the store, swept every minute).
A message that cannot be read is kept as "could not be read", with the reason, on its page.
Only accepted messages count toward the hourly rate: RCPT checks it, DATA counts.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections, connections

from inbox import services, tasks
from inbox.models import InboundAddress, Source

logger = logging.getLogger(__name__)

MAX_RECIPIENTS = 10
SESSION_TIMEOUT = 60  # seconds of silence before a connection is dropped


class RateLimiter:
    """At most ``limit`` messages per address per hour, in this process's memory.

    A deferred message (451) is retried by the sender, so a restart that forgets the
    counts lets a burst through at worst; it never loses mail.
    """

    def __init__(self, limit: int, window: float = 3600.0) -> None:
        self.limit, self.window = limit, window
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, now: float | None = None) -> bool:
        """Count one message if there is room for it (DATA, when it is accepted)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            hits = self._recent(key, now)
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            return True

    def has_room(self, key: str, now: float | None = None) -> bool:
        """Whether one more message would be allowed, counting nothing (RCPT)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            return len(self._recent(key, now)) < self.limit

    def forget_last(self, key: str) -> None:
        """Un-count a message counted at DATA and then not kept (the account was full)."""
        with self._lock:
            hits = self._hits.get(key)
            if hits:
                hits.pop()

    def _recent(self, key: str, now: float) -> deque[float]:
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        return hits


def token_of(address: str, domain: str) -> str | None:
    """``in+abc@inbound.example.com`` → ``abc``; None for any other address."""
    match = re.fullmatch(r"in\+([a-z0-9]{8,40})@(.+)", address.strip().strip("<>").lower())
    if not match or match.group(2) != domain.lower():
        return None
    return match.group(1)


def _owner_for(token: str) -> tuple[int | None, bool]:
    """(owner id or None, whether their account has room for one more message)."""
    close_old_connections()
    address = InboundAddress.objects.filter(token=token).select_related("owner").first()
    if address is None or not address.owner.is_active:
        return None, False
    has_room = services.quota_used(address.owner) < settings.INBOX_QUOTA_BYTES
    return address.owner_id, has_room


def _store(owner_id: int, raw: bytes) -> int | None:
    """Keep the raw message unread; its id if it is new (to be read), None if known."""
    close_old_connections()
    owner = InboundAddress.objects.get(owner_id=owner_id).owner
    result = services.store(owner=owner, raw=raw, source=Source.SMTP)
    return result.message.pk if result.created else None


@dataclass
class InboundHandler:
    domain: str
    limiter: RateLimiter
    accepted: int = 0
    refused: int = 0
    # Publishing to the broker waits on the network (up to a second or so when it is
    # down): off the event loop and off the database thread, and never awaited.
    publisher: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(2, thread_name_prefix="inbound-publish")
    )

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        token = token_of(address, self.domain)
        if token is None:
            self.refused += 1
            return "550 5.1.1 No such mailbox here"
        owner_id, has_room = await sync_to_async(_owner_for)(token)
        if owner_id is None:
            self.refused += 1
            return "550 5.1.1 Unknown or revoked address"
        if not has_room:
            return "452 4.2.2 The recipient's Inbox is full"
        if len(envelope.rcpt_tos) >= MAX_RECIPIENTS:
            return "452 4.5.3 Too many recipients"
        if not self.limiter.has_room(token):
            return "451 4.7.1 Too many messages for this address; try again later"
        envelope.rcpt_tos.append(address)
        # The envelope is this transaction's; aiosmtpd makes a new one after DATA or RSET.
        envelope.inbox_owners = {**getattr(envelope, "inbox_owners", {}), owner_id: token}
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        owners = getattr(envelope, "inbox_owners", {})
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        if len(raw) > settings.INBOX_MAX_BYTES:
            return "552 5.3.4 Message too big"
        reply = "250 OK: received"
        for owner_id, token in owners.items():
            if not self.limiter.allow(token):  # other sessions took the room since RCPT
                reply = "451 4.7.1 Too many messages for this address; try again later"
                continue
            try:
                new_id = await sync_to_async(_store)(owner_id, raw)
            except services.Refused as error:
                self.limiter.forget_last(token)
                reason = re.sub(r"[\r\n]+", " ", error.reason)[:200]
                code = {552: "552 5.3.4", 452: "452 4.2.2"}.get(error.smtp_code, "554 5.6.0")
                reply = f"{code} {reason}"
                continue
            self.accepted += 1
            if new_id is not None:
                asyncio.get_running_loop().run_in_executor(
                    self.publisher, tasks.publish_parse, new_id
                )
        return reply


def make_controller(
    *, host: str | None = None, port: int | None = None, domain: str | None = None
) -> Controller:
    """The server ``manage.py inbound_smtpd`` runs (and the tests and the bench start)."""
    handler = InboundHandler(
        domain=domain or settings.INBOUND_DOMAIN,
        limiter=RateLimiter(settings.INBOUND_RATE_PER_HOUR),
    )
    return Controller(
        handler,
        hostname=host or settings.INBOUND_SMTP_HOST,
        port=port or settings.INBOUND_SMTP_PORT,
        server_hostname=domain or settings.INBOUND_DOMAIN,
        data_size_limit=settings.INBOX_MAX_BYTES,
        enable_SMTPUTF8=True,
        decode_data=False,
        timeout=SESSION_TIMEOUT,
    )


def stop(controller: Controller) -> None:
    """Close the database connection of the server's worker thread, then stop it.

    Promptly, whatever a session is doing: a connection that will not close in a few
    seconds is left to the process's exit, and the server stops all the same.
    """
    future = asyncio.run_coroutine_threadsafe(
        sync_to_async(connections.close_all)(), controller.loop
    )
    try:
        future.result(timeout=3)
    except Exception:  # stopping matters more than a tidy close
        logger.warning("The database connection of the forwarding server did not close.")
    controller.stop()
    controller.handler.publisher.shutdown(wait=False)
