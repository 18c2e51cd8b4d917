"""Issue 18.4 in a real Chromium: straight after "Rejected" is saved on the application
page, the page shows the rejection's plan, with no worker running and no reload."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from interviews import services as interview_services
from interviews.models import ApplicationStatus
from reminders import rules
from tests.factories import CandidateFactory
from tests.site.test_welcome_browser import signed_in_page  # noqa: F401 — a fixture

pytestmark = pytest.mark.browser

STATUS_UPDATE = rules.RULES["R6"].title
CORDIAL_REPLY = rules.RULES["R9"].title


@pytest.fixture
def waiting_for_news(live_server, _close_event_loop_connections):
    """An application whose promised decision date passed three days ago."""
    candidate = CandidateFactory(email="ines@example.com", display_name="Inès Moreau")
    now = timezone.now()
    application = interview_services.application_create(
        owner=candidate,
        company="Acme Analytics",
        role_title="Product Manager",
        status=ApplicationStatus.INTERVIEWING,
        decision_date=(now - timedelta(days=3)).date(),
        at=now - timedelta(days=20),
    )
    interview_services.interview_create(
        application=application,
        round_number=1,
        format="video",
        starts_at=now - timedelta(days=12, hours=1),
        ends_at=now - timedelta(days=12),
    )
    return application


def test_after_saving_rejected_the_page_shows_the_rejections_plan(
    signed_in_page, live_server, waiting_for_news  # noqa: F811
):
    application = waiting_for_news
    page = signed_in_page(application.owner)
    page.goto(live_server.url + application.get_absolute_url())
    plan = page.get_by_role("region", name="Follow-up plan")
    open_items = plan.locator("li.followup:has(form)")
    expect(open_items.filter(has_text=STATUS_UPDATE)).to_have_count(1)

    page.get_by_label("Status").select_option(ApplicationStatus.REJECTED)
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator(".badge", has_text="Rejected").first).to_be_visible()
    expect(open_items.filter(has_text=STATUS_UPDATE)).to_have_count(0)
    expect(open_items.filter(has_text=CORDIAL_REPLY)).to_have_count(1)
    assert page.errors == []  # type: ignore[attr-defined]
