"""The comparison page in Chromium with four long-named applications picked (issue 18, 7).

The picker's checkboxes stay inside their card at 1280 px, and on a phone the page never
scrolls sideways: the wide table scrolls inside its own box, the page does not.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page, expect

from tests.factories import CandidateFactory
from tests.site.main_pages import compare_picked_path, long_named_debriefed
from tests.site.test_accessibility import DESKTOP, OVERFLOW, PHONE

pytestmark = pytest.mark.browser

SCREENSHOTS = os.environ.get("FOLLOWUP_SCREENSHOTS")


@pytest.fixture
def picked(live_server, page: Page, _close_event_loop_connections):
    """A signed-in page of a candidate with four long-named, debriefed applications."""
    owner = CandidateFactory(email="compare@example.com")
    long_named_debriefed(owner)
    client = Client()
    client.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return live_server.url + compare_picked_path(owner)


def _shot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


PICKER_SPILL = """() => {
  const box = document.querySelector("#compare-pick").getBoundingClientRect();
  return [...document.querySelectorAll("#compare-pick .form-check")]
    .map(el => el.getBoundingClientRect())
    .filter(r => r.left < box.left - 1 || r.right > box.right + 1)
    .map(r => Math.round(r.left) + ".." + Math.round(r.right) + " outside " +
      Math.round(box.left) + ".." + Math.round(box.right));
}"""


def test_picker_stays_in_its_box_and_the_page_never_scrolls_sideways(picked, page: Page):
    for viewport, name in ((DESKTOP, "1280"), (PHONE, "390")):
        page.set_viewport_size(viewport)
        page.goto(picked)
        page.wait_for_load_state("networkidle")
        rows = page.locator("#compare-table tbody tr")
        expect(rows).to_have_count(4)
        _shot(page, f"compare-picked-{name}")
        expect(page.locator("#compare-pick input[type=checkbox]:checked")).to_have_count(4)
        assert page.evaluate(PICKER_SPILL) == [], name
        measured = page.evaluate(OVERFLOW)
        assert measured["scrollWidth"] <= measured["innerWidth"], (name, measured)
        # The table is wider than a phone: it scrolls inside its own box, which a keyboard
        # user can reach (it is focusable and named).
        region = page.get_by_role("region", name="Applications side by side")
        expect(region).to_be_visible()
        if viewport is PHONE:
            assert region.evaluate("el => el.scrollWidth > el.clientWidth")
            expect(region).to_have_attribute("tabindex", "0")
