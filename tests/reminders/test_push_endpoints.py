"""A notification's Done and Snooze (POST /r/push/), and a browser signing up for push.

/r/push/ is reached by the service worker with the signed tokens of the push and no cookies:
the tokens are checked as the email's links are (same salts, expiry, one-time use, one shared
function), every token before anything changes. The subscription endpoints keep
``PushSubscription.toJSON()`` for the signed-in person after checking its address and keys.
"""

from __future__ import annotations

import base64
import json
import os
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.test import Client
from django.urls import reverse

from reminders import links, services, subscriptions
from reminders.models import FollowUp, PushDevice, Status

CURRENT_TIME = datetime(2026, 11, 18, 18, 5, tzinfo=UTC)
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
ANDROID_CHROME = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _keys() -> dict:
    public = ec.generate_private_key(ec.SECP256R1()).public_key()
    point = public.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return {"p256dh": _b64(point), "auth": _b64(os.urandom(16))}


def _subscription(endpoint: str = "https://93.184.216.34/push/abc", **keys) -> dict:
    return {"endpoint": endpoint, "expirationTime": None, "keys": {**_keys(), **keys}}


# --- The browser's name (pure) ------------------------------------------------------------


@pytest.mark.parametrize(("user_agent", "label"), [
    (ANDROID_CHROME, "Chrome on Android"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
     "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", "Safari on iPhone"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
     "Firefox on Windows"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", "Edge on Windows"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
     "Gecko) Version/18.1 Safari/605.1.15", "Safari on Mac"),
    ("Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
     "SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36", "Samsung Internet on Android"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
     "like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1", "Chrome on iPhone"),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
     "Firefox on Linux"),
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "HeadlessChrome/143.0.0.0 Safari/537.36", "Chrome on Linux"),
    ("", "A browser"),
    ("curl/8.5.0", "A browser"),
])
def test_the_browser_is_named_from_its_user_agent(user_agent, label):
    assert subscriptions.browser_label(user_agent) == label


# --- The subscription's keys and address (no database) ------------------------------------


@pytest.mark.parametrize("keys", [
    {"p256dh": _b64(b"\x04" + os.urandom(63))},      # one byte short
    {"p256dh": _b64(b"\x02" + os.urandom(64))},      # not an uncompressed point
    {"p256dh": "not+base64url/at all"},
    {"p256dh": 12345},
    {"auth": _b64(os.urandom(15))},
    {"auth": _b64(os.urandom(32))},
    {"auth": ""},
])
def test_keys_of_the_wrong_size_or_alphabet_are_refused(keys):
    with pytest.raises(subscriptions.SubscriptionRefused, match="key that is not valid"):
        subscriptions.parse_subscription(_subscription(**keys))


def test_a_subscription_with_padded_keys_is_kept_unpadded():
    keys = _keys()
    padded = {name: value + "=" * (-len(value) % 4) for name, value in keys.items()}

    parsed = subscriptions.parse_subscription(_subscription(**padded))

    assert (parsed.p256dh, parsed.auth) == (keys["p256dh"], keys["auth"])


def test_a_plain_http_endpoint_is_refused_where_private_addresses_are(settings):
    settings.OUTBOUND_ALLOW_PRIVATE = False

    with pytest.raises(subscriptions.SubscriptionRefused, match="secure"):
        subscriptions.parse_subscription(_subscription("http://93.184.216.34/push/abc"))


@pytest.mark.parametrize("endpoint", [
    "https://127.0.0.1/push/abc",
    "https://10.1.2.3:8443/push/abc",
    "https://[::1]/push/abc",
    "https://169.254.169.254/latest/meta-data",
])
def test_a_private_endpoint_is_refused_in_production(settings, endpoint):
    settings.OUTBOUND_ALLOW_PRIVATE = False

    with pytest.raises(subscriptions.SubscriptionRefused, match="private or local"):
        subscriptions.parse_subscription(_subscription(endpoint))


@pytest.mark.parametrize("endpoint", [
    "", "push.example", "https:///nohost", "https://u:p@93.184.216.34/x", "https://h:99999/",
    "https://" + "a" * 1000 + ".example/", None,
])
def test_an_endpoint_that_is_not_an_address_is_refused(settings, endpoint):
    settings.OUTBOUND_ALLOW_PRIVATE = False

    with pytest.raises(subscriptions.SubscriptionRefused):
        subscriptions.parse_subscription(_subscription(endpoint))


def test_a_public_https_endpoint_is_kept(settings):
    settings.OUTBOUND_ALLOW_PRIVATE = False

    parsed = subscriptions.parse_subscription(_subscription("https://93.184.216.34/push/abc"))

    assert parsed.endpoint == "https://93.184.216.34/push/abc"


# --- POST /r/push/ ------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _frozen_time(time_machine):
    time_machine.move_to(CURRENT_TIME, tick=False)


@pytest.fixture
def reminded(logged, mailoutbox) -> list[FollowUp]:
    """The thank-yous to Ada (R2, closes soon) and Grace (R13, room for a snooze)."""
    services.plan_application(application_id=logged.application.pk, now=CURRENT_TIME)
    services.dispatch_due(now=CURRENT_TIME)
    ada = FollowUp.objects.get(application=logged.application, rule="R2",
                               interviewer=logged.ada)
    grace = FollowUp.objects.get(application=logged.application, rule="R13",
                                 interviewer__name="Grace Hopper")
    return [ada, grace]


def _token(followup: FollowUp, action: str) -> str:
    return links.make_token(followup_id=followup.pk, owner_id=followup.owner_id, action=action)


def _act(client: Client, action: str, tokens: list[str], **extra):
    return client.post(
        reverse("push_action"), json.dumps({"action": action, "tokens": tokens}),
        content_type="application/json", **extra,
    )


def _rows() -> list[tuple]:
    return list(FollowUp.objects.order_by("pk").values_list(
        "pk", "status", "due_at", "closed_at", "snoozed", "status_note"))


def test_done_from_a_notification_marks_it_done_without_cookies_or_csrf(reminded):
    ada, _ = reminded
    client = Client(enforce_csrf_checks=True)

    response = _act(client, "done", [_token(ada, "done")])

    assert response.status_code == 200
    assert response.json() == {"ok": True, "message": "Marked done."}
    ada.refresh_from_db()
    assert (ada.status, ada.status_note) == (Status.DONE, "Marked done.")


def test_done_again_changes_nothing_and_says_when_it_was_done(client, reminded, time_machine):
    ada, _ = reminded
    _act(client, "done", [_token(ada, "done")])
    before = _rows()
    time_machine.move_to(CURRENT_TIME + timedelta(hours=3), tick=False)

    response = _act(client, "done", [_token(ada, "done")])

    assert response.status_code == 200
    assert response.json() == {
        "ok": False,
        "message": "You marked this done on Wednesday 18 November 2026, 18:05. Nothing changed.",
    }
    assert _rows() == before


def test_snooze_from_a_notification_and_again_changes_nothing(client, reminded):
    _, grace = reminded

    first = _act(client, "snooze", [_token(grace, "snooze")])
    grace.refresh_from_db()
    due_at = grace.due_at
    second = _act(client, "snooze", [_token(grace, "snooze")])

    assert first.json()["ok"] is True
    assert first.json()["message"].startswith("Snoozed")
    assert due_at == CURRENT_TIME + services.SNOOZE
    assert second.json()["ok"] is False
    assert second.json()["message"].startswith("You snoozed this on Wednesday 18 November")
    grace.refresh_from_db()
    assert grace.due_at == due_at


def test_one_notification_acts_on_every_row_of_its_task(client, reminded):
    response = _act(client, "done", [_token(row, "done") for row in reminded])

    assert response.json()["ok"] is True
    assert {row.status for row in FollowUp.objects.filter(pk__in=[r.pk for r in reminded])} == {
        Status.DONE
    }


@pytest.mark.parametrize("spoil", [
    pytest.param(lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
                 id="tampered"),
    pytest.param(lambda token: token.replace(":", ";", 1), id="mangled"),
    pytest.param(lambda token: "", id="empty"),
])
def test_a_bad_token_is_refused_and_the_good_ones_beside_it_change_nothing(
    client, reminded, spoil
):
    ada, grace = reminded
    before = _rows()

    response = _act(client, "done", [_token(ada, "done"), spoil(_token(grace, "done"))])

    assert response.status_code == 400
    assert response.json() == {
        "ok": False, "message": "This link is not valid. Nothing was changed."
    }
    assert _rows() == before


def test_a_token_made_for_another_action_is_refused(client, reminded):
    ada, _ = reminded
    before = _rows()

    for action, token in (("snooze", _token(ada, "done")), ("done", _token(ada, "dismiss"))):
        response = _act(client, action, [token])

        assert response.status_code == 400
        assert response.json()["ok"] is False
    assert _rows() == before


def test_an_expired_token_is_refused(client, reminded, time_machine):
    ada, _ = reminded
    token = _token(ada, "done")
    before = _rows()
    time_machine.move_to(CURRENT_TIME + links.MAX_AGE + timedelta(minutes=1), tick=False)

    response = _act(client, "done", [token])

    assert response.status_code == 400
    assert response.json()["message"] == "This link has expired. Nothing was changed."
    assert _rows() == before


def test_a_token_for_someone_else_is_refused_when_another_account_is_signed_in(
    outsider_client, reminded
):
    ada, _ = reminded
    before = _rows()

    response = _act(outsider_client, "done", [_token(ada, "done")])

    assert response.status_code == 403
    assert response.json()["ok"] is False
    assert _rows() == before


def test_a_deleted_follow_up_says_so(client, reminded):
    ada, _ = reminded
    token = _token(ada, "done")
    ada.delete()

    response = _act(client, "done", [token])

    assert response.status_code == 404
    assert "no longer exists" in response.json()["message"]


@pytest.mark.parametrize("body", [
    b"not json", b"\xff\xfe", b"[]", b"null", b'"done"',
    b'{"action": "done"}',
    b'{"action": "done", "tokens": []}',
    b'{"action": "done", "tokens": "abc"}',
    b'{"action": "done", "tokens": [1]}',
    b'{"action": "dismiss", "tokens": ["abc"]}',
    b'{"action": ["done"], "tokens": ["abc"]}',
    json.dumps({"action": "done", "tokens": ["x"] * 21}).encode(),
    json.dumps({"action": "done", "tokens": ["x" * 20_000]}).encode(),
])
def test_a_body_that_is_not_an_action_is_a_400_and_changes_nothing(client, reminded, body):
    before = _rows()

    response = client.post(reverse("push_action"), body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["ok"] is False
    assert response.json()["message"].endswith("Nothing was changed.")
    assert _rows() == before


def test_a_body_over_the_upload_limit_is_a_json_400_not_an_error(client, settings, reminded):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    ada, _ = reminded
    body = json.dumps({"action": "done", "tokens": [_token(ada, "done")], "pad": "x" * 2000})

    response = client.post(reverse("push_action"), body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["message"] == "The request was too large. Nothing was changed."
    ada.refresh_from_db()
    assert ada.is_open


def test_push_action_answers_only_post(client):
    assert client.get(reverse("push_action")).status_code == 405


# --- Subscribing this browser ------------------------------------------------------------


def _csrf_client(user) -> Client:
    """A browser-like client: CSRF enforced, the token read from a page, as push.js does."""
    client = Client(enforce_csrf_checks=True, headers={"User-Agent": ANDROID_CHROME})
    client.force_login(user, backend=MODEL_BACKEND)
    client.get(reverse("home"))
    return client


def _send(client: Client, name: str, data, *, csrf: bool = True):
    headers = {"X-CSRFToken": client.cookies["csrftoken"].value} if csrf else {}
    return client.post(reverse(name), json.dumps(data), content_type="application/json",
                       headers=headers)


def test_turning_on_keeps_the_subscription_with_the_browser_named(owner):
    client = _csrf_client(owner)
    subscription = _subscription()

    response = _send(client, "push_subscribe", subscription)

    assert response.status_code == 200
    assert response.json() == {
        "ok": True,
        "message": "Notifications are on for this device (Chrome on Android).",
        "browser": "Chrome on Android",
    }
    device = PushDevice.objects.get()
    assert (device.owner, device.endpoint, device.browser, device.enabled) == (
        owner, subscription["endpoint"], "Chrome on Android", True
    )
    assert device.subscription_info() == {
        "endpoint": subscription["endpoint"], "keys": subscription["keys"]
    }


def test_subscribing_again_updates_the_same_row(owner):
    client = _csrf_client(owner)
    _send(client, "push_subscribe", _subscription())
    PushDevice.objects.update(enabled=False, last_error="Gone for a while")
    renewed = _subscription()

    _send(client, "push_subscribe", {**renewed, "browser": "My phone"})

    device = PushDevice.objects.get()
    assert (device.p256dh, device.auth) == (renewed["keys"]["p256dh"], renewed["keys"]["auth"])
    assert (device.browser, device.enabled, device.last_error) == ("My phone", True, "")


def test_a_browser_known_under_another_account_moves_to_this_one(owner, outsider):
    subscription = _subscription()
    _send(_csrf_client(outsider), "push_subscribe", subscription)

    _send(_csrf_client(owner), "push_subscribe", subscription)

    assert list(PushDevice.objects.values_list("owner", flat=True)) == [owner.pk]


@pytest.mark.parametrize(("change", "message"), [
    ({"keys": {"p256dh": "abc", "auth": _b64(os.urandom(16))}}, "p256dh key that is not valid"),
    ({"keys": {**_keys(), "auth": _b64(os.urandom(8))}}, "auth key that is not valid"),
    ({"keys": None}, "no push subscription"),
    ({"endpoint": "http://93.184.216.34/push"}, "not a secure (https) address"),
    ({"endpoint": "https://127.0.0.1/push"}, "private or local address"),
])
def test_a_subscription_the_app_cannot_use_is_refused(owner, settings, change, message):
    settings.OUTBOUND_ALLOW_PRIVATE = False

    response = _send(_csrf_client(owner), "push_subscribe", {**_subscription(), **change})

    assert response.status_code == 400
    assert message in response.json()["message"]
    assert response.json()["message"].endswith("Notifications were not turned on.")
    assert not PushDevice.objects.exists()


def test_a_local_endpoint_is_kept_where_private_addresses_are_allowed(owner, settings):
    settings.OUTBOUND_ALLOW_PRIVATE = True

    response = _send(_csrf_client(owner), "push_subscribe",
                     _subscription("http://127.0.0.1:8765/push/abc"))

    assert response.status_code == 200
    assert PushDevice.objects.get().endpoint == "http://127.0.0.1:8765/push/abc"


@pytest.mark.parametrize("body", [b"nope", b"[]", b'{"endpoint": 1}'])
def test_a_subscribe_body_that_is_not_a_subscription_is_a_400(owner, body):
    client = _csrf_client(owner)

    response = client.post(reverse("push_subscribe"), body, content_type="application/json",
                           headers={"X-CSRFToken": client.cookies["csrftoken"].value})

    assert response.status_code == 400
    assert not PushDevice.objects.exists()


@pytest.mark.parametrize("name", ["push_subscribe", "push_unsubscribe"])
def test_subscribing_needs_the_csrf_token(owner, name):
    PushDevice.objects.create(owner=owner, endpoint="https://93.184.216.34/push/abc",
                              **_keys())

    response = _send(_csrf_client(owner), name, _subscription(), csrf=False)

    assert response.status_code == 403
    assert PushDevice.objects.count() == 1
    assert PushDevice.objects.get().p256dh != _subscription()["keys"]["p256dh"]


@pytest.mark.parametrize("name", ["push_subscribe", "push_unsubscribe"])
def test_subscribing_needs_a_signed_in_person(client, db, name):
    response = client.post(reverse(name), json.dumps(_subscription()),
                           content_type="application/json")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not PushDevice.objects.exists()


def test_turning_off_removes_this_browser(owner):
    client = _csrf_client(owner)
    subscription = _subscription()
    _send(client, "push_subscribe", subscription)

    response = _send(client, "push_unsubscribe", {"endpoint": subscription["endpoint"]})

    assert response.json() == {"ok": True, "message": "Notifications are off for this device."}
    assert not PushDevice.objects.exists()


def test_nobody_can_turn_off_another_persons_device(owner, outsider):
    subscription = _subscription()
    _send(_csrf_client(owner), "push_subscribe", subscription)

    response = _send(_csrf_client(outsider), "push_unsubscribe",
                     {"endpoint": subscription["endpoint"]})

    assert response.status_code == 404
    assert response.json()["ok"] is False
    assert PushDevice.objects.get().owner == owner
