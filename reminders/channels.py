"""What a candidate configures about where reminders go: the channels and waking hours.

The settings page (``reminders.channel_views``) changes things only through these
functions. Email is a switch on ``ReminderSettings``; each push device and each Apprise URL
is a row with its own switch. An Apprise URL holds the service's secret, so it is stored
encrypted (``inbox.crypto``, the mailbox passwords' keys) and shown afterwards only as a
masked ``hint`` (``mask_url``).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from datetime import time
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from core import outbound
from inbox import crypto
from reminders import senders, services
from reminders.models import AppriseChannel, PushDevice, ReminderSettings

MASK = "•••"
TEST_TITLE = "Follow-up: a test"
TEST_BODY = "This is a test from Follow-up. Your reminders will arrive here."


# --- Pure helpers ---------------------------------------------------------------------------


def _real_host(host: str) -> bool:
    """Whether ``host`` names a machine (a domain name, an IP address, localhost) rather
    than a token that a service's URL syntax keeps where a host would be (``tgram://``'s bot
    token, ``pover://``'s application token)."""
    if not host:
        return False
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return True
    return host == "localhost" or ("." in host.strip(".") and len(host) <= 253)


def url_host(url: str) -> tuple[str, int | None] | None:
    """The (host, port) an Apprise URL names, when it names a real host; else None."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return None
    if not _real_host(host):
        return None
    try:
        port = parts.port
    except ValueError:
        port = None
    return host, port


def mask_url(url: str) -> str:
    """What the pages show of an Apprise URL: the service and the host, nothing secret.

    ``ntfys://ntfy.sh/topic`` → ``ntfys://ntfy.sh/•••``; ``tgram://bot-token/chat`` →
    ``tgram://•••``; ``matrixs://user:pass@matrix.org/#room`` → ``matrixs://•••@matrix.org/•••``.
    A user name, a password, a path, a query and a fragment may each hold a token: all are
    masked. Where the syntax puts a token in the host's place, so is the host.
    """
    scheme, sep, rest = url.strip().partition("://")
    if not sep or not scheme.isascii() or not scheme.replace("+", "").isalnum():
        return MASK
    scheme = scheme.lower()[:20]
    netloc, _, tail = rest.partition("/")
    netloc, query_sep, _ = netloc.partition("?")
    netloc, fragment_sep, _ = netloc.partition("#")
    userinfo, at, hostport = netloc.rpartition("@")
    try:
        parts = urlsplit(f"x://{hostport}")
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        host, port = "", None
    secret_after = bool(tail or query_sep or fragment_sep)
    if not _real_host(host):
        return f"{scheme}://{MASK}"
    shown = f"[{host}]" if ":" in host else host
    if port:
        shown += f":{port}"
    hint = f"{scheme}://{MASK + '@' if at and userinfo else ''}{shown[:120]}"
    return hint + (f"/{MASK}" if secret_after else "")


# --- The reminder settings' channel fields --------------------------------------------------


@dataclass(frozen=True)
class Waking:
    """The hours pushes and chat messages may arrive, local time."""

    start: time  # the stored start, or the reminder hour
    until: time
    follows_reminder_hour: bool


def waking_hours(*, candidate, prefs: ReminderSettings | None) -> Waking:
    start = prefs.waking_from if prefs else None
    until = prefs.waking_until if prefs else time(21, 0)
    return Waking(
        start=start or time(candidate.reminder_hour, 0),
        until=until,
        follows_reminder_hour=start is None,
    )


def notification_settings_update(
    *, candidate, paused: bool, email_enabled: bool, waking_from: time | None,
    waking_until: time,
) -> ReminderSettings:
    """Save the notifications page's settings.

    Pausing or resuming goes through ``services.settings_update`` (the same field as the
    reminder settings page, with its re-planning request in this transaction); the channel
    fields are saved next to it.
    """
    with transaction.atomic():
        prefs = (ReminderSettings.objects.select_for_update()
                 .filter(candidate=candidate).first())
        if prefs is None or prefs.paused != paused:
            prefs = services.settings_update(
                candidate=candidate, paused=paused,
                disabled_rules=list(prefs.disabled_rules) if prefs else [],
            )
        prefs.email_enabled = email_enabled
        prefs.waking_from = waking_from
        prefs.waking_until = waking_until
        prefs.save(update_fields=["email_enabled", "waking_from", "waking_until"])
    return prefs


def email_unsubscribe(*, candidate) -> bool:
    """Turn the email channel off, as a reminder email's unsubscribe link asks (RFC 8058):
    push and Apprise, if the candidate set them up, go on. False if it was off already."""
    prefs, _ = ReminderSettings.objects.get_or_create(candidate=candidate)
    return bool(
        ReminderSettings.objects.filter(pk=prefs.pk, email_enabled=True)
        .update(email_enabled=False)
    )


# --- Push devices ---------------------------------------------------------------------------


def device_set_enabled(*, device: PushDevice, enabled: bool) -> None:
    device.enabled = enabled
    device.save(update_fields=["enabled"])


def device_remove(*, device: PushDevice) -> None:
    device.delete()


# --- Apprise URLs ---------------------------------------------------------------------------


class RefusedURL(ValueError):
    """A notification URL that cannot be used; the message is for the user."""


EXAMPLES = "ntfys://ntfy.sh/your-topic, tgram://bot-token/chat-id or pover://user@token"


def apprise_check(url: str) -> None:
    """Refuse a URL Apprise does not know, or whose host is private or local.

    A host that does not resolve (often a token where the syntax puts a host) passes: the
    check at send time (``core.outbound.guard``) covers every connection anyway.
    """
    if senders.apprise_target(url) is None:
        raise RefusedURL(
            "Apprise does not recognise this notification URL. It starts with the service, "
            f"for example {EXAMPLES}."
        )
    named = url_host(url)
    if named is None:
        return
    host, port = named
    try:
        outbound.check_host(host, port)
    except outbound.AddressRefused as error:
        if isinstance(error.__cause__, (socket.gaierror, UnicodeError)):
            return  # it does not resolve: not a host after all; the send-time guard decides
        raise RefusedURL(str(error)) from error


def apprise_add(*, owner, label: str, url: str) -> AppriseChannel:
    """Store a checked URL, encrypted; only its masked hint is ever shown."""
    return AppriseChannel.objects.create(
        owner=owner, label=label, url_encrypted=crypto.encrypt(url), hint=mask_url(url)
    )


def apprise_set_enabled(*, channel: AppriseChannel, enabled: bool) -> None:
    channel.enabled = enabled
    channel.save(update_fields=["enabled"])


def apprise_remove(*, channel: AppriseChannel) -> None:
    channel.delete()


def apprise_send_test(*, channel: AppriseChannel) -> str | None:
    """Send a short test message now. Returns None when it went, else the error in plain
    words; either way the outcome is recorded on the row."""
    error = None
    try:
        url = crypto.decrypt(channel.url_encrypted)
        apprise_check(url)
        senders.send_apprise(url, title=TEST_TITLE, body=TEST_BODY)
    except crypto.SecretUnreadable:
        error = "The stored URL cannot be read with this server's keys; remove it and add it again."
    except ImproperlyConfigured:
        error = "Notification URLs need the encryption key on this server, which is not set."
    except (RefusedURL, senders.SendFailed) as failure:
        error = str(failure)
    if error:
        channel.last_error = error[:300]
        channel.save(update_fields=["last_error"])
    else:
        channel.last_error = ""
        channel.last_sent_at = timezone.now()
        channel.save(update_fields=["last_error", "last_sent_at"])
    return error


def apprise_rotate_keys() -> tuple[int, list[str]]:
    """Re-encrypt every stored URL with the first key (``inbox rotate-keys`` calls this
    through ``inbox.signals.keys_rotated``). Returns (done, problems)."""
    done, problems = 0, []
    if not crypto.is_configured():
        return 0, ["No encryption key is set: the notification URLs were left as they are."]
    for channel in AppriseChannel.objects.order_by("pk").iterator():
        try:
            channel.url_encrypted = crypto.rotate(channel.url_encrypted)
        except crypto.SecretUnreadable:
            problems.append(f"Notification URL {channel.pk} ({channel.hint}): none of the keys "
                            "decrypts it.")
            continue
        channel.save(update_fields=["url_encrypted"])
        done += 1
    return done, problems
