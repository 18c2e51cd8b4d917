"""The tracking room's one model: the secret address of a candidate's calendar feed."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from interviews.models import Candidate


class CalendarFeed(models.Model):
    """A candidate's secret calendar address (``tracking/calendar.py``).

    Only the SHA-256 of the URL's token is stored: a leaked database does not leak working
    feed URLs. Regenerating replaces the hash, which revokes the old URL at once.
    """

    owner = models.OneToOneField(
        Candidate, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # Created by reminders' migration 0003, before this room existed; the table kept
        # its name when the model moved (state-only migrations, no data copied).
        db_table = "reminders_calendarfeed"

    def __str__(self) -> str:
        return f"Calendar feed of {self.owner}"
