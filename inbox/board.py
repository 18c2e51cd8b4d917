"""Who wrote last, on each card of the board (``interviews.board.CARD_EXTRAS``)."""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import SafeString

from inbox.services import clocks_for


def _days(days: int | None) -> str:
    if days is None:
        return "never"
    return {0: "today", 1: "yesterday"}.get(days, f"{days} days ago")


def card_clocks(application_ids: list[int]) -> dict[int, SafeString]:
    """Two queries for all the cards shown: the employer's last message and yours."""
    return {
        pk: format_html(
            '<div class="small text-body-secondary board-clocks">Employer wrote {} · '
            "you {}</div>",
            _days(clock["employer"]),
            _days(clock["you"]),
        )
        for pk, clock in clocks_for(application_ids).items()
    }
