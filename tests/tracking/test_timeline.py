"""Each application's timeline: status changes, interviews, debriefs, notes sent and the
reminders emailed with their outcome, in one chronological list."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from reminders.models import FollowUp, Status
from tests.factories import CandidateFactory
from tests.tracking.tracking_fixtures import (
    CURRENT_TIME,
    MAX_QUERIES,
    YESTERDAY_2PM,
    count_queries,
    frozen,  # noqa: F401 — a fixture
    lived_in,
    many_applications,
    signed_in,
)
from tracking.timeline import timeline_for

pytestmark = pytest.mark.usefixtures("frozen")


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _entries(response, css: str = "timeline") -> list[str]:
    found = re.search(rf'<ol class="{css}[^"]*">(.*?)</ol>', response.content.decode(), re.S)
    assert found, f"no {css} list"
    return [_text(item) for item in re.findall(r"<li[^>]*>(.*?)</li>", found.group(1), re.S)]


@pytest.fixture
def lived(owner):
    return lived_in(owner)


def test_timeline_tells_the_story_in_order(owner_client, lived):
    response = owner_client.get(reverse("application_timeline", args=[lived.application.pk]))

    assert _entries(response) == [
        "8 Nov 2026, 15:30 Created as Applied",
        "17 Nov 2026, 14:00 Round 1 (Video)",
        "17 Nov 2026, 16:00 Debriefed round 1 went well: 4/5",
        "17 Nov 2026, 18:01 Reminder: Send a thank-you email — Ada Lovelace done on 17 Nov 2026",
        "17 Nov 2026, 18:01 Reminder: Send a thank-you email — Grace Hopper not acted on yet",
        "17 Nov 2026, 19:00 Thank-you note sent to Ada Lovelace Email · Thank you",
        # Logging the interview (at the frozen time) moved the application on.
        "18 Nov 2026, 15:30 Applied → Interviewing",
    ]
    assert _entries(response, "coming-up") == ["19 Nov 2026, 10:00 Round 2 (On-site)"]


def test_a_failed_reminder_shows_why(owner_client, lived):
    FollowUp.objects.create(
        owner=lived.owner, application=lived.application, interviewer=lived.grace, rule="R13",
        key=f"R13:{lived.grace.pk}", due_at=YESTERDAY_2PM, status=Status.FAILED,
        closed_at=YESTERDAY_2PM + timedelta(minutes=1), last_error="550 No such user",
    )

    timeline = timeline_for(lived.application)

    failed = [event for event in timeline.past if "contact details" in event.title]
    assert [event.detail for event in failed] == ["could not be emailed: 550 No such user"]


def test_reminders_not_yet_sent_are_not_on_the_timeline(lived):
    FollowUp.objects.create(
        owner=lived.owner, application=lived.application, rule="R7", key="R7:later",
        due_at=CURRENT_TIME + timedelta(days=3),
    )

    titles = [event.title for event in timeline_for(lived.application).past]

    assert not any("Check in politely" in title for title in titles)


def test_application_page_shows_the_timeline_instead_of_the_bare_history(owner_client, lived):
    response = owner_client.get(lived.application.get_absolute_url())

    assertContains(response, '<h2 class="h6" id="timeline-heading-', count=1)
    assert "Thank-you note sent to Ada Lovelace Email · Thank you" in " ".join(
        _entries(response)
    )
    assertContains(response, reverse("application_timeline", args=[lived.application.pk]))


def test_another_candidates_timeline_is_not_found(client, outsider, lived):
    client.force_login(outsider, backend="django.contrib.auth.backends.ModelBackend")

    response = client.get(reverse("application_timeline", args=[lived.application.pk]))

    assert response.status_code == 404


def test_timeline_page_runs_the_same_few_queries_for_1_and_1000_applications(db, capsys):
    small, large = CandidateFactory(), CandidateFactory()
    few = many_applications(small, 1)
    lots = many_applications(large, 1000)

    one = count_queries(signed_in(small), reverse("application_timeline", args=[few[0].pk]))
    thousand = count_queries(
        signed_in(large), reverse("application_timeline", args=[lots[500].pk])
    )

    with capsys.disabled():
        print(f"\ntimeline queries: {one} with 1 application, {thousand} with 1,000")
    assert one == thousand <= MAX_QUERIES


def _window_closed_after_the_email(lived, note: str) -> FollowUp:
    lived.owner.time_zone = "America/New_York"  # EST in November: UTC-5
    lived.owner.save(update_fields=["time_zone"])
    row = FollowUp.objects.get(interviewer=lived.grace, rule="R2")
    row.status, row.status_note = Status.SKIPPED, note
    row.closed_at = CURRENT_TIME
    row.save(update_fields=["status", "status_note", "closed_at"])
    return row


def test_R2_emailed_reminder_whose_window_closed_reads_reminded_not_skipped(owner_client, lived):
    # A row closed before the planner wrote "Reminded on …" (an older note): the timeline
    # says it in the candidate's zone all the same, like the plan panel (issue 13).
    _window_closed_after_the_email(lived, "Skipped: its window closed on Thu 19 Nov 2026, 15:00.")

    response = owner_client.get(reverse("application_timeline", args=[lived.application.pk]))

    grace = [entry for entry in _entries(response) if "Grace Hopper" in entry]
    assert grace == [
        "17 Nov 2026, 13:01 Reminder: Send a thank-you email — Grace Hopper "
        "Reminded on Tue 17 Nov 2026, 13:01; its window closed on Thu 19 Nov 2026, 10:00"
    ]
    assert "skipped" not in " ".join(grace)


def test_R2_emailed_reminder_whose_window_closed_keeps_the_planners_words(lived):
    note = "Reminded on Tue 17 Nov 2026, 13:01; its window closed on Thu 19 Nov 2026, 10:00."
    _window_closed_after_the_email(lived, note)

    timeline = timeline_for(lived.application)

    grace = [event for event in timeline.past if "Grace Hopper" in event.title]
    assert [(event.detail, event.detail_at) for event in grace] == [(note[:-1], None)]
