"""The application's timeline on the application page of the interviews app.

The interviews app's template loads this tag; its Python code never imports the tracking room.
"""

from __future__ import annotations

from django import template

from tracking.timeline import timeline_for

register = template.Library()


@register.inclusion_tag("tracking/_timeline.html")
def application_timeline(application) -> dict:
    """Status changes, interviews, debriefs, notes sent and reminders, oldest first."""
    return {"application": application, "timeline": timeline_for(application), "link": True}
