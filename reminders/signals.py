"""Announcements of the reminders app, for its own glue (``reminders.receivers``)."""

from django.dispatch import Signal

# kwargs: application_ids — their re-planning was recorded in the outbox (PlanRequest), the
# transaction committed, and the request that made the change did not plan them (planning
# failed, or the change touched more than ``services.PLAN_NOW_AT_MOST``). Sent so that the
# planning task can be enqueued without ``reminders.services`` importing ``reminders.tasks``
# (which imports it).
plans_requested = Signal()
