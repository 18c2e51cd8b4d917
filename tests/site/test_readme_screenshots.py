"""The README's four screenshots, taken afresh on every run (issue 18, "Done means").

A realistic account (``seed_demo``: its companies, roles and interviewers, with a name of its
own and a thank-you half written) is opened in Chromium at 1280 x 800 in the light mode, and
the dashboard, an application page, the note editor and the board are saved to
docs/screenshots/ as the README shows them. Each run replaces them, so the committed images
follow the pages; the test checks that each is a PNG of the viewport's size and small enough
for a README (tests/site/test_readme.py checks that the README shows exactly these).
"""

from __future__ import annotations

import os
import struct
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
VIEWPORT = {"width": 1280, "height": 800}
MOST_BYTES = 250_000
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# With FOLLOWUP_SCREENSHOTS=dir the same pages are also saved there whole, in both colour
# modes at 1280 and 390 px, to look at them.
LOOK_AT = os.environ.get("FOLLOWUP_SCREENSHOTS")

NOTE_BODY = """Dear {name},

Thank you for taking the time to talk with me yesterday about {topic}. I especially enjoyed \
hearing how the team decides what to build next, and it made me even more excited about the role.

You asked how I would handle a roadmap with too many priorities. At my last company I cut a \
quarter's plan from twelve projects to four by asking each team what they would stop doing, \
and we shipped all four on time.

I look forward to hearing about the next steps.

Best wishes,
Priya Raman"""


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's header; an error if the file is not a PNG."""
    head = path.read_bytes()[:24]
    assert head[:8] == PNG_SIGNATURE, f"{path.name} is not a PNG"
    assert head[12:16] == b"IHDR", f"{path.name} has no PNG header"
    return struct.unpack(">II", head[16:24])


@pytest.fixture
def realistic_account(live_server, _close_event_loop_connections):
    from interviews.models import Candidate
    from notes.models import Note

    call_command("seed_demo", applications=12, stdout=StringIO())
    owner = Candidate.objects.get(email="demo@example.com")
    owner.display_name = owner.signature_name = "Priya Raman"
    owner.save(update_fields=["display_name", "signature_name"])
    note = Note.objects.filter(application__owner=owner, sent_at__isnull=True).latest("pk")
    topic = note.body.split("talk about ", 1)[-1].rstrip("…").strip() or "the role"
    note.body = NOTE_BODY.format(name=note.interviewer.name, topic=topic)
    note.save(update_fields=["body"])
    return owner, note


def _signed_in_context(browser: Browser, live_server, owner, **options):
    client = Client()
    client.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
    context = browser.new_context(device_scale_factor=1, **options)
    context.add_cookies([{
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }])
    return context


def _look_at(browser: Browser, live_server, owner, pages: dict[str, str]) -> None:
    folder = Path(LOOK_AT)
    folder.mkdir(parents=True, exist_ok=True)
    for scheme in ("light", "dark"):
        for width in (1280, 390):
            options = {"viewport": {"width": width, "height": 800}, "color_scheme": scheme}
            context = _signed_in_context(browser, live_server, owner, **options)
            page = context.new_page()
            for name, path in pages.items():
                page.goto(live_server.url + path)
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(folder / f"{name}-{scheme}-{width}.png"), full_page=True)
            context.close()


def test_the_readme_screenshots_are_taken_afresh(browser: Browser, live_server, realistic_account):
    owner, note = realistic_account
    context = _signed_in_context(
        browser, live_server, owner, viewport=VIEWPORT, color_scheme="light"
    )
    pages = {
        "dashboard": reverse("home"),
        "application": reverse("application_detail", args=[note.application_id]),
        "note-editor": reverse("note_edit", args=[note.pk]),
        "board": reverse("board"),
    }
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = context.new_page()
    try:
        for name, path in pages.items():
            target = SCREENSHOTS / f"{name}.png"
            target.unlink(missing_ok=True)
            response = page.goto(live_server.url + path)
            assert response is not None and response.status == 200, (name, response)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(target), animations="disabled", caret="hide")
    finally:
        context.close()

    if LOOK_AT:
        _look_at(browser, live_server, owner, pages)
    for name in pages:
        target = SCREENSHOTS / f"{name}.png"
        assert png_size(target) == (VIEWPORT["width"], VIEWPORT["height"]), name
        assert 10_000 < target.stat().st_size <= MOST_BYTES, (name, target.stat().st_size)
