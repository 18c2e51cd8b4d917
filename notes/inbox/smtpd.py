"""The forwarding server: aiosmtpd accepting ``in+<token>@INBOUND_DOMAIN`` and nothing else.

Like healthchecks' ``smtpd`` command, it refuses at SMTP time what it will not keep, so a
sender's server bounces it rather than the app dropping it silently:

* RCPT of an unknown or regenerated (revoked) token, or another domain: 550, nothing stored;
* RCPT beyond the address's hourly rate (``INBOUND_RATE_PER_HOUR``) or a full account: 451 /
  452, so well-behaved senders retry later;
* a message over ``INBOX_MAX_BYTES``: 552, announced with the SIZE extension (MAIL FROM
  ``SIZE=`` over the limit is refused before any data) and enforced at DATA;
* unreadable mail: 554.

Accepted mail is handed to ``services.receive``, the unit the other ways in use.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
import time
from collections import deque
from dataclasses import dataclass

from aiosmtpd.controller import Controller
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections, connections

from notes.inbox import services
from notes.inbox.models import InboundAddress, Source

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
        now = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            return True


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


def _receive(owner_id: int, raw: bytes) -> bool:
    close_old_connections()
    owner = InboundAddress.objects.get(owner_id=owner_id).owner
    return services.receive(owner=owner, raw=raw, source=Source.SMTP).created


@dataclass
class InboundHandler:
    domain: str
    limiter: RateLimiter
    accepted: int = 0
    refused: int = 0

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
        if not self.limiter.allow(token):
            return "451 4.7.1 Too many messages for this address; try again later"
        envelope.rcpt_tos.append(address)
        # The envelope is this transaction's; aiosmtpd makes a new one after DATA or RSET.
        envelope.inbox_owner_ids = [*getattr(envelope, "inbox_owner_ids", []), owner_id]
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        owner_ids = list(dict.fromkeys(getattr(envelope, "inbox_owner_ids", [])))
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        if len(raw) > settings.INBOX_MAX_BYTES:
            return "552 5.3.4 Message too big"
        reply = "250 OK: received"
        for owner_id in owner_ids:
            try:
                await sync_to_async(_receive)(owner_id, raw)
            except services.Refused as error:
                reason = re.sub(r"[\r\n]+", " ", error.reason)[:200]
                code = {552: "552 5.3.4", 452: "452 4.2.2"}.get(error.smtp_code, "554 5.6.0")
                reply = f"{code} {reason}"
                continue
            self.accepted += 1
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
    """Close the database connection of the server's worker thread, then stop it."""
    future = asyncio.run_coroutine_threadsafe(
        sync_to_async(connections.close_all)(), controller.loop
    )
    future.result(timeout=10)
    controller.stop()
