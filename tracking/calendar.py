"""The candidate's calendar feed (ICS): interviews and due follow-ups at a secret URL.

It reads interviews (``interviews``) and follow-ups (``reminders``), so it lives in the
tracking room, which composes the apps. The feed's two writes (create or
regenerate, revoke) are small and self-contained, so they sit next to the token scheme.

Token scheme:

- The URL carries ``secrets.token_urlsafe(32)``: 256 random bits, unguessable.
- Only its SHA-256 is stored (``CalendarFeed.token_hash``, unique). A request's token is
  hashed and looked up by that hash; the stored and computed hashes are then compared with
  ``hmac.compare_digest``. Comparing hashes of a secret the attacker does not know leaks
  nothing through timing, and a leaked database row does not give a working URL.
- Regenerating overwrites the hash, so the old URL stops working immediately; revoking
  deletes the row. The raw token is shown once, right after it is made.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

import icalendar
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from interviews.models import Candidate, Interview
from reminders.models import OPEN_STATUSES, FollowUp
from tracking.models import CalendarFeed

TOKEN_BYTES = 32
# Past interviews stay in the calendar for a while; older ones only clutter it.
PAST_WINDOW = timedelta(days=90)
FOLLOWUP_DURATION = timedelta(minutes=15)
MAX_EVENTS = 2_000  # per kind: a calendar app polls this URL; keep the answer bounded
PRODID = "-//Follow-up//Interviews and follow-ups//EN"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def feed_regenerate(*, owner: Candidate) -> str:
    """Make a new secret token for the owner's feed, revoking any previous one.

    Returns the raw token; only its hash is kept.
    """
    token = secrets.token_urlsafe(TOKEN_BYTES)
    CalendarFeed.objects.update_or_create(
        owner=owner, defaults={"token_hash": _hash(token), "created_at": timezone.now()}
    )
    return token


def feed_revoke(*, owner: Candidate) -> bool:
    deleted, _ = CalendarFeed.objects.filter(owner=owner).delete()
    return bool(deleted)


def feed_owner(token: str) -> Candidate | None:
    """The candidate whose feed this token opens, or None."""
    if not token or len(token) > 100:
        return None
    digest = _hash(token)
    feed = CalendarFeed.objects.select_related("owner").filter(token_hash=digest).first()
    if feed is None or not hmac.compare_digest(feed.token_hash, digest):
        return None
    return feed.owner if feed.owner.is_active else None


def feed_path(token: str) -> str:
    return reverse("calendar_feed", args=[token])


def _site_url() -> str:
    return settings.SITE_URL


def _interview_event(interview: Interview, stamp: datetime) -> icalendar.Event:
    application = interview.application
    event = icalendar.Event()
    event.add("uid", f"interview-{interview.pk}@followup")
    event.add("dtstamp", stamp)
    event.add("dtstart", interview.starts_at)
    event.add("dtend", interview.ends_at)
    event.add("summary", f"Interview: {application.role_title} at {application.company}")
    event.add("description", f"{interview}. {_site_url()}{interview.get_absolute_url()}")
    if interview.location:
        event.add("location", interview.location)
    return event


def _followup_event(followup: FollowUp, stamp: datetime) -> icalendar.Event:
    application = followup.application
    title = followup.definition.title
    if followup.interviewer_id:
        title += f" — {followup.interviewer.name}"
    event = icalendar.Event()
    event.add("uid", f"followup-{followup.pk}@followup")
    event.add("dtstamp", stamp)
    event.add("dtstart", followup.due_at)
    event.add("dtend", followup.due_at + FOLLOWUP_DURATION)
    event.add("summary", f"Follow-up: {title} ({application.company})")
    event.add(
        "description",
        f"{followup.definition.reason} {_site_url()}{followup.get_absolute_url()}",
    )
    event.add("transp", "TRANSPARENT")  # a reminder, not a busy slot
    return event


def build_calendar(owner: Candidate, now: datetime | None = None) -> bytes:
    """The owner's interviews (recent and coming) and open follow-ups, as ICS bytes."""
    now = now or timezone.now()
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Follow-up")
    interviews = (
        Interview.objects.owned_by(owner).filter(ends_at__gte=now - PAST_WINDOW)
        .select_related("application").defer("application__listing_text",
                                              "application__notes")
        .order_by("starts_at", "id")[:MAX_EVENTS]
    )
    for interview in interviews:
        calendar.add_component(_interview_event(interview, now))
    followups = (
        FollowUp.objects.owned_by(owner).filter(status__in=OPEN_STATUSES)
        .select_related("application", "interviewer")
        .defer("application__listing_text", "application__notes")
        .order_by("due_at", "id")[:MAX_EVENTS]
    )
    for followup in followups:
        calendar.add_component(_followup_event(followup, now))
    return calendar.to_ical()
