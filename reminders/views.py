"""The follow-up plan's actions, the reminder settings and the signed email links.

The links of a reminder email work without signing in (their signed token is the
credential): the Done / Snooze / Dismiss link confirms on GET and acts on POST; the
unsubscribe link (``List-Unsubscribe``, RFC 8058) shows a button on GET and pauses every
reminder email on POST, which a mail client sends without a CSRF token.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from core.redirects import safe_next
from interviews.models import Candidate
from reminders import links, services
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
    followup = (
        FollowUp.objects.select_related("application", "interviewer")
        .filter(pk=payload.followup_id, owner_id=payload.owner_id)
        .first()
    )
    if followup is None:
        context["error"] = "This follow-up no longer exists. Nothing was changed."
        return render(request, "reminders/link.html", context, status=404)
    if request.user.is_authenticated and request.user.pk != payload.owner_id:
        context["error"] = (
            "This link belongs to another account than the one signed in. Nothing was changed."
        )
        return render(request, "reminders/link.html", context, status=403)
    context["followup"] = followup
    # Opened again after it was used (or after the row was closed another way): say what
    # happened rather than ask again.
    outcome = links.link_outcome(
        followup, action=action, now=timezone.now(), snooze=services.SNOOZE
    )
    if request.method == "POST":
        act, message = ACTIONS[action]
        result = act(followup=followup) if outcome is None else None
        if result:
            context["result"] = getattr(result, "message", message)
        elif getattr(result, "refused", False):
            context["result"] = result.message  # a snooze the window has no room for
        else:
            followup.refresh_from_db()
            context["outcome"] = links.link_outcome(
                followup, action=action, now=timezone.now(), snooze=services.SNOOZE
            )
            context["result"] = (
                "Nothing changed." if followup.is_open
                else "It was already closed; nothing changed."
            )
    else:
        context["outcome"] = outcome
        if action == "snooze" and outcome is None and followup.is_open:
            context["snooze_preview"] = services.snooze_preview(followup, timezone.now())
    return render(request, "reminders/link.html", context)


@csrf_exempt  # RFC 8058: mail clients POST without cookies or a token; the signature is it.
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Pause every reminder email of the account the token names: a button on GET (a
    person, or a scanner that must change nothing), the pause itself on POST."""
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
    context = {"already_paused": bool(prefs and prefs.paused), "paused": False}
    if request.method == "POST" and not context["already_paused"]:
        services.settings_update(
            candidate=candidate,
            paused=True,
            disabled_rules=list(prefs.disabled_rules) if prefs else [],
        )
        context["paused"] = True
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

