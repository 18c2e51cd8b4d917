"""Forms return domain values from ``clean_*``; views hand them to services."""

from __future__ import annotations

import phonenumbers
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout
from django import forms
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm

from interviews.models import (
    Application,
    Attendance,
    Candidate,
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


class SignUpForm(BaseUserCreationForm):
    class Meta:
        model = Candidate
        fields = ("email",)

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if Candidate.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "An account with this email already exists. Sign in or reset your password."
            )
        return email


class SignInForm(AuthenticationForm):
    """Sign-in by email. The error never says whether the email has an account."""

    error_messages = {
        "invalid_login": "That email and password do not match an account. "
        "Passwords are case-sensitive.",
        "inactive": "That email and password do not match an account. "
        "Passwords are case-sensitive.",
    }


class ProfileForm(PlainTextMixin, forms.ModelForm):
    reminder_hour = forms.TypedChoiceField(
        coerce=int,
        choices=[(hour, f"{hour:02d}:00") for hour in range(24)],
        help_text="Your time. Reminders arrive at this hour where their rule allows.",
    )

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
        widgets = {"signature_address": forms.Textarea(attrs={"rows": 3})}

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


class NewAttendeeForm(PlainTextMixin, InterviewerForm):
    """Adds a new interviewer to an interview, with what they discussed."""

    topics = AttendanceForm.base_fields["topics"]
    concerns = AttendanceForm.base_fields["concerns"]

    class Meta(InterviewerForm.Meta):
        fields = (*InterviewerForm.Meta.fields, "topics", "concerns")


class LinkInterviewerForm(forms.Form):
    interviewer = forms.ModelChoiceField(
        queryset=Interviewer.objects.none(),
        label="Someone you already met for this application",
    )

    def __init__(self, *args, interview: Interview, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["interviewer"].queryset = interview.application.interviewers.exclude(
            attendances__interview=interview
        )
