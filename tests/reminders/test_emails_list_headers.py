"""Reminder emails behave like well-kept automated mail (issue 10.5).

Headers are read from a message received by a real SMTP server (aiosmtpd, ``smtp_sink``);
the unsubscribe link is exercised through the test client, with CSRF checks enforced where
a mail client's one-click POST is concerned.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import resolve, reverse
from pytest_django.asserts import assertContains, assertNotContains

from reminders import links, services
from reminders.emails import build_reminder_email, list_headers
from reminders.models import FollowUp, ReminderSettings, Status
from tests.reminders.conftest import log_interview

CURRENT_TIME = datetime(2026, 11, 18, 15, 30, tzinfo=UTC)
EVENING = datetime(2026, 11, 18, 18, 5, tzinfo=UTC)
SITE = "https://followup.example"


@pytest.fixture(autouse=True)
def _frozen_time(time_machine, settings):
    time_machine.move_to(CURRENT_TIME, tick=False)
    settings.SITE_URL = SITE


def _unsubscribe_url(value: str) -> str:
    assert value.startswith("<") and value.endswith(">"), value
    return value[1:-1]


def _due_rows(logged) -> list[FollowUp]:
    services.plan_application(application_id=logged.application.pk)
    return list(FollowUp.objects.due(EVENING).filter(owner=logged.owner).select_related(
        "owner", "application", "interview", "interviewer"
    ))


# --- Headers, on a real SMTP server ---------------------------------------------------------


def test_reminder_at_the_smtp_server_is_auto_submitted_with_one_click_unsubscribe(
    owner, smtp_sink
):
    logged = log_interview(owner)
    services.plan_application(application_id=logged.application.pk)

    services.dispatch_due(now=EVENING)

    (message,) = smtp_sink.messages
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = _unsubscribe_url(message["List-Unsubscribe"])
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == SITE
    match = resolve(parts.path)
    assert match.url_name == "reminders_unsubscribe"
    assert links.read_unsubscribe_token(match.kwargs["token"]) == owner.pk
    # The footer, in both parts, says why the email came and how to stop it.
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for body in (text, html):
        assert "Why you get this email" in body
        assert owner.email in body
        assert url in body
        assert f"{SITE}{reverse('reminder_settings')}" in body
    assert "Stop all reminder emails" in text
    assert f'<a href="{url}">Stop all reminder emails</a>' in html


def test_each_account_gets_its_own_unsubscribe_link(db):
    first = _unsubscribe_url(list_headers(owner_id=1)["List-Unsubscribe"])
    second = _unsubscribe_url(list_headers(owner_id=2)["List-Unsubscribe"])

    assert first != second
    assert links.read_unsubscribe_token(resolve(urlsplit(second).path).kwargs["token"]) == 2


def test_without_https_there_is_no_one_click_header_since_rfc_8058_needs_https(settings):
    settings.SITE_URL = "http://127.0.0.1:8000"

    headers = list_headers(owner_id=7)

    assert headers["List-Unsubscribe"].startswith("<http://127.0.0.1:8000/r/unsubscribe/")
    assert "List-Unsubscribe-Post" not in headers
    assert headers["Auto-Submitted"] == "auto-generated"


def test_built_email_keeps_its_headers_on_one_line(logged):
    message = build_reminder_email(
        owner=logged.owner, followups=_due_rows(logged), now=EVENING
    ).message()

    assert "\n" not in message["List-Unsubscribe"]
    assert message["Auto-Submitted"] == "auto-generated"


# --- The unsubscribe link -----------------------------------------------------------------


def _path(owner) -> str:
    return links.unsubscribe_path(owner_id=owner.pk)


def _emails_off(owner) -> bool:
    return ReminderSettings.objects.filter(candidate=owner, email_enabled=False).exists()


def test_one_click_post_without_csrf_token_stops_reminder_emails(owner):
    # What a mail client sends (RFC 8058 §3.2): no cookie, no CSRF token.
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        _path(owner), "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assertContains(response, "Reminder emails stopped")
    assert _emails_off(owner)
    # Only the email: push and chat reminders are another channel, and nothing is paused.
    assert not ReminderSettings.objects.get(candidate=owner).paused


def test_one_click_unsubscribe_keeps_the_rules_switched_off(owner):
    services.settings_update(candidate=owner, paused=False, disabled_rules=["R8", "R11"])

    Client(enforce_csrf_checks=True).post(_path(owner))

    prefs = ReminderSettings.objects.get(candidate=owner)
    assert not prefs.email_enabled
    assert prefs.disabled_rules == ["R11", "R8"]


def test_after_one_click_unsubscribe_no_reminder_is_emailed(logged, mailoutbox):
    services.plan_application(application_id=logged.application.pk)
    Client(enforce_csrf_checks=True).post(_path(logged.owner))

    services.dispatch_due(now=EVENING)

    assert mailoutbox == []
    assert FollowUp.objects.filter(owner=logged.owner, status=Status.REMINDED).count() == 0


def test_get_shows_a_button_and_changes_nothing(client, owner):
    response = client.get(_path(owner))

    assert response.status_code == 200
    assertContains(response, "Stop reminder emails?")
    assertContains(response, '<form method="post">')
    assertContains(response, "Stop reminder emails</button>", html=False)
    assert not ReminderSettings.objects.filter(candidate=owner).exists()


def test_get_by_a_link_scanner_after_settings_exist_changes_nothing(client, owner):
    services.settings_update(candidate=owner, paused=False, disabled_rules=["R8"])
    before = list(ReminderSettings.objects.values())

    client.get(_path(owner))
    client.head(_path(owner))

    assert list(ReminderSettings.objects.values()) == before


def test_unsubscribing_twice_says_it_was_already_emails_off(client, owner):
    client.post(_path(owner))

    response = client.post(_path(owner))

    assertContains(response, "Reminder emails were already off")
    assert _emails_off(owner)


def test_unsubscribe_stops_only_the_emails_of_the_account_of_the_token(client, owner, outsider):
    # Whoever is signed in: the token names the account, and only that one is paused.
    client.force_login(outsider, backend="django.contrib.auth.backends.ModelBackend")

    client.post(_path(owner))

    assert _emails_off(owner)
    assert not _emails_off(outsider)


@pytest.mark.parametrize(
    "token",
    ["not-a-token", "e30:1vQxyz:abc", "李小龍 José 🎉", '"><img src=x onerror=alert(1)>'],
)
def test_a_bad_unsubscribe_token_gives_a_clear_page_and_changes_nothing(client, owner, token):
    url = reverse("reminders_unsubscribe", args=[token])

    for response in (client.get(url), client.post(url)):
        assertContains(response, "This link is not valid. Nothing was changed.", status_code=400)
        assertNotContains(response, "<img src=x", status_code=400)
    assert not ReminderSettings.objects.exists()


def test_an_action_token_is_not_an_unsubscribe_token(client, logged):
    followup = _due_rows(logged)[0]
    token = links.make_token(followup_id=followup.pk, owner_id=logged.owner.pk, action="done")

    response = client.post(reverse("reminders_unsubscribe", args=[token]))

    assertContains(response, "not valid", status_code=400)
    assert not _emails_off(logged.owner)


def test_an_expired_unsubscribe_link_gives_a_clear_page(client, owner, time_machine):
    path = _path(owner)
    time_machine.move_to(CURRENT_TIME + links.UNSUBSCRIBE_MAX_AGE + timedelta(minutes=1))

    response = client.post(path)

    assertContains(response, "This link has expired. Nothing was changed.", status_code=400)
    assertContains(response, reverse("notification_settings"), status_code=400)
    assert not _emails_off(owner)


def test_an_unsubscribe_link_eighty_nine_days_old_still_works(client, owner, time_machine):
    path = _path(owner)
    time_machine.move_to(CURRENT_TIME + links.UNSUBSCRIBE_MAX_AGE - timedelta(days=1))

    assert client.post(path).status_code == 200
    assert _emails_off(owner)


def test_an_unsubscribe_link_of_a_deleted_account_says_so(client, owner):
    path = _path(owner)
    owner.delete()

    assertContains(client.post(path), "no longer exists", status_code=404)


def test_unsubscribe_link_answers_put_with_405(client, owner):
    assert client.put(_path(owner)).status_code == 405
    assert not _emails_off(owner)
