"""The grouped thank-you task, the dashboard's urgency and Undo, in Chromium (issue 18,
points 2, 10 and 12), against the production CSP.

With htmx, Done and Skip swap the page in place and a toast offers "Undo" with the focus on
it; without JavaScript the same buttons post, and the page that follows carries the toast.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from interviews.models import Attendance, DebriefDraft
from reminders.models import FollowUp, Status
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    InterviewerFactory,
    InterviewFactory,
)
from tests.site.test_accessibility import DESKTOP, OVERFLOW, PHONE, _axe_source, _serious_violations

pytestmark = pytest.mark.browser

SCREENSHOTS = os.environ.get("FOLLOWUP_SCREENSHOTS")


def _screenshot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


@pytest.fixture
def met_two(live_server, _close_event_loop_connections):
    """A video interview that ended 44 hours ago with a hiring manager and a recruiter: the
    thank-you emails' window closes in about four hours. Another interview ended an hour
    ago, its debrief left at step 2."""
    now = timezone.now()
    owner = CandidateFactory(email="tasks@example.com", time_zone="Europe/London")
    application = ApplicationFactory(owner=owner, company="Monzo", role_title="Designer")
    ended = now - timedelta(hours=44)
    interview = InterviewFactory(application=application, format="video",
                                 starts_at=ended - timedelta(hours=1), ends_at=ended)
    ada = InterviewerFactory(application=application, name="Ada Lovelace", role="hiring_manager")
    rita = InterviewerFactory(application=application, name="Rita Moreno", role="hr")
    for person in (ada, rita):  # the planner plans the thank-yous of the people met
        Attendance.objects.create(interview=interview, interviewer=person)
    rows = {}
    for person in (ada, rita):
        for rule in ("R2", "R3"):
            rows[rule, person.name] = FollowUp.objects.create(
                owner=owner, application=application, interview=interview, interviewer=person,
                rule=rule, key=f"{rule}:{interview.pk}:{person.pk}",
                due_at=ended + timedelta(hours=3), status=Status.REMINDED,
                sent_at=ended + timedelta(hours=3),
            )
    recent = InterviewFactory(application=application, round_number=2, format="on_site",
                              starts_at=now - timedelta(hours=2),
                              ends_at=now - timedelta(hours=1))
    DebriefDraft.objects.create(interview=recent,
                                data={"step": "questions", "step_data": {"notes": {}}})
    return {"owner": owner, "interview": interview, "recent": recent, "rows": rows}


@pytest.fixture
def open_page(browser: Browser, live_server):
    contexts = []

    def opener(candidate, **options) -> Page:
        client = Client()
        client.force_login(candidate, backend="django.contrib.auth.backends.ModelBackend")
        context = browser.new_context(**options)
        contexts.append(context)
        context.add_cookies([{
            "name": settings.SESSION_COOKIE_NAME,
            "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "url": live_server.url,
        }])
        page = context.new_page()
        page.errors = []  # type: ignore[attr-defined]
        page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))  # type: ignore[attr-defined]
        page.on("pageerror", lambda e: page.errors.append(str(e)))  # type: ignore[attr-defined]
        return page

    yield opener
    for context in contexts:
        context.close()


def _status(row: FollowUp) -> str:
    return FollowUp.objects.get(pk=row.pk).status


def test_thank_you_task_lines_tick_and_undo_in_place(open_page, live_server, met_two):
    rows, interview = met_two["rows"], met_two["interview"]
    page = open_page(met_two["owner"], viewport=DESKTOP)
    page.goto(f"{live_server.url}/")
    page.wait_for_function("document.readyState === 'complete' && window.htmx !== undefined")
    page.evaluate("window.__not_reloaded = true")

    card = page.locator(f"#action-thanks-{interview.pk}")
    expect(card).to_contain_text("Thank the 2 people you met")
    expect(card.locator(".person")).to_have_text(["Ada Lovelace", "Rita Moreno"])
    # A letter to the recruiter after a video call is offered, not required.
    expect(card.locator(f"#followup-{rows['R3', 'Rita Moreno'].pk}")).to_contain_text("Optional")
    expect(card).to_contain_text("closes in")
    _screenshot(page, "dashboard-thanks-1280")

    # Done on one line: swapped in place, a toast says so, the focus is on its Undo.
    card.get_by_role("button", name="Done: email to Ada Lovelace", exact=True).click()
    toast = page.locator(".undo-toast")
    expect(toast).to_have_attribute("role", "status")
    expect(toast).to_contain_text("Marked done: Send a thank-you email — Ada Lovelace.")
    undo = toast.get_by_role("button", name="Undo")
    expect(undo).to_be_focused()
    assert _status(rows["R2", "Ada Lovelace"]) == Status.DONE
    expect(page.locator(f"#followup-{rows['R2', 'Ada Lovelace'].pk}")).to_contain_text("Done")
    _screenshot(page, "dashboard-undo-toast-1280")
    assert _serious_violations(page, _axe_source()) == []

    # Undo from the keyboard: the row is back as it was, with its due time.
    page.keyboard.press("Enter")
    expect(page.locator("#main .alert[role=status]")).to_contain_text("is to do again")
    assert _status(rows["R2", "Ada Lovelace"]) == Status.REMINDED
    assert FollowUp.objects.get(pk=rows["R2", "Ada Lovelace"].pk).due_at == (
        rows["R2", "Ada Lovelace"].due_at)

    # Every required line done or skipped on purpose: the task is done and leaves the page.
    card.get_by_role("button", name="Done: email to Ada Lovelace", exact=True).click()
    expect(page.locator(".undo-toast")).to_contain_text("Marked done: Send a thank-you email")
    card.get_by_role("button", name="Skip: card or letter to Ada Lovelace", exact=True).click()
    expect(page.locator(".undo-toast")).to_contain_text("Skipped: Mail a thank-you card")
    card.get_by_role("button", name="Done: email to Rita Moreno", exact=True).click()
    expect(page.locator(f"#action-thanks-{interview.pk}")).to_have_count(0)
    assert _status(rows["R3", "Rita Moreno"]) == Status.REMINDED  # offered, still there
    assert page.evaluate("window.__not_reloaded") is True
    assert page.errors == []  # type: ignore[attr-defined]


def test_done_and_undo_work_without_javascript(open_page, live_server, met_two):
    row = met_two["rows"]["R2", "Rita Moreno"]
    page = open_page(met_two["owner"], viewport=DESKTOP, java_script_enabled=False)
    page.goto(f"{live_server.url}/")

    page.get_by_role("button", name="Done: email to Rita Moreno", exact=True).click()

    # The page that follows: the message and an Undo button.
    toast = page.locator(".undo-toast")
    expect(toast).to_contain_text("Marked done: Send a thank-you email — Rita Moreno.")
    assert _status(row) == Status.DONE
    toast.get_by_role("button", name="Undo").click()
    expect(page.locator("#main .alert[role=status]")).to_contain_text("is to do again")
    assert _status(row) == Status.REMINDED


def test_dashboard_and_plan_on_a_phone_say_how_soon_and_which_debrief_step(
    open_page, live_server, met_two
):
    page = open_page(met_two["owner"], viewport=PHONE)
    page.goto(f"{live_server.url}/")

    recent = met_two["recent"]
    finish = page.get_by_role("link", name="Finish debrief (step 2 of 4)")
    expect(finish).to_have_attribute("href", f"/interviews/{recent.pk}/debrief/")
    expect(page.locator(f"#action-thanks-{met_two['interview'].pk} time.when-soon")
           ).to_contain_text("closes in")
    measured = page.evaluate(OVERFLOW)
    assert measured["scrollWidth"] <= measured["innerWidth"], measured
    _screenshot(page, "dashboard-thanks-390")

    page.goto(f"{live_server.url}{met_two['interview'].get_absolute_url()}")
    plan = page.locator("#plan-panel")
    expect(plan).to_contain_text("Thank the 2 people you met")
    measured = page.evaluate(OVERFLOW)
    assert measured["scrollWidth"] <= measured["innerWidth"], measured
    _screenshot(page, "interview-plan-390")
    page.set_viewport_size(DESKTOP)
    _screenshot(page, "interview-plan-1280")
    assert _serious_violations(page, _axe_source()) == []
    assert page.errors == []  # type: ignore[attr-defined]
