"""Forms of the tracking pages: the applications list's filters and the import upload.

Kept apart from ``reminders/forms.py`` (the reminder settings), which is edited with the
cadence engine.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import F, Q

from interviews.models import ApplicationStatus
from tracking.dashboard import ENDED_STATUSES

# Sort keys of the list: (label, ORDER BY). Every order ends with the id, so pages are stable.
SORTS = {
    "newest": ("Newest first", [F("created_at").desc(), F("id").desc()]),
    "oldest": ("Oldest first", [F("created_at").asc(), F("id").asc()]),
    "company": ("Company A–Z", [F("company").asc(), F("id").asc()]),
    "status": ("Status", [F("status").asc(), F("created_at").desc(), F("id").desc()]),
    "decision": (
        "Decision date",
        [F("decision_date").asc(nulls_last=True), F("id").asc()],
    ),
    "next_interview": (
        "Next interview",
        [F("next_interview_at").asc(nulls_last=True), F("id").asc()],
    ),
}
STATUS_GROUPS = {
    "open": ("Still open", ~Q(status__in=ENDED_STATUSES)),
    "ended": ("Ended", Q(status__in=ENDED_STATUSES)),
}


class ApplicationFilterForm(forms.Form):
    """The GET filters of the applications list; invalid fields are simply not applied."""

    company = forms.CharField(required=False, max_length=200)
    role = forms.CharField(required=False, max_length=200)
    status = forms.ChoiceField(
        required=False,
        choices=[
            ("", "Any status"),
            *((key, label) for key, (label, _) in STATUS_GROUPS.items()),
            *ApplicationStatus.choices,
        ],
    )
    added_from = forms.DateField(
        label="Added from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    added_to = forms.DateField(
        label="Added until", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    needs_action = forms.BooleanField(label="Needs action", required=False)
    sort = forms.ChoiceField(
        required=False, choices=[(key, label) for key, (label, _) in SORTS.items()]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, form_field in self.fields.items():
            widget = form_field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select form-select-sm"
            else:
                css = "form-control form-control-sm"
            if self.is_bound and name in self.errors:
                css += " is-invalid"
            widget.attrs["class"] = css

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("added_from"), cleaned.get("added_to")
        if start and end and start > end:
            self.add_error("added_to", "The end of the range is before its start.")
        return cleaned

    def values(self) -> dict:
        """The valid filters (an invalid one is dropped, with its error shown)."""
        self.is_valid()
        return getattr(self, "cleaned_data", {})

    @property
    def is_filtered(self) -> bool:
        values = self.values()
        return any(values.get(name) for name in self.fields if name != "sort")

    def filter_q(self, zone: ZoneInfo) -> Q:
        values = self.values()
        q = Q()
        if values.get("company"):
            q &= Q(company__icontains=values["company"])
        if values.get("role"):
            q &= Q(role_title__icontains=values["role"])
        status = values.get("status")
        if status in STATUS_GROUPS:
            q &= STATUS_GROUPS[status][1]
        elif status:
            q &= Q(status=status)
        if values.get("added_from"):
            q &= Q(created_at__gte=_midnight(values["added_from"], zone))
        if values.get("added_to"):
            q &= Q(created_at__lt=_midnight(values["added_to"] + timedelta(days=1), zone))
        return q

    def order_by(self) -> list:
        return SORTS[self.values().get("sort") or "newest"][1]


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


class ImportForm(forms.Form):
    file = forms.FileField(
        label="A JSON export from Follow-up",
        widget=forms.ClearableFileInput(attrs={"accept": "application/json,.json"}),
    )
