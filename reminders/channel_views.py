"""The Notifications settings page: where reminders go, and when.

One page (``notification_settings``) shows every channel: pause, email, this device's push
button (driven by static/js/push.js), the push devices and the Apprise URLs, each with its
switch, and the waking hours. Each change is a POST with CSRF to a small view that fetches
the object through an owner-scoped helper (another account's device or URL is a 404) and
calls a service of ``reminders.channels``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from inbox import crypto
from reminders import channels, senders
from reminders.access import get_apprise_for_user, get_device_for_user
from reminders.forms import AppriseAddForm, NotificationSettingsForm
from reminders.models import AppriseChannel, PushDevice, ReminderSettings


def _settings_form(request: HttpRequest, prefs: ReminderSettings | None,
                   data=None) -> NotificationSettingsForm:
    waking = channels.waking_hours(candidate=request.user, prefs=prefs)
    initial = {
        "paused": bool(prefs and prefs.paused),
        "email_enabled": prefs.email_enabled if prefs else True,
        "waking_from": waking.start,
        "waking_until": waking.until,
    }
    return NotificationSettingsForm(data, initial=initial,
                                    reminder_hour=request.user.reminder_hour)


def _page(request: HttpRequest, *, form=None, add_form=None, status: int = 200) -> HttpResponse:
    prefs = ReminderSettings.objects.filter(candidate=request.user).first()
    context = {
        "form": form or _settings_form(request, prefs),
        "add_form": add_form or AppriseAddForm(),
        "prefs": prefs,
        "paused": bool(prefs and prefs.paused),
        "waking": channels.waking_hours(candidate=request.user, prefs=prefs),
        "devices": PushDevice.objects.filter(owner=request.user),
        "apprise_channels": AppriseChannel.objects.filter(owner=request.user),
        "push_configured": senders.push_configured(),
        "vapid_public_key": settings.VAPID_PUBLIC_KEY,
        "encryption_configured": crypto.is_configured(),
        "examples": channels.EXAMPLES,
    }
    return render(request, "reminders/notifications.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request)
    prefs = ReminderSettings.objects.filter(candidate=request.user).first()
    form = _settings_form(request, prefs, data=request.POST)
    if not form.is_valid():
        messages.error(request, "Nothing was saved: see the waking hours below.")
        return _page(request, form=form)
    was_paused = bool(prefs and prefs.paused)
    channels.notification_settings_update(candidate=request.user, **form.cleaned_data)
    if form.cleaned_data["paused"] and not was_paused:
        messages.success(request, "All reminders are paused.")
    elif was_paused and not form.cleaned_data["paused"]:
        messages.success(request, "Reminders are on again. Settings saved.")
    else:
        messages.success(request, "Notification settings saved.")
    return redirect("notification_settings")


def _switch(request: HttpRequest) -> bool:
    return request.POST.get("enabled") == "on"


@login_required
@require_POST
def push_device_switch(request: HttpRequest, pk: int) -> HttpResponse:
    device = get_device_for_user(request, pk)
    enabled = _switch(request)
    channels.device_set_enabled(device=device, enabled=enabled)
    name = device.browser or "This browser"
    messages.success(request, f"{name}: push reminders turned {'on' if enabled else 'off'}.")
    return redirect("notification_settings")


@login_required
@require_POST
def push_device_remove(request: HttpRequest, pk: int) -> HttpResponse:
    device = get_device_for_user(request, pk)
    channels.device_remove(device=device)
    messages.success(request, f"{device.browser or 'The browser'} was removed; it gets no more "
                              "reminders.")
    return redirect("notification_settings")


@login_required
@require_POST
def apprise_add(request: HttpRequest) -> HttpResponse:
    if not crypto.is_configured():
        messages.error(request, "Notification URLs need the encryption key on this server; "
                                "nothing was saved.")
        return redirect("notification_settings")
    form = AppriseAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The notification URL was not added: see below why.")
        return _page(request, add_form=form)
    channel = channels.apprise_add(owner=request.user, **form.cleaned_data)
    messages.success(request, f"{channel.label} was added. Send a test to check it works.")
    return redirect("notification_settings")


@login_required
@require_POST
def apprise_switch(request: HttpRequest, pk: int) -> HttpResponse:
    channel = get_apprise_for_user(request, pk)
    enabled = _switch(request)
    channels.apprise_set_enabled(channel=channel, enabled=enabled)
    messages.success(request, f"{channel.label}: reminders turned {'on' if enabled else 'off'}.")
    return redirect("notification_settings")


@login_required
@require_POST
def apprise_test(request: HttpRequest, pk: int) -> HttpResponse:
    channel = get_apprise_for_user(request, pk)
    error = channels.apprise_send_test(channel=channel)
    if error:
        messages.error(request, f"The test to {channel.label} did not go through: {error}")
    else:
        messages.success(request, f"A test was sent to {channel.label}. Check that it arrived.")
    return redirect("notification_settings")


@login_required
@require_POST
def apprise_remove(request: HttpRequest, pk: int) -> HttpResponse:
    channel = get_apprise_for_user(request, pk)
    channels.apprise_remove(channel=channel)
    messages.success(request, f"{channel.label} was removed.")
    return redirect("notification_settings")
