"""The advice behind each of the coach's checks, for its "Why?" (notes/_coach.html)."""

from __future__ import annotations

from django import template

from notes import coach

register = template.Library()


@register.filter
def why(result: coach.Result) -> coach.Why | None:
    """The article's sentence and title that a check's result comes from."""
    return coach.WHY.get(result.check)
