"""Deployment checks of the reminders (``manage.py check --deploy``): the emails' links, and
the keys of Web Push."""

from __future__ import annotations

import base64

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


def push_keys_configured(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Web Push needs a VAPID key pair and a contact (RFC 8292): without them the
    notifications page offers no push, and a subject push services cannot use makes them
    refuse every push."""
    if settings.DEBUG:
        return []  # development derives a pair from SECRET_KEY (followup_site/settings.py)
    missing = [name for name in ("VAPID_PUBLIC_KEY", "VAPID_PRIVATE_KEY", "VAPID_SUBJECT")
               if not getattr(settings, name, "")]
    if missing:
        return [checks.Warning(
            f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set: push "
            "notifications are off (the notifications page says push is not set up).",
            hint="Run `python manage.py vapid_keys` and set the three variables it prints; "
                 "VAPID_SUBJECT is a mailto: address push services can reach you at.",
            id="reminders.W002",
        )]
    found = []
    subject = settings.VAPID_SUBJECT
    if not ((subject.startswith("mailto:") and "@" in subject)
            or (subject.startswith("https://") and len(subject) > len("https://"))):
        found.append(checks.Warning(
            f"VAPID_SUBJECT is neither a mailto: nor an https: address ({subject[:80]!r}): "
            "push services refuse pushes whose contact they cannot use (RFC 8292).",
            hint="Set VAPID_SUBJECT=mailto:you@example.com.",
            id="reminders.W003",
        ))
    if not vapid_pair_matches(settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY):
        found.append(checks.Warning(
            "VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY are not one P-256 key pair in base64url: "
            "browsers would subscribe with a key the pushes are not signed with.",
            hint="Generate a new pair with `python manage.py vapid_keys` (browsers subscribed "
                 "with the old public key must turn push on again).",
            id="reminders.W004",
        ))
    return found


def vapid_pair_matches(public: str, private: str) -> bool:
    from cryptography.hazmat.primitives.asymmetric import ec

    from core import vapid

    try:
        raw = base64.urlsafe_b64decode(private + "=" * (-len(private) % 4))
        key = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
    except (ValueError, TypeError):
        return False
    return len(raw) == 32 and vapid.encode(key)[0] == public
