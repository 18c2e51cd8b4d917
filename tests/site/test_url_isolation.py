"""Every URL of the site, walked from the resolver: who may reach it, and how.

``ROUTES`` classifies each URL name. A URL pattern missing from it, or an entry naming a
pattern that no longer exists, fails ``test_every_url_pattern_is_in_the_registry`` /
``test_registry_names_only_existing_url_patterns``, so a new view cannot slip past the
checks below without someone deciding who may see it.

The checks, each parametrized over the registry so every URL is its own test id:

(a) an anonymous visitor is sent to sign in from every page and action that needs it;
(b) a signed-in outsider gets 404 on every URL naming the owner's object, GET and POST,
    and their POST changes nothing;
(c) POST-only actions answer 405 to GET;
(d) a POST without a CSRF token is refused with 403 and changes nothing.

Controls keep those checks honest: the owner reaches every page, and the very POST used in
(b) and (d) does change something when the right person sends it with a token.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from inbox import mailbox as inbox_mailbox
from inbox import models as inbox_models
from inbox import services as inbox_services
from interviews.models import (
    Application,
    Attendance,
    Candidate,
    Debrief,
    DebriefDraft,
    Interview,
    Interviewer,
    StatusChange,
)
from notes import models as notes_models
from reminders import channels as reminder_channels
from reminders.links import action_path, unsubscribe_path
from reminders.models import AppriseChannel, FollowUp, PushDevice, ReminderSettings
from tests.conftest import PASSWORD
from tests.factories import (
    ApplicationFactory,
    AttendanceFactory,
    InterviewFactory,
)
from tests.totp import SECRET, totp
from tracking.calendar import feed_regenerate
from tracking.models import CalendarFeed

NEW_PASSWORD = "a different horse, battery and staple"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


class Kind(StrEnum):
    PUBLIC = "public page"
    RESET_LINK = "password reset link"
    SIGNED_IN = "page that needs sign-in"
    OBJECT = "page of one of the owner's objects"
    ACTION = "POST-only action"
    SIGN_IN_STAGE = "step of a sign-in in progress"


@dataclass
class World:
    """The owner's objects that the URLs point at."""

    owner: Candidate
    application: Application
    interview: Interview
    second_interview: Interview
    interviewer: Interviewer
    attendance: Attendance
    # The notes app's objects (see _notes_objects).
    note: notes_models.Note | None = None
    testimonial: notes_models.Testimonial | None = None
    achievement: notes_models.Achievement | None = None
    resource: notes_models.Resource | None = None
    # The reminders app's follow-up (see _reminders_objects).
    followup: FollowUp | None = None
    # A follow-up the owner marked done: what "Undo" opens again.
    done_followup: FollowUp | None = None
    # A push device and an Apprise URL of the notifications page.
    push_device: PushDevice | None = None
    apprise_channel: AppriseChannel | None = None
    # The secret token of the owner's calendar feed (see _tracking_objects).
    calendar_token: str | None = None
    # The Inbox's received message and connected mailbox (see _inbox_objects).
    received_message: inbox_models.ReceivedMessage | None = None
    mailbox: inbox_models.MailboxConnection | None = None


@dataclass(frozen=True)
class Route:
    kind: Kind
    url: Callable[[World], str]
    # A valid POST that changes something; None when the URL changes nothing.
    post: Callable[[World], dict] | None = None
    # The URL names one of the owner's objects (an outsider must get 404).
    owned: bool = False
    # Signing out needs no sign-in; everything else that is not public does.
    sign_in: bool = True
    # The page asks for the password again first (allauth's reauthentication).
    reauth: bool = False
    # The page exists only for a candidate with an authenticator app (TOTP).
    totp: bool = False
    # For the owner, the page redirects there (a page of another kind of account).
    lands_on: Callable[[World], str] | None = None


def _page(name: str) -> Callable[[World], str]:
    return lambda world: reverse(name)


def _of(name: str, attribute: str) -> Callable[[World], str]:
    return lambda world: reverse(name, args=[getattr(world, attribute).pk])


def _reset_link(world: World) -> str:
    return reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(world.owner),
            "key": default_token_generator.make_token(world.owner),
        },
    )


def _confirm_email_link(world: World) -> str:
    """The signed link emailed to a new address the owner asked to change to."""
    address, _ = EmailAddress.objects.get_or_create(
        user=world.owner, email="moved@example.com", defaults={"verified": False}
    )
    return reverse("account_confirm_email", args=[EmailConfirmationHMAC(address).key])


def _interview_data(world: World) -> dict:
    return {
        "round_number": 2,
        "format": "on_site",
        "starts_at": "2026-12-01T10:00",
        "ends_at": "2026-12-01T11:00",
        "location": "Head office",
    }


def _followup_action(world: World) -> str:
    return reverse("followup_action", args=[world.followup.pk, "done"])


def _followup_undo(world: World) -> str:
    return reverse("followup_undo", args=[world.done_followup.pk])


def _followup_link(world: World) -> str:
    return action_path(followup_id=world.followup.pk, owner_id=world.owner.pk, action="done")


def _import_file(world: World) -> dict:
    """A minimal valid JSON export: one application."""
    export = {
        "format": "followup-export",
        "version": 1,
        "applications": [{"id": 1, "company": "Imported Co", "role_title": "Engineer"}],
    }
    data = json.dumps(export).encode()
    return {"file": SimpleUploadedFile("export.json", data, content_type="application/json")}


def _note_data(world: World) -> dict:
    return {
        "channel": "email",
        "subject": "Following up",
        "body": "Changed text",
        "version": world.note.version,
        "editor": "",
    }


def _public(name: str, post: Callable[[World], dict] | None = None) -> Route:
    return Route(Kind.PUBLIC, _page(name), post=post, sign_in=False)


def _signed_in(name: str, post: Callable[[World], dict] | None = None) -> Route:
    return Route(Kind.SIGNED_IN, _page(name), post=post)


def _object(name: str, of: str, post: Callable[[World], dict] | None = None) -> Route:
    return Route(Kind.OBJECT, _of(name, of), post=post, owned=True)


def _action(name: str, of: str, post: Callable[[World], dict]) -> Route:
    return Route(Kind.ACTION, _of(name, of), post=post, owned=True)


ROUTES: dict[str, Route] = {
    # Public pages: reachable without signing in (django-allauth's).
    "account_signup": _public(
        "account_signup",
        post=lambda w: {
            "email": "new@example.com",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    ),
    "account_login": _public(
        "account_login", post=lambda w: {"login": w.owner.email, "password": PASSWORD}
    ),
    "account_reset_password": _public(
        "account_reset_password", post=lambda w: {"email": w.owner.email}
    ),
    "account_reset_password_done": _public("account_reset_password_done"),
    "account_reset_password_from_key_done": _public("account_reset_password_from_key_done"),
    "account_email_verification_sent": _public("account_email_verification_sent"),
    "account_inactive": _public("account_inactive"),
    # The emailed links: their signed token is the credential.
    "account_reset_password_from_key": Route(
        Kind.RESET_LINK,
        _reset_link,
        post=lambda w: {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        sign_in=False,
    ),
    "account_confirm_email": Route(
        Kind.PUBLIC, _confirm_email_link, post=lambda w: {}, sign_in=False
    ),
    # The second step of signing in with an authenticator app.
    "mfa_authenticate": Route(
        Kind.SIGN_IN_STAGE,
        _page("mfa_authenticate"),
        post=lambda w: {"code": totp()},
        sign_in=False,
        totp=True,
    ),
    # The installable app (core/pwa.py): the same for everyone, with no user data.
    "webmanifest": _public("webmanifest"),
    "service_worker": _public("service_worker"),
    "offline": _public("offline"),
    # Pages of the signed-in candidate, naming no object.
    "home": _signed_in("home"),
    "welcome": _signed_in(
        "welcome",
        post=lambda w: {
            "display_name": "Renamed",
            "time_zone": "Europe/Paris",
            "country": "FR",
            "reminder_hour": "8",
        },
    ),
    "profile": _signed_in(
        "profile",
        post=lambda w: {
            "display_name": "Renamed",
            "time_zone": "Europe/Paris",
            "country": "FR",
            "reminder_hour": "8",
        },
    ),
    "application_create": _signed_in(
        "application_create",
        post=lambda w: {"company": "New Co", "role_title": "Engineer", "status": "applied"},
    ),
    # The account's email, password and second factor (django-allauth's).
    "account_email": Route(
        Kind.SIGNED_IN,
        _page("account_email"),
        post=lambda w: {"email": "moved@example.com", "action_add": ""},
        reauth=True,
    ),
    "account_change_password": _signed_in(
        "account_change_password",
        post=lambda w: {
            "oldpassword": PASSWORD,
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    ),
    # For accounts without a password (none here): the owner is sent to change theirs.
    "account_set_password": Route(
        Kind.SIGNED_IN,
        _page("account_set_password"),
        lands_on=lambda w: reverse("account_change_password"),
    ),
    "account_reauthenticate": _signed_in(
        "account_reauthenticate", post=lambda w: {"password": PASSWORD}
    ),
    "mfa_index": _signed_in("mfa_index"),
    # Its valid POST needs the secret the page put in the session; see test_accounts.py.
    "mfa_activate_totp": Route(Kind.SIGNED_IN, _page("mfa_activate_totp"), reauth=True),
    "mfa_reauthenticate": Route(
        Kind.SIGNED_IN, _page("mfa_reauthenticate"), post=lambda w: {"code": totp()}, totp=True
    ),
    "mfa_deactivate_totp": Route(
        Kind.SIGNED_IN, _page("mfa_deactivate_totp"), post=lambda w: {}, reauth=True, totp=True
    ),
    "mfa_view_recovery_codes": Route(
        Kind.SIGNED_IN, _page("mfa_view_recovery_codes"), reauth=True, totp=True
    ),
    "mfa_generate_recovery_codes": Route(
        Kind.SIGNED_IN,
        _page("mfa_generate_recovery_codes"),
        post=lambda w: {},
        reauth=True,
        totp=True,
    ),
    "mfa_download_recovery_codes": Route(
        Kind.SIGNED_IN, _page("mfa_download_recovery_codes"), reauth=True, totp=True
    ),
    # Pages of one of the owner's objects.
    "application_detail": _object("application_detail", "application"),
    "application_edit": _object(
        "application_edit",
        "application",
        post=lambda w: {"company": "Renamed Co", "role_title": "Boss", "status": "offer"},
    ),
    "application_delete": _object("application_delete", "application", post=lambda w: {}),
    "interview_create": _object("interview_create", "application", post=_interview_data),
    "interview_detail": _object("interview_detail", "interview"),
    "interview_edit": _object("interview_edit", "interview", post=_interview_data),
    "interview_delete": _object("interview_delete", "interview", post=lambda w: {}),
    "interviewer_edit": _object(
        "interviewer_edit", "interviewer", post=lambda w: {"name": "Renamed Person", "role": "hr"}
    ),
    "interviewer_delete": _object("interviewer_delete", "interviewer", post=lambda w: {}),
    "attendance_edit": _object(
        "attendance_edit", "attendance", post=lambda w: {"topics": "Changed", "concerns": ""}
    ),
    # The debrief wizard: a valid step is stored in the session, and redirects.
    "debrief": _object(
        "debrief",
        "interview",
        post=lambda w: {
            f"debrief_{w.interview.pk}-current_step": "notes",
            "notes-next_steps_said": "They will call on Friday.",
        },
    ),
    "compare": _signed_in("compare"),
    # Deleting the account: the password confirms it; the goodbye page needs no account.
    "account_delete": _signed_in("account_delete", post=lambda w: {"password": PASSWORD}),
    "account_deleted": _public("account_deleted"),
    # POST-only actions.
    "account_logout": Route(
        Kind.ACTION, _page("account_logout"), post=lambda w: {}, sign_in=False
    ),
    "application_status": _action(
        "application_status", "application", lambda w: {"status": "offer"}
    ),
    "interviewer_add": _action(
        "interviewer_add", "interview", lambda w: {"name": "New Person", "role": "hr"}
    ),
    "interviewer_link": _action(
        "interviewer_link", "second_interview", lambda w: {"interviewer": w.interviewer.pk}
    ),
    "attendance_remove": _action("attendance_remove", "attendance", lambda w: {}),
    # The note editor (notes app).
    "interview_notes": _object("interview_notes", "interview"),
    "notes_start": _action("notes_start", "interview", lambda w: {}),
    "note_create": _action(
        "note_create",
        "application",
        lambda w: {"kind": "check_in", "interviewer": w.interviewer.pk, "channel": "email"},
    ),
    "note_edit": _object("note_edit", "note", post=lambda w: _note_data(w)),
    # Reads the typed text and answers with the coach's results; changes nothing.
    "note_coach": Route(Kind.ACTION, _of("note_coach", "note"), owned=True),
    "note_mark_sent": _action(
        "note_mark_sent", "note", lambda w: {**_note_data(w), "sent_at": "2026-01-05T10:00"}
    ),
    "note_send_another": _action("note_send_another", "note", lambda w: {"channel": "card"}),
    "note_print": _object("note_print", "note"),
    "note_delete": _object("note_delete", "note", post=lambda w: {}),
    "notes_settings": _signed_in(
        "notes_settings", post=lambda w: {"confidential_terms": "Umbrella Corp"}
    ),
    # The brag book and the value-add library (notes app).
    "brag_book": _signed_in("brag_book"),
    "testimonial_create": Route(
        Kind.ACTION, _page("testimonial_create"), post=lambda w: {"quote": "Great", "author": "B"}
    ),
    "testimonial_edit": _object(
        "testimonial_edit", "testimonial", post=lambda w: {"quote": "Changed", "author": "B"}
    ),
    "testimonial_delete": _action("testimonial_delete", "testimonial", lambda w: {}),
    "achievement_create": Route(
        Kind.ACTION, _page("achievement_create"), post=lambda w: {"text": "Shipped it"}
    ),
    "achievement_edit": _object(
        "achievement_edit", "achievement", post=lambda w: {"text": "Changed"}
    ),
    "achievement_delete": _action("achievement_delete", "achievement", lambda w: {}),
    "library": _signed_in("library"),
    "resource_create": Route(
        Kind.ACTION, _page("resource_create"), post=lambda w: {"kind": "book", "title": "New"}
    ),
    "resource_edit": _object(
        "resource_edit", "resource", post=lambda w: {"kind": "book", "title": "Changed"}
    ),
    "resource_delete": _action("resource_delete", "resource", lambda w: {}),
    # The reminders app. The one-click link of a reminder email needs no sign-in: like the
    # reset link, its signed token is the credential; it only confirms on GET, and its POST
    # (which answers 200 with the result) is tested in tests/reminders/test_services.py.
    "followup_link": Route(Kind.PUBLIC, _followup_link, sign_in=False),
    # The List-Unsubscribe link: its token is the credential too, and its POST is exempt from
    # CSRF on purpose (RFC 8058: mail clients send it without one), so it is not probed by
    # (d); tests/reminders/test_emails_list_headers.py checks that only that POST pauses.
    "reminders_unsubscribe": Route(
        Kind.PUBLIC, lambda w: unsubscribe_path(owner_id=w.owner.pk), sign_in=False
    ),
    # A notification's Done and Snooze (the service worker posts JSON with the push's signed
    # tokens, no cookies, no CSRF token): tests/reminders/test_push_endpoints.py.
    "push_action": Route(Kind.ACTION, _page("push_action"), sign_in=False),
    # "Turn on/off for this device": JSON with X-CSRFToken, checked in the same file.
    "push_subscribe": Route(Kind.ACTION, _page("push_subscribe")),
    "push_unsubscribe": Route(Kind.ACTION, _page("push_unsubscribe")),
    "followup_action": Route(Kind.ACTION, _followup_action, post=lambda w: {}, owned=True),
    "followup_undo": Route(Kind.ACTION, _followup_undo, post=lambda w: {}, owned=True),
    "reminder_settings": _signed_in(
        "reminder_settings", post=lambda w: {"paused": "on", "enabled_rules": ["R1", "R2"]}
    ),
    # The notifications page (reminders/channel_views.py).
    "notification_settings": _signed_in(
        "notification_settings",
        post=lambda w: {"paused": "on", "email_enabled": "on", "waking_from": "07:00",
                        "waking_until": "20:00"},
    ),
    "push_device_switch": _action("push_device_switch", "push_device",
                                  lambda w: {"enabled": "off"}),
    "push_device_remove": _action("push_device_remove", "push_device", lambda w: {}),
    "apprise_add": Route(
        Kind.ACTION, _page("apprise_add"), post=lambda w: {"label": "Phone",
                                                           "url": "pover://user@token"}
    ),
    "apprise_switch": _action("apprise_switch", "apprise_channel", lambda w: {"enabled": "off"}),
    # The test's outcome (sent, or the error) is recorded on the URL: a change. The URL's
    # port 1 on 127.0.0.1 refuses at once (or the host is refused as private).
    "apprise_test": _action("apprise_test", "apprise_channel", lambda w: {}),
    "apprise_remove": _action("apprise_remove", "apprise_channel", lambda w: {}),
    # Tracking across applications (tracking/urls.py, tracking/board.py).
    "application_list": _signed_in("application_list"),
    "board": _signed_in("board"),
    "application_move": _action("application_move", "application", lambda w: {"status": "offer"}),
    "application_timeline": _object("application_timeline", "application"),
    "insights": _signed_in("insights"),
    # With a query that finds the owner's application (the page and its snippets render).
    "search": Route(
        Kind.SIGNED_IN,
        lambda world: f"{reverse('search')}?{urlencode({'q': world.application.company})}",
    ),
    "signed_in_ping": _signed_in("signed_in_ping"),
    "your_data": _signed_in("your_data"),
    "calendar_feed_regenerate": Route(
        Kind.ACTION, _page("calendar_feed_regenerate"), post=lambda w: {}
    ),
    "calendar_feed_revoke": Route(Kind.ACTION, _page("calendar_feed_revoke"), post=lambda w: {}),
    # The feed a calendar app subscribes to: like the reset link, its token is the credential.
    "calendar_feed": Route(
        Kind.PUBLIC, lambda w: reverse("calendar_feed", args=[w.calendar_token]), sign_in=False
    ),
    "export_json": _signed_in("export_json"),
    "export_csv": Route(Kind.SIGNED_IN, lambda w: reverse("export_csv", args=["applications"])),
    "export_vcard": _signed_in("export_vcard"),
    "data_import": Route(Kind.ACTION, _page("data_import"), post=_import_file),
    # The Inbox (inbox/urls.py).
    "inbox": _signed_in("inbox"),
    "inbox_upload": Route(
        Kind.ACTION, _page("inbox_upload"), post=lambda w: {"pasted": _raw_message("<b@x>")}
    ),
    "inbox_message": _object("inbox_message", "received_message"),
    "inbox_message_act": _action(
        "inbox_message_act", "received_message", lambda w: {"action": "ignore"}
    ),
    "inbox_message_file": _action(
        "inbox_message_file", "received_message", lambda w: {"application": w.application.pk}
    ),
    "inbox_message_new_application": _action(
        "inbox_message_new_application",
        "received_message",
        lambda w: {"company": "Inbox Co", "role_title": "Engineer"},
    ),
    "inbox_message_delete": _action("inbox_message_delete", "received_message", lambda w: {}),
    "inbox_clocks": _signed_in("inbox_clocks"),
    "inbox_setup": _signed_in("inbox_setup"),
    "inbox_address_regenerate": Route(
        Kind.ACTION, _page("inbox_address_regenerate"), post=lambda w: {}
    ),
    # Its valid POST needs a live IMAP server: tests/inbox/test_imap.py (Dovecot).
    "inbox_mailbox_connect": Route(Kind.ACTION, _page("inbox_mailbox_connect")),
    # Tests the stored settings and changes nothing.
    "inbox_mailbox_test": Route(Kind.ACTION, _of("inbox_mailbox_test", "mailbox"), owned=True),
    # Reading a mailbox that is down records the error on it: a change.
    "inbox_mailbox_poll": _action("inbox_mailbox_poll", "mailbox", lambda w: {}),
    "inbox_mailbox_delete": _action("inbox_mailbox_delete", "mailbox", lambda w: {}),
}


def _names(*kinds: Kind, **attributes) -> list[str]:
    """Names of the routes of these kinds (all kinds when none given) with these attributes."""
    return [
        name
        for name, route in ROUTES.items()
        if (not kinds or route.kind in kinds)
        and all(getattr(route, key) == value for key, value in attributes.items())
    ]


STATE_CHANGING = [name for name, route in ROUTES.items() if route.post is not None]


def _walk(patterns, namespace: str = ""):
    """Yield the qualified name of every URL pattern, or its route when it has no name."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # The admin has its own sign-in, checked separately.
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, inner)
        elif pattern.name:
            yield f"{namespace}{pattern.name}"
        else:
            yield f"<unnamed pattern {pattern.pattern}>"


def _url_names() -> list[str]:
    return list(_walk(get_resolver().url_patterns))


@pytest.fixture
def world(owner) -> World:
    application = ApplicationFactory(owner=owner)
    attendance = AttendanceFactory(interview__application=application)
    second_interview = InterviewFactory(application=application, round_number=2)
    return World(
        owner=owner,
        application=application,
        interview=attendance.interview,
        second_interview=second_interview,
        interviewer=attendance.interviewer,
        attendance=attendance,
        **_notes_objects(owner, attendance),
        **_reminders_objects(owner, attendance),
        **_tracking_objects(owner),
        **_inbox_objects(owner),
    )


def _notes_objects(owner: Candidate, attendance: Attendance) -> dict:
    """A status check to the interviewer (so "Write notes" still has a thank-you to start),
    and one item of each kind in the brag book and the library."""
    return {
        "note": notes_models.Note.objects.create(
            application=attendance.interview.application,
            interview=attendance.interview,
            interviewer=attendance.interviewer,
            kind=notes_models.CorrespondenceKind.STATUS_CHECK,
            subject="Following up",
            body="Dear Ada,\n\nAny news?",
        ),
        "testimonial": notes_models.Testimonial.objects.create(
            owner=owner, quote="Great work", author="Bill"
        ),
        "achievement": notes_models.Achievement.objects.create(owner=owner, text="Shipped"),
        "resource": notes_models.Resource.objects.create(owner=owner, title="A book"),
    }


def _reminders_objects(owner: Candidate, attendance: Attendance) -> dict:
    """The debrief follow-up (R1) of the interview, and its value-add (R5), marked done."""
    interview = attendance.interview
    return {
        "followup": FollowUp.objects.create(
            owner=owner, application=interview.application, interview=interview, rule="R1",
            key=f"R1:{interview.pk}", due_at=interview.ends_at + timedelta(hours=1),
        ),
        "done_followup": FollowUp.objects.create(
            owner=owner, application=interview.application, interview=interview, rule="R5",
            key=f"R5:{interview.pk}", due_at=interview.ends_at + timedelta(hours=20),
            status="done", status_note="Marked done.", closed_at=interview.ends_at,
        ),
        "push_device": PushDevice.objects.create(
            owner=owner, endpoint="https://push.example.net/send/owner", p256dh="k", auth="a",
            browser="Firefox on Linux",
        ),
        "apprise_channel": reminder_channels.apprise_add(
            owner=owner, label="Phone", url="json://127.0.0.1:1/hook"
        ),
    }


def _tracking_objects(owner: Candidate) -> dict:
    """The owner's calendar feed (regenerating and revoking it are state changes)."""
    return {"calendar_token": feed_regenerate(owner=owner)}


def _raw_message(message_id: str) -> str:
    return (
        "From: Priya <priya@northwind.example>\r\nTo: owner@example.com\r\n"
        f"Subject: Your application\r\nMessage-ID: {message_id}\r\n\r\n"
        "We will get back to you by Friday.\r\n"
    )


def _inbox_objects(owner: Candidate) -> dict:
    """A received message, and a mailbox whose server is down (port 1 refuses at once)."""
    return {
        "received_message": inbox_services.receive(
            owner=owner, raw=_raw_message("<a@x>").encode(), source="upload"
        ).message,
        "mailbox": inbox_mailbox.mailbox_connect(
            owner=owner, password="app-password", host="127.0.0.1", port=1,
            security="none", username="owner@example.com", folder="INBOX",
        ),
    }


REMINDERS_STATE = (FollowUp, ReminderSettings, PushDevice, AppriseChannel, CalendarFeed)


NOTES_STATE = (
    notes_models.Note,
    notes_models.Correspondence,
    notes_models.Testimonial,
    notes_models.Achievement,
    notes_models.Resource,
    notes_models.NotesSettings,
    inbox_models.ReceivedMessage,
    inbox_models.CalendarInvite,
    inbox_models.InboundAddress,
    inbox_models.MailboxConnection,
)


def _state() -> dict[str, list]:
    """Everything a request could change: the rows, the sessions and the mail sent."""
    models = (
        Candidate, EmailAddress, Authenticator,
        Application, StatusChange, Interview, Interviewer, Attendance, Debrief, DebriefDraft,
        *NOTES_STATE,
        *REMINDERS_STATE,
    )
    state = {model.__name__: list(model.objects.order_by("pk").values()) for model in models}
    # Signed-in sessions: an anonymous visitor's own session (allauth keeps a refused POST
    # there to resume it after sign-in) holds nobody's data.
    state["sessions"] = [
        (session.pk, session.session_data)
        for session in Session.objects.order_by("pk")
        if "_auth_user_id" in session.get_decoded()
    ]
    state["mail"] = [message.subject for message in mail.outbox]
    return state


def _assert_redirects_to(response, page: str, path: str) -> None:
    """A redirect to ``page`` that comes back to ``path`` (``next``, however quoted)."""
    assert response.status_code == 302, response.status_code
    location = urlsplit(response["Location"])
    assert location.path == page
    assert parse_qs(location.query) == {"next": [path]}


def _assert_redirects_to_sign_in(response, path: str) -> None:
    _assert_redirects_to(response, reverse("account_login"), path)


def _signed_in(client: Client) -> bool:
    return client.get(reverse("home")).status_code == 200


def _reauthenticate(client: Client) -> None:
    """Type the password again, as allauth asks before changing the account's security."""
    client.get(reverse("account_reauthenticate"))
    response = client.post(
        reverse("account_reauthenticate"),
        {"password": PASSWORD, "csrfmiddlewaretoken": client.cookies["csrftoken"].value},
    )
    assert response.status_code == 302, response.status_code


def _prepare(client: Client, route: Route, world: World) -> None:
    """What the owner has or does before the route applies: an authenticator app, a
    password typed again."""
    if route.totp and not Authenticator.objects.filter(user=world.owner).exists():
        TOTP.activate(world.owner, SECRET)
        RecoveryCodes.activate(world.owner)
    if route.reauth:
        _reauthenticate(client)
    if route.kind == Kind.SIGN_IN_STAGE:
        # The password is right; the sign-in now waits for the second factor.
        client.get(reverse("account_login"))
        response = client.post(
            reverse("account_login"),
            {
                "login": world.owner.email,
                "password": PASSWORD,
                "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
            },
        )
        assert response["Location"] == reverse("mfa_authenticate")


def _without_secrets(content: bytes) -> bytes:
    return re.sub(
        rb'(nonce="|"X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]*"', rb"\1", content
    )


def _post_url(client: Client, route: Route, world: World) -> str:
    """Where the route's POST goes. The reset link first trades its token for the session."""
    url = route.url(world)
    if route.kind == Kind.RESET_LINK:
        response = client.get(url)
        assert response.status_code == 302
        return response["Location"]
    return url


# --- The registry covers exactly the site's URLs -----------------------------------------


def test_every_url_pattern_is_in_the_registry():
    unclassified = sorted(set(_url_names()) - set(ROUTES))
    assert not unclassified, f"Classify these URLs in ROUTES: {unclassified}"


def test_registry_names_only_existing_url_patterns():
    stale = sorted(set(ROUTES) - set(_url_names()))
    assert not stale, f"Remove these names from ROUTES, no URL pattern has them: {stale}"


def test_every_url_name_is_used_by_one_pattern_only():
    names = _url_names()
    duplicates = sorted({name for name in names if names.count(name) > 1})
    assert not duplicates, f"One name, several patterns: {duplicates}"


def test_admin_sends_anonymous_visitor_to_admin_sign_in(client):
    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:login')}?next=/admin/"


# --- Controls: the URLs and payloads below reach real objects ------------------------------


@pytest.mark.parametrize("name", _names(Kind.SIGNED_IN, Kind.OBJECT))
def test_owner_can_open_every_page(client, world, name):
    route = ROUTES[name]
    client.force_login(world.owner, backend=MODEL_BACKEND)
    _prepare(client, route, world)

    response = client.get(route.url(world))

    if route.lands_on:
        assert response.status_code == 302
        assert response["Location"] == route.lands_on(world)
    else:
        assert response.status_code == 200


@pytest.mark.parametrize("name", _names(reauth=True))
def test_owner_is_asked_for_the_password_again_and_nothing_changes_until_then(
    client, world, name
):
    """Pages that change the account's security ask for it on GET, and their POST does;
    allauth keeps the refused POST in the session to resume it, so sessions are left out."""
    route = ROUTES[name]
    client.force_login(world.owner, backend=MODEL_BACKEND)
    _prepare(client, Route(route.kind, route.url, totp=route.totp), world)
    url = route.url(world)
    before = {key: rows for key, rows in _state().items() if key != "sessions"}

    page = client.get(url)
    if route.post is None or page.status_code != 200:
        _assert_redirects_to(page, reverse("account_reauthenticate"), url)
    if route.post:
        response = client.post(url, route.post(world))
        assert response.status_code == 302
        assert urlsplit(response["Location"]).path == reverse("account_reauthenticate")
    assert {key: rows for key, rows in _state().items() if key != "sessions"} == before
    assert _signed_in(client)


@pytest.mark.parametrize("name", _names(Kind.SIGN_IN_STAGE))
def test_a_sign_in_step_without_a_sign_in_in_progress_goes_back_to_sign_in(
    client, world, name
):
    route = ROUTES[name]
    before = _state()

    for response in (client.get(route.url(world)), client.post(route.url(world), {})):
        assert response.status_code == 302
        assert response["Location"] == reverse("account_login")
    assert _state() == before


@pytest.mark.parametrize("name", _names(Kind.PUBLIC, Kind.RESET_LINK))
def test_anonymous_visitor_can_open_every_public_page(client, world, name):
    response = client.get(ROUTES[name].url(world), follow=True)

    assert response.status_code == 200
    if name == "account_reset_password_from_key":
        # The token moves into the session and the link redirects to the set-password form.
        assert response.redirect_chain[0][1] == 302
        assert "token_fail" not in response.context
        assert "form" in response.context
    else:
        assert response.redirect_chain == []


@pytest.mark.parametrize("name", STATE_CHANGING)
def test_valid_post_changes_state(client, world, name):
    """The payloads used to probe (b) and (d) are ones that would change something."""
    route = ROUTES[name]
    if route.kind in (Kind.SIGNED_IN, Kind.OBJECT, Kind.ACTION):
        client.force_login(world.owner, backend=MODEL_BACKEND)
    _prepare(client, route, world)
    url = _post_url(client, route, world)
    before = _state()

    response = client.post(url, route.post(world))

    assert response.status_code == 302, response.status_code
    assert _state() != before


# --- Template syntax never reaches the page ----------------------------------------------

# A "{# ... #}" comment spanning lines, a tag or variable written wrong: Django prints it.
LEAKED_TEMPLATE_SYNTAX = re.compile(r"\{#|#\}|\{%|\{\{")


def _leaked_template_syntax(response) -> list[str]:
    if not response["Content-Type"].startswith("text/html"):
        return []
    html = response.content.decode()
    return [
        html[max(0, found.start() - 60) : found.end() + 60]
        for found in LEAKED_TEMPLATE_SYNTAX.finditer(html)
    ]


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize("name", _names(Kind.SIGNED_IN, Kind.OBJECT))
def test_no_template_syntax_shows_on_a_page_or_its_htmx_partial(client, world, name, htmx):
    route = ROUTES[name]
    client.force_login(world.owner, backend=MODEL_BACKEND)
    _prepare(client, route, world)
    headers = {"HX-Request": "true"} if htmx else {}

    response = client.get(route.url(world), follow=True, headers=headers)

    assert response.status_code == 200
    assert _leaked_template_syntax(response) == []


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize("name", STATE_CHANGING)
def test_no_template_syntax_shows_in_the_answer_to_an_action(client, world, name, htmx):
    route = ROUTES[name]
    if route.kind in (Kind.SIGNED_IN, Kind.OBJECT, Kind.ACTION):
        client.force_login(world.owner, backend=MODEL_BACKEND)
    _prepare(client, route, world)
    url = _post_url(client, route, world)
    headers = {"HX-Request": "true"} if htmx else {}

    response = client.post(url, route.post(world), follow=True, headers=headers)

    assert response.status_code < 400
    assert _leaked_template_syntax(response) == []


# --- (a) Anonymous visitors are sent to sign in -------------------------------------------


@pytest.mark.parametrize("name", _names(sign_in=True))
def test_anonymous_visitor_is_sent_to_sign_in_from_every_private_url(client, world, name):
    route = ROUTES[name]
    url = route.url(world)
    before = _state()

    _assert_redirects_to_sign_in(client.get(url), url)
    _assert_redirects_to_sign_in(client.post(url, route.post(world) if route.post else {}), url)
    assert _state() == before


def test_anonymous_sign_out_just_lands_on_sign_in_page(client, world):
    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")


# --- (b) Outsiders get 404 on the owner's objects -----------------------------------------


# GET on a POST-only action answers 405 to anyone before any object is looked up, so it
# tells nothing about the object; (c) checks it.
@pytest.mark.parametrize("name", _names(Kind.OBJECT))
def test_outsider_gets_404_on_every_object_page(client, world, outsider, name):
    client.force_login(outsider, backend=MODEL_BACKEND)

    assert client.get(ROUTES[name].url(world)).status_code == 404


@pytest.mark.parametrize("name", _names(owned=True))
def test_outsider_gets_404_on_every_object_url_post_and_changes_nothing(
    client, world, outsider, name
):
    route = ROUTES[name]
    client.force_login(outsider, backend=MODEL_BACKEND)
    before = _state()

    response = client.post(route.url(world), route.post(world) if route.post else {})

    assert response.status_code == 404
    assert _state() == before
    assert Application.objects.filter(pk=world.application.pk, owner=world.owner).exists()


def test_outsider_gets_same_404_as_for_an_object_that_does_not_exist(client, world, outsider):
    client.force_login(outsider, backend=MODEL_BACKEND)
    theirs = client.get(reverse("application_detail", args=[world.application.pk]))
    missing = client.get(reverse("application_detail", args=[world.application.pk + 1000]))

    assert theirs.status_code == missing.status_code == 404
    # Only the CSP nonce and the masked CSRF token, fresh on every response, may differ.
    assert _without_secrets(theirs.content) == _without_secrets(missing.content)


# --- (c) POST-only actions refuse GET -----------------------------------------------------


@pytest.mark.parametrize("name", _names(Kind.ACTION))
def test_post_only_action_answers_get_with_405(client, world, name):
    client.force_login(world.owner, backend=MODEL_BACKEND)
    before = _state()

    response = client.get(ROUTES[name].url(world))

    assert response.status_code == 405
    allowed = response["Allow"].split(", ")
    assert "POST" in allowed
    assert "GET" not in allowed
    assert _state() == before


# --- (d) State changes need the CSRF token ------------------------------------------------


@pytest.mark.parametrize("name", STATE_CHANGING)
def test_post_without_csrf_token_is_refused_and_changes_nothing(world, name):
    route = ROUTES[name]
    client = Client(enforce_csrf_checks=True)
    if route.kind != Kind.SIGN_IN_STAGE:
        client.force_login(world.owner, backend=MODEL_BACKEND)
    _prepare(client, route, world)
    url = _post_url(client, route, world)
    before = _state()

    response = client.post(url, route.post(world))

    assert response.status_code == 403
    assert _state() == before
    if route.kind != Kind.SIGN_IN_STAGE:
        assert client.get(reverse("home")).status_code == 200, "still signed in"
