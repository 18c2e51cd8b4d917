"""VAPID keys (RFC 8292) for Web Push, in the forms the browser and pywebpush take.

The public key is the browser's ``applicationServerKey``: the uncompressed P-256 point,
base64url without padding. The private key is the raw 32-byte scalar, base64url, which
``py_vapid`` reads from a string.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

# The order of the P-256 group: a private scalar lies in [1, n - 1].
_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def encode(key: ec.EllipticCurvePrivateKey) -> tuple[str, str]:
    """(public, private) of ``key`` as the environment variables hold them."""
    public = key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    private = key.private_numbers().private_value.to_bytes(32, "big")
    return b64url(public), b64url(private)


def generate() -> tuple[str, str]:
    return encode(ec.generate_private_key(ec.SECP256R1()))


def derived(secret: str) -> tuple[str, str]:
    """A key pair derived from ``secret``: for development only (like the mailbox key),
    so that ``make run`` pushes with no setup and keeps its subscriptions across restarts."""
    scalar = int.from_bytes(hashlib.sha256(f"vapid:{secret}".encode()).digest(), "big")
    return encode(ec.derive_private_key(scalar % (_P256_ORDER - 1) + 1, ec.SECP256R1()))
