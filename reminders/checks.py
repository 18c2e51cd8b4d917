"""Deployment checks of the reminder emails (``manage.py check --deploy``)."""

from __future__ import annotations

from django.conf import settings
from django.core import checks


def site_url_is_https(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """In production the links of reminder emails must be https: mail clients offer the
    one-click unsubscribe (``List-Unsubscribe-Post``, RFC 8058) only for an https link, and
    ``reminders.emails`` leaves that header out otherwise."""
    if settings.DEBUG or settings.SITE_URL.startswith("https://"):
        return []
    return [checks.Warning(
        f"SITE_URL is not an https address ({settings.SITE_URL!r}): reminder emails will "
        "offer no one-click unsubscribe (RFC 8058 defines it for https links only), and "
        "their links are sent in the clear.",
        hint="Set SITE_URL to the public https address, e.g. https://followup.example.com.",
        id="reminders.W001",
    )]
