"""In a real Chromium against a live server with the production CSP: drop an .ics into the
Inbox, see the preview, confirm, and find the interview with its people and the plan."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import ConsoleMessage, Page, expect

from interviews.models import Interview
from tests.factories import ApplicationFactory, InterviewerFactory
from tests.inbox.conftest import make_ics

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_errors(page: Page) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {"console": [], "page": [], "failed": []}

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors["console"].append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors["page"].append(str(error)))
    page.on(
        "response",
        lambda response: response.status >= 400
        and errors["failed"].append(f"{response.status} {response.url}"),
    )
    return errors


def sign_in(page: Page, live_server, user) -> None:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )


def test_drop_an_ics_confirm_and_see_the_interview_with_its_people_and_plan(
    live_server, page: Page, browser_errors, owner, tmp_path, _close_event_loop_connections
):
    application = ApplicationFactory(
        owner=owner, company="Northwind", role_title="Data Engineer", status="applied"
    )
    InterviewerFactory(
        application=application, name="Priya Raman", email="priya.raman@northwind.io"
    )
    # An interview three days from now, 10:00–11:00 in New York.
    day = (timezone.now() + timedelta(days=3)).strftime("%Y%m%d")
    ics = tmp_path / "invite.ics"
    ics.write_text(make_ics(start=f"{day}T100000", end=f"{day}T110000"))
    sign_in(page, live_server, owner)

    page.goto(f"{live_server.url}/inbox/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inbox")
    expect(page.get_by_text("Nothing waiting for you")).to_be_visible()
    page.locator("input[type=file]").set_input_files(str(ics))
    page.get_by_role("button", name="Add to the Inbox").click()

    preview = page.locator("#invite-preview")
    expect(preview).to_contain_text("Northwind – Technical interview")
    # 10:00 in New York is 15:00 in London (the owner's zone), in December.
    expect(preview).to_contain_text("15:00–16:00 your time (Europe/London)")
    expect(preview).to_contain_text("https://northwind.zoom.us/j/123456789")
    expect(preview).to_contain_text("Marco Verdi")
    expect(page.locator("#filing")).to_contain_text("Data Engineer at Northwind")
    assert not Interview.objects.exists()  # nothing until the click

    page.get_by_role("button", name="Log the interview").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Round 1")
    who = page.get_by_role("region", name="Who you met")
    expect(who.locator(".attendee-name")).to_have_text(["Marco Verdi", "Priya Raman"])
    plan = page.get_by_role("region", name="Follow-up plan")
    expect(plan).to_contain_text(re.compile("thank", re.IGNORECASE))

    interview = Interview.objects.get()
    assert interview.application == application
    assert interview.interviewers.count() == 2
    assert browser_errors == {"console": [], "page": [], "failed": []}
