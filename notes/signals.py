"""Domain announcements of the notes app (see interviews/signals.py for the pattern)."""

from django.dispatch import Signal

# kwargs: correspondence — sent after a Correspondence row is recorded (a note marked sent).
correspondence_recorded = Signal()
