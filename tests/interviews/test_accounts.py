"""Accounts (django-allauth): sign-up with a verified email, sign-in with optional TOTP,
throttling, password reset, changing the address, and the profile (issue 10.4 and 10.7)."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import global_settings
from django.contrib.auth.hashers import get_hasher
from django.test import Client
from django.urls import reverse

from followup_site import settings as production_settings
from interviews import services
from interviews.models import Candidate, Interview
from tests.factories import ApplicationFactory, CandidateFactory
from tests.reminders.conftest import Sink
from tests.totp import SECRET, totp

CURRENT_TIME = datetime(2026, 3, 20, 10, 0, tzinfo=UTC)
NEW_PASSWORD = "a brand new passphrase 2026"
MEGABYTE = "x" * 1_000_000


def _sign_in(client, email: str, password: str):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def _sign_up(client, email: str, password: str):
    return client.post(
        reverse("account_signup"), {"email": email, "password1": password, "password2": password}
    )


def _sign_in_and_reauthenticate(client, email: str, password: str) -> None:
    """Changing the address or the second factor asks for the password again (allauth's
    reauthentication, valid five minutes)."""
    _sign_in(client, email, password)
    response = client.post(reverse("account_reauthenticate"), {"password": password})
    assert response.status_code == 302, response.status_code


def _signed_in_email(client) -> str | None:
    response = client.get(reverse("profile"))
    if response.status_code != 200:
        return None
    return response.context["user"].email


def _form_errors(response, field: str = "__all__") -> list[str]:
    return response.context["form"].errors.get(field, [])


def _link(message, pattern: str) -> str:
    match = re.search(rf"https?://testserver({pattern})", message.body)
    assert match, f"no link matching {pattern} in:\n{message.body}"
    return match.group(1)


def _confirm_link(message) -> str:
    return _link(message, r"/accounts/confirm-email/\S+/")


def _without_per_request_tokens(html: str) -> str:
    """The page with its CSRF token and CSP nonces blanked: they differ on every request."""
    html = re.sub(r'("X-CSRFToken": ")[^"]+"', r'\1"', html)
    html = re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]+"', r'\1"', html)
    return re.sub(r'(nonce=")[^"]+"', r'\1"', html)


# --- Sign-up: the address is verified by a signed, expiring link (10.4) -------------------


def test_signup_creates_an_unverified_candidate_and_emails_a_signed_link(
    db, client, password, mailoutbox
):
    response = _sign_up(client, "  New.Person@Example.COM ", password)

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    candidate = Candidate.objects.get()
    assert candidate.email == "new.person@example.com"
    assert candidate.check_password(password)
    assert candidate.email_verified is False
    [message] = mailoutbox
    assert message.to == ["new.person@example.com"]
    assert "verify" in message.body.lower()
    # The key is signed (HMAC), not a row to look up.
    assert ":" in _confirm_link(message)


def test_opening_the_link_asks_first_and_confirming_verifies_the_address(
    db, client, password, mailoutbox
):
    _sign_up(client, "new@example.com", password)
    link = _confirm_link(mailoutbox[0])

    # A mail scanner fetching the link verifies nothing.
    page = client.get(link)
    assert page.status_code == 200
    assert "Confirm" in page.content.decode()
    assert Candidate.objects.get().email_verified is False

    response = client.post(link)

    assert response.status_code == 302
    candidate = Candidate.objects.get()
    assert candidate.email_verified is True
    assert EmailAddress.objects.get(user=candidate).verified is True
    # Confirmed in the browser that signed up: signed in.
    assert _signed_in_email(client) == "new@example.com"


def test_the_link_opened_again_says_the_address_is_already_verified(
    db, client, password, mailoutbox
):
    _sign_up(client, "new@example.com", password)
    link = _confirm_link(mailoutbox[0])
    client.post(link)

    again = client.get(link)

    assert again.status_code == 200
    assert "already verified" in again.content.decode()


def test_the_link_expires_after_three_days(db, client, password, mailoutbox, settings):
    assert settings.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS == 3
    with time_machine.travel(CURRENT_TIME, tick=False) as traveller:
        _sign_up(client, "new@example.com", password)
        link = _confirm_link(mailoutbox[0])
        traveller.move_to(CURRENT_TIME + timedelta(days=3, minutes=1))

        page = client.get(link)
        response = client.post(link)

    assert page.status_code == 200
    assert "This link has expired, is not valid" in page.content.decode()
    assert response.status_code == 404
    assert Candidate.objects.get().email_verified is False


@pytest.mark.parametrize(
    "key", ["MQ:1abcde:forged-signature", "not a key", "李小龍-José-🎉", "x" * 5000]
)
def test_a_forged_or_garbled_link_is_a_clear_page_not_an_error(db, client, password, key):
    _sign_up(client, "new@example.com", password)

    response = client.get(f"/accounts/confirm-email/{key}/")
    posted = client.post(f"/accounts/confirm-email/{key}/")

    assert response.status_code in (200, 404)
    assert posted.status_code in (200, 404)
    assert Candidate.objects.get().email_verified is False


def test_signup_with_a_taken_email_looks_exactly_like_a_new_signup(
    client, owner, password, mailoutbox
):
    """Sign-up no longer reveals that an email has an account (10.4)."""
    new = client.post(
        reverse("account_signup"),
        {"email": "new@example.com", "password1": password, "password2": password},
        follow=True,
    )
    client.logout()
    taken = client.post(
        reverse("account_signup"),
        {"email": "OWNER@example.com", "password1": password, "password2": password},
        follow=True,
    )

    assert new.redirect_chain == taken.redirect_chain == [
        (reverse("account_email_verification_sent"), 302)
    ]
    # Each page names the address typed, and nothing else differs.
    assert _without_per_request_tokens(new.content.decode()).replace(
        "new@example.com", "TYPED"
    ) == _without_per_request_tokens(taken.content.decode()).replace("owner@example.com", "TYPED")
    # Each address typed gets one email: the link, or "you already have an account".
    assert [m.to for m in mailoutbox] == [["new@example.com"], ["owner@example.com"]]
    assert "already exists" in mailoutbox[1].body
    assert Candidate.objects.filter(email="owner@example.com").count() == 1
    assert _signed_in_email(client) is None


def test_signup_with_a_taken_email_does_the_same_costly_work_as_a_new_one(
    client, owner, password, mailoutbox, settings, monkeypatch
):
    """The time of the answer does not tell whether an address has an account (issue 16.4):
    each path hashes the password once with the production hasher and sends one email. The
    work is counted, not timed; bench/signup_timing.py prints the two medians."""
    settings.PASSWORD_HASHERS = getattr(
        production_settings, "PASSWORD_HASHERS", global_settings.PASSWORD_HASHERS
    )
    hasher = get_hasher("default")
    hashed: list[tuple[str, int]] = []
    encode = type(hasher).encode

    def counting_encode(self, password, salt, *args, **kwargs):
        hashed.append((self.algorithm, getattr(self, "iterations", 0)))
        return encode(self, password, salt, *args, **kwargs)

    monkeypatch.setattr(type(hasher), "encode", counting_encode)

    stored_hash = owner.password
    work = {}
    for email in ("new@example.com", "owner@example.com"):
        hashed.clear()
        mailoutbox.clear()
        response = _sign_up(client, email, password)
        assert response.status_code == 302
        work[email] = (list(hashed), [m.to for m in mailoutbox])

    once = [(hasher.algorithm, hasher.iterations)]
    assert work["new@example.com"] == (once, [["new@example.com"]])
    assert work["owner@example.com"] == (once, [["owner@example.com"]])
    # The throwaway hash did not touch the account.
    owner.refresh_from_db()
    assert owner.password == stored_hash


@pytest.mark.parametrize(
    ("password1", "password2", "expected_error"),
    [
        ("password", "password", "This password is too common."),
        ("x7#", "x7#", "This password is too short. It must contain at least 8 characters."),
        ("83920174612", "83920174612", "This password is entirely numeric."),
        ("correct horse battery staple", "correct horse battery stable", "same password"),
    ],
    ids=["common", "short", "numeric", "mismatched"],
)
def test_signup_rejects_weak_or_mismatched_passwords(
    db, client, password1, password2, expected_error
):
    response = client.post(
        reverse("account_signup"),
        {"email": "new@example.com", "password1": password1, "password2": password2},
    )

    assert response.status_code == 200
    errors = " ".join(_form_errors(response, "password2") + _form_errors(response, "password1"))
    assert expected_error in errors
    assert not Candidate.objects.exists()


# --- Unverified accounts: they sign in, see a banner, and can ask for the link again ------


def test_an_unverified_candidate_signs_in_and_sees_the_banner_on_every_page(db, client, password):
    CandidateFactory(email="late@example.com", password=password, email_verified=False)

    response = _sign_in(client, "late@example.com", password)

    assert response.status_code == 302
    assert response.url == reverse("home")
    for name in ("home", "profile", "application_list", "board", "account_email"):
        page = client.get(reverse(name)).content.decode()
        assert "Please verify <strong>late@example.com</strong>" in page, name
        assert 'name="action_send"' in page


def test_a_verified_candidate_sees_no_banner(owner_client):
    page = owner_client.get(reverse("home")).content.decode()

    assert "Please verify" not in page


def test_an_account_from_before_verification_can_ask_for_the_link_and_verify(
    db, client, password, mailoutbox
):
    """Accounts created before this change have no allauth address row and are unverified
    (migration 0003): the banner's button creates the row and sends the link."""
    candidate = Candidate.objects.create_user("old@example.com", password)
    assert candidate.email_verified is False
    assert not EmailAddress.objects.exists()
    _sign_in(client, "old@example.com", password)

    response = client.post(
        reverse("account_email"), {"email": "old@example.com", "action_send": ""}
    )

    assert response.status_code == 302
    [message] = mailoutbox
    assert message.to == ["old@example.com"]
    client.post(_confirm_link(message))
    candidate.refresh_from_db()
    assert candidate.email_verified is True


def test_asking_for_the_link_again_is_limited_to_once_a_minute(db, client, password, mailoutbox):
    CandidateFactory(email="late@example.com", password=password, email_verified=False)
    resend = {"email": "late@example.com", "action_send": ""}
    with time_machine.travel(CURRENT_TIME, tick=False) as traveller:
        _sign_in(client, "late@example.com", password)
        client.post(reverse("account_email"), resend)
        client.post(reverse("account_email"), resend)
        assert len(mailoutbox) == 1

        traveller.move_to(CURRENT_TIME + timedelta(seconds=61))
        client.post(reverse("account_email"), resend)

    assert len(mailoutbox) == 2


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) that keeps what it receives."""
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    sink = Sink()
    sink.start()
    settings.MAILERS = sink.mailers()
    yield sink
    sink.stop()


def test_the_verification_link_arrives_through_a_real_smtp_server_and_works(
    db, client, password, smtp_server
):
    _sign_up(client, "new@example.com", password)

    [message] = smtp_server.messages
    assert message["To"] == "new@example.com"
    assert message["Subject"].startswith("Follow-up: ")
    body = message.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"https?://testserver(/accounts/confirm-email/\S+/)", body).group(1)
    client.post(link)
    assert Candidate.objects.get(email="new@example.com").email_verified is True


def test_signup_survives_a_mail_server_that_is_down(db, client, password, settings):
    """The account is saved and the page says what to do; no error page."""
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},
        }
    }

    response = _sign_up(client, "new@example.com", password)

    assert response.status_code == 302
    assert Candidate.objects.filter(email="new@example.com", email_verified=False).exists()
    page = client.get(response.url).content.decode()
    assert "We could not send you an email just now" in page


def test_sign_up_and_sign_in_work_with_the_cache_unreachable(db, client, password, settings):
    """allauth keeps its rate-limit counters in the cache: a Redis that refuses connections
    (nothing listens on port 1) costs the limits, never the sign-in (10.1)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.SafeRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }

    signed_up = _sign_up(client, "new@example.com", password)
    signed_in = _sign_in(client, "new@example.com", password)

    assert signed_up.status_code == 302
    assert signed_in.status_code == 302
    # A new account's first sign-in opens the welcome.
    assert signed_in.url == reverse("welcome")
    assert _signed_in_email(client) == "new@example.com"


# --- Changing the address re-verifies (10.4) ----------------------------------------------


def test_a_new_address_replaces_the_old_only_once_verified(client, owner, password, mailoutbox):
    _sign_in_and_reauthenticate(client, owner.email, password)

    response = client.post(
        reverse("account_email"), {"email": "Moved@Example.com", "action_add": ""}
    )

    assert response.status_code == 302
    owner.refresh_from_db()
    # Reminders keep going to the proven address until the new one is proven.
    assert owner.email == "owner@example.com"
    assert owner.email_verified is True
    [message] = mailoutbox
    assert message.to == ["moved@example.com"]
    page = client.get(reverse("account_email")).content.decode()
    assert "waiting for verification" in page

    client.post(_confirm_link(message))

    owner.refresh_from_db()
    assert owner.email == "moved@example.com"
    assert owner.email_verified is True
    assert list(EmailAddress.objects.filter(user=owner).values_list("email", flat=True)) == [
        "moved@example.com"
    ]


def test_an_unverified_candidate_changing_address_stays_unverified_until_the_link(
    db, client, password, mailoutbox
):
    candidate = CandidateFactory(email="typo@exmaple.com", password=password, email_verified=False)
    _sign_in_and_reauthenticate(client, candidate.email, password)

    client.post(reverse("account_email"), {"email": "right@example.com", "action_add": ""})
    candidate.refresh_from_db()
    assert candidate.email_verified is False

    client.post(_confirm_link(mailoutbox[-1]))

    candidate.refresh_from_db()
    assert candidate.email == "right@example.com"
    assert candidate.email_verified is True


def test_sync_counts_only_a_verified_row_for_the_current_address(db):
    """A verified old address does not make a new, unproven current address verified."""
    candidate = CandidateFactory(email="now@example.com", email_verified=True)
    EmailAddress.objects.filter(user=candidate).update(verified=False)
    EmailAddress.objects.create(user=candidate, email="before@example.com", verified=True)

    assert services.candidate_sync_email_verified(candidate=candidate) is False
    candidate.refresh_from_db()
    assert candidate.email_verified is False

    EmailAddress.objects.filter(user=candidate, email="now@example.com").update(verified=True)
    assert services.candidate_sync_email_verified(candidate=candidate) is True


def test_mark_email_verified_creates_the_allauth_row(db):
    candidate = Candidate.objects.create_user("demo@example.com", "demo-password")

    services.candidate_mark_email_verified(candidate=candidate)

    candidate.refresh_from_db()
    assert candidate.email_verified is True
    assert EmailAddress.objects.get(user=candidate).verified is True


# --- Sign-in and sign-out ---------------------------------------------------------------


def test_sign_in_by_email_ignores_letter_case(client, owner, password):
    response = _sign_in(client, "Owner@EXAMPLE.com", password)

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert _signed_in_email(client) == "owner@example.com"


@pytest.mark.parametrize(
    ("next_value", "lands_on"),
    [
        ("/board/", "/board/"),
        ("李小龍 José 🎉", "/"),
        ('"><img src=x onerror=alert(1)>', "/"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("javascript:alert(1)", "/"),
    ],
    ids=["path", "unicode", "html", "other-site", "scheme-relative", "javascript"],
)
def test_sign_in_goes_only_to_a_next_path_of_this_site(
    client, owner, password, next_value, lands_on
):
    page = client.get(reverse("account_login"), {"next": next_value}).content.decode()
    assert "<img src=x" not in page

    response = client.post(
        reverse("account_login"),
        {"login": owner.email, "password": password, "next": next_value},
    )

    assert response.status_code == 302
    assert response.url == lands_on


def test_sign_in_failure_message_is_the_same_for_unknown_email_and_wrong_password(
    client, owner, password
):
    unknown = _sign_in(client, "nobody@example.com", password)
    wrong_password = _sign_in(client, "owner@example.com", "not the password")

    assert unknown.status_code == wrong_password.status_code == 200
    assert _form_errors(unknown) == _form_errors(wrong_password)
    assert _form_errors(unknown) == [
        "The email address and/or password you specified are not correct."
    ]


def test_sign_out_by_get_is_refused_and_post_signs_out(owner_client):
    refused = owner_client.get(reverse("account_logout"))
    assert refused.status_code == 405
    assert _signed_in_email(owner_client) == "owner@example.com"

    response = owner_client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert response.url == reverse("account_login")
    response = owner_client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next=/"


# --- Every auth field is bounded: a clear error, never a 500 (10.7) ------------------------


ANONYMOUS_FORMS = {
    "sign-in email": ("account_login", {"login": f"{MEGABYTE}@example.com", "password": "x"}),
    "sign-in password": ("account_login", {"login": "owner@example.com", "password": MEGABYTE}),
    "sign-up email": (
        "account_signup",
        {"email": f"{MEGABYTE}@example.com", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    ),
    "sign-up 255-character email": (
        "account_signup",
        {"email": f"{'a' * 243}@example.com", "password1": NEW_PASSWORD,
         "password2": NEW_PASSWORD},
    ),
    "sign-up password": (
        "account_signup",
        {"email": "new@example.com", "password1": MEGABYTE, "password2": MEGABYTE},
    ),
    "password reset email": ("account_reset_password", {"email": f"{MEGABYTE}@example.com"}),
}


@pytest.mark.parametrize("case", ANONYMOUS_FORMS)
def test_an_over_long_auth_field_is_a_form_error(client, owner, case):
    name, data = ANONYMOUS_FORMS[case]

    response = client.post(reverse(name), data)

    assert response.status_code == 200
    assert response.context["form"].errors
    assert "at most" in " ".join(str(e) for e in response.context["form"].errors.values())
    assert Candidate.objects.count() == 1


SIGNED_IN_FORMS = {
    "change password": (
        "account_change_password",
        {"oldpassword": MEGABYTE, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    ),
    "change email": ("account_email", {"email": f"{MEGABYTE}@example.com", "action_add": ""}),
}


@pytest.mark.parametrize("case", SIGNED_IN_FORMS)
def test_an_over_long_field_of_a_signed_in_auth_form_is_a_form_error(
    client, owner, password, case
):
    name, data = SIGNED_IN_FORMS[case]
    _sign_in_and_reauthenticate(client, owner.email, password)

    response = client.post(reverse(name), data)

    assert response.status_code == 200
    assert "at most" in response.content.decode()
    owner.refresh_from_db()
    assert owner.check_password(password)
    assert owner.email == "owner@example.com"


@pytest.mark.parametrize(
    ("name", "field", "limit"),
    [
        ("account_login", "login", 254),
        ("account_login", "password", 1024),
        ("account_signup", "email", 254),
        ("account_signup", "password1", 1024),
        ("account_reset_password", "email", 254),
    ],
)
def test_the_page_carries_the_maxlength_the_server_enforces(db, client, name, field, limit):
    page = client.get(reverse(name)).content.decode()

    [tag] = re.findall(rf'<input[^>]*name="{field}"[^>]*>', page)
    assert f'maxlength="{limit}"' in tag


# --- Throttling (allauth's rate limits) ---------------------------------------------------


def test_sign_in_is_refused_after_five_failures_for_the_same_email(
    client, owner, outsider, password
):
    with time_machine.travel(CURRENT_TIME, tick=False) as traveller:
        for email in ["owner@example.com", "Owner@example.com", "OWNER@example.com",
                      " owner@EXAMPLE.com", "Owner@Example.Com"]:
            assert _sign_in(client, email, "wrong password").status_code == 200

        locked = _sign_in(client, "oWnEr@example.com", password)

        assert locked.status_code == 200
        assert "Too many failed login attempts" in locked.content.decode()
        assert _signed_in_email(client) is None

        # Another email from the same address is not refused.
        other = _sign_in(client, "outsider@example.com", password)
        assert other.status_code == 302
        assert _signed_in_email(client) == "outsider@example.com"
        client.post(reverse("account_logout"))

        traveller.move_to(CURRENT_TIME + timedelta(minutes=15, seconds=1))
        after_cooloff = _sign_in(client, "owner@example.com", password)

        assert after_cooloff.status_code == 302
        assert _signed_in_email(client) == "owner@example.com"


# --- Password reset ---------------------------------------------------------------------


def test_password_reset_email_link_sets_a_new_password(client, owner, password, mailoutbox):
    response = client.post(reverse("account_reset_password"), {"email": "Owner@Example.com"})
    assert response.status_code == 302
    [message] = mailoutbox
    assert message.to == ["owner@example.com"]

    # The link redirects to a URL without the token, which then holds the form.
    response = client.get(_link(message, r"/accounts/password/reset/key/\S+/"), follow=True)
    assert response.status_code == 200
    response = client.post(
        response.redirect_chain[-1][0], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == reverse("account_reset_password_from_key_done")

    assert _sign_in(client, "owner@example.com", password).status_code == 200
    assert _sign_in(client, "owner@example.com", NEW_PASSWORD).status_code == 302
    assert _signed_in_email(client) == "owner@example.com"


def test_reset_page_does_not_reveal_whether_email_exists(client, owner, mailoutbox):
    known = client.post(
        reverse("account_reset_password"), {"email": "owner@example.com"}, follow=True
    )
    unknown = client.post(
        reverse("account_reset_password"), {"email": "nobody@example.com"}, follow=True
    )

    assert unknown.status_code == known.status_code == 200
    assert unknown.redirect_chain == known.redirect_chain == [
        (reverse("account_reset_password_done"), 302)
    ]
    assert _without_per_request_tokens(unknown.content.decode()) == _without_per_request_tokens(
        known.content.decode()
    )
    assert [m.to for m in mailoutbox] == [["owner@example.com"], ["nobody@example.com"]]


# --- Two-factor sign-in with an authenticator app (TOTP), optional per candidate ----------


def test_totp_set_up_from_the_profile_is_then_asked_at_every_sign_in(client, owner, password):
    with time_machine.travel(CURRENT_TIME, tick=False) as traveller:
        _sign_in_and_reauthenticate(client, owner.email, password)
        profile = client.get(reverse("profile")).content.decode()
        assert reverse("mfa_index") in profile

        page = client.get(reverse("mfa_activate_totp"))
        assert page.status_code == 200
        secret = page.context["form"].secret
        wrong = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
        assert wrong.status_code == 200
        activated = client.post(
            reverse("mfa_activate_totp"), {"code": totp(secret, CURRENT_TIME)}
        )
        assert activated.status_code == 302
        client.post(reverse("account_logout"))

        traveller.move_to(CURRENT_TIME + timedelta(minutes=5))
        now = CURRENT_TIME + timedelta(minutes=5)
        response = _sign_in(client, owner.email, password)
        assert response.status_code == 302
        assert response.url == reverse("mfa_authenticate")
        assert _signed_in_email(client) is None

        refused = client.post(reverse("mfa_authenticate"), {"code": "123456"})
        assert refused.status_code == 200
        assert _signed_in_email(client) is None
        too_long = client.post(reverse("mfa_authenticate"), {"code": MEGABYTE})
        assert too_long.status_code == 200
        assert _signed_in_email(client) is None

        accepted = client.post(reverse("mfa_authenticate"), {"code": totp(secret, now)})

        assert accepted.status_code == 302
        assert accepted.url == reverse("home")
        assert _signed_in_email(client) == "owner@example.com"


@pytest.mark.parametrize(("steps_ago", "accepted"), [(1, True), (2, False)])
def test_a_code_from_the_step_just_ended_is_still_accepted(
    client, owner, password, steps_ago, accepted
):
    """A person who types the code as the app turns it over is let in; an older code is not."""
    TOTP.activate(owner, SECRET)
    with time_machine.travel(CURRENT_TIME, tick=False):
        _sign_in(client, owner.email, password)
        code = totp(SECRET, CURRENT_TIME - timedelta(seconds=30 * steps_ago))
        response = client.post(reverse("mfa_authenticate"), {"code": code})

        assert response.status_code == (302 if accepted else 200)
        assert (_signed_in_email(client) == owner.email) is accepted


def test_without_totp_sign_in_asks_no_code(client, owner, password):
    response = _sign_in(client, owner.email, password)

    assert response.url == reverse("home")


# --- Profile ----------------------------------------------------------------------------


def _profile_data(**overrides) -> dict:
    return {
        "display_name": "Ada Lovelace",
        "time_zone": "Europe/Paris",
        "country": "FR",
        "reminder_hour": "8",
        "signature_name": "Ada Lovelace",
        "signature_phone": "+33 1 42 68 53 00",
        "signature_address": "12 rue de la Paix\n75002 Paris",
    } | overrides


def test_profile_links_the_email_password_and_two_factor_pages(owner_client):
    page = owner_client.get(reverse("profile")).content.decode()

    for name in ("account_email", "account_change_password", "mfa_index"):
        assert f'href="{reverse(name)}"' in page


def test_profile_edit_saves_every_field(owner_client, owner):
    response = owner_client.post(reverse("profile"), _profile_data())

    assert response.status_code == 302
    assert response.url == reverse("profile")
    owner.refresh_from_db()
    assert owner.display_name == "Ada Lovelace"
    assert owner.time_zone == "Europe/Paris"
    assert owner.country == "FR"
    assert owner.reminder_hour == 8
    assert owner.signature_name == "Ada Lovelace"
    assert owner.signature_phone == "+33 1 42 68 53 00"
    assert owner.signature_address == "12 rue de la Paix\n75002 Paris"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("time_zone", "Europe/Atlantis"),
        ("time_zone", "localtime"),
        ("reminder_hour", "24"),
        ("reminder_hour", "-1"),
        ("country", "XX"),
    ],
)
def test_profile_rejects_invalid_values_with_a_form_error(owner_client, owner, field, value):
    response = owner_client.post(reverse("profile"), _profile_data(**{field: value}))

    assert response.status_code == 200
    assert _form_errors(response, field)
    owner.refresh_from_db()
    assert owner.time_zone == "Europe/London"


def test_profile_accepts_every_hour_from_0_to_23(owner_client, owner):
    for hour in (0, 23):
        response = owner_client.post(reverse("profile"), _profile_data(reminder_hour=str(hour)))
        assert response.status_code == 302
        owner.refresh_from_db()
        assert owner.reminder_hour == hour


@pytest.mark.parametrize(
    ("phone", "expected_error"),
    [
        ("call me maybe", "This does not look like a phone number."),
        ("+33 1 42", "This phone number has the wrong number of digits."),
    ],
)
def test_profile_invalid_phone_gives_a_clear_error(owner_client, owner, phone, expected_error):
    response = owner_client.post(reverse("profile"), _profile_data(signature_phone=phone))

    assert response.status_code == 200
    assert _form_errors(response, "signature_phone") == [expected_error]
    assert expected_error in response.content.decode()


def test_profile_local_phone_is_stored_in_international_format_for_the_country(owner_client, owner):
    response = owner_client.post(
        reverse("profile"), _profile_data(country="FR", signature_phone="01 42 68 53 00")
    )

    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.signature_phone == "+33 1 42 68 53 00"


def test_profile_local_phone_without_a_country_asks_for_the_country_code(owner_client, owner):
    owner.country = ""
    owner.save(update_fields=["country"])

    response = owner_client.post(
        reverse("profile"), _profile_data(country="", signature_phone="01 42 68 53 00")
    )

    assert response.status_code == 200
    assert _form_errors(response, "signature_phone") == [
        "Start with + and the country code (set your country in your profile to enter "
        "local numbers)."
    ]


# --- The candidate's time zone ----------------------------------------------------------


@pytest.fixture
def paris_application(owner):
    owner.time_zone = "Europe/Paris"
    owner.save(update_fields=["time_zone"])
    return ApplicationFactory(owner=owner)


def _interview_data(starts_at: str, ends_at: str) -> dict:
    return {"round_number": "1", "format": "video", "starts_at": starts_at, "ends_at": ends_at}


def test_interview_time_is_read_in_the_candidates_zone_and_stored_in_utc(
    owner_client, paris_application
):
    response = owner_client.post(
        reverse("interview_create", args=[paris_application.pk]),
        _interview_data("2026-03-29T09:00", "2026-03-29T10:00"),
    )

    assert response.status_code == 302
    interview = Interview.objects.get(application=paris_application)
    assert interview.starts_at == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)
    assert interview.ends_at == datetime(2026, 3, 29, 8, 0, tzinfo=UTC)
    page = owner_client.get(interview.get_absolute_url()).content.decode()
    assert "Sunday 29 March 2026, 09:00–10:00" in page


def test_interview_time_inside_the_dst_gap_is_a_form_error(owner_client, paris_application):
    response = owner_client.post(
        reverse("interview_create", args=[paris_application.pk]),
        _interview_data("2026-03-29T02:30", "2026-03-29T04:00"),
    )

    assert response.status_code == 200
    [error] = _form_errors(response, "starts_at")
    assert "couldn’t be interpreted in time zone Europe/Paris" in error
    assert not Interview.objects.exists()


def test_activating_totp_without_the_csrf_token_is_refused(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")

    response = client.post(reverse("mfa_activate_totp"), {"code": "123456"})

    assert response.status_code == 403
    assert not Authenticator.objects.filter(user=owner).exists()


def test_an_address_changed_in_the_admin_is_unverified_until_its_owner_verifies(
    client, owner, db
):
    admin_user = CandidateFactory(email="admin@example.com", is_staff=True, is_superuser=True)
    client.force_login(admin_user, backend="django.contrib.auth.backends.ModelBackend")
    url = reverse("admin:interviews_candidate_change", args=[owner.pk])
    data = {
        "email": "typed-by-admin@example.com",
        "display_name": owner.display_name,
        "time_zone": owner.time_zone,
        "country": owner.country,
        "reminder_hour": owner.reminder_hour,
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00",
    }

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    owner.refresh_from_db()
    assert owner.email == "typed-by-admin@example.com"
    assert owner.email_verified is False
