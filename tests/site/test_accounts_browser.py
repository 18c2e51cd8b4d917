"""Two-factor sign-in and the account pages in a real Chromium, under the production CSP."""

from __future__ import annotations

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.conftest import PASSWORD
from tests.totp import SECRET, totp

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_errors(page: Page) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {"console": [], "page": []}

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors["console"].append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors["page"].append(str(error)))
    return errors


def test_candidate_with_an_authenticator_app_signs_in_with_a_code(
    live_server, page: Page, owner, browser_errors
):
    TOTP.activate(owner, SECRET)
    RecoveryCodes.activate(owner)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    code = page.get_by_label("Code")
    expect(code).to_have_attribute("maxlength", "64")
    code.fill(totp())
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Next actions")

    # From the profile: the second factor's page, then the email's, in the site's layout.
    page.get_by_title("profile, reminders, notifications and your data").click()
    page.get_by_role("link", name="Two-factor sign-in").click()
    expect(page.get_by_text("Authentication using an authenticator app is active.")).to_be_visible()
    page.go_back()
    page.get_by_role("link", name="Change email").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Email address")
    expect(page.get_by_text("verified", exact=True)).to_be_visible()

    assert browser_errors == {"console": [], "page": []}
