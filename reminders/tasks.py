"""Thin Celery tasks: they take ids, and the services do the work.

Beat only ticks (see CELERY_BEAT_SCHEDULE); the schedule itself lives in FollowUp rows and
the re-planning requests in PlanRequest rows, so a missed tick, a broker that is down or a
flushed one loses nothing: the next tick plans every request and finds every overdue row.

Only this module imports ``reminders.services``, never the reverse: the services ask for
the planning task through a signal (``reminders.signals.plans_requested``).
"""

from __future__ import annotations

from celery import shared_task

from reminders import notify, services


# A re-planning request that the request which made the change did not plan (it failed,
# or the change touched many applications; ``services.plan_now``). Planning is idempotent
# (rows are keyed), so a task re-delivered after a crash, or one whose request the tick
# already planned, is harmless.
@shared_task(acks_late=True)
def plan_application_task(application_id: int) -> None:
    services.plan_requested(application_id=application_id)


@shared_task
def plan_all_task() -> int:
    return services.plan_all()


# Not acks_late: a dispatcher that dies leaves claimed rows whose lease runs out, and the
# next tick claims them again; re-delivering the task would add nothing. Each tick first
# plans the outbox's requests (see services.dispatch_due).
@shared_task
def dispatch_due_task() -> int:
    return services.dispatch_due()


# Push and Apprise, on their own tick: a mail server that is down stops neither. Not
# acks_late, for the reason dispatch_due_task is not: a dead worker's leases run out.
@shared_task
def notify_task() -> int:
    return notify.tick()
