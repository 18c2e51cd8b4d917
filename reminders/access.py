"""Owner-scoped fetching of the reminders app's objects (see ``interviews.access``).

A signed-in candidate's follow-up is fetched here, so another candidate's is a 404. The
signed links of a reminder email are the other way in: their token names the owner
(``views.followup_link``).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from reminders.models import AppriseChannel, FollowUp, PushDevice


def get_followup_for_user(request: HttpRequest, pk: int) -> FollowUp:
    return get_object_or_404(
        FollowUp.objects.owned_by(request.user).select_related("application", "interviewer"),
        pk=pk,
    )


def get_device_for_user(request: HttpRequest, pk: int) -> PushDevice:
    return get_object_or_404(PushDevice.objects.filter(owner=request.user), pk=pk)


def get_apprise_for_user(request: HttpRequest, pk: int) -> AppriseChannel:
    return get_object_or_404(AppriseChannel.objects.filter(owner=request.user), pk=pk)
