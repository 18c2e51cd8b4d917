"""The application and interview pages: each shows the panels of several apps (the plan of
follow-ups, the notes, the Inbox's clocks, the timeline), so they live in the top app, which
composes; ``interviews`` keeps the forms and actions they post to.

Every object is fetched through one owner-scoped helper (``interviews.access``).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from interviews import drafts, services
from interviews.access import get_application_for_user, get_interview_for_user
from interviews.forms import LinkInterviewerForm, NewAttendeeForm, StatusForm
from interviews.models import Application, Attendance, Debrief, Interview


def _region(request: HttpRequest) -> str:
    return str(request.user.country or "")


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_application_for_user(request, pk)
    context = {
        "application": application,
        "interviews": _interviews_with_people(application),
        "interviewers": list(application.interviewers.all()),
        "status_form": StatusForm(instance=application),
    }
    return render(request, "tracking/application_detail.html", context)


def _interviews_with_people(application: Application) -> list[Interview]:
    # Kept on the application: the timeline panel reads the same rows (and their debriefs).
    prefetch_related_objects([application], Prefetch(
        "interviews",
        queryset=Interview.objects.select_related("debrief").prefetch_related(
            Prefetch("attendances", queryset=Attendance.objects.select_related("interviewer"))
        ),
    ))
    return list(application.interviews.all())


def _interview_page_context(request: HttpRequest, interview: Interview, **forms) -> dict:
    return {
        "interview": interview,
        "application": interview.application,
        "attendances": list(interview.attendances.select_related("interviewer")),
        "new_attendee_form": forms.get("new_attendee_form")
        or NewAttendeeForm(region=_region(request)),
        "link_form": LinkInterviewerForm(interview=interview),
        "interview_answers": interview.question_answers(),
        "debrief": Debrief.objects.filter(interview=interview).first(),
        "debrief_draft": drafts.has_draft(interview),
    }


@login_required
def interview_detail(request: HttpRequest, pk: int) -> HttpResponse:
    interview = get_interview_for_user(request, pk)
    return render(
        request, "tracking/interview_detail.html", _interview_page_context(request, interview)
    )


@login_required
@require_POST
def interviewer_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a new person to the interview.

    With htmx the attendee panel is swapped in place (the list plus a fresh form, or the
    form with its errors), and once someone is added the panels that read who was met
    (the plan, the thank-you notes) come with it, swapped out of band; without JavaScript
    the whole page is posted and re-rendered.
    """
    interview = get_interview_for_user(request, pk)
    form = NewAttendeeForm(request.POST, region=_region(request))
    if form.is_valid():
        attendance = services.interviewer_add(interview=interview, **form.cleaned_data)
        messages.success(request, f"Added {attendance.interviewer}.")
        if not request.htmx:
            return redirect(interview)
        form = None
    context = _interview_page_context(request, interview, new_attendee_form=form)
    if request.htmx:
        if form is None:
            return render(request, "tracking/_attendees_changed.html", context)
        return render(request, "interviews/_attendees.html", context)
    return render(request, "tracking/interview_detail.html", context, status=422)
