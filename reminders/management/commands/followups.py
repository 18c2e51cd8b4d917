"""Operators' and tests' handle on the cadence engine.

    python manage.py followups plan [--application ID]
    python manage.py followups dispatch [--now 2026-11-23T09:00:00+00:00]
    python manage.py followups notify [--now 2026-11-23T09:00:00+00:00]

Each loops over the same units as the Celery tasks.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from reminders import notify, services


class Command(BaseCommand):
    help = "Plan follow-ups or dispatch the due reminder emails."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        plan = sub.add_parser("plan", help="Re-plan follow-ups (all applications by default).")
        plan.add_argument("--application", type=int, help="Only this application id.")
        plan.add_argument("--now", help="Plan as if it were this ISO-8601 time.")
        dispatch = sub.add_parser("dispatch", help="Email every due reminder.")
        dispatch.add_argument("--now", help="Dispatch as if it were this ISO-8601 time.")
        pushes = sub.add_parser("notify", help="Push and send through Apprise what is due.")
        pushes.add_argument("--now", help="Send as if it were this ISO-8601 time.")

    def handle(self, *args, action: str, now: str | None = None, **options):
        moment = self._parse_now(now)
        if action == "plan":
            if options.get("application"):
                result = services.plan_application(
                    application_id=options["application"], now=moment
                )
                self.stdout.write(
                    f"Planned {len(result.planned)} follow-ups: {result.created} new, "
                    f"{result.updated} moved, {result.closed} closed."
                )
            else:
                count = services.plan_all(now=moment)
                self.stdout.write(f"Planned {count} applications.")
        elif action == "notify":
            handled = notify.tick(now=moment)
            self.stdout.write(f"Channels handled: {handled}.")
        else:
            handled = services.dispatch_due(now=moment)
            self.stdout.write(f"Candidates handled: {handled}.")

    @staticmethod
    def _parse_now(value: str | None):
        if value is None:
            return timezone.now()
        try:
            moment = parse_datetime(value)
        except ValueError:  # well formed but impossible, such as 30 February
            moment = None
        if moment is None:
            raise CommandError(f"--now must be an ISO-8601 date and time, not {value!r}.")
        if timezone.is_naive(moment):
            raise CommandError("--now needs a UTC offset, e.g. 2026-11-23T09:00:00+00:00.")
        return moment
