"""Forms return domain values from ``clean_*``; views hand them to services."""

from __future__ import annotations

import phonenumbers
from allauth.account import forms as account_forms
from allauth.account.app_settings import EmailVerificationMethod
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.totp import forms as totp_forms
from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout
from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.text import capfirst

from interviews.models import (
    RATING_MAX,
    RATING_MIN,
    Application,
    Attendance,
    Candidate,
    Debrief,
    Interview,
    Interviewer,
)

DATETIME_INPUT_FORMAT = "%Y-%m-%dT%H:%M"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_INPUT_FORMAT, **kwargs)


def clean_phone_number(value: str, region: str | None) -> str:
    """Validate a phone number and return it in international format.

    Numbers without a ``+country`` prefix are read as numbers of the candidate's country.
    """
    value = value.strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, region or None)
    except phonenumbers.NumberParseException as error:
        if error.error_type == phonenumbers.NumberParseException.INVALID_COUNTRY_CODE:
            raise forms.ValidationError(
                "Start with + and the country code (set your country in your profile to "
                "enter local numbers)."
            ) from error
        raise forms.ValidationError("This does not look like a phone number.") from error
    if not phonenumbers.is_possible_number(number):
        raise forms.ValidationError("This phone number has the wrong number of digits.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


class PlainTextMixin:
    """Counts a line break as one character, as the browser's ``maxlength`` does.

    Browsers submit textarea line breaks as CRLF, so without this a pasted listing that fits
    the limit in the page would be refused on the server.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            return
        data = self.data.copy()
        for name, field in self.fields.items():
            key = self.add_prefix(name)
            if isinstance(field.widget, forms.Textarea) and isinstance(data.get(key), str):
                data[key] = data[key].replace("\r\n", "\n")
        self.data = data


# --- Accounts (django-allauth's forms, bounded) ---------------------------------------

# RFC 5321 caps a path at 256 octets, so no deliverable address is longer than 254.
EMAIL_MAX_CHARS = 254
PASSWORD_MAX_CHARS = 1024
CODE_MAX_CHARS = 64


class BoundedFieldsMixin:
    """Caps every email, password and code field, in the page and on the server.

    allauth's password and code fields have no ``max_length``, and its email fields allow
    320 characters where the candidate's column holds 254: a longer email would reach the
    database (a 500). Here it is a form error, and ``maxlength`` stops the browser from
    sending it in the first place.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if not isinstance(field, forms.CharField):
                continue
            if isinstance(field, forms.EmailField) or name == "login":
                limit = EMAIL_MAX_CHARS
            elif "password" in name:
                limit = PASSWORD_MAX_CHARS
            else:
                limit = CODE_MAX_CHARS
            if field.max_length is not None and field.max_length <= limit:
                continue
            field.validators = [
                v for v in field.validators if not isinstance(v, MaxLengthValidator)
            ]
            field.max_length = limit
            field.validators.append(MaxLengthValidator(limit))
            field.widget.attrs["maxlength"] = str(limit)


def _sentence_case(text: str) -> str:
    return text[:1] + text[1:].lower()


class SentenceCaseMixin:
    """allauth labels its fields in title case ("Current Password", "Remember Me"), and
    their placeholders too; the app's pages speak in sentence case."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if field.label:
                field.label = _sentence_case(str(field.label))
            if placeholder := field.widget.attrs.get("placeholder"):
                field.widget.attrs["placeholder"] = _sentence_case(str(placeholder))


class AccountFormMixin(SentenceCaseMixin, BoundedFieldsMixin):
    """What every sign-in, sign-up, password, email and two-factor form of allauth gets."""


class SignInForm(AccountFormMixin, account_forms.LoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Email address"
        # The page links "Forgot your password?" under the button.
        self.fields["password"].help_text = ""

    def login(self, request, redirect_url=None):
        # Verification is mandatory for sign-up only (settings.py says why): a candidate
        # whose address is not verified yet signs in, and a banner asks them to verify.
        self._login.email_verification = EmailVerificationMethod.OPTIONAL
        return super().login(request, redirect_url)


class SignUpForm(AccountFormMixin, account_forms.SignupForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Email address"
        self.fields["password2"].label = "Password confirmation"

    def try_save(self, request):
        # A taken address creates no account but must cost what a new one does, or the
        # answer's time tells whether the address has an account: hash the password as
        # the new account's would be (the hash is thrown away), as Django's ModelBackend
        # does for an unknown user. Both paths then send one email through the adapter.
        if self.account_already_exists:
            Candidate().set_password(self.cleaned_data["password1"])
        return super().try_save(request)


class PasswordResetForm(AccountFormMixin, account_forms.ResetPasswordForm):
    pass


class PasswordResetKeyForm(AccountFormMixin, account_forms.ResetPasswordKeyForm):
    pass


class PasswordChangeForm(AccountFormMixin, account_forms.ChangePasswordForm):
    pass


class PasswordSetForm(AccountFormMixin, account_forms.SetPasswordForm):
    pass


class AddEmailForm(AccountFormMixin, account_forms.AddEmailForm):
    pass


class ReauthenticateForm(AccountFormMixin, account_forms.ReauthenticateForm):
    pass


class MfaAuthenticateForm(AccountFormMixin, mfa_forms.AuthenticateForm):
    pass


class MfaReauthenticateForm(AccountFormMixin, mfa_forms.ReauthenticateForm):
    pass


class ActivateTotpForm(AccountFormMixin, totp_forms.ActivateTOTPForm):
    pass


# --- The candidate's settings: the first-run welcome and the profile ----------------------


class TimeZoneSelect(forms.Select):
    """A plain ``<select>`` of every zone; static/js/time-zone.js makes it searchable.

    Without JavaScript it stays a select, which the keyboard can still search by typing the
    start of a name. A ``data-from-browser`` attribute asks the script to pick the browser's
    own zone.
    """

    def __init__(self, attrs=None):
        super().__init__({"data-searchable": "time-zone", **(attrs or {})})


TIME_ZONE_ERRORS = {
    "invalid_choice": (
        "“%(value)s” is not a time zone we know. Type the name of a city near you, such as "
        "London or Paris, and pick it from the list."
    ),
    "required": "Pick your time zone.",
}


def reminder_hour_field() -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        coerce=int,
        choices=[(hour, f"{hour:02d}:00") for hour in range(24)],
        help_text="Your time. Reminders arrive at this hour where their rule allows.",
        error_messages={"invalid_choice": "Pick an hour from 00:00 to 23:00."},
    )


class WelcomeForm(forms.ModelForm):
    """The first sign-in's questions: who the candidate is and where their day is."""

    reminder_hour = reminder_hour_field()

    class Meta:
        model = Candidate
        fields = ("display_name", "time_zone", "country", "reminder_hour")
        labels = {
            "display_name": "Your name",
            "time_zone": "Your time zone",
            "country": "Your country",
            "reminder_hour": "Reminder hour",
        }
        widgets = {"time_zone": TimeZoneSelect()}
        help_texts = {
            "display_name": "Shown in the app, and signed under your letters.",
            "time_zone": "Interview times and reminders follow it. Type a city to find it.",
            "country": "Follow-ups are not planned on its public holidays.",
        }
        error_messages = {
            "display_name": {"required": "Tell us your name, or choose “Skip for now”."},
            "time_zone": TIME_ZONE_ERRORS,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["display_name"].required = True
        self.fields["display_name"].widget.attrs["autocomplete"] = "name"
        country = self.fields["country"]
        country.choices = [("", "Choose your country"), *list(country.choices)[1:]]
        # Until the candidate answers, the zone on file is only the default (UTC): the
        # browser's own zone is the better guess.
        if not self.is_bound and self.instance.welcomed_at is None:
            self.fields["time_zone"].widget.attrs["data-from-browser"] = "true"

    def clean_display_name(self) -> str:
        return " ".join(self.cleaned_data["display_name"].split())


class ProfileForm(PlainTextMixin, forms.ModelForm):
    reminder_hour = reminder_hour_field()

    class Meta:
        model = Candidate
        fields = (
            "display_name",
            "time_zone",
            "country",
            "reminder_hour",
            "signature_name",
            "signature_phone",
            "signature_address",
        )
        widgets = {
            "time_zone": TimeZoneSelect(),
            "signature_address": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "time_zone": "Interview times are entered and shown in this zone. Type a city to "
            "find it.",
        }
        error_messages = {"time_zone": TIME_ZONE_ERRORS}

    def clean_signature_phone(self) -> str:
        country = self.cleaned_data.get("country") or self.instance.country
        return clean_phone_number(self.cleaned_data["signature_phone"], str(country or ""))


class ApplicationForm(PlainTextMixin, forms.ModelForm):
    class Meta:
        model = Application
        fields = (
            "company",
            "role_title",
            "status",
            "listing_url",
            "listing_text",
            "source",
            "decision_date",
            "notes",
        )
        widgets = {
            "decision_date": DateInput(),
            "listing_text": forms.Textarea(attrs={"rows": 8}),
            "notes": forms.Textarea(attrs={"rows": 4}),
        }

    def clean_company(self) -> str:
        return self.cleaned_data["company"].strip()

    def clean_role_title(self) -> str:
        return self.cleaned_data["role_title"].strip()


class StatusForm(forms.ModelForm):
    class Meta:
        model = Application
        fields = ("status",)


class InterviewForm(PlainTextMixin, forms.ModelForm):
    class Meta:
        model = Interview
        fields = (
            "round_number",
            "format",
            "starts_at",
            "ends_at",
            "location",
            "q_most_important",
            "q_most_difficult",
            "q_rounds_remaining",
            "q_other_steps",
            "q_decision_by",
            "q_next_step",
            "q_preferred_contact",
        )
        widgets = {
            "starts_at": DateTimeLocalInput(),
            "ends_at": DateTimeLocalInput(),
            "q_decision_by": DateInput(),
            **{
                name: forms.Textarea(attrs={"rows": 2})
                for name in ("q_most_important", "q_most_difficult", "q_other_steps", "q_next_step")
            },
        }
        labels = {
            "starts_at": "Starts (your time)",
            "ends_at": "Ends (your time)",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = [DATETIME_INPUT_FORMAT, "%Y-%m-%d %H:%M"]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                "When and where",
                Div(Div("round_number", css_class="col-sm-4"), Div("format", css_class="col-sm-8"),
                    css_class="row"),
                Div(Div("starts_at", css_class="col-sm-6"), Div("ends_at", css_class="col-sm-6"),
                    css_class="row"),
                "location",
            ),
            Fieldset(
                "The questions to ask (leave blank what you did not ask)",
                "q_most_important",
                "q_most_difficult",
                Div(Div("q_rounds_remaining", css_class="col-sm-6"),
                    Div("q_decision_by", css_class="col-sm-6"), css_class="row"),
                "q_other_steps",
                "q_next_step",
                "q_preferred_contact",
            ),
        )

    def clean(self):
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", "The interview must end after it starts.")
        return cleaned


class InterviewerForm(forms.ModelForm):
    def __init__(self, *args, region: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.region = region

    class Meta:
        model = Interviewer
        fields = ("name", "title", "role", "email", "phone")

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean_phone(self) -> str:
        return clean_phone_number(self.cleaned_data["phone"], self.region)


class AttendanceForm(PlainTextMixin, forms.ModelForm):
    class Meta:
        model = Attendance
        fields = ("topics", "concerns")
        widgets = {
            "topics": forms.Textarea(attrs={"rows": 3}),
            "concerns": forms.Textarea(attrs={"rows": 3}),
        }


class BootstrapBoundField(forms.BoundField):
    """Bootstrap's classes on the widget (``form-control`` or ``form-select``, and
    ``is-invalid`` with errors), for a form a template lays out field by field."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        if self.errors:
            css += " is-invalid"
        attrs["class"] = f"{attrs['class']} {css}" if attrs.get("class") else css
        return attrs


class NewAttendeeForm(PlainTextMixin, InterviewerForm):
    """Adds a new interviewer to an interview, with what they discussed.

    The interview page lays it out with a template partial per field
    (``interviews/_attendees.html``) rather than crispy's nested templates."""

    bound_field_class = BootstrapBoundField

    topics = AttendanceForm.base_fields["topics"]
    concerns = AttendanceForm.base_fields["concerns"]

    class Meta(InterviewerForm.Meta):
        fields = (*InterviewerForm.Meta.fields, "topics", "concerns")


class LinkInterviewerForm(forms.Form):
    interviewer = forms.ModelChoiceField(
        queryset=Interviewer.objects.none(),
        label="Someone you already met for this application",
        empty_label="Choose a person",
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, interview: Interview, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["interviewer"].queryset = interview.application.interviewers.exclude(
            attendances__interview=interview
        )


# --- The debrief wizard's steps (DOMAIN.md §1–§2) -----------------------------------------


def _textarea_for(model, name: str, rows: int = 3, **kwargs) -> forms.Field:
    return model._meta.get_field(name).formfield(
        widget=forms.Textarea(attrs={"rows": rows}), **kwargs
    )


def _rating_for(name: str) -> forms.TypedChoiceField:
    field = Debrief._meta.get_field(name)
    return forms.TypedChoiceField(
        label=capfirst(field.verbose_name),
        help_text=field.help_text,
        choices=[("", "Not rated"), *[(n, str(n)) for n in range(RATING_MIN, RATING_MAX + 1)]],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )


class _AttendeeNotesFields(forms.Form):
    """Adds a topics and a concerns field per attendee, before ``PlainTextMixin`` runs."""

    def __init__(self, *args, attendances=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.attendances = list(attendances)
        missing = {}
        for attendance in self.attendances:
            for part in ("topics", "concerns"):
                name = self.attendee_field_name(attendance, part)
                field = _textarea_for(Attendance, part, initial=getattr(attendance, part))
                self.fields[name] = field
                if self.is_bound and self.add_prefix(name) not in self.data:
                    # Someone added to the interview after this step was saved: keep their
                    # recorded notes rather than blanking them.
                    missing[self.add_prefix(name)] = field.initial
        if missing:
            self.data = self.data.copy()
            self.data.update(missing)

    @staticmethod
    def attendee_field_name(attendance: Attendance, part: str) -> str:
        return f"attendance_{attendance.pk}_{part}"


class DebriefNotesForm(PlainTextMixin, _AttendeeNotesFields):
    """Step 1, notes while fresh: per attendee their topics and concerns, and next steps."""

    next_steps_said = _textarea_for(Debrief, "next_steps_said")

    def attendee_fields(self) -> list[tuple[Attendance, forms.BoundField, forms.BoundField]]:
        return [
            (
                attendance,
                self[self.attendee_field_name(attendance, "topics")],
                self[self.attendee_field_name(attendance, "concerns")],
            )
            for attendance in self.attendances
        ]

    def notes_by_attendance(self) -> dict[int, dict[str, str]]:
        return {
            attendance.pk: {
                part: self.cleaned_data[self.attendee_field_name(attendance, part)]
                for part in ("topics", "concerns")
            }
            for attendance in self.attendances
        }


class _UnansweredQuestionsFields(forms.Form):
    """One field per §1 question still blank on the interview, labelled with the question."""

    def __init__(self, *args, interview: Interview, **kwargs):
        super().__init__(*args, **kwargs)
        widgets = InterviewForm._meta.widgets
        names = interview.unanswered_questions()
        for name, field in forms.fields_for_model(Interview, fields=names, widgets=widgets).items():
            field.label = Interview._meta.get_field(name).help_text
            field.help_text = ""
            self.fields[name] = field


class DebriefQuestionsForm(PlainTextMixin, _UnansweredQuestionsFields):
    """Step 2: the questions to ask (DOMAIN.md §1) that the interview record leaves blank.

    What the candidate fills in here is saved to the interview; what stays blank is to be
    asked in the follow-up note.
    """

    def answers(self) -> dict[str, object]:
        return {name: value for name, value in self.cleaned_data.items() if value not in ("", None)}


class DebriefAnswersForm(PlainTextMixin, forms.Form):
    """Step 3, how it went: the 11 questions of DOMAIN.md §2, two of them also rated."""

    went_well = _textarea_for(Debrief, "went_well")
    went_well_rating = _rating_for("went_well_rating")
    excited_about = _textarea_for(Debrief, "excited_about")
    concerns = _textarea_for(Debrief, "concerns")
    skills_match = _textarea_for(Debrief, "skills_match")
    did_well = _textarea_for(Debrief, "did_well")
    did_not_do_well = _textarea_for(Debrief, "did_not_do_well")
    awkward_moments = _textarea_for(Debrief, "awkward_moments")
    could_do_better = _textarea_for(Debrief, "could_do_better")
    to_practise = _textarea_for(Debrief, "to_practise")
    top_candidate = _textarea_for(Debrief, "top_candidate")
    top_candidate_rating = _rating_for("top_candidate_rating")
    fit = _textarea_for(Debrief, "fit")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's form has its token
        self.helper.layout = Layout(
            *(
                InlineRadios(name) if name.endswith("_rating") else name
                for name in self.fields
            )
        )


class DebriefReviewForm(forms.Form):
    """Step 4: nothing to fill in; the page shows every step before saving."""


class AccountDeleteForm(forms.Form):
    """Deleting the account asks for the password: an open session alone (a borrowed
    laptop) must not be enough to erase everything."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        max_length=PASSWORD_MAX_CHARS,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user: Candidate, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password. Nothing was deleted.")
        return password
