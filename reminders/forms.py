from __future__ import annotations

from datetime import time

from django import forms

from reminders import channels
from reminders.rules import RULES


class ReminderSettingsForm(forms.Form):
    paused = forms.BooleanField(
        required=False,
        label="Pause all reminders",
        help_text="Nothing is emailed, pushed or sent until you resume. Your plan stays "
                  "visible in the app.",
    )
    enabled_rules = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        # The ids are the values sent; the candidate reads what to do (settings.html adds
        # why, with each rule's reason and its article).
        choices=[(rule.id, rule.title) for rule in RULES.values()],
        label="Remind me to…",
        help_text="Untick a rule to stop its reminders.",
    )

    def clean_enabled_rules(self) -> list[str]:
        return [rule for rule in RULES if rule not in self.cleaned_data["enabled_rules"]]


class NotificationSettingsForm(forms.Form):
    """Pause, the email switch and the waking hours (``channels.notification_settings_update``).

    ``waking_from`` is shown filled with the reminder hour when it follows it; sent back
    unchanged (or empty) it keeps following it, so a later change of the reminder hour
    moves it too.
    """

    paused = forms.BooleanField(
        required=False, label="Pause all reminders",
        help_text="Nothing is emailed, pushed or sent until you turn this off. Your plan "
                  "stays visible in the app.",
    )
    email_enabled = forms.BooleanField(required=False, label="Email")
    waking_from = forms.TimeField(
        required=False, label="From",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": "Enter a time such as 08:00."},
    )
    waking_until = forms.TimeField(
        label="Until",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": "Enter a time such as 21:00.",
                        "required": "Enter the time reminders should stop, such as 21:00."},
    )

    def __init__(self, *args, reminder_hour: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.reminder_hour = time(reminder_hour, 0)

    def clean_waking_from(self) -> time | None:
        start = self.cleaned_data["waking_from"]
        return None if start is None or start == self.reminder_hour else start

    def clean(self) -> dict:
        cleaned = super().clean()
        until = cleaned.get("waking_until")
        start = cleaned.get("waking_from") or self.reminder_hour
        if until is not None and "waking_from" not in self.errors and start >= until:
            self.add_error(
                "waking_until",
                f"Choose an end after the start ({start:%H:%M}): reminders only arrive "
                "between the two times of the same day.",
            )
        return cleaned


class AppriseAddForm(forms.Form):
    label = forms.CharField(
        max_length=60, label="Name", help_text="A name you will recognise, such as “My phone”.",
        error_messages={"required": "Give it a name you will recognise."},
    )
    url = forms.CharField(
        max_length=2000, label="Notification URL", strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                      "inputmode": "url"}),
        help_text="In Apprise’s syntax. It is stored encrypted and never shown again in full.",
        error_messages={"required": "Paste the notification URL of your service."},
    )

    def clean_label(self) -> str:
        label = " ".join(self.cleaned_data["label"].split())
        if not label:
            raise forms.ValidationError("Give it a name you will recognise.")
        return label

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        if any(char.isspace() or ord(char) < 32 or ord(char) == 127 for char in url):
            raise forms.ValidationError("A notification URL has no spaces or line breaks.")
        try:
            channels.apprise_check(url)
        except channels.RefusedURL as error:
            raise forms.ValidationError(str(error)) from error
        return url
