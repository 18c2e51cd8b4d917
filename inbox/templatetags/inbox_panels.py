"""The Inbox's panel on the application page: the two clocks (issue 13.5)."""

from __future__ import annotations

from django import template

from inbox import selectors, services
from interviews.models import Application

register = template.Library()


@register.inclusion_tag("inbox/_clocks.html")
def two_clocks(application: Application) -> dict:
    """ "The employer last wrote N days ago" beside "your last touch N days ago"."""
    mail = selectors.mail_of(application)  # the rows the timeline reads too
    wrote = max((min(m.wrote_at, m.received_at) for m in mail.received), default=None)
    touched = max((c.sent_at for c in mail.sent if c.sent_at), default=None)
    return {
        "application": application,
        # As clocks_for reads them: a Date header in the future is not believed past arrival.
        "clock": services.clock_from(wrote, touched),
        "received": mail.received[:5],
    }
