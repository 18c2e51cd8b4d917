"""Re-plan an application's follow-ups when one of its facts changes.

Connected in RemindersConfig.ready() to the domain signals of ``interviews`` and ``notes``,
which are sent after their transaction commits; the planning itself runs in a worker.
"""

from __future__ import annotations

from reminders.tasks import plan_application_task


def _plan(application_id: int) -> None:
    plan_application_task.delay_on_commit(application_id)


def on_application_changed(sender, application, **kwargs) -> None:
    _plan(application.pk)


def on_interview_changed(sender, interview, **kwargs) -> None:
    _plan(interview.application_id)


def on_interviewer_saved(sender, interviewer, **kwargs) -> None:
    _plan(interviewer.application_id)


def on_debrief_saved(sender, debrief, **kwargs) -> None:
    _plan(debrief.interview.application_id)


def on_correspondence_recorded(sender, correspondence, **kwargs) -> None:
    _plan(correspondence.application_id)


def on_employer_message_received(sender, message, **kwargs) -> None:
    # There is news now: the status check and check-in (R6, R7) are re-planned.
    if message.application_id:
        _plan(message.application_id)
