"""Signed one-click links in reminder emails: Done, Snooze 2 days, Dismiss.

Each action has its own salt, so a token for "dismiss" cannot be replayed as "done"; tokens
expire; the payload names both the follow-up and its owner. The link's page only confirms
on GET and acts on POST, so a mail scanner that opens every link changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.core import signing
from django.urls import reverse

ACTIONS = ("done", "snooze", "dismiss")
MAX_AGE = timedelta(days=14)


class BadLink(Exception):
    """The link is tampered with, expired, or for another action."""


@dataclass(frozen=True)
class LinkPayload:
    followup_id: int
    owner_id: int


def _salt(action: str) -> str:
    if action not in ACTIONS:
        raise BadLink(f"Unknown action {action!r}.")
    return f"reminders.link.{action}"


def make_token(*, followup_id: int, owner_id: int, action: str) -> str:
    return signing.TimestampSigner(salt=_salt(action)).sign_object(
        {"f": followup_id, "u": owner_id}
    )


def read_token(token: str, *, action: str) -> LinkPayload:
    try:
        data = signing.TimestampSigner(salt=_salt(action)).unsign_object(token, max_age=MAX_AGE)
        return LinkPayload(followup_id=int(data["f"]), owner_id=int(data["u"]))
    except signing.SignatureExpired as error:
        raise BadLink("This link has expired.") from error
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise BadLink("This link is not valid.") from error


def action_path(*, followup_id: int, owner_id: int, action: str) -> str:
    token = make_token(followup_id=followup_id, owner_id=owner_id, action=action)
    return reverse("followup_link", args=[action, token])
