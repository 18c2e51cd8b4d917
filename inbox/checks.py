"""Deployment checks of the Inbox (``manage.py check --deploy``)."""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from inbox import crypto


def encryption_keys_configured(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """In production, mailbox passwords need INBOX_ENCRYPTION_KEYS (with DEBUG on, the
    settings derive a key from SECRET_KEY): without them no mailbox can be connected."""
    if settings.DEBUG:
        return []
    try:
        crypto._fernet()
    except ImproperlyConfigured as error:
        return [checks.Warning(
            f"{error} No mailbox can be connected to the Inbox.",
            hint="Set INBOX_ENCRYPTION_KEYS to a key made by "
                 "`python -c 'from cryptography.fernet import Fernet; "
                 "print(Fernet.generate_key().decode())'` (comma-separated, newest first).",
            id="inbox.W001",
        )]
    return []
