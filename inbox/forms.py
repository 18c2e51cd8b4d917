"""Forms of the Inbox: drop or paste, file a message, connect a mailbox."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from inbox.models import Security
from interviews.models import Application

MAX_FILES = 20
PASTE_MAX_CHARS = 2_000_000


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".eml,.ics,.msg,.txt"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class UploadForm(forms.Form):
    files = MultipleFileField(
        label="Drop .eml or .ics files here, or choose them",
        required=False,
        help_text="Save a message from your mail program (“Download message”, “Save as”) "
        "or an invitation (.ics).",
    )
    pasted = forms.CharField(
        label="…or paste a raw message",
        required=False,
        max_length=PASTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        help_text="“Show original” / “View source” in your mail program, then copy all.",
    )

    def clean_files(self):
        files = self.cleaned_data["files"]
        if len(files) > MAX_FILES:
            raise ValidationError(f"At most {MAX_FILES} files at a time.")
        for upload in files:
            if upload.size > settings.INBOX_MAX_BYTES:
                raise ValidationError(
                    f"{upload.name} is over the limit of {settings.INBOX_MAX_BYTES // 1024:,} KB."
                )
        return files

    def clean(self):
        cleaned = super().clean()
        empty = not cleaned.get("files") and not (cleaned.get("pasted") or "").strip()
        if empty and not self.errors:
            raise ValidationError("Choose a file or paste a message.")
        return cleaned


class FileForm(forms.Form):
    application = forms.ModelChoiceField(
        queryset=Application.objects.none(),
        required=False,
        empty_label="— not about any application —",
        label="This message is about",
    )

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].queryset = Application.objects.owned_by(owner).order_by(
            "company", "role_title"
        )


class NewApplicationForm(forms.Form):
    company = forms.CharField(max_length=200)
    role_title = forms.CharField(label="Role", max_length=200)


HOST_RE = re.compile(r"^[A-Za-z0-9.-]{1,253}$")


class MailboxForm(forms.Form):
    host = forms.CharField(max_length=255, help_text="imap.gmail.com, outlook.office365.com…")
    port = forms.IntegerField(min_value=1, max_value=65535, initial=993)
    security = forms.ChoiceField(choices=Security, initial=Security.SSL)
    username = forms.CharField(label="User name", max_length=320)
    password = forms.CharField(
        label="App password",
        max_length=500,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="An app password made for Follow-up (Google Account → Security → App "
        "passwords; Microsoft account → Security → App passwords). Stored encrypted, never "
        "shown again.",
    )
    folder = forms.CharField(
        max_length=255,
        initial="INBOX",
        help_text="A folder your mail program files job mail into (a filter), or INBOX.",
    )

    def clean_host(self):
        host = self.cleaned_data["host"].strip().lower()
        if not HOST_RE.match(host):
            raise ValidationError("Enter a host name such as imap.example.com.")
        return host

    def clean(self):
        data = super().clean()
        if data.get("security") == Security.STARTTLS and data.get("port") == 993:
            # imap-tools refuses it before connecting: the port speaks TLS from the start.
            self.add_error("port", "Port 993 is for TLS: choose TLS, or STARTTLS on port 143.")
        return data

    def clean_folder(self):
        folder = self.cleaned_data["folder"].strip()
        if any(ch in folder for ch in '\r\n"'):
            raise ValidationError("A folder name cannot contain quotes or line breaks.")
        return folder
