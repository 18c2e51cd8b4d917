"""Domain announcements of the notes app (see interviews/signals.py for the pattern)."""

from django.dispatch import Signal

# kwargs: application_id — sent INSIDE the transaction that records a Correspondence (a
# note marked sent) or files a received message to an application, like
# interviews.signals.facts_changed (see there), for the re-planning outbox.
facts_changed = Signal()
