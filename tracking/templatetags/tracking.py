"""Template tags of the tracking pages."""

from __future__ import annotations

from datetime import timedelta

from django import template
from django.utils import timezone

from reminders.models import FollowUp, Status

register = template.Library()


@register.inclusion_tag("tracking/_alerts.html", takes_context=True)
def reminder_alerts(context):
    """Warnings that need the candidate's attention: undeliverable reminders."""
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return {"failed": 0}
    recent = timezone.now() - timedelta(days=7)
    failed = FollowUp.objects.filter(
        owner=user, status=Status.FAILED, closed_at__gte=recent
    ).count()
    return {"failed": failed, "no_email": not user.email}
