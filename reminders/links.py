"""Signed links in reminder emails: Done, Snooze 2 days, Dismiss, and "stop these emails".

Each action has its own salt, so a token for "dismiss" cannot be replayed as "done"; tokens
expire; the payload names both the follow-up and its owner. The link's page only confirms
on GET and acts on POST, so a mail scanner that opens every link changes nothing. A link
opened again after it was used says what already happened (``link_outcome``).

The unsubscribe link (``List-Unsubscribe``, RFC 8058) names only the candidate; it has a
salt of its own and lives longer, since a mail client may offer it long after the email came.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.core import signing
from django.urls import reverse
from django.utils import formats, timezone

from reminders.models import Status

ACTIONS = ("done", "snooze", "dismiss")
MAX_AGE = timedelta(days=14)
UNSUBSCRIBE_SALT = "reminders.unsubscribe"
UNSUBSCRIBE_MAX_AGE = timedelta(days=90)


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


# --- Unsubscribe (pause every reminder email) --------------------------------------------


def make_unsubscribe_token(*, owner_id: int) -> str:
    return signing.TimestampSigner(salt=UNSUBSCRIBE_SALT).sign_object({"u": owner_id})


def read_unsubscribe_token(token: str) -> int:
    """The candidate id the token was made for; ``BadLink`` if tampered with or expired."""
    try:
        data = signing.TimestampSigner(salt=UNSUBSCRIBE_SALT).unsign_object(
            token, max_age=UNSUBSCRIBE_MAX_AGE
        )
        return int(data["u"])
    except signing.SignatureExpired as error:
        raise BadLink("This link has expired.") from error
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise BadLink("This link is not valid.") from error


def unsubscribe_path(*, owner_id: int) -> str:
    return reverse("reminders_unsubscribe", args=[make_unsubscribe_token(owner_id=owner_id)])


# --- What a link already did ---------------------------------------------------------------

# The status notes the user's own actions write (reminders.services); any other note on a
# closed row was written by the planner or the dispatcher.
_BY_THE_USER = {Status.DONE: "Marked done.", Status.DISMISSED: "Dismissed."}


def _when(moment, zone) -> str:
    return formats.date_format(timezone.localtime(moment, zone), "l j F Y, H:i")


def link_outcome(followup, *, action: str, now, snooze) -> str | None:
    """What already happened to the follow-up, for a link opened again; None if it is open.

    A closed row says how and when it was closed. A row snoozed into the future answers a
    second "snooze" with when it was snoozed and when it comes back; "done" and "dismiss"
    still apply to it, so they ask. ``snooze`` is the snooze length (``services.SNOOZE``).
    """
    zone = followup.owner.zone
    status = followup.status
    closed_at = followup.closed_at
    if status in _BY_THE_USER and followup.status_note == _BY_THE_USER[status] and closed_at:
        verb = "marked this done" if status == Status.DONE else "dismissed this"
        return f"You {verb} on {_when(closed_at, zone)}."
    if status in (Status.DONE, Status.DISMISSED, Status.SKIPPED):
        # Closed by the planner or the dispatcher: its note says why.
        when = f" on {_when(closed_at, zone)}" if closed_at else ""
        return f"This follow-up was closed{when}. {followup.status_note}".strip()
    if status == Status.FAILED:
        return (
            "The reminder email for this follow-up could not be delivered, so it was closed. "
            "Open the app to see it."
        )
    snoozed = status == Status.PENDING and followup.snoozed and followup.due_at > now
    if action == "snooze" and snoozed and followup.status_note.startswith("Snoozed until "):
        # Snoozed for less than two days (``services.followup_snooze``): its window closes.
        return (
            f"You snoozed this; you will be reminded again on {_when(followup.due_at, zone)}, "
            "before its window closes."
        )
    if action == "snooze" and snoozed:
        return (
            f"You snoozed this on {_when(followup.due_at - snooze, zone)}; "
            f"you will be reminded again on {_when(followup.due_at, zone)}."
        )
    return None
