"""The reminder email: one per candidate per dispatch, text and HTML from templates.

Templates live in ``templates/emails/reminder-{subject,body-text,body-html}.html``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone

from reminders.links import action_path

LATE_AFTER = timedelta(hours=1)


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def reminder_items(followups, now: datetime) -> list[dict]:
    items = []
    for followup in followups:
        rule = followup.definition
        links = {
            action: _absolute(
                action_path(followup_id=followup.pk, owner_id=followup.owner_id, action=action)
            )
            for action in ("done", "snooze", "dismiss")
        }
        items.append(
            {
                "followup": followup,
                "rule": rule,
                "late": now - followup.due_at > LATE_AFTER,
                "open_url": _absolute(followup.get_absolute_url()),
                "links": links,
            }
        )
    return items


def _one_line(text: str) -> str:
    # Header values must never carry a line break (header injection); user text such as a
    # company name can, so the subject is collapsed onto one line.
    return " ".join(text.split())


def build_reminder_email(*, owner, followups, now: datetime) -> EmailMultiAlternatives:
    context = {
        "owner": owner,
        "items": reminder_items(followups, now),
        "any_late": any(now - f.due_at > LATE_AFTER for f in followups),
        "site_url": settings.SITE_URL,
        "settings_url": _absolute("/reminders/settings/"),
    }
    # The worker has no request to activate the candidate's zone: times in the email would
    # read as UTC without this.
    with timezone.override(owner.zone):
        subject = _one_line(render_to_string("emails/reminder-subject.html", context))
        text = render_to_string("emails/reminder-body-text.html", context)
        html = render_to_string("emails/reminder-body-html.html", context)
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[owner.email]
    )
    message.attach_alternative(html, "text/html")
    return message
