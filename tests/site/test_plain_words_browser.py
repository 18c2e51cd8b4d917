"""In a real Chromium: a plan item, a coach check and a reminder setting each open the
advice they come from under "Why?", with the keyboard, and show no rule or check id."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page, expect

from core.articles import ARTICLES
from tests.site.main_pages import main_pages, seed_demo_candidate

pytestmark = pytest.mark.browser

CODES = re.compile(r"\bR\d{1,2}\b|\bC\d{1,2}\b|seed \d{3}|seeds \d")
TITLES = re.compile("|".join(re.escape(title) for title in ARTICLES.values()))


@pytest.fixture
def demo(live_server, _close_event_loop_connections):
    owner = seed_demo_candidate()
    client = Client()
    client.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
    session = client.cookies[settings.SESSION_COOKIE_NAME].value

    def open_page(page: Page, name: str) -> None:
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )
        page.goto(f"{live_server.url}{main_pages(owner)[name]}")

    return open_page


@pytest.mark.parametrize(
    ("name", "item"),
    [
        ("application page", ".followup-plan > li"),
        ("note editor", ".coach-result"),
        ("reminder settings", "fieldset .form-check"),
    ],
)
def test_why_opens_the_advice_and_its_article_from_the_keyboard(demo, page: Page, name, item):
    demo(page, name)
    why = page.locator(item).first.locator("details.why")
    advice = why.locator("q")
    expect(advice).to_be_hidden()

    why.locator("summary").focus()
    page.keyboard.press("Enter")

    expect(advice).to_be_visible()
    expect(why.locator("cite")).to_have_text(TITLES)
    expect(page.locator("main")).not_to_contain_text(CODES)
