"""Reads of the Inbox shared by the application page's panels and the timeline."""

from __future__ import annotations

from dataclasses import dataclass

from inbox.models import ReceivedMessage
from interviews.models import Application
from notes.selectors import sent_of

_RECEIVED_MEMO = "_inbox_received_memo"
RECEIVED_FIELDS = ("id", "subject", "sender_name", "sender_email", "written_at", "received_at")


@dataclass(frozen=True)
class ApplicationMail:
    """What went each way for one application."""

    sent: list  # Correspondence, oldest first, with its interviewer and note
    received: list  # the employer's mail (ReceivedMessage), newest first


def mail_of(application: Application) -> ApplicationMail:
    """The application's correspondence and the employer's mail, two queries for the
    instance: the correspondence panel, the two clocks and the timeline all read them, and
    the first to ask keeps them on the application, which lives as long as its request."""
    received = application.__dict__.get(_RECEIVED_MEMO)
    if received is None:
        received = list(
            ReceivedMessage.objects.employer_mail()
            .filter(application=application)
            .only(*RECEIVED_FIELDS)
            .order_by("-received_at", "-id")
        )
        application.__dict__[_RECEIVED_MEMO] = received
    return ApplicationMail(sent=sent_of(application), received=received)
