from __future__ import annotations

import zoneinfo

from django.utils import timezone


class CandidateTimezoneMiddleware:
    """Show and read every date and time in the signed-in candidate's own time zone.

    Storage stays UTC; forms interpret a typed time in this zone, and a time that does not
    exist there (a DST gap) is reported as a form error by Django.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)
