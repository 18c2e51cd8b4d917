"""Freshness of the per-candidate caches: a data version per candidate.

The dashboard, insights and the pages' content (``{% freshcache %}``,
``followup_site/fresh_cache.py``) are cached under keys that hold this version.

The dashboard's cards are cached per candidate (``followup_site/tracking/views.py``) under a
key made of the candidate's id, their data version and the current minute in their zone
(so "overdue", "today" and "this week" roll over on time). Anything the dashboard shows
that changes for a candidate must give them a new version, or they would see stale cards.

Why ``post_save``/``post_delete`` receivers here, when STYLE.md keeps business logic out of
signals? This is not business logic but cache invalidation, which is infrastructure: it
must follow every write to the models the dashboard reads, from every code path (services,
admin, management commands, the import), and a receiver is the one place that cannot be
forgotten when a new write path is added. Writes that send no signal (``QuerySet.update()``,
``bulk_create``, raw SQL) call ``bump()`` explicitly where they happen: the follow-up
actions, planning and dispatch in ``reminders/services.py``, the conditional updates of
``notes/services.py``, the import in ``followup_site/tracking/portability.py`` and
``seed_demo``.

It lives in ``followup_site`` (infrastructure, like ``env.py``) rather than in an app, so
``notes`` can bump without importing ``reminders``; it names models by label only. The
receivers are connected by ``TrackingConfig.ready()``.

A version is a random token kept in the cache (no expiry). ``bump`` writes a new one at
once and again when the transaction commits: a dashboard computed between the write and
its commit (from the old data) is stored under a version that the second bump retires.
An evicted version only costs a cold dashboard, never a stale one.
"""

from __future__ import annotations

import uuid

from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

VERSION_KEY = "dashboard:version:{}"


def version(user_id: int) -> str:
    """The candidate's current data version (created on first use)."""
    key = VERSION_KEY.format(user_id)
    current = cache.get(key)
    if current is None:
        current = uuid.uuid4().hex
        if not cache.add(key, current, timeout=None):
            current = cache.get(key) or current
    return current


def _renew(user_ids: frozenset[int]) -> None:
    cache.set_many({VERSION_KEY.format(pk): uuid.uuid4().hex for pk in user_ids}, timeout=None)


def bump(*user_ids: int | None) -> None:
    """Retire the cached dashboards of these candidates, now and when the write commits."""
    ids = frozenset(pk for pk in user_ids if pk is not None)
    if not ids:
        return
    _renew(ids)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _renew(ids))


# --- Whose data a row is ------------------------------------------------------------------


def _cached_relation(instance, name: str):
    field = instance._meta.get_field(name)
    return getattr(instance, name) if field.is_cached(instance) else None


def _application_owner(application_id: int | None) -> int | None:
    if application_id is None:
        return None
    return (
        apps.get_model("interviews", "Application").objects.filter(pk=application_id)
        .values_list("owner_id", flat=True).first()
    )


def _interview_owner(instance) -> int | None:
    interview = _cached_relation(instance, "interview")
    if interview is not None:
        return owner_of(interview)
    if instance.interview_id is None:
        return None
    return (
        apps.get_model("interviews", "Interview").objects.filter(pk=instance.interview_id)
        .values_list("application__owner_id", flat=True).first()
    )


def owner_of(instance) -> int | None:
    """The id of the candidate whose dashboard this row can change."""
    if instance._meta.label == "interviews.Candidate":
        return instance.pk
    for attname in ("owner_id", "candidate_id"):
        if hasattr(instance, attname):
            return getattr(instance, attname)
    if hasattr(instance, "application_id"):
        application = _cached_relation(instance, "application")
        if application is not None:
            return application.owner_id
        return _application_owner(instance.application_id)
    return _interview_owner(instance)


# --- Receivers ----------------------------------------------------------------------------


def on_saved(sender, instance, update_fields=None, **kwargs) -> None:
    if sender._meta.label == "interviews.Candidate" and update_fields == frozenset(
        {"last_login"}
    ):
        return  # signing in changes nothing the dashboard shows
    bump(owner_of(instance))


def on_deleted(sender, instance, origin=None, **kwargs) -> None:
    # A cascade sends one signal per row; its origin (the application, the interview…)
    # names the owner once rather than a query per row.
    if origin is not None and hasattr(origin, "_meta") and origin is not instance:
        if not hasattr(origin, "_dashboard_owner_id"):
            origin._dashboard_owner_id = owner_of(origin)
        bump(origin._dashboard_owner_id)
        return
    bump(owner_of(instance))


WATCHED = (
    "interviews.Candidate", "interviews.Application", "interviews.StatusChange",
    "interviews.Interview", "interviews.Interviewer", "interviews.Attendance",
    "interviews.Debrief", "interviews.DebriefDraft", "notes.Note", "notes.Correspondence",
    "reminders.FollowUp", "reminders.ReminderSettings",
    # What the note editor's coach reads: the brag book, the library, the signature.
    "notes.Testimonial", "notes.Achievement", "notes.Resource", "notes.NotesSettings",
    # The employer's mail: the application page's two clocks and the timeline show it.
    "notes.ReceivedMessage", "notes.CalendarInvite", "notes.InboundAddress",
)


def connect() -> None:
    """Called from TrackingConfig.ready()."""
    for label in WATCHED:
        model = apps.get_model(label)
        post_save.connect(on_saved, sender=model, dispatch_uid=f"freshness.saved.{label}")
        post_delete.connect(on_deleted, sender=model, dispatch_uid=f"freshness.deleted.{label}")
