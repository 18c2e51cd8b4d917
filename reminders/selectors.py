"""Reads shared by the panels of one page: each kind of row read once a request.

The application page shows the follow-up plan and the timeline, which both read the
application's follow-ups; the first to ask reads them (one query) and keeps them on the
application instance, which lives as long as the request that fetched it.
"""

from __future__ import annotations

from reminders.models import FollowUp

_MEMO = "_reminders_followups_memo"


def followups_of(application) -> list[FollowUp]:
    """Every follow-up of the application, by due date, with its interviewer, interview and
    owner: one query for the instance, whatever the number of panels that ask."""
    memo = application.__dict__.get(_MEMO)
    if memo is None:
        memo = list(
            FollowUp.objects.filter(application=application)
            .select_related("interviewer", "interview", "owner")
            .order_by("due_at", "id")
        )
        application.__dict__[_MEMO] = memo
    return memo
