"""The debrief in a real Chromium: all four steps, a closed tab, then the comparison."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, expect

from interviews.models import Debrief
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_errors(context: BrowserContext) -> dict[str, list[str]]:
    """Console errors and uncaught exceptions of every page of the browser context."""
    errors: dict[str, list[str]] = {"console": [], "page": []}

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors["console"].append(message.text)

    context.on("console", on_console)
    context.on("weberror", lambda error: errors["page"].append(str(error.error)))
    return errors


def _sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # Signed in, the home page is the dashboard of next actions.
    expect(page.get_by_role("heading", level=1)).to_have_text("Next actions")


def _step_heading(page: Page):
    return page.locator("#step-heading")


def test_candidate_debriefs_through_every_step_resumes_after_closing_tab_and_compares(
    live_server, page: Page, owner, debrief_interview, attendances, browser_errors
):
    _sign_in(page, live_server.url, owner.email)
    page.goto(f"{live_server.url}{debrief_interview.get_absolute_url()}")
    page.get_by_role("link", name="Debrief", exact=True).click()

    # Step 1: notes on each person, pre-filled from what was recorded.
    expect(_step_heading(page)).to_have_text("Step 1 of 4: Notes while fresh")
    ada = page.get_by_role("group", name=re.compile("^Ada Lovelace"))
    expect(ada.get_by_label("Topics discussed")).to_have_value("Roadmap for the analytics engine")
    grace_topics = page.get_by_role("group", name=re.compile("^Grace Hopper")).get_by_label(
        "Topics discussed"
    )
    grace_topics.fill("Compilers and COBOL")
    # app.js counts characters under every limited textarea.
    expect(grace_topics.locator("xpath=following-sibling::div[1]")).to_have_text("19 / 5,000")
    page.get_by_label("Anything said about next steps").fill("Ada will call by Friday.")
    page.get_by_role("button", name="Next").click()

    # Step 2: the questions still unanswered on the interview.
    expect(_step_heading(page)).to_have_text(
        "Step 2 of 4: The questions you should have asked"
    )
    page.get_by_label("If hired, what is the most difficult challenge going forward?").fill(
        "Untangling legacy billing."
    )
    page.get_by_role("button", name="Next").click()
    expect(_step_heading(page)).to_have_text("Step 3 of 4: How it went")

    # The tab is closed; the candidate comes back from the interview page.
    context = page.context
    page.close()
    page = context.new_page()
    page.goto(f"{live_server.url}{debrief_interview.get_absolute_url()}")
    page.get_by_role("link", name="Continue your debrief").click()
    expect(_step_heading(page)).to_have_text("Step 3 of 4: How it went")

    # Step 3: the eleven questions, two of them rated.
    page.get_by_label("1. Did the interview go well?").fill("Yes: the case study landed.")
    page.get_by_role("group", name="How well it went (1–5)").get_by_label("4").check()
    page.get_by_label("2. What excited me about the job?").fill("The analytics engine.")
    page.get_by_label("3. What concerns do I have about the job?").fill("On-call load.")
    page.get_by_label("6. What did I NOT do well in the interview?").fill(
        "Forgot the migration story."
    )
    page.get_by_label("9. What do I need to practise").fill("Why are you leaving?")
    page.get_by_label("10. Am I a top candidate").fill("Yes: few have shipped this.")
    page.get_by_role("group", name="How much of a top candidate (1–5)").get_by_label("5").check()
    page.get_by_label("11. How does this job fit what I want?").fill("Remote and product-led.")
    page.get_by_role("button", name="Next").click()

    # Step 4: everything on one page, then save.
    expect(_step_heading(page)).to_have_text("Step 4 of 4: Review")
    review = page.locator("#debrief-form")
    for text in ("Compilers and COBOL", "Untangling legacy billing.", "Forgot the migration story.",
                 "4 / 5", "5 / 5"):
        expect(review).to_contain_text(text)
    page.get_by_role("button", name="Save debrief").click()

    expect(page.get_by_text("Debrief saved.")).to_be_visible()
    expect(page.locator("#debrief-repair")).to_contain_text("Forgot the migration story.")
    expect(page.locator("#debrief-practise")).to_contain_text("Why are you leaving?")
    assert Debrief.objects.get().went_well_rating == 4

    page.get_by_role("link", name="Compare").click()
    row = page.locator("#compare-table tbody tr", has_text="Acme Robotics")
    expect(row.locator(".rating-went-well")).to_have_text("4 / 5")
    expect(row.locator(".rating-top-candidate")).to_have_text("5 / 5")
    expect(row).to_contain_text("The analytics engine.")
    expect(row).to_contain_text("Remote and product-led.")

    csp_violations = [
        text for text in browser_errors["console"] if "content security policy" in text.lower()
    ]
    assert csp_violations == []
    assert browser_errors["page"] == []
