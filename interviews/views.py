"""Views of applications, interviews and interviewers.

Every object is fetched through one owner-scoped helper (``interviews.access``),
so another candidate's object is a 404, never a 403 that would confirm it exists.
State changes go through ``interviews.services``.
"""

from __future__ import annotations

from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import SuspiciousOperation
from django.db.models import F
from django.forms.models import model_to_dict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from formtools.wizard.forms import ManagementForm
from formtools.wizard.views import StepsHelper, WizardView

from interviews import drafts, services
from interviews.access import (
    get_application_for_user,
    get_attendance_for_user,
    get_interview_for_user,
    get_interviewer_for_user,
)
from interviews.forms import (
    AccountDeleteForm,
    ApplicationForm,
    AttendanceForm,
    DebriefAnswersForm,
    DebriefNotesForm,
    DebriefQuestionsForm,
    DebriefReviewForm,
    InterviewerForm,
    InterviewForm,
    LinkInterviewerForm,
    ProfileForm,
    StatusForm,
    WelcomeForm,
)
from interviews.models import (
    Application,
    ApplicationStatus,
    Debrief,
    Interview,
)


def _region(request: HttpRequest) -> str:
    return str(request.user.country or "")


# --- Accounts ---------------------------------------------------------------------------


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


@login_required
@require_http_methods(["GET", "POST"])
def welcome(request: HttpRequest) -> HttpResponse:
    """The first sign-in's page: name, time zone, country and reminder hour, or skip."""
    if request.method == "POST" and "skip" in request.POST:
        services.candidate_welcome_skip(candidate=request.user, at=timezone.now())
        messages.info(request, "You can set your name and time zone any time in your profile.")
        return redirect("home")
    form = WelcomeForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        # The form wrote onto the user; the service compares against the stored row.
        request.user.refresh_from_db()
        services.candidate_welcome(candidate=request.user, at=timezone.now(), **form.cleaned_data)
        user = request.user
        messages.success(
            request,
            f"Welcome, {user.display_name}. Reminders will reach you around "
            f"{user.reminder_hour:02d}:00, {user.time_zone.replace('_', ' ')} time.",
        )
        return redirect("home")
    return render(request, "interviews/welcome.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    """Delete the account and all its data, once the password confirms it; then sign out."""
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST":
        # Guessing the password through this form is throttled like re-authentication.
        # The password is not even checked then, so the answer tells nothing about it.
        if not ratelimit.consume(request, action="reauthenticate", user=request.user):
            form = AccountDeleteForm(user=request.user)
            context = {"form": form, "throttled": True}
            return render(request, "interviews/account_delete.html", context, status=429)
        if form.is_valid():
            services.candidate_delete(candidate=request.user)
            logout(request)
            return redirect("account_deleted")
    return render(request, "interviews/account_delete.html", {"form": form})


@require_http_methods(["GET"])
def account_deleted(request: HttpRequest) -> HttpResponse:
    return render(request, "interviews/account_deleted.html")


# --- Applications -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def application_create(request: HttpRequest) -> HttpResponse:
    # "Save a listing" on the board opens the form with the status already chosen.
    status = request.GET.get("status")
    initial = {"status": status} if status in ApplicationStatus.values else {}
    form = ApplicationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        application = services.application_create(owner=request.user, **form.cleaned_data)
        messages.success(request, f"Added {application}.")
        return redirect(application)
    return render(request, "interviews/application_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_application_for_user(request, pk)
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
    application = get_application_for_user(request, pk)
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
    application = get_application_for_user(request, pk)
    if request.method == "POST":
        services.application_delete(application=application)
        messages.success(request, f"Deleted {application}.")
        return redirect("application_list")
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
    application = get_application_for_user(request, pk)
    next_round = application.interviews.count() + 1
    form = InterviewForm(request.POST or None, initial={"round_number": next_round})
    if request.method == "POST" and form.is_valid():
        interview = services.interview_create(application=application, **form.cleaned_data)
        messages.success(request, "Interview logged. Now add the people you met.")
        return redirect(interview)
    return render(
        request, "interviews/interview_form.html", {"form": form, "application": application}
    )


@login_required
@require_http_methods(["GET", "POST"])
def interview_edit(request: HttpRequest, pk: int) -> HttpResponse:
    interview = get_interview_for_user(request, pk)
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
    interview = get_interview_for_user(request, pk)
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
def interviewer_link(request: HttpRequest, pk: int) -> HttpResponse:
    interview = get_interview_for_user(request, pk)
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
    interviewer = get_interviewer_for_user(request, pk)
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
    interviewer = get_interviewer_for_user(request, pk)
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
    attendance = get_attendance_for_user(request, pk)
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
    attendance = get_attendance_for_user(request, pk)
    services.attendance_remove(attendance=attendance)
    messages.success(
        request, f"{attendance.interviewer} is no longer listed at this interview."
    )
    return redirect(attendance.interview)


# --- Debrief and comparison ---------------------------------------------------------------


DEBRIEF_STEPS = (
    ("notes", "Notes while fresh", DebriefNotesForm),
    ("questions", "The questions you should have asked", DebriefQuestionsForm),
    ("answers", "How it went", DebriefAnswersForm),
    ("review", "Review", DebriefReviewForm),
)


class DebriefWizard(WizardView):
    """The post-interview debrief, one step per page (DOMAIN.md §1–§2).

    Every POST stores the step's text in the interview's ``DebriefDraft`` row (see
    ``interviews.drafts``), valid or not, so a draft survives signing out and opens on
    another device. A step with errors is shown again with them; otherwise the
    POST redirects to the wizard's one URL, whose GET renders the stored step with what was
    typed. So a candidate who closes the tab, or comes back from the reminder email, resumes
    where they left off, and a reload never re-posts a step. Nothing but the draft is
    written before the last step, when ``services.debrief_save`` saves it all at once and
    deletes the draft.
    """

    form_list = [(name, form) for name, _, form in DEBRIEF_STEPS]
    template_name = "interviews/debrief_wizard.html"

    @staticmethod
    def storage_prefix(interview_pk: int) -> str:
        return f"debrief_{interview_pk}"

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        """formtools' ``WizardView.dispatch``, with a storage that is given the interview
        (formtools builds a storage from its import path, knowing only the request)."""
        # Before any draft is read: another candidate's interview is a 404.
        self.interview = get_interview_for_user(request, kwargs["pk"])
        self.debrief = Debrief.objects.filter(interview=self.interview).first()
        self.attendances = list(self.interview.attendances.select_related("interviewer"))
        # One draft per interview: debriefing two interviews at once keeps both.
        self.prefix = self.storage_prefix(self.interview.pk)
        self.storage = drafts.DebriefDraftStorage(self.prefix, request, interview=self.interview)
        self.steps = StepsHelper(self)
        response = super(WizardView, self).dispatch(request, *args, **kwargs)
        self.storage.update_response(response)
        return response

    def get_form_kwargs(self, step=None) -> dict:
        if step == "notes":
            return {"attendances": self.attendances}
        if step == "questions":
            return {"interview": self.interview}
        return {}

    def get_form_initial(self, step) -> dict:
        """A debrief edited later starts from what was saved."""
        if self.debrief is None:
            return {}
        if step == "notes":
            return {"next_steps_said": self.debrief.next_steps_said}
        if step == "answers":
            return model_to_dict(self.debrief, fields=list(DebriefAnswersForm.base_fields))
        return {}

    def process_step(self, form) -> dict:
        # Store the step's own fields only: not the CSRF token nor the management form.
        start = f"{form.prefix}-"
        return {key: values for key, values in form.data.lists() if key.startswith(start)}

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        """Resume at the stored step with what was typed (formtools would start over)."""
        if self.storage.current_step not in self.get_form_list():
            self.storage.reset()
            self.storage.current_step = self.steps.first
        return self.render(self.get_form(data=self.storage.current_step_data))

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        """1. "Discard" forgets the draft.
        2. Whatever the button, the posted step's text is stored first, valid or not.
        3. "Back", a step's "Edit" or "Save and finish later" leave without validating.
        4. Otherwise the step is validated: shown again with its errors, or the next step,
           or, after the review, everything is revalidated and saved.
        """
        if "wizard_discard" in request.POST:
            self.storage.reset()
            messages.info(request, "Draft discarded.")
            return redirect(self.interview)
        step = self._posted_step()
        self.storage.current_step = step
        form = self.get_form(step=step, data=request.POST)
        self.storage.set_step_data(step, self.process_step(form))
        goto = request.POST.get("wizard_goto_step")
        if goto in self.get_form_list():
            self.storage.current_step = goto
            return redirect(request.path)
        if "wizard_save_draft" in request.POST:
            messages.success(request, "Draft saved: open the debrief again to continue.")
            return redirect(self.interview)
        if not form.is_valid():
            return self.render(form)
        if step == self.steps.last:
            return self.render_done(form, **kwargs)
        self.storage.current_step = self.get_next_step(step)
        return redirect(request.path)

    def _posted_step(self) -> str:
        # The page says which step it shows: the session may be on another step (a second
        # tab) or have forgotten the draft (finished elsewhere).
        management = ManagementForm(self.request.POST, prefix=self.prefix)
        if not management.is_valid():
            raise SuspiciousOperation("The debrief step is missing.")
        step = management.cleaned_data["current_step"]
        if step not in self.get_form_list():
            raise SuspiciousOperation("Unknown debrief step.")
        return step

    def render_revalidation_failure(self, step, form, **kwargs) -> HttpResponse:
        self.storage.current_step = step
        messages.warning(self.request, "Check this step, then continue to save.")
        return redirect(self.request.path)

    def done(self, form_list, form_dict, **kwargs) -> HttpResponse:
        notes, questions = form_dict["notes"], form_dict["questions"]
        answers = {
            **form_dict["answers"].cleaned_data,
            "next_steps_said": notes.cleaned_data["next_steps_said"],
        }
        services.debrief_save(
            interview=self.interview,
            answers=answers,
            attendance_notes=notes.notes_by_attendance(),
            interview_answers=questions.answers(),
        )
        messages.success(self.request, "Debrief saved.")
        return redirect(self.interview)

    def get_context_data(self, form, **kwargs) -> dict:
        context = super().get_context_data(form=form, **kwargs)
        current = self.steps.current
        context.update(
            interview=self.interview,
            application=self.interview.application,
            debrief=self.debrief,
            step_titles=[(name, title) for name, title, _ in DEBRIEF_STEPS],
            step_title=next(title for name, title, _ in DEBRIEF_STEPS if name == current),
            question_count=len(Interview.QUESTION_FIELDS),
        )
        if current == "review":
            context["review"] = self._review()
        return context

    def _review(self) -> dict:
        """Everything the candidate entered, as it will be saved; None for a step to redo."""
        notes = self.get_cleaned_data_for_step("notes")
        questions = self.get_cleaned_data_for_step("questions")
        answers = self.get_cleaned_data_for_step("answers")
        review: dict = {"notes": None, "questions": None, "answers": None}
        if notes is not None:
            review["notes"] = {
                "attendees": [
                    (
                        attendance.interviewer,
                        notes[DebriefNotesForm.attendee_field_name(attendance, "topics")],
                        notes[DebriefNotesForm.attendee_field_name(attendance, "concerns")],
                    )
                    for attendance in self.attendances
                ],
                "next_steps_said": notes["next_steps_said"],
            }
        if questions is not None:
            form = self.get_form("questions")
            review["questions"] = [
                (form.fields[name].label, questions[name]) for name in form.fields
            ]
        if answers is not None:
            form = self.get_form("answers")
            review["answers"] = [
                (form.fields[name].label, answers[name], name.endswith("_rating"))
                for name in form.fields
            ]
        return review


debrief = login_required(DebriefWizard.as_view())


# Sort keys of the comparison page: the best-rated first, unrated last.
COMPARE_SORTS = {
    "went_well": "latest_went_well_rating",
    "top_candidate": "latest_top_candidate_rating",
}
# Side by side: more than four applications of ten columns no longer read as a comparison,
# and the page stays one query however many applications an account has.
COMPARE_MAX = 4
# The open, debriefed applications offered to pick from, freshest debrief first.
COMPARE_CHOICES = 30
# Open applications still to debrief, offered with a link to do it.
COMPARE_TO_DEBRIEF = 5


def _picked(values: list[str]) -> list[int]:
    """The application ids asked for, in order, without repeats; other values ignored."""
    ids: list[int] = []
    for value in values:
        if value.isdigit() and len(value) < 12 and int(value) not in ids:
            ids.append(int(value))
    return ids


@login_required
def compare(request: HttpRequest) -> HttpResponse:
    """Chosen applications side by side, from the latest debrief of each (DOMAIN.md §2).

    1. The choices: the candidate's open applications with a debrief, freshest first
       (at most ``COMPARE_CHOICES``), as checkboxes of a GET form.
    2. What is compared: the ``pick`` ids of the query string, the candidate's own only,
       at most ``COMPARE_MAX``; without a choice made, the first choices.
    3. The open applications still to debrief, with a link to do it.
    """
    return render(request, "interviews/compare.html", _compare_context(request))


def _compare_context(request: HttpRequest) -> dict:
    sort = request.GET.get("sort", "")
    if sort not in COMPARE_SORTS:
        sort = ""
    order = [F(COMPARE_SORTS[sort]).desc(nulls_last=True)] if sort else []
    now = timezone.now()
    owned = Application.objects.owned_by(request.user)
    choices = list(
        owned.still_open()
        .debriefed()
        .only("pk", "company", "role_title", "status")
        .order_by("-last_debriefed_at", "-id")[: COMPARE_CHOICES + 1]
    )
    more_choices = len(choices) > COMPARE_CHOICES
    choices = choices[:COMPARE_CHOICES]
    chosen = "picked" in request.GET
    asked = _picked(request.GET.getlist("pick"))
    ids = asked[:COMPARE_MAX] if chosen else [choice.pk for choice in choices[:COMPARE_MAX]]
    applications = (
        owned.filter(pk__in=ids)
        .defer("listing_text", "notes")
        .with_rounds_done(now)
        .with_latest_debrief(now)
        .order_by(*order, "-created_at", "-id")
    )
    to_debrief = (
        owned.still_open()
        .exclude(interviews__debrief__isnull=False)
        .with_latest_debrief(now)
        .filter(debrief_interview_id__isnull=False)
        .only("pk", "company", "role_title")
        .order_by("-created_at", "-id")[:COMPARE_TO_DEBRIEF]
    )
    return {
        "applications": applications,
        "sort": sort,
        "choices": choices,
        "more_choices": more_choices,
        "shown_ids": ids,
        "too_many": len(asked) > COMPARE_MAX,
        "compare_max": COMPARE_MAX,
        "to_debrief": to_debrief,
    }
