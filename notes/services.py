"""Writes of the notes app, each announcing what changed (see notes/signals.py)."""

from __future__ import annotations

from django.db import transaction

from notes import signals
from notes.models import Correspondence


@transaction.atomic
def correspondence_record(**fields) -> Correspondence:
    """Record something the candidate sent; reminders about it stop once this commits."""
    correspondence = Correspondence.objects.create(**fields)
    transaction.on_commit(
        lambda: signals.correspondence_recorded.send(
            sender=Correspondence, correspondence=correspondence
        )
    )
    return correspondence
