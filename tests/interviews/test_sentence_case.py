"""The account pages speak in sentence case ("Change password", not "Change Password"):
every heading, button, link styled as a button, label, placeholder and page title of the
sign-in, sign-up, password, email and two-factor pages, in each state the tests can reach."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.factories import CandidateFactory
from tests.totp import SECRET, totp

# Two or more capitalised words in a row; proper nouns that are two words are allowed.
TITLE_CASE = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+\b")
PROPER_NOUNS = {"Google Authenticator", "Microsoft Authenticator"}
CHECKED_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "button", "title", "legend", "label"}


class _Texts(HTMLParser):
    """The text of each heading, button, label, legend and title, and of links styled as
    buttons, and the value of submit inputs."""

    def __init__(self):
        super().__init__()
        self.texts: list[str] = []
        self._open: list[list[str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") == "submit" and attrs.get("value"):
            self.texts.append(attrs["value"])
        if attrs.get("placeholder"):
            self.texts.append(attrs["placeholder"])
        if tag in CHECKED_TAGS or (tag == "a" and "btn" in (attrs.get("class") or "")):
            self._open.append([tag, ""])

    def handle_endtag(self, tag):
        if self._open and self._open[-1][0] == tag:
            self.texts.append(" ".join(self._open.pop()[1].split()))

    def handle_data(self, data):
        for entry in self._open:
            entry[1] += data


def title_case_words(html: str) -> list[str]:
    parser = _Texts()
    parser.feed(html)
    found = []
    for text in parser.texts:
        found += [m for m in TITLE_CASE.findall(text) if m not in PROPER_NOUNS]
    return found


def test_the_check_catches_title_case_and_lets_sentence_case_through():
    assert title_case_words("<h1>Change Password</h1><button>Sign In</button>") == [
        "Change Password", "Sign In",
    ]
    assert title_case_words('<a class="btn" href="#">Re-Authenticate Now</a>') == [
        "Authenticate Now"
    ]
    assert title_case_words("<h1>Change password</h1><p>Hello World</p>") == []
    assert title_case_words("<title>Sign in · Follow-up</title>") == []
    assert title_case_words('<input type="submit" value="Save Codes">') == ["Save Codes"]
    assert title_case_words('<input placeholder="New Password">') == ["New Password"]


def _signed_in(user) -> Client:
    """Signed in through the sign-in form, so that allauth records a fresh authentication
    (pages behind reauthentication show their own form, not the reauthentication one)."""
    client = Client()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return client


def _pages(client: Client, names: list[str | tuple[str, list]]) -> dict[str, str]:
    pages = {}
    for entry in names:
        label, args = entry if isinstance(entry, tuple) else (entry, [])
        name = label.split(" (")[0]
        response = client.get(reverse(name, args=args), follow=True)
        assert response.status_code == 200, name
        pages[label] = response.content.decode()
    return pages


@pytest.mark.django_db
def test_every_account_page_speaks_in_sentence_case():
    user = CandidateFactory(email="sentence@example.com")
    unverified = CandidateFactory(email="unverified@example.com", email_verified=False)
    pages = _pages(Client(), [
        "account_login", "account_signup", "account_reset_password",
        "account_reset_password_done", "account_reset_password_from_key_done",
        "account_email_verification_sent", "account_inactive",
        ("account_confirm_email", ["not-a-key"]),
        ("account_reset_password_from_key", ["0", "not-a-key"]),
    ])
    key = EmailConfirmationHMAC(EmailAddress.objects.get(email=unverified.email)).key
    pages |= {f"{k} (valid)": v for k, v in _pages(Client(), [
        ("account_confirm_email", [key]),
    ]).items()}
    reset = Client()
    response = reset.get(
        reverse("account_reset_password_from_key",
                args=[user_pk_to_url_str(user), default_token_generator.make_token(user)]),
        follow=True,
    )
    pages["password reset form (valid key)"] = response.content.decode()

    client = _signed_in(user)
    pages |= _pages(client, ["account_reauthenticate", "mfa_activate_totp"])  # asks first
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    pages |= _pages(client, [
        "account_email", "account_change_password", "account_set_password", "mfa_index",
        ("mfa_activate_totp (fresh)", []),
    ])

    with_app = CandidateFactory(email="app@example.com")
    TOTP.activate(with_app, SECRET)
    RecoveryCodes.activate(with_app)
    stage = Client()
    stage.post(reverse("account_login"), {"login": with_app.email, "password": PASSWORD})
    pages["mfa_authenticate"] = stage.get(reverse("mfa_authenticate")).content.decode()
    response = stage.post(reverse("mfa_authenticate"), {"code": totp()})
    assert response.status_code == 302
    pages["mfa_deactivate_totp (asks first)"] = stage.get(
        reverse("mfa_deactivate_totp"), follow=True).content.decode()
    stage.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    pages |= {f"{k} (app on)": v for k, v in _pages(stage, [
        "mfa_index", "mfa_deactivate_totp", "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes", "mfa_reauthenticate", "account_reauthenticate",
    ]).items()}

    found = {name: words for name, html in pages.items() if (words := title_case_words(html))}
    assert found == {}, "\n".join(f"{name}: {words}" for name, words in found.items())
