"""The two ways a notification leaves the app besides email: Web Push and Apprise.

No per-service code: ``pywebpush`` encrypts (RFC 8291, aes128gcm) and signs (VAPID,
RFC 8292) a push; Apprise speaks to ntfy, Telegram, Pushover, Signal, Matrix, Slack and the
rest. Both run inside ``core.outbound.guard()``, so neither can be pointed at the app's own
network. A failure raises ``SendFailed``, which says whether to try again (``temporary``)
and whether the push service dropped the subscription (``gone``: delete the device).
"""

from __future__ import annotations

import json
import logging

import apprise
import requests
from django.conf import settings
from pywebpush import WebPushException, webpush

from core import outbound

log = logging.getLogger(__name__)

PUSH_TIMEOUT = 10  # seconds for one push service request
# How long the push service keeps a push for a device that is offline (seconds).
PUSH_TTL = 24 * 3600
APPRISE_CONNECT_TIMEOUT = 5.0
APPRISE_READ_TIMEOUT = 10.0


class SendFailed(Exception):
    def __init__(self, message: str, *, temporary: bool, gone: bool = False) -> None:
        super().__init__(message)
        self.temporary = temporary
        self.gone = gone


def push_configured() -> bool:
    return bool(settings.VAPID_PUBLIC_KEY and settings.VAPID_PRIVATE_KEY
                and settings.VAPID_SUBJECT)


def send_push(subscription_info: dict, payload: dict) -> None:
    """Encrypt ``payload`` (JSON) to the subscription and post it to its push service."""
    if not push_configured():
        raise SendFailed("Push is not set up on this server (VAPID keys).", temporary=True)
    try:
        with outbound.guard():
            webpush(
                subscription_info,
                data=json.dumps(payload, separators=(",", ":")),
                vapid_private_key=settings.VAPID_PRIVATE_KEY,
                vapid_claims={"sub": settings.VAPID_SUBJECT},
                ttl=PUSH_TTL,
                timeout=PUSH_TIMEOUT,
                content_encoding="aes128gcm",
            )
    except WebPushException as error:
        status = getattr(error.response, "status_code", None)
        if status in (404, 410):
            raise SendFailed("The browser dropped this subscription.", temporary=False,
                             gone=True) from error
        temporary = status is None or status == 429 or status >= 500
        raise SendFailed(f"The push service answered {status}.", temporary=temporary) from error
    except (requests.RequestException, OSError) as error:
        raise SendFailed(f"The push service could not be reached: {error}"[:300],
                         temporary=True) from error


# No image: by default Apprise has services such as ntfy fetch its logo from elsewhere on
# the internet with each message.
_ASSET = apprise.AppriseAsset(image_url_mask="", image_url_logo="")


def apprise_target(url: str):
    """Apprise's object for ``url``, or None when Apprise knows no such URL."""
    target = apprise.Apprise.instantiate(url, asset=_ASSET, suppress_exceptions=True)
    if target is None or isinstance(target, bool):
        return None
    return target


def send_apprise(url: str, *, title: str, body: str) -> None:
    """Send one message through Apprise; what its log said is the error, if any."""
    target = apprise_target(url)
    if target is None:
        raise SendFailed("Apprise does not recognise this notification URL.", temporary=False)
    target.socket_connect_timeout = APPRISE_CONNECT_TIMEOUT
    target.socket_read_timeout = APPRISE_READ_TIMEOUT
    with (apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as captured,
          outbound.guard()):
        sent = target.notify(title=title, body=body)
    if not sent:
        said = " ".join(captured.getvalue().split())[:250]
        raise SendFailed(f"The service did not take the message. {said}".strip(),
                         temporary=True)
