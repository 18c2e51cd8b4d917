"""Template tags that put the follow-up plan on pages of the interviews app.

The interviews app's templates load these; its Python code never imports reminders.
"""

from __future__ import annotations

from django import template
from django.utils import timezone

from reminders.models import FollowUp

register = template.Library()


def _plan_items(followups):
    now = timezone.now()
    return [{"followup": f, "state": f.display_state(now), "rule": f.definition}
            for f in followups]


@register.inclusion_tag("reminders/_plan.html", takes_context=True)
def followup_plan(context, application, interview=None):
    """The follow-up plan of an application, or of one interview of it."""
    rows = FollowUp.objects.filter(application=application).select_related("interviewer")
    if interview is not None:
        rows = rows.filter(interview=interview) | rows.filter(
            interview__isnull=True, interviewer__attendances__interview=interview
        )
    return {
        "items": _plan_items(rows.distinct().order_by("due_at", "id")),
        "request": context.get("request"),
        "interview": interview,
        "user": context.get("user"),
        "actions": [("done", "Done"), ("snooze", "Snooze 2 days"), ("dismiss", "Dismiss")],
    }
