"""Forms of the notes app. Text stays plain: it is stored as typed and escaped when shown."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone

from interviews.forms import DATETIME_INPUT_FORMAT, DateInput, DateTimeLocalInput, PlainTextMixin
from interviews.models import Application
from notes.models import (
    ATTACHMENT_MAX_CHARS,
    DRAFT_CHANNELS,
    NOTE_BODY_MAX_CHARS,
    NOTE_SUBJECT_MAX_CHARS,
    Achievement,
    CorrespondenceKind,
    NotesSettings,
    Resource,
    Testimonial,
)

CHANNEL_CHOICES = [(channel.value, channel.label) for channel in DRAFT_CHANNELS]
# A clock a few minutes fast on the candidate's computer is not a time in the future.
SENT_AT_TOLERANCE = timedelta(minutes=10)


class NoteForm(PlainTextMixin, forms.Form):
    """A draft's text, with the version it was loaded at and the page load that edits it."""

    channel = forms.ChoiceField(
        choices=CHANNEL_CHOICES, widget=forms.RadioSelect(attrs={"class": "form-check-input"})
    )
    subject = forms.CharField(
        max_length=NOTE_SUBJECT_MAX_CHARS,
        required=False,
        strip=False,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )
    body = forms.CharField(
        max_length=NOTE_BODY_MAX_CHARS,
        required=False,
        strip=False,
        widget=forms.Textarea(
            attrs={"rows": 18, "spellcheck": "true", "class": "form-control note-body"}
        ),
    )
    attachment_description = forms.CharField(
        label="What you attach",
        max_length=ATTACHMENT_MAX_CHARS,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text="Describe the work product or plan; the coach checks it for confidential "
        "markers.",
    )
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    editor = forms.CharField(max_length=32, required=False, widget=forms.HiddenInput)

    def clean_subject(self) -> str:
        # One line: a pasted line break would break the mail header.
        return " ".join(self.cleaned_data["subject"].split())

    def text_fields(self) -> dict[str, str]:
        data = self.cleaned_data
        return {
            "channel": data["channel"],
            "subject": data["subject"],
            "body": data["body"],
            "attachment_description": data["attachment_description"],
        }


class MarkSentForm(NoteForm):
    sent_at = forms.DateTimeField(
        label="Sent on",
        input_formats=[DATETIME_INPUT_FORMAT, "%Y-%m-%d %H:%M"],
        widget=DateTimeLocalInput(),
        help_text="Your time.",
    )

    def clean_sent_at(self):
        sent_at = self.cleaned_data["sent_at"]
        if sent_at > timezone.now() + SENT_AT_TOLERANCE:
            raise forms.ValidationError("A note cannot be sent in the future.")
        return sent_at


def default_sent_at() -> str:
    return timezone.localtime().strftime(DATETIME_INPUT_FORMAT)


NEW_NOTE_KINDS = [
    (kind.value, kind.label)
    for kind in CorrespondenceKind
    if kind not in (CorrespondenceKind.OTHER,)
]


class NewNoteForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of note", choices=NEW_NOTE_KINDS)
    interviewer = forms.ModelChoiceField(queryset=None, label="To")
    channel = forms.ChoiceField(choices=CHANNEL_CHOICES, initial="email")

    def __init__(self, *args, application: Application, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["interviewer"].queryset = application.interviewers.all()


class ChannelForm(forms.Form):
    channel = forms.ChoiceField(choices=CHANNEL_CHOICES)


class TestimonialForm(PlainTextMixin, forms.ModelForm):
    class Meta:
        model = Testimonial
        fields = ("quote", "author", "author_title", "given_on")
        widgets = {"quote": forms.Textarea(attrs={"rows": 3}), "given_on": DateInput()}

    def clean_quote(self) -> str:
        return self.cleaned_data["quote"].strip().strip('"“”').strip()


class AchievementForm(PlainTextMixin, forms.ModelForm):
    class Meta:
        model = Achievement
        fields = ("text", "achieved_on")
        widgets = {"text": forms.Textarea(attrs={"rows": 2}), "achieved_on": DateInput()}


class ResourceForm(forms.ModelForm):
    class Meta:
        model = Resource
        fields = ("kind", "title", "url", "why", "tags")

    def clean_tags(self) -> str:
        tags = []
        for tag in self.cleaned_data["tags"].split(","):
            tag = " ".join(tag.split()).casefold()
            if tag and tag not in tags:
                tags.append(tag)
        return ", ".join(tags)


class NotesSettingsForm(PlainTextMixin, forms.ModelForm):
    class Meta:
        model = NotesSettings
        fields = ("confidential_terms",)
        widgets = {"confidential_terms": forms.Textarea(attrs={"rows": 6})}
        # The model's help text names the check for the admin; the candidate reads words.
        help_texts = {
            "confidential_terms": "One per line: client names, project code names, anything "
            "a note must never mention. The coach flags them."
        }

    def clean_confidential_terms(self) -> str:
        lines = (
            " ".join(line.split()) for line in self.cleaned_data["confidential_terms"].splitlines()
        )
        return "\n".join(dict.fromkeys(line for line in lines if line))
