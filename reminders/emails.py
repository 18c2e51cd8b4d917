"""The reminder email: one per candidate per dispatch, rendered from
``templates/emails/reminder-{subject,body-text,body-html}.html`` (``render_email``) and sent
with Django's mail API.

It carries what well-kept automated mail carries: ``Auto-Submitted: auto-generated``
(RFC 3834: no auto-replies to it), a ``List-Unsubscribe`` link that pauses every reminder
email of the account and, when that link is https, ``List-Unsubscribe-Post`` so that mail
clients offer a one-click "unsubscribe" (RFC 8058, which defines it for https only); and a
footer saying why the email came and how to stop it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone

from notes.models import Note
from reminders import grouping, rules
from reminders.links import ACTIONS, action_path, unsubscribe_path

LATE_AFTER = timedelta(hours=1)

# What the candidate writes to act on each rule (notes.models.CorrespondenceKind values).
NOTE_KINDS = {
    "R2": {"thank_you"},
    "R3": {"thank_you"},
    "R5": {"value_add"},
    "R6": {"status_check"},
    "R7": {"check_in", "status_check"},
    "R8": {"value_add"},
    "R9": {"rejection_reply"},
    "R10": {"openings_inquiry"},
    "R11": {"stay_in_touch"},
    "R12": {"work_product"},
}
NOTE_CHANNELS = {"R2": {"email"}, "R3": {"card", "letter"}}

# Dates in the emails, in the candidate's zone (``build_reminder_email`` activates it).
WHEN = "D j M, H:i"
DAY = "D j M"


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def render_email(name: str, context: dict) -> tuple[str, str, str]:
    """(subject, text, html) of ``templates/emails/<name>-{subject,body-text,body-html}.html``.

    The subject is collapsed onto one line: a header must never carry a line break (header
    injection), and user text such as a company name can.
    """
    subject = render_to_string(f"emails/{name}-subject.html", context)
    text = render_to_string(f"emails/{name}-body-text.html", context)
    html = render_to_string(f"emails/{name}-body-html.html", context)
    return " ".join(subject.split()), text, html


def unsent_drafts(followups) -> list[Note]:
    """Every unsent note of the applications concerned, newest first, in one query (the
    dispatcher reads them once for a whole claim and passes them to each email)."""
    return list(
        Note.objects.filter(
            application_id__in={f.application_id for f in followups}, sent_at__isnull=True
        ).order_by("-updated_at", "-id")
    )


def ready_draft(followup, drafts: list[Note]) -> Note | None:
    """The note the candidate has started for this follow-up, if any."""
    kinds = NOTE_KINDS.get(followup.rule)
    if not kinds:
        return None
    channels = NOTE_CHANNELS.get(followup.rule)
    for note in drafts:
        if (
            note.application_id == followup.application_id
            and note.kind in kinds
            and (channels is None or note.channel in channels)
            and (followup.interviewer_id is None or note.interviewer_id == followup.interviewer_id)
            and note.interview_id in (None, followup.interview_id or note.interview_id)
            and note.body.strip()
        ):
            return note
    return None


def open_path(followup, draft: Note | None) -> str:
    """Where acting on the reminder starts: the draft, the debrief, the notes, the plan."""
    if draft is not None:
        return draft.get_absolute_url()
    if followup.rule == "R1" and followup.interview_id:
        return reverse("debrief", args=[followup.interview_id])
    if followup.rule in ("R2", "R3") and followup.interview_id:
        return reverse("interview_notes", args=[followup.interview_id])
    if followup.rule == "R13" and followup.interviewer_id:
        return reverse("interviewer_edit", args=[followup.interviewer_id])
    return followup.get_absolute_url()


def _date(moment: datetime | None, fmt: str) -> str:
    return formats.date_format(timezone.localtime(moment), fmt) if moment else ""


def _links(followup, actions=ACTIONS) -> dict[str, str]:
    return {
        action: _absolute(action_path(
            followup_id=followup.pk, owner_id=followup.owner_id, action=action
        ))
        for action in actions
    }


def _thank_you_item(task: grouping.Task, now: datetime, drafts: list[Note]) -> dict:
    """The thank-yous of one interview: one item, a line per person, each channel with its
    own Done and Skip links (the email counts tasks, not rows)."""
    application = task.application
    late = [f for f in task.open_followups if now - f.due_at > LATE_AFTER]
    lines = []
    for line in task.lines:
        cells = []
        for cell in line.cells:
            draft = ready_draft(cell.followup, drafts) if cell.is_open else None
            cells.append({
                "title": cell.followup.definition.title, "label": cell.label,
                "state": cell.state_label, "open": cell.is_open,
                "optional": cell.optional, "draft": draft,
                "open_url": _absolute(open_path(cell.followup, draft)),
                "links": _links(cell.followup) if cell.is_open else {},
            })
        lines.append({"name": line.name, "cells": cells})
    return {
        "task": task,
        "title": task.title,
        "reason": task.reason,
        "rules": task.rules,
        "person": "",
        "where": f"{application.role_title} at {application.company}",
        "company": application.company,
        "late": bool(late),
        "late_since": _date(min(f.due_at for f in late), WHEN) if late else "",
        "closes": _date(task.closes_at, WHEN),
        "postponed_from": "",
        "lines": lines,
        "open_url": _absolute(reverse("interview_notes", args=[task.interview_id])),
    }


def reminder_items(followups, now: datetime, drafts: list[Note] | None = None) -> list[dict]:
    """What the templates show of each task: a follow-up of its own, or the thank-yous of
    one interview (``reminders.grouping``)."""
    drafts = unsent_drafts(followups) if drafts is None else drafts
    items = []
    for task in grouping.group(followups):
        if task.kind == "thank_you":
            items.append(_thank_you_item(task, now, drafts))
            continue
        followup = task.followup
        draft = ready_draft(followup, drafts)
        rule = followup.definition
        application = followup.application
        interviewer = followup.interviewer if followup.interviewer_id else None
        late = now - followup.due_at > LATE_AFTER
        closes = rules.window_closes(
            followup.rule, followup.interview.ends_at if followup.interview_id else None
        )
        items.append(
            {
                "followup": followup,
                "rule": rule,
                "rule_id": followup.rule,
                "title": rule.title,
                "reason": rule.reason,
                "why": rule.why,
                "article": rule.article,
                "person": interviewer.name if interviewer else "",
                "where": f"{application.role_title} at {application.company}",
                "company": application.company,
                "late": late,
                "late_since": _date(followup.due_at, WHEN) if late else "",
                "closes": _date(closes, WHEN),
                "postponed_from": _date(followup.postponed_from, DAY),
                "open_url": _absolute(open_path(followup, draft)),
                "links": _links(followup),
                "draft": draft,
            }
        )
    return items


def list_headers(*, owner_id: int) -> dict[str, str]:
    """The headers of automated mail, with the account's own unsubscribe link."""
    unsubscribe_url = _absolute(unsubscribe_path(owner_id=owner_id))
    headers = {
        "Auto-Submitted": "auto-generated",
        "List-Unsubscribe": f"<{unsubscribe_url}>",
    }
    if unsubscribe_url.startswith("https://"):
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return headers


def build_reminder_email(*, owner, followups, now: datetime,
                         drafts: list[Note] | None = None) -> EmailMultiAlternatives:
    headers = list_headers(owner_id=owner.pk)
    # The worker has no request to activate the candidate's zone: times in the email would
    # read as UTC without this.
    with timezone.override(owner.zone):
        subject, text, html = render_email("reminder", {
            "owner": owner,
            "items": reminder_items(followups, now, drafts),
            "any_late": any(now - f.due_at > LATE_AFTER for f in followups),
            "site_url": settings.SITE_URL,
            "settings_url": _absolute(reverse("reminder_settings")),
            "unsubscribe_url": headers["List-Unsubscribe"][1:-1],
        })
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[owner.email],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    return message
