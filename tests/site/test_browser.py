"""The main journey in a real Chromium, against a live server with the production CSP:
sign up, the welcome, the first application and interview, the people met, their
thank-yous as one task ticked line by line, and Undo."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import ConsoleMessage, Page, expect

from interviews.models import Candidate
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

    # An interview that ended two hours ago, in the zone the welcome set: its thank-yous are
    # still to do.
    zone = Candidate.objects.get(email__iexact="grace@example.com").zone
    ended = timezone.now().astimezone(zone) - timedelta(hours=2)
    page.get_by_role("link", name="Log an interview").click()
    page.get_by_label("Starts (your time)").fill(f"{ended - timedelta(hours=1):%Y-%m-%dT%H:%M}")
    page.get_by_label("Ends (your time)").fill(f"{ended:%Y-%m-%dT%H:%M}")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Round 1 (Video) — Staff Engineer")

    _add_person_with_htmx(page, "Grace Hopper")
    expect(page.locator("#attendee-list .attendee-name")).to_have_text(["Grace Hopper"])
    _add_person_with_htmx(page, "Alan Turing")
    expect(page.locator("#attendee-list .attendee-name")).to_have_text(
        ["Alan Turing", "Grace Hopper"]
    )

    # The panels swapped in by htmx carry no template syntax (a multi-line {# #} once
    # showed as text here).
    assert not re.search(r"\{[#%{]|[#%}]\}", page.locator("body").inner_text())

    page.reload()
    who_you_met = page.get_by_role("region", name="Who you met")
    expect(who_you_met.locator(".attendee-name")).to_have_text(["Alan Turing", "Grace Hopper"])

    # The thank-yous of the interview are one task, a line per person; each line's email
    # and card or letter tick on their own, and Undo puts one back.
    plan = page.locator("#plan-panel")
    task = plan.locator(".followup-task")
    expect(task).to_contain_text("Thank the 2 people you met")
    expect(task.locator(".person")).to_have_text(["Alan Turing", "Grace Hopper"])
    wait_for_htmx(page)
    toast = page.locator(".undo-toast")
    for name, said in (
        ("Done: email to Alan Turing", "Send a thank-you email — Alan Turing."),
        ("Done: card or letter to Alan Turing",
         "Mail a thank-you card or one-page letter — Alan Turing."),
        ("Done: email to Grace Hopper", "Send a thank-you email — Grace Hopper."),
    ):
        task.get_by_role("button", name=name, exact=True).click()
        expect(toast).to_contain_text(f"Marked done: {said}")
    expect(task).to_contain_text("1 of 2 people thanked")
    undo = toast.get_by_role("button", name="Undo")
    expect(undo).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#main .alert[role=status]")).to_contain_text("is to do again")
    expect(task.get_by_role("button", name="Done: email to Grace Hopper", exact=True)
           ).to_be_visible()
    task.get_by_role("button", name="Done: email to Grace Hopper", exact=True).click()
    expect(toast).to_contain_text("Marked done: Send a thank-you email — Grace Hopper.")
    task.get_by_role("button", name="Skip: card or letter to Grace Hopper", exact=True).click()
    expect(toast).to_contain_text("Skipped: Mail a thank-you card")
    expect(task).to_contain_text("2 of 2 people thanked: all done")
    expect(task.locator(".followup-state")).to_have_text("done")
    page.goto(f"{live_server.url}/")
    expect(page.locator(".action-thanks")).to_have_count(0)

    csp_violations = [
        text
        for text in browser_errors["console"]
        if "content security policy" in text.lower() or "content-security-policy" in text.lower()
    ]
    assert csp_violations == []
    assert browser_errors["page"] == []
