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
from urllib.parse import urlencode

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from followup_site.tracking.calendar import feed_regenerate
from followup_site.tracking.models import CalendarFeed
from interviews.models import (
    Application,
    Attendance,
    Candidate,
    Debrief,
    Interview,
    Interviewer,
    StatusChange,
)
from notes import models as notes_models
from notes.inbox import mailbox as inbox_mailbox
from notes.inbox import models as inbox_models
from notes.inbox import services as inbox_services
from reminders.links import action_path, unsubscribe_path
from reminders.models import FollowUp, ReminderSettings
from tests.conftest import PASSWORD
from tests.factories import (
    ApplicationFactory,
    AttendanceFactory,
    InterviewFactory,
)

NEW_PASSWORD = "a different horse, battery and staple"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


class Kind(StrEnum):
    PUBLIC = "public page"
    RESET_LINK = "password reset link"
    SIGNED_IN = "page that needs sign-in"
    OBJECT = "page of one of the owner's objects"
    ACTION = "POST-only action"


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


def _page(name: str) -> Callable[[World], str]:
    return lambda world: reverse(name)


def _of(name: str, attribute: str) -> Callable[[World], str]:
    return lambda world: reverse(name, args=[getattr(world, attribute).pk])


def _reset_link(world: World) -> str:
    uid = urlsafe_base64_encode(force_bytes(world.owner.pk))
    return reverse(
        "password_reset_confirm", args=[uid, default_token_generator.make_token(world.owner)]
    )


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
    # Public pages: reachable without signing in.
    "signup": _public(
        "signup",
        post=lambda w: {
            "email": "new@example.com",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    ),
    "login": _public("login", post=lambda w: {"username": w.owner.email, "password": PASSWORD}),
    "password_reset": _public("password_reset", post=lambda w: {"email": w.owner.email}),
    "password_reset_done": _public("password_reset_done"),
    "password_reset_complete": _public("password_reset_complete"),
    # The emailed link: its token is the credential.
    "password_reset_confirm": Route(
        Kind.RESET_LINK,
        _reset_link,
        post=lambda w: {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        sign_in=False,
    ),
    # Pages of the signed-in candidate, naming no object.
    "home": _signed_in("home"),
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
    "password_change": _signed_in(
        "password_change",
        post=lambda w: {
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    ),
    "password_change_done": _signed_in("password_change_done"),
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
    "logout": Route(Kind.ACTION, _page("logout"), post=lambda w: {}, sign_in=False),
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
    "followup_action": Route(Kind.ACTION, _followup_action, post=lambda w: {}, owned=True),
    "reminder_settings": _signed_in(
        "reminder_settings", post=lambda w: {"paused": "on", "enabled_rules": ["R1", "R2"]}
    ),
    # Tracking across applications (followup_site/tracking/urls.py, interviews/board.py).
    "application_list": _signed_in("application_list"),
    "board": _signed_in("board"),
    "application_move": _action("application_move", "application", lambda w: {"status": "offer"}),
    "application_timeline": _object("application_timeline", "application"),
    "insights": _signed_in("insights"),
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
    # The Inbox (notes/inbox/urls.py).
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
    """The debrief follow-up (R1) of the interview."""
    interview = attendance.interview
    return {
        "followup": FollowUp.objects.create(
            owner=owner, application=interview.application, interview=interview, rule="R1",
            key=f"R1:{interview.pk}", due_at=interview.ends_at + timedelta(hours=1),
        )
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


REMINDERS_STATE = (FollowUp, ReminderSettings, CalendarFeed)


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
        Candidate, Application, StatusChange, Interview, Interviewer, Attendance, Debrief,
        *NOTES_STATE,
        *REMINDERS_STATE,
    )
    state = {model.__name__: list(model.objects.order_by("pk").values()) for model in models}
    state["sessions"] = list(Session.objects.order_by("pk").values_list("pk", "session_data"))
    state["mail"] = [message.subject for message in mail.outbox]
    return state


def _assert_redirects_to_sign_in(response, path: str) -> None:
    assert response.status_code == 302, response.status_code
    assert response["Location"] == f"{reverse('login')}?{urlencode({'next': path}, safe='/')}"


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
    client.force_login(world.owner, backend=MODEL_BACKEND)

    assert client.get(ROUTES[name].url(world)).status_code == 200


@pytest.mark.parametrize("name", _names(Kind.PUBLIC, Kind.RESET_LINK))
def test_anonymous_visitor_can_open_every_public_page(client, world, name):
    response = client.get(ROUTES[name].url(world), follow=True)

    assert response.status_code == 200
    if name == "password_reset_confirm":
        # The token moves into the session and the link redirects to the set-password form.
        assert response.context["validlink"] is True
    else:
        assert response.redirect_chain == []


@pytest.mark.parametrize("name", STATE_CHANGING)
def test_valid_post_changes_state(client, world, name):
    """The payloads used to probe (b) and (d) are ones that would change something."""
    route = ROUTES[name]
    if route.kind in (Kind.SIGNED_IN, Kind.OBJECT, Kind.ACTION):
        client.force_login(world.owner, backend=MODEL_BACKEND)
    url = _post_url(client, route, world)
    before = _state()

    response = client.post(url, route.post(world))

    assert response.status_code == 302, response.status_code
    assert _state() != before


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
    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("login")


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
    client.force_login(world.owner, backend=MODEL_BACKEND)
    url = _post_url(client, route, world)
    before = _state()

    response = client.post(url, route.post(world))

    assert response.status_code == 403
    assert _state() == before
    assert client.get(reverse("home")).status_code == 200, "still signed in"
