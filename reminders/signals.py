"""Announcements of the reminders app, for its own glue (``reminders.receivers``)."""

from django.dispatch import Signal

# kwargs: application_ids — their re-planning was recorded in the outbox (PlanRequest) and
# the transaction committed. Sent so that the planning task can be enqueued as a fast path
# without ``reminders.services`` importing ``reminders.tasks`` (which imports it).
plans_requested = Signal()
