"""Mailbox passwords encrypted at rest with MultiFernet keys from INBOX_ENCRYPTION_KEYS.

The first key encrypts, every key decrypts, so a key is rotated by putting a new one first,
running ``manage.py inbox rotate-keys`` (re-encrypts every password, and through
``inbox.signals.keys_rotated`` the reminders' notification URLs) and then dropping the
old one. Without keys (production with the variable unset) mailboxes cannot be connected.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class SecretUnreadable(Exception):
    """A stored password none of the configured keys can decrypt."""


def _fernet() -> MultiFernet:
    keys = [key.strip() for key in settings.INBOX_ENCRYPTION_KEYS if key.strip()]
    if not keys:
        raise ImproperlyConfigured(
            "INBOX_ENCRYPTION_KEYS is not set: mailbox connections need an encryption key."
        )
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured(
            "INBOX_ENCRYPTION_KEYS: each key must be 32 url-safe base64-encoded bytes "
            "(Fernet.generate_key())."
        ) from error


def is_configured() -> bool:
    try:
        _fernet()
    except ImproperlyConfigured:
        return False
    return True


def encrypt(secret: str) -> bytes:
    return _fernet().encrypt(secret.encode())


def decrypt(token: bytes) -> str:
    try:
        return _fernet().decrypt(bytes(token)).decode()
    except InvalidToken as error:
        raise SecretUnreadable(
            "The stored password cannot be decrypted with the configured keys; enter it again."
        ) from error


def rotate(token: bytes) -> bytes:
    """Re-encrypt with the first key (MultiFernet.rotate)."""
    try:
        return _fernet().rotate(bytes(token))
    except InvalidToken as error:
        raise SecretUnreadable("A stored password cannot be decrypted with any key.") from error
