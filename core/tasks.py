"""Housekeeping tasks of the site itself (not of any one app)."""

from __future__ import annotations

from celery import shared_task
from django.core import management


@shared_task
def clear_expired_sessions() -> None:
    management.call_command("clearsessions")
