"""Domain announcements of the notes app (see interviews/signals.py for the pattern)."""

from django.dispatch import Signal

# kwargs: correspondence — sent after a Correspondence row is recorded (a note marked sent).
correspondence_recorded = Signal()
# kwargs: application_id — sent INSIDE the transaction that records a Correspondence, like
# interviews.signals.facts_changed (see there), for the re-planning outbox.
facts_changed = Signal()
# kwargs: message — a received message was filed to an application (the employer wrote):
# sent after the transaction commits, by inbox.services.
employer_message_received = Signal()
