"""The Notifications settings page: pause, email, push devices, Apprise URLs, waking hours.

Apprise is tested against a real HTTP sink on 127.0.0.1 that receives its ``json://`` POST.
"""

from __future__ import annotations

import json
import string
import threading
from datetime import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from pytest_django.asserts import assertContains, assertNotContains

from inbox import crypto
from reminders import channels
from reminders.checks import push_keys_configured, vapid_pair_matches
from reminders.models import AppriseChannel, PlanRequest, PushDevice, ReminderSettings
from tests.factories import ApplicationFactory

PAGE = "/settings/notifications/"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


# --- The masked hint: pure ------------------------------------------------------------------


@pytest.mark.parametrize(("url", "hint"), [
    ("ntfys://ntfy.sh/my-secret-topic", "ntfys://ntfy.sh/•••"),
    ("NTFYS://ntfy.sh/topic?priority=high", "ntfys://ntfy.sh/•••"),
    ("tgram://123456789:AAHsecret/987654", "tgram://•••"),
    ("pover://user@token", "pover://•••"),
    ("matrixs://user:pass@matrix.example.org/#room", "matrixs://•••@matrix.example.org/•••"),
    ("slack://TokenA/TokenB/TokenC/Channel", "slack://•••"),
    ("json://127.0.0.1:8080/hook", "json://127.0.0.1:8080/•••"),
    ("json://[::1]:8080/hook", "json://[::1]:8080/•••"),
    ("mailtos://me:app-password@smtp.example.com", "mailtos://•••@smtp.example.com"),
    ("ntfy://localhost", "ntfy://localhost"),
    ("not a url", "•••"),
    ("<script>://x", "•••"),
    ("ntfys://" + "a" * 5000 + ".example/x", "ntfys://•••"),
])
def test_the_hint_shows_the_service_and_host_and_masks_every_secret(url, hint):
    assert channels.mask_url(url) == hint


def test_the_hint_never_holds_a_secret_part():
    for url in ("matrixs://alice:hunter2@m.example.org/#room",
                "ntfys://ntfy.sh/hunter2", "tgram://hunter2:x/1", "json://h.example/?k=hunter2"):
        assert "hunter2" not in channels.mask_url(url)


# Upper case and digits: never part of the lower-case hosts the URLs are built with.
SECRETS = st.text(alphabet=string.ascii_uppercase + string.digits, min_size=6, max_size=40)


@given(secret=SECRETS, template=st.sampled_from([
    "ntfys://ntfy.sh/{}", "matrixs://ines:{}@matrix.example.org/#room",
    "matrixs://{}:pw@matrix.example.org/#room", "tgram://{}/12345", "pover://user@{}",
    "json://hooks.example.com/{}", "json://hooks.example.com/x?token={}",
    "slack://{}/B/C/#channel", "ntfys://ntfy.sh/#{}",
]))
def test_no_secret_part_of_a_url_is_ever_in_its_hint(secret, template):
    assert secret not in channels.mask_url(template.format(secret))


@pytest.mark.parametrize(("url", "host"), [
    ("ntfys://ntfy.sh/topic", ("ntfy.sh", None)),
    ("json://127.0.0.1:8080/x", ("127.0.0.1", 8080)),
    ("json://localhost/x", ("localhost", None)),
    ("tgram://123456789:AAH/1", None),  # a bot token where the syntax puts a host
    ("pover://user@token", None),
    ("json://[::1", None),
])
def test_only_a_real_host_is_checked(url, host):
    assert channels.url_host(url) == host


# --- An HTTP sink for Apprise's json:// ------------------------------------------------------


class _Sink(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        type(self).received.append(json.loads(self.rfile.read(length)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def http_sink():
    _Sink.received = []
    server = HTTPServer(("127.0.0.1", 0), _Sink)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def allow_private(settings):
    settings.OUTBOUND_ALLOW_PRIVATE = True


def _csrf_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user, backend=MODEL_BACKEND)
    return client


def _post(client: Client, path: str, data: dict | None = None):
    client.get(PAGE)
    token = client.cookies["csrftoken"].value
    return client.post(path, {**(data or {}), "csrfmiddlewaretoken": token})


def _add(owner, url="ntfys://ntfy.sh/secret-topic", label="Phone") -> AppriseChannel:
    return channels.apprise_add(owner=owner, label=label, url=url)


def _device(owner, endpoint="https://push.example.net/send/abc", browser="Chrome on Android"):
    return PushDevice.objects.create(owner=owner, endpoint=endpoint, p256dh="k", auth="a",
                                     browser=browser)


# --- The page -------------------------------------------------------------------------------


def test_the_page_shows_every_section_in_plain_words(owner_client, owner):
    _device(owner)
    _add(owner)
    response = owner_client.get(PAGE)

    assert response.status_code == 200
    for words in ("Pause all reminders", "Channels", "Email", owner.email, "This device",
                  "Turn on for this device", "Your devices", "Chrome on Android",
                  "Last push: never", "Phone", "ntfys://ntfy.sh/•••", "Send a test",
                  "Add a notification URL", "Waking hours",
                  "Push and chat reminders only arrive between"):
        assertContains(response, words)
    assertNotContains(response, "secret-topic")
    assertContains(response, 'data-push data-vapid-key="')
    assertContains(response, "js/push.js")


def test_the_page_is_linked_from_the_reminder_settings_and_the_profile(owner_client):
    for page in ("reminder_settings", "profile"):
        assertContains(owner_client.get(reverse(page)), f'href="{PAGE}"')


def test_signing_in_is_required(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@override_settings(VAPID_PUBLIC_KEY="", VAPID_PRIVATE_KEY="")
def test_without_vapid_keys_the_page_says_push_is_not_set_up(owner_client):
    response = owner_client.get(PAGE)
    assertContains(response, "Push is not set up on this server")
    assertNotContains(response, "data-push-subscribe")


@override_settings(INBOX_ENCRYPTION_KEYS=[])
def test_without_the_encryption_key_no_url_can_be_added(owner_client, owner):
    response = owner_client.get(PAGE)
    assertContains(response, "Notification URLs need the encryption key on this server")
    assertNotContains(response, "Add a notification URL")

    response = owner_client.post(reverse("apprise_add"),
                                 {"label": "x", "url": "ntfys://ntfy.sh/t"}, follow=True)
    assertContains(response, "nothing was saved")
    assert not AppriseChannel.objects.exists()


# --- Pause, email and waking hours ------------------------------------------------------------


def _settings(**changes) -> dict:
    data = {"email_enabled": "on", "waking_from": "08:00", "waking_until": "21:00"}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_pause_all_is_the_same_field_as_the_reminder_settings_page(owner, owner_client):
    application = ApplicationFactory(owner=owner)
    PlanRequest.objects.all().delete()
    response = owner_client.post(PAGE, _settings(paused="on"), follow=True)

    assertContains(response, "All reminders are paused.")
    prefs = ReminderSettings.objects.get(candidate=owner)
    assert prefs.paused
    # The reminder settings page shows it paused too.
    page = owner_client.get(reverse("reminder_settings"))
    assert page.context["form"]["paused"].value() is True
    # The pause was recorded with its re-planning request (the outbox), like the other page
    # (the test's transaction never commits, so the request is still there).
    assert PlanRequest.objects.filter(application=application).exists()

    owner_client.post(PAGE, _settings())
    assert not ReminderSettings.objects.get(candidate=owner).paused


def test_the_email_switch_and_waking_hours_are_saved(owner, owner_client):
    owner_client.post(PAGE, _settings(email_enabled=None, waking_from="07:30",
                                      waking_until="22:15"))
    prefs = ReminderSettings.objects.get(candidate=owner)
    assert (prefs.email_enabled, prefs.waking_from, prefs.waking_until) == (
        False, time(7, 30), time(22, 15))


def test_the_start_shows_and_keeps_following_the_reminder_hour(owner, owner_client):
    owner.reminder_hour = 9
    owner.save(update_fields=["reminder_hour"])
    response = owner_client.get(PAGE)
    assertContains(response, 'value="09:00"')
    assertContains(response, "They start at your reminder hour, 09:00")

    owner_client.post(PAGE, _settings(waking_from="09:00"))
    assert ReminderSettings.objects.get(candidate=owner).waking_from is None
    owner_client.post(PAGE, _settings(waking_from=""))
    assert ReminderSettings.objects.get(candidate=owner).waking_from is None


@pytest.mark.parametrize(("start", "until", "message"), [
    ("21:00", "08:00", "Choose an end after the start (21:00)"),
    ("10:00", "10:00", "Choose an end after the start (10:00)"),
    ("25:99", "21:00", "Enter a time such as 08:00."),
    ("08:00", "", "Enter the time reminders should stop"),
    ("08:00", "李小龍 🎉", "Enter a time such as 21:00."),
    ("x" * 100_000, "21:00", "Enter a time such as 08:00."),
])
def test_waking_hours_are_checked_with_clear_messages(owner, owner_client, start, until,
                                                      message):
    response = owner_client.post(PAGE, _settings(waking_from=start, waking_until=until))
    assert response.status_code == 200
    assertContains(response, message)
    assert not ReminderSettings.objects.filter(candidate=owner).exists()


def test_an_empty_start_after_the_end_is_refused_too(owner, owner_client):
    owner.reminder_hour = 22
    owner.save(update_fields=["reminder_hour"])
    response = owner_client.post(PAGE, _settings(waking_from="", waking_until="21:00"))
    assertContains(response, "Choose an end after the start (22:00)")


def test_settings_need_a_csrf_token(owner):
    client = _csrf_client(owner)
    assert client.post(PAGE, _settings(paused="on")).status_code == 403
    assert not ReminderSettings.objects.filter(candidate=owner).exists()
    assert _post(client, PAGE, _settings(paused="on")).status_code == 302
    assert ReminderSettings.objects.get(candidate=owner).paused


# --- Push devices -----------------------------------------------------------------------------


def test_a_device_is_switched_off_and_on_and_removed(owner, owner_client):
    device = _device(owner)
    owner_client.post(reverse("push_device_switch", args=[device.pk]), {"enabled": "off"})
    device.refresh_from_db()
    assert not device.enabled
    owner_client.post(reverse("push_device_switch", args=[device.pk]), {"enabled": "on"})
    device.refresh_from_db()
    assert device.enabled

    response = owner_client.post(reverse("push_device_remove", args=[device.pk]), follow=True)
    assertContains(response, "Chrome on Android was removed")
    assert not PushDevice.objects.exists()


def test_another_accounts_device_is_a_404_and_stays(owner, outsider_client):
    device = _device(owner)
    for name in ("push_device_switch", "push_device_remove"):
        response = outsider_client.post(reverse(name, args=[device.pk]), {"enabled": "off"})
        assert response.status_code == 404
    device.refresh_from_db()
    assert device.enabled
    assertNotContains(outsider_client.get(PAGE), "Chrome on Android")


def test_device_actions_are_post_only_and_need_a_csrf_token(owner):
    device = _device(owner)
    client = _csrf_client(owner)
    path = reverse("push_device_remove", args=[device.pk])
    assert client.get(path).status_code == 405
    assert client.post(path).status_code == 403
    assert PushDevice.objects.filter(pk=device.pk).exists()
    assert _post(client, path).status_code == 302
    assert not PushDevice.objects.filter(pk=device.pk).exists()


# --- Apprise URLs -----------------------------------------------------------------------------


def test_an_added_url_is_encrypted_at_rest_and_never_shown_again(owner, owner_client):
    url = "ntfys://ntfy.sh/very-secret-topic-4242"
    response = owner_client.post(reverse("apprise_add"), {"label": "My phone", "url": url},
                                 follow=True)
    assertContains(response, "My phone was added")
    assertContains(response, "ntfys://ntfy.sh/•••")
    assertNotContains(response, "very-secret-topic-4242")

    channel = AppriseChannel.objects.get(owner=owner)
    stored = bytes(channel.url_encrypted)
    assert b"very-secret-topic" not in stored and b"ntfy.sh" not in stored
    assert crypto.decrypt(stored) == url
    assert channel.hint == "ntfys://ntfy.sh/•••"


@pytest.mark.parametrize(("url", "message"), [
    ("https://example.com/hook", "Apprise does not recognise this notification URL"),
    ("foo://bar", "for example ntfys://ntfy.sh/your-topic"),
    ("", "Paste the notification URL of your service."),
    ("ntfys://ntfy.sh/a b", "no spaces or line breaks"),
    ("ntfys://ntfy.sh/a\nb", "no spaces or line breaks"),
    ("李小龍://José/🎉", "Apprise does not recognise"),
    ("x" * 2001, "at most 2000 characters"),
    ("x" * 300_000, "at most 2000 characters"),
    ('"><script>alert(1)</script>', "Apprise does not recognise"),
])
def test_a_url_apprise_does_not_know_is_refused_plainly(owner, owner_client, url, message):
    response = owner_client.post(reverse("apprise_add"), {"label": "Phone", "url": url})
    assert response.status_code == 200
    assertContains(response, message)
    assertNotContains(response, "<script>alert(1)</script>")
    assert not AppriseChannel.objects.exists()


def test_a_label_is_needed(owner_client):
    response = owner_client.post(reverse("apprise_add"), {"label": "  ", "url": "ntfys://ntfy.sh/t"})
    assertContains(response, "Give it a name you will recognise.")
    assert not AppriseChannel.objects.exists()


@override_settings(OUTBOUND_ALLOW_PRIVATE=False)
@pytest.mark.parametrize("url", [
    "json://127.0.0.1:8080/hook", "json://localhost/hook", "ntfy://10.0.0.5/topic",
    "json://169.254.169.254/latest", "json://[::1]/x", "json://0.0.0.0/x",
])
def test_a_private_host_is_refused_with_a_plain_error(owner_client, url):
    response = owner_client.post(reverse("apprise_add"), {"label": "Mine", "url": url})
    assertContains(response, "is a private or local address; Follow-up only sends to "
                             "services on the internet.")
    assert not AppriseChannel.objects.exists()


@override_settings(OUTBOUND_ALLOW_PRIVATE=False)
def test_a_token_where_the_host_goes_is_accepted(owner_client, owner):
    owner_client.post(reverse("apprise_add"),
                      {"label": "Telegram", "url": "tgram://123456789:AAHsecret/987654"})
    assert AppriseChannel.objects.get(owner=owner).hint == "tgram://•••"


def test_send_a_test_reaches_the_service(owner, owner_client, http_sink, allow_private):
    port = http_sink.server_address[1]
    channel = _add(owner, url=f"json://127.0.0.1:{port}/hook")
    response = owner_client.post(reverse("apprise_test", args=[channel.pk]), follow=True)

    assertContains(response, "A test was sent to Phone")
    [body] = _Sink.received
    assert body["title"] == channels.TEST_TITLE and body["message"] == channels.TEST_BODY
    channel.refresh_from_db()
    assert channel.last_sent_at is not None and channel.last_error == ""
    assertContains(response, "Last sent:")


def test_send_a_test_says_what_went_wrong(owner, owner_client, allow_private):
    # Nothing listens on port 1 of 127.0.0.1: the connection is refused at once.
    channel = _add(owner, url="json://127.0.0.1:1/hook")
    response = owner_client.post(reverse("apprise_test", args=[channel.pk]), follow=True)

    assertContains(response, "The test to Phone did not go through")
    channel.refresh_from_db()
    assert channel.last_sent_at is None and channel.last_error
    assertContains(response, "Last problem:")


def test_send_a_test_to_a_private_host_is_refused_in_production(owner, owner_client, settings,
                                                                http_sink):
    settings.OUTBOUND_ALLOW_PRIVATE = True
    channel = _add(owner, url=f"json://127.0.0.1:{http_sink.server_address[1]}/hook")
    settings.OUTBOUND_ALLOW_PRIVATE = False
    response = owner_client.post(reverse("apprise_test", args=[channel.pk]), follow=True)

    assertContains(response, "127.0.0.1 is a private or local address")
    assert _Sink.received == []


def test_a_url_is_switched_and_removed(owner, owner_client):
    channel = _add(owner)
    owner_client.post(reverse("apprise_switch", args=[channel.pk]), {"enabled": "off"})
    channel.refresh_from_db()
    assert not channel.enabled
    assertContains(owner_client.get(PAGE), "Turn on")
    response = owner_client.post(reverse("apprise_remove", args=[channel.pk]), follow=True)
    assertContains(response, "Phone was removed.")
    assert not AppriseChannel.objects.exists()


def test_another_accounts_url_is_a_404_and_stays(owner, outsider_client, http_sink,
                                                  allow_private):
    channel = _add(owner, url=f"json://127.0.0.1:{http_sink.server_address[1]}/hook")
    for name in ("apprise_switch", "apprise_test", "apprise_remove"):
        response = outsider_client.post(reverse(name, args=[channel.pk]), {"enabled": "off"})
        assert response.status_code == 404
    channel.refresh_from_db()
    assert channel.enabled and channel.last_sent_at is None
    assert _Sink.received == []
    assertNotContains(outsider_client.get(PAGE), "127.0.0.1")


def test_apprise_actions_need_a_csrf_token(owner):
    channel = _add(owner)
    client = _csrf_client(owner)
    assert client.post(reverse("apprise_remove", args=[channel.pk])).status_code == 403
    assert client.post(reverse("apprise_add"), {"label": "x", "url": "pover://u@t"}
                       ).status_code == 403
    assert AppriseChannel.objects.count() == 1
    assert client.get(reverse("apprise_test", args=[channel.pk])).status_code == 405


def test_a_url_stored_under_an_old_key_says_so_on_test(owner, owner_client, settings):
    channel = _add(owner)
    settings.INBOX_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    response = owner_client.post(reverse("apprise_test", args=[channel.pk]), follow=True)
    assertContains(response, "cannot be read with this server")


def test_send_a_test_without_the_encryption_key_says_so(owner, owner_client, settings):
    channel = _add(owner)
    settings.INBOX_ENCRYPTION_KEYS = []
    response = owner_client.post(reverse("apprise_test", args=[channel.pk]), follow=True)
    assertContains(response, "Notification URLs need the encryption key on this server")


# --- Key rotation: inbox rotate-keys re-encrypts the URLs too ----------------------------------


def test_rotating_the_keys_re_encrypts_the_urls(owner, settings):
    old = Fernet.generate_key().decode()
    settings.INBOX_ENCRYPTION_KEYS = [old]
    channel = _add(owner, url="ntfys://ntfy.sh/rotated-topic")
    new = Fernet.generate_key().decode()
    settings.INBOX_ENCRYPTION_KEYS = [new, old]

    out = StringIO()
    call_command("inbox", "rotate-keys", stdout=out)

    assert "Re-encrypted 1 notification URLs" in out.getvalue()
    settings.INBOX_ENCRYPTION_KEYS = [new]
    channel.refresh_from_db()
    assert crypto.decrypt(channel.url_encrypted) == "ntfys://ntfy.sh/rotated-topic"


# --- VAPID: the command and the deploy check ----------------------------------------------------


def test_vapid_keys_prints_a_pair_that_belongs_together():
    out = StringIO()
    call_command("vapid_keys", stdout=out)
    lines = dict(line.split("=", 1) for line in out.getvalue().splitlines()
                 if not line.startswith("#"))
    assert set(lines) == {"VAPID_PUBLIC_KEY", "VAPID_PRIVATE_KEY"}
    assert vapid_pair_matches(lines["VAPID_PUBLIC_KEY"], lines["VAPID_PRIVATE_KEY"])
    assert "VAPID_SUBJECT=mailto:" in out.getvalue()


def _pair() -> tuple[str, str]:
    from core.vapid import generate

    return generate()


def _ids() -> list[str]:
    return [message.id for message in push_keys_configured()]


def test_the_deploy_check_warns_of_missing_keys():
    public, _ = _pair()
    with override_settings(DEBUG=False, VAPID_PUBLIC_KEY=public, VAPID_PRIVATE_KEY="",
                           VAPID_SUBJECT="mailto:ops@example.com"):
        [warning] = push_keys_configured()
        assert warning.id == "reminders.W002" and "VAPID_PRIVATE_KEY is not set" in warning.msg
    with override_settings(DEBUG=False, VAPID_PUBLIC_KEY="", VAPID_PRIVATE_KEY="",
                           VAPID_SUBJECT=""):
        assert _ids() == ["reminders.W002"]
    with override_settings(DEBUG=True, VAPID_PUBLIC_KEY="", VAPID_PRIVATE_KEY=""):
        assert _ids() == []


@pytest.mark.parametrize(("subject", "ids"), [
    ("mailto:ops@example.com", []),
    ("https://followup.example.com", []),
    ("ops@example.com", ["reminders.W003"]),
    ("http://followup.example.com", ["reminders.W003"]),
    ("mailto:", ["reminders.W003"]),
])
def test_the_deploy_check_wants_a_mailto_or_https_subject(subject, ids):
    public, private = _pair()
    with override_settings(DEBUG=False, VAPID_PUBLIC_KEY=public, VAPID_PRIVATE_KEY=private,
                           VAPID_SUBJECT=subject):
        assert _ids() == ids


def test_the_deploy_check_finds_keys_that_are_not_one_pair():
    public, _ = _pair()
    _, other = _pair()
    with override_settings(DEBUG=False, VAPID_PUBLIC_KEY=public, VAPID_PRIVATE_KEY=other,
                           VAPID_SUBJECT="mailto:ops@example.com"):
        assert _ids() == ["reminders.W004"]
    with override_settings(DEBUG=False, VAPID_PUBLIC_KEY=public, VAPID_PRIVATE_KEY="not-a-key!",
                           VAPID_SUBJECT="mailto:ops@example.com"):
        assert _ids() == ["reminders.W004"]


@pytest.mark.django_db
def test_the_push_check_runs_with_deploy():
    from django.core import checks

    with override_settings(DEBUG=False, VAPID_PUBLIC_KEY="", VAPID_PRIVATE_KEY=""):
        ordinary = {message.id for message in checks.run_checks()}
        deploy = {message.id for message in checks.run_checks(include_deployment_checks=True)}
    assert "reminders.W002" not in ordinary and "reminders.W002" in deploy
