"""Owner-scoped fetching of the notes app's objects (see ``interviews.access``).

Each helper filters by the signed-in candidate, so another candidate's object is a 404.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from notes.models import Achievement, Note, Resource, Testimonial


def get_note_for_user(request: HttpRequest, pk: int) -> Note:
    return get_object_or_404(
        Note.objects.owned_by(request.user).select_related(
            "application", "interview", "interviewer"
        ),
        pk=pk,
    )


def get_testimonial_for_user(request: HttpRequest, pk: int) -> Testimonial:
    return get_object_or_404(Testimonial.objects.owned_by(request.user), pk=pk)


def get_achievement_for_user(request: HttpRequest, pk: int) -> Achievement:
    return get_object_or_404(Achievement.objects.owned_by(request.user), pk=pk)


def get_resource_for_user(request: HttpRequest, pk: int) -> Resource:
    return get_object_or_404(Resource.objects.owned_by(request.user), pk=pk)
