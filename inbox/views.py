"""The Inbox pages: drop or paste, the list, one message with its suggestion, the setup.

Every object is fetched through an owner-scoped helper (``inbox.access``: another
candidate's message or mailbox is a 404); every change is a POST with CSRF that calls
``inbox.services`` or ``inbox.mailbox``, which go through ``interviews.services`` for
applications and interviews. Nothing is changed by a page view: the user clicks each action.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from inbox import crypto, mailbox, services
from inbox.access import get_mailbox_for_user, get_message_for_user
from inbox.forms import FileForm, MailboxForm, NewApplicationForm, UploadForm
from inbox.models import (
    CalendarInvite,
    InviteState,
    MailboxConnection,
    ReceivedMessage,
    Source,
    State,
)
from interviews.models import Application, ApplicationStatus

logger = logging.getLogger(__name__)

HTTP_UNPROCESSABLE = 422
PAGE_SIZE = 25


# --- The list, drop and paste ---------------------------------------------------------------


def _inbox(request: HttpRequest, form: UploadForm | None = None, status: int = 200):
    show = request.GET.get("show", "waiting")
    rows = ReceivedMessage.objects.owned_by(request.user).select_related("application")
    if show == "waiting":
        rows = rows.waiting()
    rows = rows.defer("raw", "full_text", "safe_html", "text").prefetch_related(
        Prefetch(
            "invites",
            queryset=CalendarInvite.objects.only(
                "message_id", "sequence", "method", "starts_at", "all_day"
            ).order_by("-sequence", "-id"),
        )
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    zone = request.user.zone
    for message in page:
        invites = list(message.invites.all())
        # An invitation is about its interview's date, not the day it arrived: the list
        # shows that date first (the newest version of the event the message carries).
        message.event = (
            {
                "starts": _shown(invites[0], invites[0].starts_at, zone),
                "all_day": invites[0].all_day,
                "cancelled": invites[0].method == "CANCEL",
            }
            if invites
            else None
        )
    return render(
        request,
        "inbox/inbox.html",
        {
            "form": form or UploadForm(),
            "page": page,
            "show": show,
            "waiting": ReceivedMessage.objects.owned_by(request.user).waiting().count(),
        },
        status=status,
    )


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    return _inbox(request)


def _upload_items(form: UploadForm):
    """(name, raw bytes, whether it is a calendar file) for each file and the pasted text."""
    for upload in form.cleaned_data["files"]:
        data = upload.read()
        name = upload.name or "upload"
        is_calendar = data.lstrip()[:15].upper() == b"BEGIN:VCALENDAR"
        yield name, data, is_calendar or name.lower().endswith(".ics")
    pasted = (form.cleaned_data.get("pasted") or "").strip()
    if pasted:
        raw = pasted.replace("\r\n", "\n").encode("utf-8", "surrogateescape")
        is_calendar = raw.lstrip()[:15].upper() == b"BEGIN:VCALENDAR"
        yield ("The pasted calendar" if is_calendar else "The pasted message"), raw, is_calendar


# Each message is read within INBOX_PARSE_SECONDS; a drop of many is read here for at most
# this long, well inside gunicorn's 30 s, and the rest by the worker a moment later.
UPLOAD_READ_SECONDS = 10


@login_required
@require_POST
def inbox_upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _inbox(request, form, HTTP_UNPROCESSABLE)
    received: list[ReceivedMessage] = []
    later = 0
    deadline = time.monotonic() + UPLOAD_READ_SECONDS
    for name, raw, is_calendar in _upload_items(form):
        read_now = time.monotonic() < deadline
        try:
            if is_calendar:
                result = services.receive_calendar(
                    owner=request.user, name=name, data=raw, read_now=read_now
                )
            else:
                result = services.receive(
                    owner=request.user, raw=raw, source=Source.UPLOAD, read_now=read_now
                )
        except services.Refused as error:
            messages.error(request, f"{name}: {error.reason}")
            continue
        if not result.created:
            messages.info(request, f"{name}: already in your Inbox.")
        elif result.message.unreadable:
            messages.error(request, f"{name}: {result.message.unreadable} It is kept as it came.")
            received.append(result.message)
        elif result.message.parsed_at is None:
            later += 1
        else:
            received.append(result.message)
    if later:
        messages.info(
            request,
            "1 message is being read; it appears in a minute."
            if later == 1
            else f"{later} messages are being read; they appear in a minute.",
        )
    if len(received) == 1 and not later:
        if not received[0].unreadable:
            messages.success(request, "Received. Here is what it looks like.")
        return redirect(received[0])
    if received:
        messages.success(request, f"{len(received)} messages received.")
    return redirect("inbox")


# --- One message ----------------------------------------------------------------------------


def _actions(message: ReceivedMessage, invite) -> list[tuple[str, str]]:
    """The one-click actions the suggestion offers, most likely first."""
    if message.state in (State.APPLIED, State.IGNORED):
        return []
    actions: list[tuple[str, str]] = []
    if invite is not None:
        what = services.invite_action(invite)
        if what:
            actions.append((what, services.ACTIONS[what]))
    if message.kind == "rejection":
        actions.append(("reject", "Mark rejected"))
    elif message.kind == "offer":
        actions.append(("offer", "Mark as offer"))
    elif message.kind == "on_hold":
        actions.append(("on_hold", "On hold"))
    if message.decision_date:
        actions.append(("decision_date", f"Set decision date {message.decision_date:%-d %b}"))
    actions.append(("ignore", "Ignore"))
    return actions


def _shown(invite, moment, zone):
    """An all-day entry is its calendar day (kept as midnight UTC), in no zone; a time is
    shown in the candidate's zone."""
    return moment.astimezone(UTC).date() if invite.all_day else moment.astimezone(zone)


def _message_page(request: HttpRequest, message: ReceivedMessage, status: int = 200, **forms):
    invite = services.pending_invite(message)
    known = services.known_interview(invite) if invite else None
    zone = request.user.zone
    return render(
        request,
        "inbox/message.html",
        {
            "message": message,
            "invite": invite,
            "known_interview": known,
            "invite_start": _shown(invite, invite.starts_at, zone) if invite else None,
            "invite_end": _shown(invite, invite.ends_at, zone) if invite else None,
            "invites": message.invites.all(),
            "actions": _actions(message, invite),
            "needs_application": message.application_id is None,
            "candidates": message.owner.applications.filter(pk__in=message.candidate_ids),
            "file_form": forms.get("file_form")
            or FileForm(owner=request.user, initial={"application": message.application_id}),
            "new_form": forms.get("new_form")
            or NewApplicationForm(initial=services.prefill_application(message)),
            "show_html": request.GET.get("view") == "html" and bool(message.safe_html),
        },
        status=status,
    )


@login_required
def inbox_message(request: HttpRequest, pk: int) -> HttpResponse:
    return _message_page(request, get_message_for_user(request, pk))


@login_required
@require_POST
def inbox_message_act(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_message_for_user(request, pk)
    action = request.POST.get("action", "")
    try:
        result = services.message_act(message=message, action=action)
    except services.ActionRefused as error:
        messages.error(request, str(error))
        return redirect(message)
    if action == "ignore":
        messages.success(request, "Ignored.")
        return redirect("inbox")
    messages.success(request, f"Done: {services.ACTIONS[action].lower()}.")
    return redirect(result) if result is not None else redirect(message)


@login_required
@require_POST
def inbox_message_file(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_message_for_user(request, pk)
    form = FileForm(request.POST, owner=request.user)
    if not form.is_valid():
        return _message_page(request, message, HTTP_UNPROCESSABLE, file_form=form)
    services.message_file(message=message, application=form.cleaned_data["application"])
    messages.success(request, "Filed." if form.cleaned_data["application"] else "Unfiled.")
    return redirect(message)


@login_required
@require_POST
def inbox_message_new_application(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_message_for_user(request, pk)
    form = NewApplicationForm(request.POST)
    if not form.is_valid():
        return _message_page(request, message, HTTP_UNPROCESSABLE, new_form=form)
    services.message_file_new_application(message=message, **form.cleaned_data)
    messages.success(request, "Application created, and the message filed to it.")
    return redirect(message)


@login_required
@require_POST
def inbox_message_delete(request: HttpRequest, pk: int) -> HttpResponse:
    services.message_delete(message=get_message_for_user(request, pk))
    messages.success(request, "Deleted from your Inbox.")
    return redirect("inbox")


# --- Setup: the forwarding address and the mailboxes ----------------------------------------


def _setup(request: HttpRequest, form: MailboxForm | None = None, status: int = 200):
    address = services.inbound_address_for(request.user)
    return render(
        request,
        "inbox/setup.html",
        {
            "address": services.full_address(address),
            "mailboxes": MailboxConnection.objects.owned_by(request.user),
            "form": form or MailboxForm(),
            "can_connect": crypto.is_configured(),
            "invite_states": InviteState,
        },
        status=status,
    )


@login_required
def inbox_setup(request: HttpRequest) -> HttpResponse:
    return _setup(request)


@login_required
@require_POST
def inbox_address_regenerate(request: HttpRequest) -> HttpResponse:
    services.inbound_address_regenerate(owner=request.user)
    messages.success(request, "New address made; the old one no longer receives anything.")
    return redirect("inbox_setup")


@login_required
@require_POST
def inbox_mailbox_connect(request: HttpRequest) -> HttpResponse:
    """Test the settings, then (unless only testing) store them with the password encrypted."""
    form = MailboxForm(request.POST)
    if not form.is_valid():
        return _setup(request, form, HTTP_UNPROCESSABLE)
    if not crypto.is_configured():
        form.add_error(None, "Mailboxes cannot be connected on this server yet (no key).")
        return _setup(request, form, HTTP_UNPROCESSABLE)
    data = dict(form.cleaned_data)
    password = data.pop("password")
    try:
        count = mailbox.test_connection(mailbox.Settings(**data), password)
    except mailbox.MailboxError as error:
        form.add_error(None, str(error))
        return _setup(request, form, HTTP_UNPROCESSABLE)
    if "test" in request.POST:
        messages.success(request, f"Connection works: {count} messages in {data['folder']}.")
        return _setup(request, form)
    mailbox.mailbox_connect(owner=request.user, password=password, **data)
    messages.success(
        request, f"Connected. New messages in {data['folder']} arrive within 5 minutes."
    )
    return redirect("inbox_setup")


@login_required
@require_POST
def inbox_mailbox_test(request: HttpRequest, pk: int) -> HttpResponse:
    connection = get_mailbox_for_user(request, pk)
    try:
        count = mailbox.test_connection(
            mailbox.settings_of(connection), crypto.decrypt(connection.password_encrypted)
        )
    except (mailbox.MailboxError, crypto.SecretUnreadable) as error:
        messages.error(request, f"{connection}: {error}")
    else:
        messages.success(request, f"{connection}: connection works, {count} messages.")
    return redirect("inbox_setup")


@login_required
@require_POST
def inbox_mailbox_poll(request: HttpRequest, pk: int) -> HttpResponse:
    connection = get_mailbox_for_user(request, pk)
    # In a web request: the shorter deadline, well before the worker's timeout.
    stored = mailbox.poll_one(connection.pk, seconds=settings.INBOX_IMAP_WEB_DEADLINE)
    connection.refresh_from_db()
    if stored is None:
        messages.info(request, "That mailbox is being read right now.")
    elif connection.last_error:
        messages.error(request, f"{connection}: {connection.last_error}")
    else:
        messages.success(request, f"{stored} new messages from {connection}.")
    return redirect("inbox")


@login_required
@require_POST
def inbox_mailbox_delete(request: HttpRequest, pk: int) -> HttpResponse:
    mailbox.mailbox_delete(connection=get_mailbox_for_user(request, pk))
    messages.success(request, "Disconnected; its password is deleted.")
    return redirect("inbox_setup")


# --- The dashboard's panel (loaded by htmx, apart from the dashboard's own queries) ---------

DASHBOARD_CLOCKS = 8


@login_required
def inbox_clocks(request: HttpRequest) -> HttpResponse:
    """What waits in the Inbox, and the two clocks of the open applications touched last."""
    applications = list(
        Application.objects.owned_by(request.user)
        .exclude(status__in=[*ApplicationStatus.closed(), ApplicationStatus.REJECTED])
        .order_by("-updated_at")[:DASHBOARD_CLOCKS]
    )
    clocks = services.clocks_for(a.pk for a in applications)
    return render(
        request,
        "inbox/_dashboard_clocks.html",
        {
            "waiting": ReceivedMessage.objects.owned_by(request.user).waiting().count(),
            "rows": [(a, clocks[a.pk]) for a in applications],
        },
    )
