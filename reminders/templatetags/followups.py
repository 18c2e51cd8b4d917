"""Template tags that put the follow-up plan on pages of the interviews app.

The interviews app's templates load these; its Python code never imports reminders.
"""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils import timezone

from reminders import grouping, rules
from reminders.models import FollowUp, Status
from reminders.selectors import followups_of

register = template.Library()


def _state(followup: FollowUp, now) -> str:
    # A reminder that was emailed and whose window then closed was not skipped: the
    # candidate was reminded, and may well have acted without recording it.
    if followup.status == Status.SKIPPED and followup.sent_at is not None:
        return "reminded"
    return followup.display_state(now)


ACTIONS = (("done", "Done"), ("snooze", "Snooze 2 days"), ("dismiss", "Dismiss"))
_PK = 987654321  # reversed once per action, then replaced by each follow-up's id


def _action_urls() -> list[tuple[str, str]]:
    """(label, URL with the placeholder id) of each action: three reverses a page, not
    three a follow-up."""
    return [(label, reverse("followup_action", args=[_PK, action])) for action, label in ACTIONS]


def _task_state(task: grouping.Task, now) -> str:
    if task.is_done:
        return "done"
    return "due" if task.due_at <= now else "upcoming"


def _plan_items(followups):
    """One item per task: a follow-up of its own, or the thank-yous of one interview."""
    now = timezone.now()
    urls = _action_urls()
    items = []
    for task in grouping.group(followups):
        if task.kind == "thank_you":
            closes = task.closes_at
            items.append({
                "task": task, "state": _task_state(task, now), "rule": task.followup.definition,
                "window_closes": closes if task.is_open and closes and closes > now else None,
            })
            continue
        f = task.followup
        closes = rules.window_closes(f.rule, f.interview.ends_at if f.interview else None)
        is_open = f.is_open
        items.append({
            "followup": f, "state": _state(f, now), "rule": f.definition,
            # Said on the open ones, so that "within 48 hours" is a time, not a sum.
            "window_closes": closes if is_open and closes and closes > now else None,
            "actions": [(label, url.replace(str(_PK), str(f.pk), 1)) for label, url in urls]
            if is_open else [],
        })
    return items


def _page_path(request) -> str:
    """Where the plan is shown: the request's path, or, when htmx posted elsewhere and
    swapped the plan in out of band (adding a person), the page the browser is on."""
    if request is None:
        return ""
    htmx = getattr(request, "htmx", None)
    if request.method != "GET" and htmx and htmx.current_url_abs_path:
        return htmx.current_url_abs_path
    return request.get_full_path()


@register.inclusion_tag("reminders/_plan.html", takes_context=True)
def followup_plan(context, application, interview=None):
    """The follow-up plan of an application, or of one interview of it."""
    if interview is None:
        # The application page: the rows the timeline reads too (one query for both).
        rows = followups_of(application)
    else:
        rows = FollowUp.objects.filter(application=application).select_related(
            "interviewer", "interview"
        )
        rows = (rows.filter(interview=interview) | rows.filter(
            interview__isnull=True, interviewer__attendances__interview=interview
        )).distinct().order_by("due_at", "id")
    return {
        "items": _plan_items(rows),
        "request": context.get("request"),
        "interview": interview,
        "user": context.get("user"),
        # The page's own address, once for all the action forms.
        "next": _page_path(context.get("request")),
    }


@register.filter
def window_closes(followup: FollowUp):
    """When the window of a follow-up tied to an interview closes, or None (the emails)."""
    return rules.window_closes(
        followup.rule, followup.interview.ends_at if followup.interview_id else None
    )


@register.filter
def has_ended(interview) -> bool:
    """Whether the interview is over: the debrief (R1) is offered from then on."""
    return interview.ends_at <= timezone.now()


@register.filter
def ends_another_day(interview) -> bool:
    """Whether the interview ends on a later day than it starts, in the candidate's zone."""
    start, end = timezone.localtime(interview.starts_at), timezone.localtime(interview.ends_at)
    return start.date() != end.date()
