"""The main journey in a real Chromium, against a live server with the production CSP."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.browser import wait_for_htmx

pytestmark = pytest.mark.browser

PASSWORD = "a long and memorable passphrase"


@pytest.fixture
def browser_errors(page: Page) -> dict[str, list[str]]:
    """Console errors and uncaught exceptions, collected from the first page on."""
    errors: dict[str, list[str]] = {"console": [], "page": []}

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors["console"].append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors["page"].append(str(error)))
    return errors


def _add_person_with_htmx(page: Page, name: str) -> None:
    wait_for_htmx(page)
    form = page.locator("#add-attendee-form")
    form.get_by_label("Name").fill(name)
    with page.expect_response(lambda response: "/interviewers/add/" in response.url) as added:
        form.get_by_role("button", name="Add").click()
    # htmx sent it and swapped the panel in place: no full-page post and redirect.
    assert added.value.request.headers.get("hx-request") == "true"
    assert added.value.status == 200


def test_candidate_signs_up_logs_interview_and_adds_two_people_in_place(
    live_server, page: Page, browser_errors, mailoutbox
):
    page.goto(f"{live_server.url}/accounts/signup/")
    page.get_by_label("Email address").fill("Grace@Example.com")
    page.get_by_label(re.compile(r"^\W*Password\W*$")).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")

    # The emailed link, confirmed in the same browser, verifies the address and signs in.
    [message] = mailoutbox
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", message.body).group(1)
    page.goto(f"{live_server.url}{link}")
    page.get_by_role("button", name="Confirm").click()
    # The first sign-in asks who and where the candidate is, then offers the first application.
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to Follow-up")
    expect(page.get_by_text("Please verify")).to_have_count(0)
    page.get_by_label("Your name").fill("Grace Example")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Next actions")

    page.get_by_role("link", name="Add your first application").click()
    page.get_by_label("Company").fill("Initech")
    page.get_by_label("Role").fill("Staff Engineer")
    page.get_by_label("Job listing text").fill("We want an engineer who mentors and ships.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff Engineer at Initech")

    page.get_by_role("link", name="Log an interview").click()
    page.get_by_label("Starts (your time)").fill("2026-11-20T14:00")
    page.get_by_label("Ends (your time)").fill("2026-11-20T15:00")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Round 1 (Video) — Staff Engineer")

    _add_person_with_htmx(page, "Grace Hopper")
    expect(page.locator("#attendee-list .attendee-name")).to_have_text(["Grace Hopper"])
    _add_person_with_htmx(page, "Alan Turing")
    expect(page.locator("#attendee-list .attendee-name")).to_have_text(
        ["Alan Turing", "Grace Hopper"]
    )

    page.reload()
    who_you_met = page.get_by_role("region", name="Who you met")
    expect(who_you_met.locator(".attendee-name")).to_have_text(["Alan Turing", "Grace Hopper"])

    csp_violations = [
        text
        for text in browser_errors["console"]
        if "content security policy" in text.lower() or "content-security-policy" in text.lower()
    ]
    assert csp_violations == []
    assert browser_errors["page"] == []
