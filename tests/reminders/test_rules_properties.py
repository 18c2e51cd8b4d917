"""Properties of the cadence over many interview times, zones and decision dates (no database).

Issue 11: nothing is planned that can never be sent (every follow-up with a window is due
inside it, with time to act), the cap keeps 7 days between a flexible outreach reminder and
any other, and the date-bound status check (R6) keeps the promised date.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from reminders.rules import (
    TIME_TO_ACT,
    ApplicationFacts,
    CandidateSettings,
    InterviewerFacts,
    InterviewFacts,
    SentFacts,
    at_local,
    is_business_day,
    plan,
)

ZONES = [
    ("Europe/London", "GB"), ("America/New_York", "US"), ("Australia/Sydney", "AU"),
    ("Asia/Kolkata", "IN"), ("Pacific/Auckland", "NZ"), ("America/Los_Angeles", "US"),
    ("Asia/Tokyo", "JP"), ("Europe/Berlin", "DE"), ("Pacific/Kiritimati", ""),
    ("America/St_Johns", "CA"), ("UTC", ""),
]

zones = st.sampled_from(ZONES)
# Times across two years, DST changes included, to the minute.
moments = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
).map(lambda d: d.replace(second=0, microsecond=0))
lengths = st.integers(min_value=15, max_value=300).map(lambda m: timedelta(minutes=m))
hours = st.integers(min_value=0, max_value=23)


@st.composite
def applications(draw):
    zone, country = draw(zones)
    candidate = CandidateSettings(zone=ZoneInfo(zone), country=country,
                                  reminder_hour=draw(hours))
    count = draw(st.integers(min_value=1, max_value=3))
    start = draw(moments)
    interviews = []
    for n in range(count):
        starts = start + timedelta(days=draw(st.integers(0, 20)) * n)
        interviews.append(InterviewFacts(
            id=n + 1, round_number=n + 1, starts_at=starts, ends_at=starts + draw(lengths),
            booked_at=starts - timedelta(hours=draw(st.integers(-48, 24 * 14))),
        ))
    last_end = max(i.ends_at for i in interviews)
    decision = draw(st.one_of(st.none(), st.integers(-3, 30).map(
        lambda d: (last_end + timedelta(days=d)).date())))
    status = draw(st.sampled_from(["interviewing", "interviewing", "offer", "on_hold",
                                   "rejected", "applied"]))
    since = last_end + timedelta(hours=draw(st.integers(0, 24 * 20)))
    sent = tuple(
        SentFacts(kind, "email", last_end + timedelta(hours=h))
        for kind, h in draw(st.lists(st.tuples(
            st.sampled_from(["value_add", "stay_in_touch", "check_in", "thank_you"]),
            st.integers(0, 24 * 60)), max_size=4))
    )
    people = (InterviewerFacts(id=10, name="Ada", has_email=draw(st.booleans()),
                               has_title=True, interview_ids=frozenset({1})),)
    wrote = draw(st.one_of(st.none(), st.integers(-48, 24 * 30).map(
        lambda h: last_end + timedelta(hours=h))))
    facts = ApplicationFacts(
        id=1, status=status, decision_date=decision, status_since=since,
        interviews=tuple(interviews), interviewers=people, sent=sent,
        employer_last_wrote_at=wrote,
    )
    now = last_end + timedelta(hours=draw(st.integers(-24, 24 * 90)))
    return facts, candidate, now


@settings(max_examples=400, deadline=None)
@given(applications())
def test_every_planned_follow_up_is_due_inside_its_window_with_time_to_act(case):
    facts, candidate, now = case
    for item in plan(facts, candidate, now):
        if item.expires_at is not None:
            assert item.due_at < item.expires_at, item
            assert item.expires_at - item.due_at >= TIME_TO_ACT, item


@settings(max_examples=300, deadline=None)
@given(moments, lengths, zones, hours)
def test_R5_is_due_inside_its_48_hours_whatever_the_day_and_zone(starts, length, zone, hour):
    name, country = zone
    candidate = CandidateSettings(zone=ZoneInfo(name), country=country, reminder_hour=hour)
    meeting = InterviewFacts(id=1, round_number=1, starts_at=starts, ends_at=starts + length,
                             booked_at=starts - timedelta(days=2))
    items = plan(ApplicationFacts(id=1, status="interviewing", interviews=(meeting,)),
                 candidate, starts)
    (r5,) = [item for item in items if item.rule == "R5"]
    assert meeting.ends_at < r5.due_at
    assert r5.due_at <= meeting.ends_at + timedelta(hours=48) - TIME_TO_ACT
    assert r5.postponed_from is None  # date-bound: the cap never moves it
    # At the candidate's reminder hour (an hour later inside a spring-forward gap).
    assert r5.due_at.astimezone(ZoneInfo(name)).hour in (hour, (hour + 1) % 24)


@settings(max_examples=400, deadline=None)
@given(applications())
def test_flexible_outreach_is_a_week_clear_of_any_other_outreach(case):
    facts, candidate, now = case
    outreach = [item for item in plan(facts, candidate, now)
                if item.outreach and not item.satisfied and not item.expired(now)]
    for item in outreach:
        if item.date_bound:
            assert item.postponed_from is None, item
            continue
        for other in outreach:
            if other is not item:
                assert abs(item.due_at - other.due_at) >= timedelta(days=7), (item, other)


@settings(max_examples=300, deadline=None)
@given(applications())
def test_R6_lands_two_days_after_the_promised_date_at_the_reminder_hour(case):
    facts, candidate, now = case
    for item in plan(facts, candidate, now):
        if item.rule != "R6":
            continue
        local = item.due_at.astimezone(candidate.zone)
        day = facts.decision_date + timedelta(days=2)
        while not is_business_day(day, candidate.country):
            day += timedelta(days=1)
        assert local.date() == day
        assert item.due_at == at_local(day, time(candidate.reminder_hour), candidate.zone)
        assert item.postponed_from is None


def test_the_strategy_reaches_every_rule_it_is_about():
    # A guard that the property tests above are not vacuous: some example plans each rule.
    seen: set[str] = set()
    candidate = CandidateSettings(zone=ZoneInfo("Europe/London"), country="GB")
    friday = datetime(2026, 11, 20, 15, tzinfo=UTC)
    for status, decision in (("interviewing", date(2026, 11, 23)), ("interviewing", None),
                             ("on_hold", None), ("rejected", None)):
        meetings = tuple(
            InterviewFacts(id=n, round_number=n, starts_at=friday + timedelta(days=7 * (n - 1)),
                           ends_at=friday + timedelta(days=7 * (n - 1), hours=1),
                           booked_at=friday - timedelta(days=1))
            for n in (1, 2)
        )
        facts = ApplicationFacts(id=1, status=status, decision_date=decision,
                                 status_since=friday + timedelta(days=9), interviews=meetings)
        seen |= {item.rule for item in plan(facts, candidate, friday)}
    # R2, R3 and R13 need people: the strategy above has them.
    assert {"R1", "R4", "R5", "R6", "R7", "R8", "R9", "R10", "R11", "R12"} <= seen
