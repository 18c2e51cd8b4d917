"""The print view in a real Chromium: a letter at the coach's length limit fits one page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from notes import coach, selectors, services
from notes.models import Note

pytestmark = pytest.mark.browser

MM = 96 / 25.4  # CSS pixels per millimetre
# The printable area shared by A4 and US Letter with the print view's 20 mm margins.
PAGE_HEIGHT_MM = 279.4 - 2 * 20

PARAGRAPH = (
    "Thank you for taking the time to meet with me about the data platform role. I enjoyed "
    "our conversation about scaling event streaming across every team, and I have thought "
    "more about the migration plan you described; here is how I would approach the first "
    "ninety days, team by team, starting where batch jobs fail most often. "
)


def _body_of(lines: int) -> str:
    """Prose paragraphs separated by blank lines, estimated at exactly ``lines`` lines."""
    parts: list[str] = []
    while coach.letter_lines("\n".join(parts)) < lines:
        left = lines - coach.letter_lines("\n".join(parts))
        if parts:
            parts.append("")
            left -= 1
        if left <= 0:
            break
        chars = min(left, 4) * coach.LETTER_CHARS_PER_LINE
        parts.append((PARAGRAPH * 3)[:chars].rstrip())
    body = "\n".join(parts)
    assert coach.letter_lines(body) == lines
    return body


def _letter(owner, interview, manager, body_lines: int | None = None) -> Note:
    note = services.note_create(
        application=interview.application,
        candidate=owner,
        interviewer=manager.interviewer,
        kind="thank_you",
        channel="letter",
        interview=interview,
    )
    header = selectors.letter_header_lines(owner, note)
    lines = (body_lines or coach.LETTER_MAX_LINES - header)
    Note.objects.filter(pk=note.pk).update(body=_body_of(lines))
    note.refresh_from_db()
    return note


def _use_font(page: Page, family: str) -> None:
    # Through the CSSOM: the page's CSP (rightly) refuses an injected <style>.
    page.evaluate(f"document.getElementById('printed').style.fontFamily = '{family}'")


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def _printed_height_mm(page: Page) -> float:
    height = page.evaluate("document.getElementById('printed').getBoundingClientRect().height")
    return height / MM


@pytest.fixture
def at_limit(owner_with_signature, interview, manager):
    note = _letter(owner_with_signature, interview, manager)
    header = selectors.letter_header_lines(owner_with_signature, note)
    assert coach.letter_lines(note.body, header) == coach.LETTER_MAX_LINES
    return note


def test_letter_at_the_length_limit_prints_on_one_page(
    live_server, page: Page, sign_in, owner_with_signature, at_limit
):
    context = selectors.Sheet.load(at_limit.application, owner_with_signature).context(
        at_limit, selectors.draft_of(at_limit)
    )
    assert coach.c6_fits_channel(context).status == coach.Status.PASS
    sign_in(page, owner_with_signature)

    page.goto(live_server.url + reverse("note_print", args=[at_limit.pk]))
    page.emulate_media(media="print")

    assert page.locator(".toolbar").is_hidden()
    assert _printed_height_mm(page) <= PAGE_HEIGHT_MM
    assert _pages(page.pdf(format="A4")) == 1
    assert _pages(page.pdf(format="Letter")) == 1


def test_letter_at_the_limit_fits_in_the_widest_fallback_font(
    live_server, page: Page, sign_in, owner_with_signature, at_limit
):
    sign_in(page, owner_with_signature)
    page.goto(live_server.url + reverse("note_print", args=[at_limit.pk]))
    page.emulate_media(media="print")

    _use_font(page, "DejaVu Serif")

    assert _printed_height_mm(page) <= PAGE_HEIGHT_MM
    assert _pages(page.pdf(format="Letter")) == 1


def test_a_letter_over_the_limit_would_not_fit(
    live_server, page: Page, sign_in, owner_with_signature, interview, manager
):
    """The control: the measurement above does see a letter that is too long."""
    note = _letter(
        owner_with_signature, interview, manager, body_lines=2 * coach.LETTER_MAX_LINES
    )
    sign_in(page, owner_with_signature)

    page.goto(live_server.url + reverse("note_print", args=[note.pk]))
    page.emulate_media(media="print")

    assert _printed_height_mm(page) > PAGE_HEIGHT_MM
    assert _pages(page.pdf(format="A4")) == 2


def test_card_at_the_word_limit_fits_the_card(
    live_server, page: Page, sign_in, owner_with_signature, interview, manager
):
    note = services.note_create(
        application=interview.application, candidate=owner_with_signature,
        interviewer=manager.interviewer, kind="thank_you", channel="card", interview=interview,
    )
    words = (PARAGRAPH * 3).split()[: coach.CARD_MAX_WORDS - 6]
    Note.objects.filter(pk=note.pk).update(
        body=f"Dear Grace,\n\n{' '.join(words)}\n\nWith thanks,\nAda Lovelace"
    )
    sign_in(page, owner_with_signature)

    page.goto(live_server.url + reverse("note_print", args=[note.pk]))
    page.emulate_media(media="print")
    _use_font(page, "DejaVu Serif")

    overflow = page.evaluate(
        "(() => { const card = document.getElementById('printed');"
        " return card.scrollHeight - card.clientHeight; })()"
    )
    assert overflow <= 0
