"""The main pages of the site, filled by ``seed_demo``: the list the accessibility, layout and
HTML-validity checks walk (tests/site/test_accessibility.py, tests/site/test_html_valid.py).

Tools from npm (axe-core, the Nu HTML checker) live in tests/site/node_modules, installed by
``.ci/run`` from tests/site/package.json (``npm ci --ignore-scripts --prefix tests/site``).
"""

from __future__ import annotations

import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils.http import urlencode

NODE_MODULES = Path(__file__).resolve().parent / "node_modules"
INSTALL_HINT = "npm ci --ignore-scripts --prefix tests/site"


def npm_tool(relative: str) -> Path:
    """A file of tests/site/node_modules; a failure in CI, a skip on a workstation."""
    path = NODE_MODULES / relative
    if not path.exists():
        reason = f"{path} is missing; run {INSTALL_HINT}"
        if "CI" in os.environ:
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return path


LONG_EMAIL = "maximiliane.schwarzenberger-oppenheimer@recruiting.globex-international.example"
LONG_URL = "https://news.example.com/2026/12/01/" + "a-very-long-slug-without-any-spaces-" * 4


def seed_demo_candidate():
    """The demo account with every part of the app filled in (a dozen applications), plus the
    long unbroken words real data has: an interviewer's address, a library link."""
    from interviews.models import Attendance, Candidate
    from notes.models import Resource

    call_command("seed_demo", applications=12, stdout=StringIO())
    owner = Candidate.objects.get(email="demo@example.com")
    attendance = (
        Attendance.objects.filter(interview__application__owner=owner)
        .select_related("interviewer")
        .order_by("-interview__starts_at")
        .first()
    )
    attendance.interviewer.email = LONG_EMAIL
    attendance.interviewer.save(update_fields=["email"])
    Resource.objects.create(
        owner=owner, title="Quarterly" + "Forecasting" * 4, url=LONG_URL, tags="forecasting"
    )
    long_named_debriefed(owner)
    return owner


# Real companies and roles run long; a debrief's answers run longer. The comparison page
# must hold four of them side by side without the page scrolling sideways (issue 18, 7).
LONG_NAMED = [
    (
        "Internationale Nederlanden Verzekeringsmaatschappij Holding",
        "Senior Staff Platform Reliability Engineer",
    ),
    (
        "Kreditanstalt für Wiederaufbau Digitalisierungsgesellschaft",
        "Principal Product Designer, Accessibility",
    ),
    (
        "Compagnie Générale des Établissements Technologiques",
        "Head of Customer Experience Operations",
    ),
    (
        "Superlongcompanynamewithoutanyspacesatallincorporated",
        "Engineering Manager, Payments Infrastructure",
    ),
]
LONG_ANSWER = (
    "The team ships to production several times a day and owns its on-call rota; "
    "the hiring manager described a migration away from a monolith I have done twice before. "
) * 3


def long_named_debriefed(owner) -> list:
    """Four open applications with long names, each with a debriefed interview."""
    from datetime import timedelta

    from django.utils import timezone

    from interviews import services
    from interviews.models import Debrief

    applications = []
    ended = timezone.now() - timedelta(days=3)
    for company, role in LONG_NAMED:
        application = services.application_create(
            owner=owner, company=company, role_title=role, status="interviewing"
        )
        interview = services.interview_create(
            application=application, starts_at=ended - timedelta(hours=1), ends_at=ended
        )
        Debrief.objects.create(
            interview=interview, went_well="Mostly.", went_well_rating=4,
            excited_about=LONG_ANSWER, concerns=LONG_ANSWER, top_candidate=LONG_ANSWER,
            top_candidate_rating=3, fit=LONG_ANSWER, completed_at=ended,
        )
        applications.append(application)
    return applications


def compare_picked_path(owner) -> str:
    """The comparison page with the four long-named applications picked."""
    from interviews.models import Application

    ids = Application.objects.filter(
        owner=owner, company__in=[company for company, _ in LONG_NAMED]
    ).values_list("pk", flat=True)
    picks = "&".join(f"pick={pk}" for pk in sorted(ids))
    return f"{reverse('compare')}?picked=1&{picks}"


def main_pages(owner) -> dict[str, str]:
    """Name → path of every main page, for the signed-in ``owner`` (objects of theirs)."""
    from interviews.models import Application, Interview
    from notes.models import Note

    application = (
        Application.objects.filter(owner=owner, interviews__isnull=False)
        .order_by("-interviews__starts_at")
        .first()
    )
    interview = (
        Interview.objects.filter(application__owner=owner, attendances__isnull=False)
        .order_by("-starts_at")
        .first()
    )
    note = Note.objects.filter(application__owner=owner).order_by("-pk").first()
    pages = {
        "dashboard": reverse("home"),
        "applications list": reverse("application_list"),
        "board": reverse("board"),
        "compare": reverse("compare"),
        "compare, four picked": compare_picked_path(owner),
        "insights": reverse("insights"),
        "timeline": reverse("application_timeline", args=[application.pk]),
        "application page": reverse("application_detail", args=[application.pk]),
        "interview page": reverse("interview_detail", args=[interview.pk]),
        "note editor": reverse("note_edit", args=[note.pk]),
        "note print view": reverse("note_print", args=[note.pk]),
        "debrief step": reverse("debrief", args=[interview.pk]),
        "your data": reverse("your_data"),
        "profile": reverse("profile"),
        "welcome": reverse("welcome"),
        "reminder settings": reverse("reminder_settings"),
        "notification settings": reverse("notification_settings"),
        "brag book": reverse("brag_book"),
        "library": reverse("library"),
        "new application": reverse("application_create"),
        "inbox": reverse("inbox"),
        "inbox setup": reverse("inbox_setup"),
        "search results": f"{reverse('search')}?{urlencode({'q': application.company})}",
        "search, no match": f"{reverse('search')}?q=zzyzx",
    }
    return pages


def signed_out_pages() -> dict[str, str]:
    return {"sign-in": reverse("account_login"), "sign-up": reverse("account_signup")}
