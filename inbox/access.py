"""Owner-scoped fetching of the Inbox's objects (see ``interviews.access``).

Each helper filters by the signed-in candidate, so another candidate's message or mailbox
is a 404.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from inbox.models import MailboxConnection, ReceivedMessage


def get_message_for_user(request: HttpRequest, pk: int) -> ReceivedMessage:
    return get_object_or_404(
        ReceivedMessage.objects.owned_by(request.user).select_related("application"), pk=pk
    )


def get_mailbox_for_user(request: HttpRequest, pk: int) -> MailboxConnection:
    return get_object_or_404(MailboxConnection.objects.owned_by(request.user), pk=pk)
