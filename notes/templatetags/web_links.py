"""Links to the web that a stranger wrote (a calendar invitation, an imported export)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django import template

register = template.Library()


@register.filter
def web_url(value: str) -> str:
    """The address if it is an http(s) link to a host, else "" (shown as text, not a link):
    a ``javascript:`` or ``data:`` address in an href runs or shows what its writer chose."""
    try:
        parts = urlsplit(value or "")
    except ValueError:
        return ""
    return value if parts.scheme.lower() in ("http", "https") and parts.netloc else ""
