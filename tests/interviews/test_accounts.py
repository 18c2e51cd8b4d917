"""Accounts: sign-up, sign-in and out, password reset, throttling and the profile."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from interviews.models import Candidate, Interview
from tests.factories import ApplicationFactory

CURRENT_TIME = datetime(2026, 3, 20, 10, 0, tzinfo=UTC)
NEW_PASSWORD = "a brand new passphrase 2026"


def _sign_in(client, email: str, password: str):
    return client.post(reverse("login"), {"username": email, "password": password})


def _signed_in_email(client) -> str | None:
    response = client.get(reverse("profile"))
    if response.status_code != 200:
        return None
    return response.context["user"].email


def _form_errors(response, field: str = "__all__") -> list[str]:
    return response.context["form"].errors.get(field, [])


# --- Sign-up ----------------------------------------------------------------------------


def test_signup_creates_candidate_with_lowercased_email_and_signs_them_in(db, client, password):
    response = client.post(
        reverse("signup"),
        {"email": "  New.Person@Example.COM ", "password1": password, "password2": password},
    )

    assert response.status_code == 302
    assert response.url == reverse("profile")
    candidate = Candidate.objects.get()
    assert candidate.email == "new.person@example.com"
    assert candidate.check_password(password)
    assert _signed_in_email(client) == "new.person@example.com"


def test_signup_with_existing_email_in_other_case_is_a_form_error(client, owner, password):
    response = client.post(
        reverse("signup"),
        {"email": "OWNER@example.com", "password1": password, "password2": password},
    )

    assert response.status_code == 200
    assert _form_errors(response, "email") == [
        "An account with this email already exists. Sign in or reset your password."
    ]
    assert Candidate.objects.count() == 1


@pytest.mark.parametrize(
    ("password1", "password2", "expected_error"),
    [
        ("password", "password", "This password is too common."),
        ("x7#", "x7#", "This password is too short. It must contain at least 8 characters."),
        ("83920174612", "83920174612", "This password is entirely numeric."),
        ("correct horse battery staple", "correct horse battery stable", "fields didn’t match"),
    ],
    ids=["common", "short", "numeric", "mismatched"],
)
def test_signup_rejects_weak_or_mismatched_passwords(
    db, client, password1, password2, expected_error
):
    response = client.post(
        reverse("signup"),
        {"email": "new@example.com", "password1": password1, "password2": password2},
    )

    assert response.status_code == 200
    errors = " ".join(_form_errors(response, "password2") + _form_errors(response, "password1"))
    assert expected_error in errors
    assert not Candidate.objects.exists()
    assert _signed_in_email(client) is None


# --- Sign-in and sign-out ---------------------------------------------------------------


def test_sign_in_by_email_ignores_letter_case(client, owner, password):
    response = _sign_in(client, "Owner@EXAMPLE.com", password)

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert _signed_in_email(client) == "owner@example.com"


def test_sign_in_failure_message_is_the_same_for_unknown_email_and_wrong_password(
    client, owner, password
):
    unknown = _sign_in(client, "nobody@example.com", password)
    wrong_password = _sign_in(client, "owner@example.com", "not the password")

    assert unknown.status_code == wrong_password.status_code == 200
    assert _form_errors(unknown) == _form_errors(wrong_password)
    assert _form_errors(unknown) == [
        "That email and password do not match an account. Passwords are case-sensitive."
    ]


def test_sign_out_by_get_is_refused(owner_client):
    response = owner_client.get(reverse("logout"))

    assert response.status_code == 405
    assert _signed_in_email(owner_client) == "owner@example.com"


def test_after_sign_out_home_redirects_to_sign_in(owner_client):
    response = owner_client.post(reverse("logout"))
    assert response.status_code == 302
    assert response.url == reverse("login")

    response = owner_client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next=/"


# --- Password reset ---------------------------------------------------------------------


def _reset_link_path(body: str) -> str:
    match = re.search(r"https?://testserver(/\S+/reset/\S+/)", body)
    assert match, f"no reset link in:\n{body}"
    return match.group(1)


def test_password_reset_email_link_sets_a_new_password(client, owner, password, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "Owner@Example.com"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["owner@example.com"]

    # The link redirects to a URL without the token, which then holds the form.
    response = client.get(_reset_link_path(mailoutbox[0].body), follow=True)
    assert response.context["validlink"] is True
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response.url == reverse("password_reset_complete")

    assert _sign_in(client, "owner@example.com", password).status_code == 200
    assert _sign_in(client, "owner@example.com", NEW_PASSWORD).status_code == 302
    assert _signed_in_email(client) == "owner@example.com"


def _without_per_request_tokens(html: str) -> str:
    """The page with its CSRF token and CSP nonces blanked: they differ on every request."""
    html = re.sub(r'("X-CSRFToken": ")[^"]+"', r'\1"', html)
    html = re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]+"', r'\1"', html)
    return re.sub(r'(nonce=")[^"]+"', r'\1"', html)


def test_reset_page_does_not_reveal_whether_email_exists(client, owner, mailoutbox):
    known = client.post(reverse("password_reset"), {"email": "owner@example.com"}, follow=True)
    assert len(mailoutbox) == 1

    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.com"}, follow=True)

    assert len(mailoutbox) == 1
    assert unknown.status_code == known.status_code == 200
    assert unknown.redirect_chain == known.redirect_chain == [(reverse("password_reset_done"), 302)]
    known_page = _without_per_request_tokens(known.content.decode())
    assert "Check your email" in known_page
    assert _without_per_request_tokens(unknown.content.decode()) == known_page


# --- Sign-in throttling (django-axes) ---------------------------------------------------


def test_sign_in_is_locked_after_five_failures_for_the_same_email_and_ip(
    client, owner, outsider, password, settings
):
    assert settings.AXES_FAILURE_LIMIT == 5
    with time_machine.travel(CURRENT_TIME, tick=False) as traveller:
        for _ in range(5):
            assert _sign_in(client, "owner@example.com", "wrong password").status_code != 302

        locked = _sign_in(client, "owner@example.com", password)

        assert locked.status_code == 429
        assert "Too many failed sign-in attempts" in locked.content.decode()
        assert _signed_in_email(client) is None

        # Another email from the same address is not locked out.
        other = _sign_in(client, "outsider@example.com", password)
        assert other.status_code == 302
        assert _signed_in_email(client) == "outsider@example.com"
        client.post(reverse("logout"))

        traveller.move_to(CURRENT_TIME + settings.AXES_COOLOFF_TIME + timedelta(seconds=1))
        after_cooloff = _sign_in(client, "owner@example.com", password)

        assert after_cooloff.status_code == 302
        assert _signed_in_email(client) == "owner@example.com"


def test_failures_with_differently_cased_email_count_towards_the_same_lockout(
    client, owner, password
):
    variants = ["owner@example.com", "Owner@example.com", "OWNER@example.com", " owner@EXAMPLE.com"]
    for email in [*variants, "Owner@Example.Com"]:
        assert _sign_in(client, email, "wrong password").status_code != 302

    locked = _sign_in(client, "oWnEr@example.com", password)

    assert locked.status_code == 429
    assert _signed_in_email(client) is None


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
