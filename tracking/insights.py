"""Insights across all applications, drawn as server-rendered SVG (no script, no CDN).

It reads applications, interviews, status history and the notes sent, so it lives in the
tracking room, which composes the apps; it only reads.

Four aggregate queries, whatever the number of applications. The chart geometry is
computed by pure code (``bar_chart``, ``day_histogram``, ``Share``) and the templates only
draw the rectangles they are given; colours come from classes in ``static/css/tracking.css``.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import TruncWeek
from django.utils import timezone

from interviews.models import Application, ApplicationStatus, Interview, StatusChange
from notes.models import Correspondence, CorrespondenceKind

WEEKS = 12
THANK_YOU_WINDOW = timedelta(hours=24)
# The employer's decisions; a withdrawal is the candidate's own.
DECISIONS = (
    ApplicationStatus.OFFER, ApplicationStatus.ACCEPTED, ApplicationStatus.REJECTED,
    ApplicationStatus.FILLED,
)
DAY_BUCKETS = ((0, 3, "0–3"), (4, 7, "4–7"), (8, 14, "8–14"), (15, 30, "15–30"),
               (31, None, "31+"))

CHART_WIDTH, CHART_HEIGHT = 600, 220
PLOT_TOP, PLOT_BOTTOM = 24, 180  # room above for values, below for labels


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    css: str
    x: float
    y: float
    width: float
    height: float

    @property
    def centre(self) -> float:
        return round(self.x + self.width / 2, 2)

    @property
    def value_y(self) -> float:
        return round(self.y - 6, 2)


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    baseline: int = PLOT_BOTTOM
    label_y: int = PLOT_BOTTOM + 18

    @property
    def total(self) -> int:
        return sum(bar.value for bar in self.bars)


def bar_chart(values: list[tuple[str, int, str]], *, width: int = CHART_WIDTH) -> BarChart:
    """Vertical bars for (label, value, css class), scaled to the largest value."""
    if not values:
        return BarChart(bars=[], width=width)
    slot = width / len(values)
    gap = min(12.0, slot * 0.2)
    top = max((value for _, value, _ in values), default=0) or 1
    plot = PLOT_BOTTOM - PLOT_TOP
    bars = []
    for index, (label, value, css) in enumerate(values):
        height = plot * value / top
        bars.append(Bar(
            label=label, value=value, css=css,
            x=round(index * slot + gap / 2, 2), y=round(PLOT_BOTTOM - height, 2),
            width=round(slot - gap, 2), height=round(height, 2),
        ))
    return BarChart(bars=bars, width=width)


@dataclass(frozen=True)
class Share:
    """A part of a whole, as one horizontal bar split in two."""

    part: int
    whole: int
    width: int = CHART_WIDTH

    @property
    def percent(self) -> int | None:
        return round(100 * self.part / self.whole) if self.whole else None

    @property
    def part_width(self) -> float:
        return round(self.width * self.part / self.whole, 2) if self.whole else 0

    @property
    def rest_width(self) -> float:
        return self.width - self.part_width


def day_histogram(days: list[float]) -> BarChart:
    counts = []
    for low, high, label in DAY_BUCKETS:
        count = sum(1 for d in days if d >= low and (high is None or d < high + 1))
        counts.append((label, count, "bar-days"))
    return bar_chart(counts)


# --- The queries --------------------------------------------------------------------------


def applications_by_status(user) -> BarChart:
    counts = dict(
        Application.objects.owned_by(user).order_by().values_list("status")
        .annotate(n=Count("id")).values_list("status", "n")
    )
    return bar_chart([
        (label, counts.get(status, 0), f"bar-status-{status}")
        for status, label in ApplicationStatus.choices
    ])


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def interviews_per_week(user, now: datetime, zone: ZoneInfo) -> BarChart:
    """Interviews that started in each of the last ``WEEKS`` weeks (this week last)."""
    this_week = _monday(now.astimezone(zone).date())
    first = this_week - timedelta(weeks=WEEKS - 1)
    start = datetime.combine(first, time(0), tzinfo=zone)
    end = datetime.combine(this_week + timedelta(weeks=1), time(0), tzinfo=zone)
    rows = (
        Interview.objects.owned_by(user).filter(starts_at__gte=start, starts_at__lt=end)
        .annotate(week=TruncWeek("starts_at", tzinfo=zone)).order_by()
        .values("week").annotate(n=Count("id")).values_list("week", "n")
    )
    counts = {week.astimezone(zone).date(): n for week, n in rows}
    weeks = [first + timedelta(weeks=i) for i in range(WEEKS)]
    return bar_chart([
        (f"{week.day} {week:%b}", counts.get(week, 0), "bar-week") for week in weeks
    ])


def _decisions(user) -> list[timedelta | None]:
    """The first decision of every application with one in its status history: the wait
    from the last interview ended before it, or None when none had.

    The status changes are the rows: the first decision of an application is the one with
    no earlier decision (``NOT EXISTS``), and only those look up their interview, so the
    database reads the decisions once rather than every application."""
    earlier = StatusChange.objects.filter(
        Q(changed_at__lt=OuterRef("changed_at"))
        | Q(changed_at=OuterRef("changed_at"), pk__lt=OuterRef("pk")),
        application=OuterRef("application"), to_status__in=DECISIONS,
    )
    last_interview = (
        Interview.objects.filter(
            application=OuterRef("application"), ends_at__lte=OuterRef("changed_at")
        )
        .order_by("-ends_at").values("ends_at")[:1]
    )
    return list(
        StatusChange.objects.filter(application__owner=user, to_status__in=DECISIONS)
        .exclude(Exists(earlier))
        .order_by()
        .annotate(wait=F("changed_at") - Subquery(last_interview))
        .values_list("wait", flat=True)
    )


def _waits(decisions: list[timedelta | None]) -> list[float]:
    return [wait.total_seconds() / 86400 for wait in decisions if wait is not None]


def thank_you_share(user) -> Share:
    """Thank-you notes sent within 24 hours of the interview's end, of all sent for one."""
    counts = Correspondence.objects.owned_by(user).filter(
        kind=CorrespondenceKind.THANK_YOU, interview__isnull=False
    ).aggregate(
        whole=Count("id"),
        part=Count("id", filter=Q(sent_at__lte=F("interview__ends_at") + THANK_YOU_WINDOW)),
    )
    return Share(part=counts["part"], whole=counts["whole"])


@dataclass(frozen=True)
class Insights:
    by_status: BarChart
    per_week: BarChart
    decision_days: BarChart
    median_days: float | None
    decided: int  # decisions measured: recorded after an interview
    thank_you: Share
    decisions: int = 0  # every decision in the status history, measured or not

    @property
    def unmeasured(self) -> int:
        """Decisions recorded before any interview of their application ended."""
        return self.decisions - self.decided


def insights_for(user, now: datetime | None = None) -> Insights:
    now = now or timezone.now()
    decisions = _decisions(user)
    days = _waits(decisions)
    return Insights(
        by_status=applications_by_status(user),
        per_week=interviews_per_week(user, now, user.zone),
        decision_days=day_histogram(days),
        median_days=round(statistics.median(days), 1) if days else None,
        decided=len(days),
        thank_you=thank_you_share(user),
        decisions=len(decisions),
    )
