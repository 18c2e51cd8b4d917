"""Sign-in helpers that follow the candidate model's rules."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def axes_username(request: HttpRequest, credentials: dict | None = None) -> str:
    """The email django-axes counts failures against, normalised like stored emails.

    Sign-in ignores letter case, so without this ``Owner@…`` and ``owner@…`` would each get
    their own five attempts against the same account.
    """
    data = credentials or getattr(request, "data", request.POST)
    return (data.get(settings.AXES_USERNAME_FORM_FIELD) or "").strip().lower()
