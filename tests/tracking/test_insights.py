"""Insights: applications by status, interviews per week, days from interview to decision
and thank-you notes sent within 24 hours, drawn as server-rendered SVG."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from interviews.models import Application, Candidate, StatusChange
from notes.models import Correspondence, CorrespondenceKind
from tests.factories import ApplicationFactory, InterviewFactory
from tests.tracking.tracking_fixtures import frozen  # noqa: F401 — a fixture
from tracking import insights

# --- The chart geometry, without the database ---------------------------------------------


def test_bars_are_scaled_to_the_largest_value_and_share_the_width():
    chart = insights.bar_chart([("a", 2, "x"), ("b", 4, "y"), ("c", 0, "z")], width=300)

    tallest = insights.PLOT_BOTTOM - insights.PLOT_TOP
    assert [bar.height for bar in chart.bars] == [tallest / 2, tallest, 0]
    assert [bar.y + bar.height for bar in chart.bars] == [insights.PLOT_BOTTOM] * 3
    assert [bar.x for bar in chart.bars] == [6.0, 106.0, 206.0]
    assert {bar.width for bar in chart.bars} == {88.0}
    assert chart.total == 6


def test_an_empty_chart_has_no_bars():
    assert insights.bar_chart([]).bars == []
    assert [bar.height for bar in insights.bar_chart([("a", 0, "x")]).bars] == [0]


def test_share_splits_one_bar():
    share = insights.Share(part=2, whole=3, width=600)

    assert (share.percent, share.part_width, share.rest_width) == (67, 400.0, 200.0)
    assert insights.Share(part=0, whole=0).percent is None


def test_days_are_counted_into_buckets():
    chart = insights.day_histogram([0.5, 3.9, 4.0, 7.99, 8, 30.5, 31, 90])

    assert [(bar.label, bar.value) for bar in chart.bars] == [
        ("0–3", 2), ("4–7", 2), ("8–14", 1), ("15–30", 1), ("31+", 2),
    ]


# --- The page -----------------------------------------------------------------------------

NOV = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)  # a Monday


def _decided(owner, company: str, interview_end: datetime, days: int, status: str):
    application = ApplicationFactory(owner=owner, company=company, status=status)
    InterviewFactory(
        application=application, starts_at=interview_end - timedelta(hours=1),
        ends_at=interview_end,
    )
    StatusChange.objects.create(
        application=application, from_status="interviewing", to_status=status,
        changed_at=interview_end + timedelta(days=days),
    )
    return application


@pytest.fixture
def history(owner, frozen):  # noqa: F811 — the fixture imported above
    _decided(owner, "Acme", NOV, 4, "rejected")
    _decided(owner, "Globex", NOV + timedelta(days=1), 10, "offer")
    globex_interview = _decided(owner, "Initech", NOV + timedelta(days=2), 2, "offer")
    # A withdrawal is the candidate's decision, not the employer's: not counted.
    _decided(owner, "Hooli", NOV, 1, "withdrawn")
    interview = globex_interview.interviews.get()
    for hours in (3, 20, 30):
        Correspondence.objects.create(
            application=globex_interview, interview=interview,
            kind=CorrespondenceKind.THANK_YOU, sent_at=interview.ends_at + timedelta(hours=hours),
        )
    # This week (from Monday 16 November): two interviews.
    for day in (16, 17):
        InterviewFactory(
            application=globex_interview,
            starts_at=datetime(2026, 11, day, 9, tzinfo=UTC),
            ends_at=datetime(2026, 11, day, 10, tzinfo=UTC),
        )


def test_insights_compute_each_measure(owner, history):
    result = insights.insights_for(owner)

    assert {bar.label: bar.value for bar in result.by_status.bars if bar.value} == {
        "Rejected": 1, "Offer": 2, "Withdrawn": 1,
    }
    weeks = {bar.label: bar.value for bar in result.per_week.bars}
    assert len(weeks) == insights.WEEKS
    assert list(weeks)[-1] == "16 Nov"
    assert weeks["16 Nov"] == 2
    assert weeks["2 Nov"] == 4
    assert (result.median_days, result.decided) == (4.0, 3)
    assert (result.thank_you.part, result.thank_you.whole) == (2, 3)


def test_insights_page_draws_svg_charts_without_inline_styles(owner_client, history):
    response = owner_client.get(reverse("insights"))

    content = response.content.decode()
    assert content.count("<svg") == 4
    assert not re.search(r"\sstyle=", content)
    assert "<script" not in content.split("<main", 1)[1]
    assertContains(response, '<rect class="bar bar-status-offer"')
    assertContains(response, "4.0</span> days is the median wait")
    assertContains(response, "67 %</span> of your 3 thank-you notes")


def test_insights_count_only_the_candidates_own_data(owner_client, outsider, history):
    _decided(outsider, "Theirs Ltd", NOV, 30, "rejected")

    response = owner_client.get(reverse("insights"))

    assertContains(response, "over 3 applications")
    assertNotContains(response, "Theirs Ltd")


def test_a_new_candidate_is_told_what_will_appear(owner_client):
    response = owner_client.get(reverse("insights"))

    assertContains(response, "No applications yet.")
    assertContains(response, "No thank-you note recorded yet.")


# --- Decisions as the status history records them --------------------------------------------


def test_the_demo_median_wait_is_measured_from_its_recorded_decisions(db):
    call_command("seed_demo", "--no-plan", stdout=StringIO())
    owner = Candidate.objects.get(email="demo@example.com")
    decided = Application.objects.owned_by(owner).filter(status__in=insights.DECISIONS)

    result = insights.insights_for(owner)

    assert decided.count() > 0
    assert result.decisions == decided.count()
    held = decided.filter(interviews__ends_at__lte=timezone.now()).distinct().count()
    assert result.decided == held > 0
    assert result.median_days is not None and result.median_days >= 0


def test_decisions_recorded_before_any_interview_are_counted_not_denied(owner_client, owner):
    application = ApplicationFactory(owner=owner, status="rejected")
    StatusChange.objects.create(
        application=application, from_status="applied", to_status="rejected",
        changed_at=timezone.now() - timedelta(days=3),
    )

    response = owner_client.get(reverse("insights"))

    assertContains(response, "1 decision recorded, each before any interview you logged")
    assertNotContains(response, "No decision recorded yet")


def test_an_application_decided_twice_counts_once_from_its_first_decision(owner):
    application = ApplicationFactory(owner=owner, status="rejected")
    InterviewFactory(application=application, starts_at=NOV - timedelta(hours=1), ends_at=NOV)
    InterviewFactory(
        application=application, starts_at=NOV + timedelta(days=5),
        ends_at=NOV + timedelta(days=5, hours=1),
    )
    for to_status, days in (("offer", 2), ("rejected", 9), ("filled", 9)):
        StatusChange.objects.create(
            application=application, from_status="interviewing", to_status=to_status,
            changed_at=NOV + timedelta(days=days),
        )

    result = insights.insights_for(owner)

    assert (result.decisions, result.decided, result.median_days) == (1, 1, 2.0)
