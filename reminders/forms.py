from __future__ import annotations

from django import forms

from reminders.rules import RULES


class ReminderSettingsForm(forms.Form):
    paused = forms.BooleanField(
        required=False,
        label="Pause all reminder emails",
        help_text="Your plan stays visible in the app; nothing is emailed until you resume.",
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
