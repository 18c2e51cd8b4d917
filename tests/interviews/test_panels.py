"""The interview page's panels follow its data: adding a person updates the plan and the
thank-you notes panel without a reload (htmx out-of-band swaps; no inline script)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect

from tests.factories import ApplicationFactory, InterviewFactory

HTMX = {"HX-Request": "true"}
BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture
def interview(owner):
    ended = timezone.now() - timedelta(hours=1)
    return InterviewFactory(
        application=ApplicationFactory(owner=owner, company="Acme Robotics"),
        starts_at=ended - timedelta(hours=1),
        ends_at=ended,
    )


def _person(name: str) -> dict:
    return {
        "name": name,
        "title": "VP Engineering",
        "role": "hiring_manager",
        "email": "jane.doe@acme.example",
        "phone": "",
        "topics": "Platform migration",
        "concerns": "",
    }


# Transactional: the plan is made in the request, after the change commits.
@pytest.mark.django_db(transaction=True)
def test_adding_a_person_swaps_the_plan_and_notes_panels_out_of_band(owner_client, interview):
    response = owner_client.post(
        reverse("interviewer_add", args=[interview.pk]), _person("Jane Doe"),
        headers={**HTMX, "HX-Current-URL": f"http://testserver{interview.get_absolute_url()}"},
    )

    content = response.content.decode()
    assert response.status_code == 200
    plan = content[content.index('<div id="plan-panel"') :]
    assert 'data-hx-swap-oob="true"' in plan.split(">", 1)[0]
    # The thank-yous of the interview: one task, a line for Jane.
    assert "Thank the person you met" in plan and 'class="person">Jane Doe<' in plan
    # Its Done and Skip come back to the interview page, not to the URL htmx posted to.
    page = interview.get_absolute_url()
    assert f'name="next" value="{page}"' in plan
    assert 'name="next" value="/interviews/' + f'{interview.pk}/interviewers/' not in plan
    notes = content[content.index('<div id="notes-panel"') :]
    assert 'data-hx-swap-oob="true"' in notes.split(">", 1)[0]
    assert "Jane Doe:" in notes
    assert "not started" in notes


def test_a_rejected_person_leaves_the_panels_alone(owner_client, interview):
    response = owner_client.post(
        reverse("interviewer_add", args=[interview.pk]),
        {**_person("Jane Doe"), "email": "not-an-address"},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert "data-hx-swap-oob" not in response.content.decode()


def test_the_interview_page_marks_the_panels_it_refreshes(owner_client, interview):
    page = owner_client.get(interview.get_absolute_url()).content.decode()

    assert '<div id="plan-panel">' in page
    assert '<div id="notes-panel">' in page


# --- In Chromium ------------------------------------------------------------------------------


def _signed_in(context: BrowserContext, base_url: str, user) -> None:
    """The session of a signed-in user, as a cookie: sign-in pages are not under test."""
    client = Client()
    client.force_login(user, backend=BACKEND)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url}]
    )


@pytest.mark.browser
def test_panels_update_in_chromium_after_adding_people_without_a_reload(
    live_server, context: BrowserContext, page: Page, owner, interview
):
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    _signed_in(context, live_server.url, owner)
    page.goto(f"{live_server.url}{interview.get_absolute_url()}")
    plan, notes = page.locator("#plan-panel"), page.locator("#notes-panel")
    expect(notes).to_contain_text("Add the people you met")
    page.evaluate("window.__not_reloaded = true")

    form = page.locator("#add-attendee-form")
    form.get_by_label("Name").fill("Jane Doe")
    form.get_by_label("Email").fill("jane.doe@acme.example")
    form.get_by_role("button", name="Add").click()

    expect(page.locator(".attendee-name")).to_have_text(["Jane Doe"])
    expect(notes).to_contain_text("Jane Doe:")
    expect(notes.get_by_role("button", name="Write notes")).to_be_visible()
    expect(plan).to_contain_text("Thank the person you met")
    expect(plan.locator(".thanks-line .person")).to_have_text(["Jane Doe"])

    form.get_by_label("Name").fill("Grace Hopper")
    form.get_by_role("button", name="Add").click()

    expect(notes).to_contain_text("Grace Hopper:")
    # The same task, now for two: one line each.
    expect(plan).to_contain_text("Thank the 2 people you met")
    expect(plan.locator(".thanks-line .person")).to_have_text(["Grace Hopper", "Jane Doe"])
    assert page.locator("#plan-panel").count() == 1
    assert page.evaluate("window.__not_reloaded") is True
    assert not errors
