"""The follow-up plan's actions, the reminder settings and the signed email links.

The links of a reminder email work without signing in (their signed token is the
credential): the Done / Snooze / Dismiss link confirms on GET and acts on POST; the
unsubscribe link (``List-Unsubscribe``, RFC 8058) shows a button on GET and pauses every
reminder email on POST, which a mail client sends without a CSRF token.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from core.redirects import safe_next
from interviews.models import Candidate
from reminders import channels, links, services, subscriptions
from reminders.access import get_followup_for_user
from reminders.forms import ReminderSettingsForm
from reminders.models import FollowUp, ReminderSettings
from reminders.rules import RULES

ACTIONS = {
    "done": (services.followup_complete, "Marked done."),
    "snooze": (services.followup_snooze, "Snoozed: you will be reminded in 2 days."),
    "dismiss": (services.followup_dismiss, "Dismissed."),
}


# The actions a toast offers to undo, and what it says: "Marked done: <what>."
UNDOABLE = {"done": "Marked done", "dismiss": "Skipped"}
# A message carries its undo address in its extra tags (templates/_undo_toast.html).
UNDO_TAG = "undo:"


def _what(followup: FollowUp) -> str:
    person = f" — {followup.interviewer.name}" if followup.interviewer_id else ""
    return f"{followup.definition.title}{person}"


@login_required
@require_POST
def followup_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Done, Snooze or Dismiss. Done and Dismiss answer with a message that offers "Undo"
    (a form, so it works without JavaScript; with htmx the page swaps in place)."""
    followup = get_followup_for_user(request, pk)
    act, message = ACTIONS[action]
    result = act(followup=followup)
    if result and action in UNDOABLE:
        messages.success(
            request, f"{UNDOABLE[action]}: {_what(followup)}.",
            extra_tags=UNDO_TAG + reverse("followup_undo", args=[followup.pk]),
        )
    elif result:
        # A snooze says how long: two days, or less when the window closes before.
        messages.success(request, getattr(result, "message", message))
    elif getattr(result, "refused", False):
        messages.warning(request, result.message)
    else:
        messages.info(request, "This follow-up was already closed; nothing changed.")
    return safe_next(request, followup)


@login_required
@require_POST
def followup_undo(request: HttpRequest, pk: int) -> HttpResponse:
    """Open again what Done or Dismiss closed, with the same due time."""
    followup = get_followup_for_user(request, pk)
    if services.followup_undo(followup=followup):
        messages.success(request, f"Undone: {_what(followup)} is to do again.")
    else:
        messages.info(request, "There was nothing to undo: it was closed another way.")
    return safe_next(request, followup)


@dataclass(frozen=True)
class LinkUse:
    """What using a signed link did: ``result`` says it; ``outcome`` what had already happened
    (set when nothing changed)."""

    changed: bool
    result: str
    outcome: str | None = None


def _link_followup(
    payload: links.LinkPayload, user
) -> tuple[FollowUp | None, str, int]:
    """The follow-up a valid token names, or why it cannot be used (message, HTTP status)."""
    followup = (
        FollowUp.objects.select_related("application", "interviewer")
        .filter(pk=payload.followup_id, owner_id=payload.owner_id)
        .first()
    )
    if followup is None:
        return None, "This follow-up no longer exists. Nothing was changed.", 404
    if user.is_authenticated and user.pk != payload.owner_id:
        return None, (
            "This link belongs to another account than the one signed in. Nothing was changed."
        ), 403
    return followup, "", 200


def use_link(followup: FollowUp, *, action: str) -> LinkUse:
    """Act on a signed link once: an email's button, or a notification's action.

    Used again (or after the row was closed another way), it changes nothing and says what
    happened rather than act twice (``links.link_outcome``).
    """
    outcome = links.link_outcome(
        followup, action=action, now=timezone.now(), snooze=services.SNOOZE
    )
    act, message = ACTIONS[action]
    result = act(followup=followup) if outcome is None else None
    if result:
        return LinkUse(changed=True, result=getattr(result, "message", message))
    if getattr(result, "refused", False):
        return LinkUse(changed=False, result=result.message)  # a snooze with no room left
    followup.refresh_from_db()
    return LinkUse(
        changed=False,
        result=(
            "Nothing changed." if followup.is_open
            else "It was already closed; nothing changed."
        ),
        outcome=links.link_outcome(
            followup, action=action, now=timezone.now(), snooze=services.SNOOZE
        ),
    )


@require_http_methods(["GET", "POST"])
def followup_link(request: HttpRequest, action: str, token: str) -> HttpResponse:
    """A one-click link from a reminder email: confirm on GET, act on POST.

    Works without signing in (the signature is the credential), but refuses a link for
    another account when someone else is signed in.
    """
    context = {"action": action}
    try:
        payload = links.read_token(token, action=action)
    except links.BadLink as error:
        context["error"] = f"{error} Nothing was changed."
        return render(request, "reminders/link.html", context, status=400)
    followup, error, status = _link_followup(payload, request.user)
    if followup is None:
        context["error"] = error
        return render(request, "reminders/link.html", context, status=status)
    context["followup"] = followup
    if request.method == "POST":
        used = use_link(followup, action=action)
        context["result"] = used.result
        if not used.changed and used.outcome is not None:
            context["outcome"] = used.outcome
    else:
        # Opened again after it was used (or after the row was closed another way): say
        # what happened rather than ask again.
        context["outcome"] = links.link_outcome(
            followup, action=action, now=timezone.now(), snooze=services.SNOOZE
        )
        if action == "snooze" and context["outcome"] is None and followup.is_open:
            context["snooze_preview"] = services.snooze_preview(followup, timezone.now())
    return render(request, "reminders/link.html", context)


PUSH_ACTIONS = ("done", "snooze")
PUSH_MAX_TOKENS = 20
PUSH_MAX_BODY = 16_000


def _push_answer(ok: bool, message: str, status: int = 200) -> JsonResponse:
    return JsonResponse({"ok": ok, "message": message}, status=status)


def _json_body(request: HttpRequest) -> dict | JsonResponse:
    """The request's JSON object, or the 400 that refuses a body too large or not JSON."""
    try:
        body = request.body
    except RequestDataTooBig:
        body = b"x" * (PUSH_MAX_BODY + 1)
    if len(body) > PUSH_MAX_BODY:
        return _push_answer(False, "The request was too large. Nothing was changed.", 400)
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        data = None
    if not isinstance(data, dict):
        return _push_answer(False, "The request was not understood. Nothing was changed.", 400)
    return data


def _push_request(request: HttpRequest) -> tuple[str, list[str]] | JsonResponse:
    """The action and tokens of a notification's action, or the 400 that refuses it."""
    data = _json_body(request)
    if isinstance(data, JsonResponse):
        return data
    action, tokens = data.get("action"), data.get("tokens")
    if (
        action not in PUSH_ACTIONS
        or not isinstance(tokens, list)
        or not 0 < len(tokens) <= PUSH_MAX_TOKENS
        or not all(isinstance(token, str) and len(token) < 500 for token in tokens)
    ):
        return _push_answer(False, "The request was not understood. Nothing was changed.", 400)
    return action, tokens


# A notification's "Done" and "Snooze" come from the service worker without cookies: the
# signed tokens the push carried are the credential, as the email's links are, so there is
# no session and no CSRF token to check.
@csrf_exempt
@require_POST
def push_action(request: HttpRequest) -> JsonResponse:
    """Done or Snooze from a notification (templates/pwa/sw.js): every follow-up of the
    task at once, each token used as its email link's POST would be (``use_link``).

    Every token is checked before anything changes: one that is tampered with, expired or
    for another action refuses the whole request.
    """
    parsed = _push_request(request)
    if isinstance(parsed, JsonResponse):
        return parsed
    action, tokens = parsed
    try:
        payloads = [links.read_token(token, action=action) for token in tokens]
    except links.BadLink as error:
        return _push_answer(False, f"{error} Nothing was changed.", 400)
    followups = []
    for payload in dict.fromkeys(payloads):
        followup, error, status = _link_followup(payload, request.user)
        if status == 403:
            return _push_answer(False, error, status)
        if followup is not None:
            followups.append(followup)
    if not followups:
        return _push_answer(False, "This follow-up no longer exists. Nothing was changed.", 404)
    uses = [use_link(followup, action=action) for followup in followups]
    changed = [use for use in uses if use.changed]
    if changed:
        return _push_answer(True, changed[0].result)
    first = uses[0]
    if first.outcome:
        return _push_answer(False, f"{first.outcome} Nothing changed.")
    return _push_answer(False, first.result)


@login_required
@require_POST
def push_subscribe(request: HttpRequest) -> JsonResponse:
    """"Turn on for this device": keep the browser's push subscription (static/js/push.js
    posts ``PushSubscription.toJSON()``, with the CSRF token in X-CSRFToken)."""
    data = _json_body(request)
    if isinstance(data, JsonResponse):
        return data
    try:
        subscription = subscriptions.parse_subscription(data)
    except subscriptions.SubscriptionRefused as error:
        return _push_answer(False, f"{error} Notifications were not turned on.", 400)
    given = data.get("browser")
    browser = (
        given.strip()[:100] if isinstance(given, str) and given.strip()
        else subscriptions.browser_label(request.headers.get("User-Agent", ""))
    )
    device, _ = subscriptions.device_subscribe(
        owner=request.user, subscription=subscription, browser=browser
    )
    return JsonResponse({
        "ok": True,
        "message": f"Notifications are on for this device ({device.browser}).",
        "browser": device.browser,
    })


@login_required
@require_POST
def push_unsubscribe(request: HttpRequest) -> JsonResponse:
    """"Turn off for this device": forget this browser's subscription, if it is the signed-in
    person's (another account's device is not found, as any other object of theirs)."""
    data = _json_body(request)
    if isinstance(data, JsonResponse):
        return data
    endpoint = data.get("endpoint")
    if not isinstance(endpoint, str) or not subscriptions.device_unsubscribe(
        owner=request.user, endpoint=endpoint
    ):
        return _push_answer(False, "This device was not signed up for notifications.", 404)
    return _push_answer(True, "Notifications are off for this device.")


@csrf_exempt  # RFC 8058: mail clients POST without cookies or a token; the signature is it.
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Stop the reminder emails of the account the token names: a button on GET (a person,
    or a scanner that must change nothing), the email channel switched off on POST. Push
    and chat reminders are another channel, which the Notifications page controls."""
    try:
        owner_id = links.read_unsubscribe_token(token)
    except links.BadLink as error:
        return render(
            request, "reminders/unsubscribe.html",
            {"error": f"{error} Nothing was changed."}, status=400,
        )
    candidate = Candidate.objects.filter(pk=owner_id, is_active=True).first()
    if candidate is None:
        return render(
            request, "reminders/unsubscribe.html",
            {"error": "This account no longer exists. Nothing was changed."}, status=404,
        )
    prefs = ReminderSettings.objects.filter(candidate=candidate).first()
    context = {"already_off": bool(prefs and not prefs.email_enabled), "stopped": False}
    if request.method == "POST" and not context["already_off"]:
        context["stopped"] = channels.email_unsubscribe(candidate=candidate)
        context["already_off"] = not context["stopped"]
    return render(request, "reminders/unsubscribe.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def reminder_settings(request: HttpRequest) -> HttpResponse:
    prefs = ReminderSettings.objects.filter(candidate=request.user).first()
    disabled = set(prefs.disabled_rules) if prefs else set()
    initial = {
        "paused": bool(prefs and prefs.paused),
        "enabled_rules": [rule for rule in RULES if rule not in disabled],
    }
    # Not ``request.POST or None``: unticking everything posts no field at all, and that is
    # still a submission.
    form = ReminderSettingsForm(
        request.POST if request.method == "POST" else None, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        services.settings_update(
            candidate=request.user,
            paused=form.cleaned_data["paused"],
            disabled_rules=form.cleaned_data["enabled_rules"],
        )
        messages.success(request, "Reminder settings saved.")
        return redirect("reminder_settings")
    # Each choice with its rule, so that the page says why, in the choices' order.
    rules = list(zip(form["enabled_rules"], RULES.values(), strict=True))
    return render(request, "reminders/settings.html", {"form": form, "rules": rules})

