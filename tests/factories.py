from __future__ import annotations

from datetime import UTC, datetime, timedelta

import factory
from allauth.account.models import EmailAddress

from interviews.models import (
    Application,
    Attendance,
    Candidate,
    Interview,
    Interviewer,
    InterviewerRole,
    StatusChange,
)


class CandidateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Candidate
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"candidate{n}@example.com")
    display_name = factory.Faker("name")
    time_zone = "Europe/London"
    country = "GB"
    # Reminders go only to verified addresses (issue 10.4); tests of the unverified path
    # pass email_verified=False.
    email_verified = True
    # An account in use; tests of the first-run welcome pass welcomed_at=None.
    welcomed_at = factory.LazyFunction(lambda: datetime.now(UTC))
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()
            # allauth's record of the address, agreeing with email_verified.
            EmailAddress.objects.create(
                user=obj, email=obj.email, primary=True, verified=obj.email_verified
            )


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application
        skip_postgeneration_save = True

    owner = factory.SubFactory(CandidateFactory)
    company = factory.Sequence(lambda n: f"Company {n}")
    role_title = "Product Manager"
    listing_text = "We need a product manager who can lead cross-functional teams."

    @factory.post_generation
    def history(obj, create, extracted, **kwargs):
        if create:
            StatusChange.objects.create(
                application=obj, from_status="", to_status=obj.status, changed_at=obj.created_at
            )


class InterviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interview

    application = factory.SubFactory(ApplicationFactory)
    round_number = 1
    format = "video"
    starts_at = factory.LazyFunction(lambda: datetime(2026, 11, 20, 14, 0, tzinfo=UTC))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=1))


class InterviewerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interviewer

    application = factory.SubFactory(ApplicationFactory)
    name = factory.Faker("name")
    title = "Director of Engineering"
    email = factory.Sequence(lambda n: f"interviewer{n}@company.example")
    role = InterviewerRole.HIRING_MANAGER


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    interview = factory.SubFactory(InterviewFactory)
    interviewer = factory.SubFactory(
        InterviewerFactory, application=factory.SelfAttribute("..interview.application")
    )
    topics = "Scaling the data platform"
    concerns = "No direct experience with Kafka"
