"""Factories for the debrief; the shared ones are in ``tests/factories.py``."""

from __future__ import annotations

import factory
from django.utils import timezone

from interviews.models import Debrief
from tests.factories import InterviewFactory


class DebriefFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Debrief

    interview = factory.SubFactory(InterviewFactory)
    went_well = "Mostly: the system design round flowed."
    went_well_rating = 4
    excited_about = "The data platform and the team's pace."
    concerns = "On-call load."
    did_not_do_well = "Rambled on the conflict question."
    to_practise = "Salary expectations."
    top_candidate = "Yes: I have run this migration before."
    top_candidate_rating = 4
    fit = "Remote-first, product-minded: a good fit."
    created_at = factory.LazyFunction(timezone.now)
    completed_at = factory.SelfAttribute("created_at")
