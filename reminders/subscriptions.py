"""A browser's Web Push subscription, as "Turn on for this device" sends it (static/js/push.js).

The page posts ``PushSubscription.toJSON()``: the push service's ``endpoint`` and the
browser's keys (``p256dh``, the P-256 public key each push is encrypted to, and ``auth``,
its 16-byte secret; RFC 8291). The endpoint is where the app will send requests, chosen by
whoever posts, so it is checked like every outbound address (``core.outbound``).
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction

from core.outbound import AddressRefused, check_host
from interviews.models import Candidate
from reminders.models import PushDevice

P256DH_BYTES = 65  # an uncompressed P-256 point: 0x04, then x and y
AUTH_BYTES = 16
MAX_ENDPOINT = 1000
_BASE64URL = re.compile(r"^[A-Za-z0-9_-]+={0,2}$")


class SubscriptionRefused(ValueError):
    """A subscription the app will not keep; the message says why, for the person."""


@dataclass(frozen=True)
class Subscription:
    endpoint: str
    p256dh: str
    auth: str


def _key(value, *, size: int, name: str) -> str:
    if not isinstance(value, str) or not _BASE64URL.match(value) or len(value) > 200:
        raise SubscriptionRefused(f"The browser sent a {name} key that is not valid.")
    try:
        raw = base64.urlsafe_b64decode(value.rstrip("=") + "=" * (-len(value.rstrip("=")) % 4))
    except (binascii.Error, ValueError) as error:
        raise SubscriptionRefused(f"The browser sent a {name} key that is not valid.") from error
    if len(raw) != size or (name == "p256dh" and raw[0] != 4):
        raise SubscriptionRefused(f"The browser sent a {name} key that is not valid.")
    return value.rstrip("=")


def check_endpoint(endpoint) -> str:
    """The endpoint, if the app may send to it: https (http only where private addresses
    are allowed, i.e. development and the tests) and a host that resolves to addresses the
    app may reach."""
    if not isinstance(endpoint, str) or not endpoint or len(endpoint) > MAX_ENDPOINT:
        raise SubscriptionRefused("The browser sent no push address the app can use.")
    parts = urlsplit(endpoint)
    allowed = ("https", "http") if settings.OUTBOUND_ALLOW_PRIVATE else ("https",)
    if parts.scheme not in allowed:
        raise SubscriptionRefused("The browser's push address is not a secure (https) address.")
    try:
        host, port = parts.hostname, parts.port
    except ValueError as error:
        raise SubscriptionRefused("The browser's push address is not valid.") from error
    if not host or parts.username or parts.password:
        raise SubscriptionRefused("The browser's push address is not valid.")
    try:
        check_host(host, port or (443 if parts.scheme == "https" else 80))
    except AddressRefused as error:
        raise SubscriptionRefused(str(error)) from error
    return endpoint


def parse_subscription(data) -> Subscription:
    """``PushSubscription.toJSON()`` checked, or ``SubscriptionRefused``."""
    if not isinstance(data, dict) or not isinstance(data.get("keys"), dict):
        raise SubscriptionRefused("The browser sent no push subscription.")
    keys = data["keys"]
    return Subscription(
        endpoint=check_endpoint(data.get("endpoint")),
        p256dh=_key(keys.get("p256dh"), size=P256DH_BYTES, name="p256dh"),
        auth=_key(keys.get("auth"), size=AUTH_BYTES, name="auth"),
    )


# --- The browser's name, from its user agent ----------------------------------------------

# First match wins: Edge, Opera and Samsung's browser also say "Chrome", Chrome also says
# "Safari", and iOS's browsers name themselves with their own tokens.
_BROWSERS = (
    ("Edg", "Edge"),
    ("EdgA", "Edge"),
    ("EdgiOS", "Edge"),
    ("OPR", "Opera"),
    ("SamsungBrowser", "Samsung Internet"),
    ("FxiOS", "Firefox"),
    ("Firefox", "Firefox"),
    ("CriOS", "Chrome"),
    ("Chrome", "Chrome"),
    ("HeadlessChrome", "Chrome"),
    ("Chromium", "Chromium"),
    ("Version", "Safari"),
)
_SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("CrOS", "ChromeOS"),
    ("Macintosh", "Mac"),
    ("Linux", "Linux"),
)


def browser_label(user_agent: str) -> str:
    """"Chrome on Android", "Safari on iPhone", "Firefox on Windows"; "A browser" if unknown."""
    user_agent = user_agent or ""
    tokens = set(re.findall(r"([A-Za-z]+)/[\d.]+", user_agent))
    browser = next((name for token, name in _BROWSERS if token in tokens), None)
    if browser == "Safari" and "Safari" not in tokens:
        browser = None  # "Version/" alone is not Safari
    system = next((name for token, name in _SYSTEMS if token in user_agent), None)
    if browser and system:
        return f"{browser} on {system}"
    if browser or system:
        return browser or f"A browser on {system}"
    return "A browser"


# --- Keeping it ------------------------------------------------------------------------------


def device_subscribe(
    *, owner: Candidate, subscription: Subscription, browser: str
) -> tuple[PushDevice, bool]:
    """Keep the subscription for ``owner``: one row per endpoint, so a browser signed up again
    (new keys) updates its row, and one known under another account moves to this one (the
    browser is now signed in here; the old account must not get this person's reminders).
    Returns the device and whether it is new."""
    with transaction.atomic():
        device, created = PushDevice.objects.select_for_update().update_or_create(
            endpoint=subscription.endpoint,
            defaults={
                "owner": owner,
                "p256dh": subscription.p256dh,
                "auth": subscription.auth,
                "browser": browser[:100],
                "enabled": True,
                "last_error": "",
            },
        )
    return device, created


def device_unsubscribe(*, owner: Candidate, endpoint: str) -> bool:
    """Forget this browser's subscription if it is ``owner``'s; whether one was removed."""
    deleted, _ = PushDevice.objects.filter(owner=owner, endpoint=endpoint).delete()
    return bool(deleted)
