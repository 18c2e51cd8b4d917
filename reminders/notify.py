"""Push and Apprise: the one send path of the channels besides email.

Each minute tick (``reminders.tasks.notify_task``) does two things, independent of the
mail server:

1. ``make_digests``: for each candidate not paused and with an enabled push device or
   Apprise URL, the open follow-ups that came due since the last digest
   (``ReminderSettings.digested_through``) make one ``Digest``, and each enabled channel
   gets one ``Delivery`` of it, due at once or, outside the candidate's waking hours, at
   the next waking start (``next_waking``). One transaction, with the settings rows
   locked, so that two workers never make the same digest.
2. ``dispatch_deliveries``: the email's "claim, then send, then record"
   (``reminders.services``) for these rows:

   - claim the due deliveries of up to ``CHANNELS_PER_CLAIM`` channels with one
     conditional UPDATE (a token and a lease, like ``services.claim_batch``);
   - re-check them: which follow-ups are still open and still wanted by the rules
     (``services.recheck``, once for the whole claim), then per channel, right before
     sending, the rows, the pause, the channel's switch and the waking hours;
   - take a token from the channel's bucket (``TokenBucket``, healthchecks' model);
   - send ONE notification per channel, whatever number of digests piled up for it, and
     record all its deliveries sent with one UPDATE straight after.

A worker killed between a send and its record leaves the rows claimed; once the lease runs
out they are claimed and sent again: at most one notification per channel is sent twice.
Failures: a subscription the push service dropped (404, 410) is deleted with its
deliveries; a temporary failure is retried with the email's backoff and fails after
``services.MAX_ATTEMPTS``; a permanent one fails at once and says so on the channel. One
channel's failure never holds up another's.
"""

from __future__ import annotations

import logging
import time as clock
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from inbox import crypto
from interviews.models import Candidate
from reminders import grouping, senders, services
from reminders.emails import open_path
from reminders.links import make_token
from reminders.models import (
    OPEN_STATUSES,
    AppriseChannel,
    Delivery,
    DeliveryStatus,
    Digest,
    FollowUp,
    PushDevice,
    ReminderSettings,
    TokenBucket,
)

log = logging.getLogger(__name__)

# How many candidates one digest transaction locks and serves.
CANDIDATES_PER_DIGEST = 200
# How many channels one claim takes: one claim and one re-check serve this many sends.
CHANNELS_PER_CLAIM = 50
# Follow-ups that came due longer ago than this, while the candidate had no channel on or
# had paused, are not pushed when they turn one on again: the app and the email show them.
MAX_BACKLOG = timedelta(days=2)
# The most signed tokens a push carries (the push action endpoint takes at most 20).
MAX_TOKENS = 20
NOTHING_OPEN = "Not sent: everything in it was done, snoozed or closed before it went out."
PAUSED = "Not sent: reminders were paused."
CHANNEL_OFF = "Not sent: this channel was turned off."


# --- Waking hours (pure) --------------------------------------------------------------------


def is_waking(local: time, start: time, end: time) -> bool:
    """Whether a local wall-clock time lies in [start, end).

    ``start == end`` means all day; ``start > end`` a span over midnight (22:00–06:00).
    """
    if start == end:
        return True
    if start < end:
        return start <= local < end
    return local >= start or local < end


def next_waking(now: datetime, zone: ZoneInfo, start: time, end: time) -> datetime:
    """``now`` if it is inside the waking hours [start, end) in ``zone``, else the next
    moment they start, in UTC.

    A start that falls in a spring-forward gap (02:30 on the night clocks skip an hour) is
    the first moment after the gap; one that occurs twice (autumn) is its first occurrence.
    """
    local = now.astimezone(zone)
    wall = local.time().replace(tzinfo=None)
    if is_waking(wall, start, end):
        return now
    day = local.date()
    if wall >= start:
        day += timedelta(days=1)
    moment = datetime.combine(day, start, tzinfo=zone).astimezone(UTC)
    # A wall time in a gap does not exist: zoneinfo reads it with the offset before the
    # gap, which lands after it, but never let that be earlier than now.
    return max(moment, now)


def waking_hours(candidate: Candidate, prefs: ReminderSettings | None) -> tuple[time, time]:
    start = prefs.waking_from if prefs and prefs.waking_from else time(candidate.reminder_hour)
    end = prefs.waking_until if prefs else time(21, 0)
    return start, end


# --- Digests --------------------------------------------------------------------------------


def _enabled_channels_exist():
    return Q(Exists(PushDevice.objects.filter(owner_id=OuterRef("pk"), enabled=True))) | Q(
        Exists(AppriseChannel.objects.filter(owner_id=OuterRef("pk"), enabled=True))
    )


def make_digests(*, now: datetime | None = None) -> int:
    """Make the digests that came due by ``now``; returns how many were made."""
    now = now or timezone.now()
    with_channels = Candidate.objects.filter(_enabled_channels_exist())
    # Every candidate with a channel gets a settings row: it is what the digest locks.
    missing = with_channels.exclude(
        Exists(ReminderSettings.objects.filter(candidate_id=OuterRef("pk")))
    ).values_list("pk", flat=True)
    ReminderSettings.objects.bulk_create(
        [ReminderSettings(candidate_id=pk) for pk in missing], ignore_conflicts=True
    )
    eligible = (
        ReminderSettings.objects.filter(paused=False)
        .filter(Exists(with_channels.filter(pk=OuterRef("candidate_id"))))
        .filter(Q(digested_through__isnull=True) | Q(digested_through__lt=now))
        .order_by("candidate_id")
    )
    made = 0
    last = 0
    while True:
        with transaction.atomic():
            locked = list(
                eligible.filter(candidate_id__gt=last)
                .select_related("candidate")
                .select_for_update(skip_locked=True, of=("self",))[:CANDIDATES_PER_DIGEST]
            )
            if not locked:
                return made
            last = locked[-1].candidate_id
            made += _digest(locked, now)


def _digest(locked: list[ReminderSettings], now: datetime) -> int:
    """The digests of the locked candidates, in a fixed number of queries."""
    ids = [prefs.candidate_id for prefs in locked]
    devices: dict[int, list[PushDevice]] = defaultdict(list)
    for device in PushDevice.objects.filter(owner_id__in=ids, enabled=True):
        devices[device.owner_id].append(device)
    urls: dict[int, list[AppriseChannel]] = defaultdict(list)
    for channel in AppriseChannel.objects.filter(owner_id__in=ids, enabled=True).defer(
        "url_encrypted"
    ):
        urls[channel.owner_id].append(channel)
    since: dict[int, datetime] = {}
    for prefs in locked:
        pk = prefs.candidate_id
        if not devices[pk] and not urls[pk]:
            continue
        first = min(c.created_at for c in [*devices[pk], *urls[pk]])
        since[pk] = max(prefs.digested_through or first, now - MAX_BACKLOG)
    due: dict[int, list[int]] = defaultdict(list)
    if since:
        window = Q()
        for pk, start in since.items():
            window |= Q(owner_id=pk, due_at__gt=start)
        for pk, owner_id in (
            FollowUp.objects.filter(status__in=OPEN_STATUSES, due_at__lte=now)
            .filter(window).order_by("due_at", "id").values_list("id", "owner_id")
        ):
            due[owner_id].append(pk)
    owners = [pk for pk in since if due[pk]]
    digests = Digest.objects.bulk_create(
        [Digest(owner_id=pk, followup_ids=due[pk], created_at=now) for pk in owners]
    )
    by_owner = {prefs.candidate_id: prefs for prefs in locked}
    deliveries = []
    for digest in digests:
        prefs = by_owner[digest.owner_id]
        start, end = waking_hours(prefs.candidate, prefs)
        due_at = next_waking(now, prefs.candidate.zone, start, end)
        deliveries += [
            Delivery(digest=digest, owner_id=digest.owner_id, device=device, due_at=due_at,
                     created_at=now)
            for device in devices[digest.owner_id]
        ]
        deliveries += [
            Delivery(digest=digest, owner_id=digest.owner_id, apprise=channel, due_at=due_at,
                     created_at=now)
            for channel in urls[digest.owner_id]
        ]
    Delivery.objects.bulk_create(deliveries)
    ReminderSettings.objects.filter(candidate_id__in=list(since)).update(digested_through=now)
    return len(digests)


# --- Claiming -------------------------------------------------------------------------------


@dataclass
class Claim:
    token: uuid.UUID
    # Channel key ("device:3", "apprise:7") → the ids of its claimed deliveries.
    channels: dict[str, list[int]]

    @property
    def ids(self) -> list[int]:
        return sorted(pk for ids in self.channels.values() for pk in ids)


def _claimable(now: datetime):
    return Delivery.objects.due(now).filter(attempts__lt=services.MAX_ATTEMPTS)


def claim_deliveries(*, now: datetime, channels: int = CHANNELS_PER_CLAIM) -> Claim | None:
    """Claim every due delivery of up to ``channels`` channels, the most overdue first.

    One conditional UPDATE stamps the rows with a token and a lease (``services.LEASE``)
    and counts the attempt: a row that another dispatcher claimed meanwhile no longer
    matches and is left out; the rows that carry the token are the claim. A channel that
    has a delivery held by another dispatcher's running lease is not claimed, so that two
    dispatchers never send to one channel at once. The same code on every database.
    """
    token = uuid.uuid4()
    held = Delivery.objects.filter(status=DeliveryStatus.PENDING, claimed_until__gt=now)
    free = _claimable(now).exclude(
        Exists(held.filter(device_id=OuterRef("device_id")))
    ).exclude(Exists(held.filter(apprise_id=OuterRef("apprise_id"))))
    devices: list[int] = []
    urls: list[int] = []
    for device_id, apprise_id in free.order_by("due_at", "id").values_list(
        "device_id", "apprise_id"
    )[: channels * 20]:
        if len(devices) + len(urls) >= channels:
            break
        if device_id and device_id not in devices:
            devices.append(device_id)
        elif apprise_id and apprise_id not in urls:
            urls.append(apprise_id)
    if not devices and not urls:
        return None
    # Not ``free``: its "held" test would see the rows this very UPDATE claims.
    _claimable(now).filter(Q(device_id__in=devices) | Q(apprise_id__in=urls)).update(
        claim_token=token, claimed_until=now + services.LEASE, attempts=F("attempts") + 1
    )
    found: dict[str, list[int]] = {}
    for pk, device_id, apprise_id in (
        Delivery.objects.filter(claim_token=token).order_by("due_at", "id")
        .values_list("id", "device_id", "apprise_id")
    ):
        key = f"device:{device_id}" if device_id else f"apprise:{apprise_id}"
        found.setdefault(key, []).append(pk)
    return Claim(token, found) if found else None


def release_expired_leases(*, now: datetime) -> int:
    """Recover the deliveries of a dispatcher that died; fail those out of attempts."""
    expired = Delivery.objects.filter(status=DeliveryStatus.PENDING, claimed_until__lt=now)
    expired.filter(attempts__gte=services.MAX_ATTEMPTS).update(
        status=DeliveryStatus.FAILED, claim_token=None, claimed_until=None,
        last_error="The dispatcher stopped while sending this, every time it tried.",
        status_note="The notification could not be delivered.",
    )
    return expired.update(claim_token=None, claimed_until=None)


def _release(token: uuid.UUID, ids: list[int], **changes) -> None:
    """Hand claimed deliveries back unsent; their attempt does not count."""
    Delivery.objects.filter(id__in=ids, claim_token=token).update(
        claim_token=None, claimed_until=None, attempts=F("attempts") - 1, **changes
    )


def _close(token: uuid.UUID, ids: list[int], status: str, note: str) -> None:
    Delivery.objects.filter(id__in=ids, claim_token=token).update(
        status=status, status_note=note, claim_token=None, claimed_until=None,
    )


def record_sent(*, token: uuid.UUID, ids: list[int], now: datetime) -> int:
    """Mark deliveries sent, in one UPDATE, straight after the service took the message."""
    return Delivery.objects.filter(id__in=ids, claim_token=token).update(
        status=DeliveryStatus.SENT, sent_at=now, claim_token=None, claimed_until=None,
        last_error="", retry_at=None, status_note="",
    )


def _record_failure(token: uuid.UUID, ids: list[int], error: senders.SendFailed,
                    now: datetime) -> None:
    mine = Delivery.objects.filter(id__in=ids, claim_token=token)
    text = str(error)[:1000]
    if error.temporary:
        mine.filter(attempts__gte=services.MAX_ATTEMPTS).update(
            status=DeliveryStatus.FAILED, last_error=text, claim_token=None,
            claimed_until=None, status_note="The notification could not be delivered.",
        )
        for attempts in range(1, services.MAX_ATTEMPTS):
            delay = services.BACKOFF[min(attempts, len(services.BACKOFF)) - 1]
            mine.filter(attempts=attempts).update(
                retry_at=now + delay, last_error=text, claim_token=None, claimed_until=None,
            )
    else:
        mine.update(
            status=DeliveryStatus.FAILED, last_error=text, claim_token=None,
            claimed_until=None, status_note="The service refused the notification.",
        )


# --- Rate limit -----------------------------------------------------------------------------


def authorize(key: str, now: datetime) -> datetime | None:
    """Take one token from ``key``'s bucket: None if there was one, else when the next
    one is there (healthchecks' ``TokenBucket.authorize``, counted in pushes: a bucket of
    ``PUSH_BURST``, refilled one every ``PUSH_REFILL_SECONDS``)."""
    capacity = float(settings.PUSH_BURST)
    refill = float(settings.PUSH_REFILL_SECONDS)
    with transaction.atomic():
        bucket, created = TokenBucket.objects.select_for_update().get_or_create(
            key=key, defaults={"tokens": capacity, "updated": now}
        )
        if not created:
            elapsed = max((now - bucket.updated).total_seconds(), 0.0)
            bucket.tokens = min(capacity, bucket.tokens + elapsed / refill)
            bucket.updated = max(bucket.updated, now)
        if bucket.tokens < 1.0:
            bucket.save(update_fields=["tokens", "updated"])
            return now + timedelta(seconds=(1.0 - bucket.tokens) * refill)
        bucket.tokens -= 1.0
        bucket.save(update_fields=["tokens", "updated"])
    return None


# --- What a notification says ---------------------------------------------------------------


@dataclass
class Message:
    title: str
    body: str
    url: str
    lines: list[str]
    done: list[int]  # the follow-up ids "Done" closes (a single task only)
    snooze: list[int]


def _where(task: grouping.Task) -> str:
    application = task.application
    return f"{application.role_title} at {application.company}"


def _task_path(task: grouping.Task) -> str:
    if task.kind == "thank_you":
        return reverse("interview_notes", args=[task.interview_id])
    return open_path(task.followup, None)


def compose(followups: list[FollowUp]) -> Message:
    """The words of one notification about ``followups`` (open, in due order): the title
    counts the tasks, the body names the first with its company (``reminders.grouping``,
    as the email words them)."""
    tasks = grouping.group(followups)
    first = tasks[0]
    if len(tasks) == 1:
        title = first.title
        person = first.followup.interviewer.name if (
            first.kind == "single" and first.followup.interviewer_id) else ""
        body = f"{person}, {_where(first)}" if person else _where(first)
    else:
        title = f"{len(tasks)} follow-ups to do"
        body = f"{first.title}, {_where(first)}, and {len(tasks) - 1} more."
    lines = [f"- {task.title} ({_where(task)})" for task in tasks]
    open_rows = [f.pk for task in tasks for f in task.open_followups]
    return Message(
        title=title, body=body, url=_task_path(first), lines=lines,
        done=[f.pk for f in first.open_followups] if len(tasks) == 1 else [],
        snooze=open_rows,
    )


def push_payload(message: Message, *, owner_id: int, digest_id: int) -> dict:
    def tokens(action: str, ids: list[int]) -> list[str]:
        return [make_token(followup_id=pk, owner_id=owner_id, action=action)
                for pk in ids[:MAX_TOKENS]]

    actions = [{"action": "snooze", "title": "Snooze"}]
    if message.done:
        actions.insert(0, {"action": "done", "title": "Done"})
    return {
        "title": message.title,
        "body": message.body,
        "url": message.url,
        "tag": f"followup-digest-{digest_id}",
        "actions": actions,
        "tokens": {"done": tokens("done", message.done),
                   "snooze": tokens("snooze", message.snooze)},
        "act": reverse("push_action"),
    }


def apprise_body(message: Message) -> str:
    return "\n".join([*message.lines, "", f"Open Follow-up: {settings.SITE_URL}{message.url}"])


# --- Dispatch -------------------------------------------------------------------------------


def _open_rows(followup_ids: set[int], now: datetime) -> dict[int, FollowUp]:
    """The follow-ups among ``followup_ids`` still open and due, with what grouping reads."""
    return {
        row.pk: row
        for row in FollowUp.objects.filter(
            pk__in=followup_ids, status__in=OPEN_STATUSES, due_at__lte=now
        ).select_related("owner", "application", "interview", "interviewer")
    }


def dispatch_one(*, now: datetime | None = None) -> int:
    """Claim, re-check, send and record the due deliveries of a few channels; returns how
    many channels were handled (0 when nothing was due)."""
    now = now or timezone.now()
    claim = claim_deliveries(now=now)
    if claim is None:
        return 0
    rows = {
        d.pk: d for d in Delivery.objects.filter(id__in=claim.ids, claim_token=claim.token)
        .select_related("digest")
    }
    wanted = {pk for d in rows.values() for pk in d.digest.followup_ids}
    open_rows = _open_rows(wanted, now)
    # The rules' re-check of the whole claim at once: a follow-up it finds stale is left
    # out here, and closed by the email dispatcher or the planner, whose rows they are.
    stale = services.recheck(list(open_rows.values()), now) if open_rows else {}
    usable = {pk: row for pk, row in open_rows.items() if pk not in stale}
    started = clock.monotonic()
    keys = list(claim.channels)
    for done, key in enumerate(keys):
        ids = claim.channels[key]
        if done and clock.monotonic() - started > services.SEND_BUDGET.total_seconds():
            # Never send on a lease that may have run out: hand the rest back.
            _release(claim.token, [pk for rest in keys[done:] for pk in claim.channels[rest]])
            break
        try:
            _send_channel(claim.token, key, ids, now, usable)
        except Exception:
            # A bug or bad data on one channel: recorded there, the others go on.
            log.exception("Sending to %s failed", key)
            Delivery.objects.filter(id__in=ids, claim_token=claim.token).update(
                status=DeliveryStatus.FAILED, claim_token=None, claimed_until=None,
                status_note="The notification could not be prepared.",
                last_error="An error of ours; it was logged.",
            )
    return len(claim.channels)


def _send_channel(token: uuid.UUID, key: str, ids: list[int], now: datetime,
                  usable: dict[int, FollowUp]) -> None:
    """Re-check one channel's claimed deliveries and send them as one notification.

    ``usable``: the claim's follow-ups that were open and that the rules' re-check kept.
    """
    fresh = list(
        Delivery.objects.filter(id__in=ids, claim_token=token, status=DeliveryStatus.PENDING)
        .select_related("digest", "device", "apprise", "owner", "owner__reminder_settings")
        .order_by("due_at", "id")
    )
    if not fresh:
        return  # the channel was deleted with its deliveries, or they were settled
    ids = [d.pk for d in fresh]
    owner = fresh[0].owner
    prefs = getattr(owner, "reminder_settings", None)
    channel = fresh[0].device or fresh[0].apprise
    if prefs is not None and prefs.paused:
        _close(token, ids, DeliveryStatus.SKIPPED, PAUSED)
        return
    if not channel.enabled:
        _close(token, ids, DeliveryStatus.SKIPPED, CHANNEL_OFF)
        return
    start, end = waking_hours(owner, prefs)
    waking = next_waking(now, owner.zone, start, end)
    if waking > now:
        _release(token, ids, due_at=waking)
        return
    # Which follow-ups are still open now: one query, right before the send.
    wanted = {pk for d in fresh for pk in d.digest.followup_ids} & set(usable)
    still = {
        pk: usable[pk] for pk in FollowUp.objects.filter(
            pk__in=wanted, status__in=OPEN_STATUSES, due_at__lte=now
        ).values_list("pk", flat=True)
    }
    empty = [d.pk for d in fresh if not set(d.digest.followup_ids) & set(still)]
    if empty:
        _close(token, empty, DeliveryStatus.SKIPPED, NOTHING_OPEN)
    fresh = [d for d in fresh if d.pk not in empty]
    if not fresh:
        return
    ids = [d.pk for d in fresh]
    wait = authorize(key, now)
    if wait is not None:
        _release(token, ids, retry_at=wait)
        return
    followups = sorted(
        {pk: still[pk] for d in fresh for pk in d.digest.followup_ids if pk in still}.values(),
        key=lambda f: (f.due_at, f.pk),
    )
    message = compose(followups)
    try:
        if fresh[0].device_id:
            payload = push_payload(message, owner_id=owner.pk, digest_id=fresh[-1].digest_id)
            senders.send_push(channel.subscription_info(), payload)
        else:
            senders.send_apprise(_apprise_url(channel), title=message.title,
                                 body=apprise_body(message))
    except senders.SendFailed as error:
        _failed(token, ids, channel, error, now)
        return
    record_sent(token=token, ids=ids, now=now)
    if fresh[0].device_id:
        PushDevice.objects.filter(pk=channel.pk).update(last_push_at=now, last_error="")
    else:
        AppriseChannel.objects.filter(pk=channel.pk).update(last_sent_at=now, last_error="")


def _apprise_url(channel: AppriseChannel) -> str:
    try:
        return crypto.decrypt(channel.url_encrypted)
    except crypto.SecretUnreadable as error:  # the key was changed without rotating
        raise senders.SendFailed("The stored URL cannot be read any more; add it again.",
                                 temporary=False) from error


def _failed(token, ids, channel, error: senders.SendFailed, now: datetime) -> None:
    log.warning("Notification to %s failed: %s", channel, error)
    if error.gone and isinstance(channel, PushDevice):
        channel.delete()  # its deliveries go with it
        return
    _record_failure(token, ids, error, now)
    if not error.temporary:
        type(channel).objects.filter(pk=channel.pk).update(last_error=str(error)[:300])


def dispatch_deliveries(*, now: datetime | None = None, limit: int = 10_000) -> int:
    """Recover dead dispatchers' leases, then send until nothing is due (or ``limit``
    channels were handled). Returns the number of channels handled."""
    now = now or timezone.now()
    release_expired_leases(now=now)
    handled = 0
    while handled < limit and (count := dispatch_one(now=now)):
        handled += count
    return handled


def tick(*, now: datetime | None = None) -> int:
    """The minute tick of push and Apprise: make the digests, then send what is due."""
    now = now or timezone.now()
    make_digests(now=now)
    return dispatch_deliveries(now=now)
