"""Thin Celery tasks: they take ids, and the services do the work.

Beat only ticks (see CELERY_BEAT_SCHEDULE); the schedule itself lives in FollowUp rows, so
a missed tick or a flushed broker loses nothing: the next tick finds every overdue row.
"""

from __future__ import annotations

from celery import shared_task

from reminders import services


# Planning is idempotent (rows are keyed), so a task re-delivered after a crash is harmless.
@shared_task(acks_late=True)
def plan_application_task(application_id: int) -> None:
    services.plan_application(application_id=application_id)


@shared_task
def plan_all_task() -> int:
    return services.plan_all()


# Not acks_late: a dispatcher that dies leaves claimed rows whose lease runs out, and the
# next tick claims them again; re-delivering the task would add nothing.
@shared_task
def dispatch_due_task() -> int:
    return services.dispatch_due()
