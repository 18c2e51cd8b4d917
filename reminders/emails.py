"""The reminder email: one per candidate per dispatch, text and HTML from templates.

Templates live in ``templates/emails/reminder-{subject,body-text,body-html}.html``.

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
from django.utils import timezone

from notes.models import Note
from reminders.links import action_path, unsubscribe_path

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


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


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


def reminder_items(followups, now: datetime, drafts: list[Note] | None = None) -> list[dict]:
    items = []
    drafts = unsent_drafts(followups) if drafts is None else drafts
    for followup in followups:
        draft = ready_draft(followup, drafts)
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
                "open_url": _absolute(open_path(followup, draft)),
                "links": links,
                "draft": draft,
            }
        )
    return items


def _one_line(text: str) -> str:
    # Header values must never carry a line break (header injection); user text such as a
    # company name can, so the subject is collapsed onto one line.
    return " ".join(text.split())


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
    context = {
        "owner": owner,
        "items": reminder_items(followups, now, drafts),
        "any_late": any(now - f.due_at > LATE_AFTER for f in followups),
        "site_url": settings.SITE_URL,
        "settings_url": _absolute(reverse("reminder_settings")),
        "unsubscribe_url": headers["List-Unsubscribe"][1:-1],
    }
    # The worker has no request to activate the candidate's zone: times in the email would
    # read as UTC without this.
    with timezone.override(owner.zone):
        subject = _one_line(render_to_string("emails/reminder-subject.html", context))
        text = render_to_string("emails/reminder-body-text.html", context)
        html = render_to_string("emails/reminder-body-html.html", context)
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[owner.email],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    return message
