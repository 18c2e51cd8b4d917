"""RFC 6238 one-time codes, written out here rather than taken from allauth, so the tests
check allauth's TOTP against the standard."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time
from datetime import datetime

# A fixed base32 secret for accounts the tests give an authenticator app.
SECRET = "JBSWY3DPEHPK3PXP"


def totp(secret: str = SECRET, at: datetime | None = None) -> str:
    """The 6-digit SHA-1 code of the 30-second step containing ``at`` (default: now)."""
    seconds = at.timestamp() if at is not None else time.time()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(seconds) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"
