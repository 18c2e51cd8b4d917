"""Views of applications, interviews and interviewers.

Every object is fetched through one ``_get_<model>_for_user`` helper that filters by owner,
so another candidate's object is a 404, never a 403 that would confirm it exists.
State changes go through ``interviews.services``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from interviews import services
from interviews.forms import (
    ApplicationForm,
    AttendanceForm,
    InterviewerForm,
    InterviewForm,
    LinkInterviewerForm,
    NewAttendeeForm,
    ProfileForm,
    SignUpForm,
    StatusForm,
)
from interviews.models import (
    Application,
    Attendance,
    Interview,
    Interviewer,
)

APPLICATIONS_PER_PAGE = 25


def _get_application_for_user(request: HttpRequest, pk: int) -> Application:
    return get_object_or_404(Application.objects.owned_by(request.user), pk=pk)


def _get_interview_for_user(request: HttpRequest, pk: int) -> Interview:
    return get_object_or_404(
        Interview.objects.owned_by(request.user).select_related("application"), pk=pk
    )


def _get_interviewer_for_user(request: HttpRequest, pk: int) -> Interviewer:
    return get_object_or_404(
        Interviewer.objects.owned_by(request.user).select_related("application"), pk=pk
    )


def _get_attendance_for_user(request: HttpRequest, pk: int) -> Attendance:
    return get_object_or_404(
        Attendance.objects.owned_by(request.user).select_related(
            "interview__application", "interviewer"
        ),
        pk=pk,
    )


def _region(request: HttpRequest) -> str:
    return str(request.user.country or "")


# --- Accounts ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Welcome! Set your time zone so interview times are right.")
        return redirect("profile")
    return render(request, "registration/signup.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        # The form wrote onto the user; the service compares against the stored row.
        request.user.refresh_from_db()
        services.profile_update(candidate=request.user, **form.cleaned_data)
        messages.success(request, "Profile saved.")
        return redirect("profile")
    return render(request, "interviews/profile.html", {"form": form})


# --- Applications -----------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    applications = (
        Application.objects.owned_by(request.user)
        .with_next_interview()
        .annotate(interview_count=Count("interviews", distinct=True))
        # Meta.ordering is dropped from GROUP BY queries: order explicitly, newest first.
        .order_by("-created_at", "-id")
    )
    page = Paginator(applications, APPLICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "interviews/home.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def application_create(request: HttpRequest) -> HttpResponse:
    form = ApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        application = services.application_create(owner=request.user, **form.cleaned_data)
        messages.success(request, f"Added {application}.")
        return redirect(application)
    return render(request, "interviews/application_form.html", {"form": form})


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = _get_application_for_user(request, pk)
    interviews = application.interviews.prefetch_related(
        Prefetch("attendances", queryset=Attendance.objects.select_related("interviewer"))
    )
    context = {
        "application": application,
        "interviews": interviews,
        "interviewers": application.interviewers.all(),
        "status_changes": application.status_changes.all(),
        "status_form": StatusForm(instance=application),
    }
    return render(request, "interviews/application_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    application = _get_application_for_user(request, pk)
    form = ApplicationForm(request.POST or None, instance=application)
    if request.method == "POST" and form.is_valid():
        # The form wrote onto the instance; the service compares against the stored row.
        application.refresh_from_db()
        services.application_update(application=application, **form.cleaned_data)
        messages.success(request, "Application saved.")
        return redirect(application)
    return render(
        request, "interviews/application_form.html", {"form": form, "application": application}
    )


@login_required
@require_POST
def application_status(request: HttpRequest, pk: int) -> HttpResponse:
    application = _get_application_for_user(request, pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        if services.application_set_status(
            application=application, status=form.cleaned_data["status"]
        ):
            messages.success(
                request, f"Status changed to {application.get_status_display().lower()}."
            )
    else:
        messages.error(request, "Choose one of the listed statuses.")
    return redirect(application)


@login_required
@require_http_methods(["GET", "POST"])
def application_delete(request: HttpRequest, pk: int) -> HttpResponse:
    application = _get_application_for_user(request, pk)
    if request.method == "POST":
        services.application_delete(application=application)
        messages.success(request, f"Deleted {application}.")
        return redirect("home")
    return render(
        request,
        "interviews/confirm_delete.html",
        {
            "object": application,
            "cancel_url": application.get_absolute_url(),
            "consequence": "Its interviews, interviewers and history will be deleted too.",
        },
    )


# --- Interviews -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def interview_create(request: HttpRequest, pk: int) -> HttpResponse:
    application = _get_application_for_user(request, pk)
    next_round = application.interviews.count() + 1
    form = InterviewForm(request.POST or None, initial={"round_number": next_round})
    if request.method == "POST" and form.is_valid():
        interview = services.interview_create(application=application, **form.cleaned_data)
        messages.success(request, "Interview logged. Now add the people you met.")
        return redirect(interview)
    return render(
        request, "interviews/interview_form.html", {"form": form, "application": application}
    )


def _interview_page_context(request: HttpRequest, interview: Interview, **forms) -> dict:
    return {
        "interview": interview,
        "application": interview.application,
        "attendances": interview.attendances.select_related("interviewer"),
        "new_attendee_form": forms.get("new_attendee_form")
        or NewAttendeeForm(region=_region(request)),
        "link_form": LinkInterviewerForm(interview=interview),
        "interview_answers": interview.question_answers(),
    }


@login_required
def interview_detail(request: HttpRequest, pk: int) -> HttpResponse:
    interview = _get_interview_for_user(request, pk)
    return render(
        request, "interviews/interview_detail.html", _interview_page_context(request, interview)
    )


@login_required
@require_http_methods(["GET", "POST"])
def interview_edit(request: HttpRequest, pk: int) -> HttpResponse:
    interview = _get_interview_for_user(request, pk)
    form = InterviewForm(request.POST or None, instance=interview)
    if request.method == "POST" and form.is_valid():
        interview.refresh_from_db()
        services.interview_update(interview=interview, **form.cleaned_data)
        messages.success(request, "Interview saved.")
        return redirect(interview)
    return render(
        request,
        "interviews/interview_form.html",
        {"form": form, "application": interview.application, "interview": interview},
    )


@login_required
@require_http_methods(["GET", "POST"])
def interview_delete(request: HttpRequest, pk: int) -> HttpResponse:
    interview = _get_interview_for_user(request, pk)
    application = interview.application
    if request.method == "POST":
        services.interview_delete(interview=interview)
        messages.success(request, "Interview deleted.")
        return redirect(application)
    return render(
        request,
        "interviews/confirm_delete.html",
        {
            "object": interview,
            "cancel_url": interview.get_absolute_url(),
            "consequence": "The interviewers stay on the application; their notes for this "
            "round are deleted.",
        },
    )


# --- Interviewers -----------------------------------------------------------------------


@login_required
@require_POST
def interviewer_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a new person to the interview.

    With htmx the attendee panel is swapped in place (the list plus a fresh form, or the
    form with its errors); without JavaScript the whole page is posted and re-rendered.
    """
    interview = _get_interview_for_user(request, pk)
    form = NewAttendeeForm(request.POST, region=_region(request))
    if form.is_valid():
        attendance = services.interviewer_add(interview=interview, **form.cleaned_data)
        messages.success(request, f"Added {attendance.interviewer}.")
        if not request.htmx:
            return redirect(interview)
        form = None
    context = _interview_page_context(request, interview, new_attendee_form=form)
    if request.htmx:
        return render(request, "interviews/_attendees.html", context)
    return render(request, "interviews/interview_detail.html", context, status=422)


@login_required
@require_POST
def interviewer_link(request: HttpRequest, pk: int) -> HttpResponse:
    interview = _get_interview_for_user(request, pk)
    form = LinkInterviewerForm(request.POST, interview=interview)
    if form.is_valid():
        services.attendance_link(interview=interview, interviewer=form.cleaned_data["interviewer"])
        messages.success(request, f"{form.cleaned_data['interviewer']} was at this interview too.")
    else:
        messages.error(request, "Choose someone already met for this application.")
    return redirect(interview)


@login_required
@require_http_methods(["GET", "POST"])
def interviewer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    interviewer = _get_interviewer_for_user(request, pk)
    form = InterviewerForm(request.POST or None, instance=interviewer, region=_region(request))
    if request.method == "POST" and form.is_valid():
        interviewer.refresh_from_db()
        services.interviewer_update(interviewer=interviewer, **form.cleaned_data)
        messages.success(request, f"Saved {interviewer}.")
        return redirect(interviewer.application)
    return render(
        request,
        "interviews/interviewer_form.html",
        {"form": form, "interviewer": interviewer, "application": interviewer.application},
    )


@login_required
@require_http_methods(["GET", "POST"])
def interviewer_delete(request: HttpRequest, pk: int) -> HttpResponse:
    interviewer = _get_interviewer_for_user(request, pk)
    application = interviewer.application
    if request.method == "POST":
        services.interviewer_delete(interviewer=interviewer)
        messages.success(request, f"Deleted {interviewer}.")
        return redirect(application)
    return render(
        request,
        "interviews/confirm_delete.html",
        {
            "object": interviewer,
            "cancel_url": application.get_absolute_url(),
            "consequence": "They are removed from every interview of this application.",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def attendance_edit(request: HttpRequest, pk: int) -> HttpResponse:
    attendance = _get_attendance_for_user(request, pk)
    form = AttendanceForm(request.POST or None, instance=attendance)
    if request.method == "POST" and form.is_valid():
        attendance.refresh_from_db()
        services.attendance_update(attendance=attendance, **form.cleaned_data)
        messages.success(request, f"Saved your notes on {attendance.interviewer}.")
        return redirect(attendance.interview)
    return render(
        request,
        "interviews/attendance_form.html",
        {"form": form, "attendance": attendance, "application": attendance.interview.application},
    )


@login_required
@require_POST
def attendance_remove(request: HttpRequest, pk: int) -> HttpResponse:
    attendance = _get_attendance_for_user(request, pk)
    services.attendance_remove(attendance=attendance)
    messages.success(
        request, f"{attendance.interviewer} is no longer listed at this interview."
    )
    return redirect(attendance.interview)

