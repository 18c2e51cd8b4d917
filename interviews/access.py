"""Owner-scoped fetching: the one way a view turns an id from a URL into an object.

Each helper filters by the signed-in candidate, so another candidate's object is a 404 —
never a 403 that would confirm it exists. Every app's views use these for the interviews
app's objects; each other app keeps the helpers of its own models the same way
(``notes.access``, ``inbox.access``, ``reminders.access``).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from interviews.models import Application, Attendance, Interview, Interviewer


def get_application_for_user(request: HttpRequest, pk: int) -> Application:
    return get_object_or_404(Application.objects.owned_by(request.user), pk=pk)


def get_interview_for_user(request: HttpRequest, pk: int) -> Interview:
    return get_object_or_404(
        Interview.objects.owned_by(request.user).select_related("application"), pk=pk
    )


def get_interviewer_for_user(request: HttpRequest, pk: int) -> Interviewer:
    return get_object_or_404(
        Interviewer.objects.owned_by(request.user).select_related("application"), pk=pk
    )


def get_attendance_for_user(request: HttpRequest, pk: int) -> Attendance:
    return get_object_or_404(
        Attendance.objects.owned_by(request.user).select_related(
            "interview__application", "interviewer"
        ),
        pk=pk,
    )
