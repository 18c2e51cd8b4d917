"""The cadence rules of DOMAIN.md §3, one test (at least) per rule id. No database."""

from __future__ import annotations

import itertools
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.articles import ARTICLES
from reminders.rules import (
    RULES,
    TIME_TO_ACT,
    ApplicationFacts,
    CandidateSettings,
    FollowUpFacts,
    InterviewerFacts,
    InterviewFacts,
    Planned,
    SentFacts,
    at_reminder_hour,
    cap,
    is_business_day,
    plan,
)

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
SYDNEY = ZoneInfo("Australia/Sydney")
CURRENT_TIME = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)  # a Wednesday


def settings(zone=LONDON, country="GB", hour=9, disabled=()):
    return CandidateSettings(
        zone=zone, country=country, reminder_hour=hour, disabled_rules=frozenset(disabled)
    )


def interview(start_local: datetime, *, id=1, hours=1, round_number=1, booked_at=None,
              debriefed=False) -> InterviewFacts:
    starts = start_local.astimezone(UTC)
    return InterviewFacts(
        id=id, round_number=round_number, starts_at=starts, ends_at=starts + timedelta(hours=hours),
        booked_at=booked_at or starts - timedelta(days=3), debriefed=debriefed,
    )


def person(id=10, *, interviews=(1,), email=True, title=True, name="Ada Lovelace"):
    return InterviewerFacts(
        id=id, name=name, has_email=email, has_title=title, interview_ids=frozenset(interviews)
    )


def facts(*interviews, interviewers=(), status="interviewing", decision_date=None,
          status_since=None, sent=(), employer_wrote=None, followups=()) -> ApplicationFacts:
    return ApplicationFacts(
        id=7, status=status, decision_date=decision_date, status_since=status_since,
        interviews=tuple(interviews), interviewers=tuple(interviewers), sent=tuple(sent),
        employer_last_wrote_at=employer_wrote, followups=tuple(followups),
    )


def by_rule(items: list[Planned], rule: str) -> list[Planned]:
    return [item for item in items if item.rule == rule]


def only(items: list[Planned], rule: str) -> Planned:
    found = by_rule(items, rule)
    assert len(found) == 1, found
    return found[0]


def local(item: Planned, zone=LONDON) -> datetime:
    return item.due_at.astimezone(zone)


TUESDAY_AFTERNOON = datetime(2026, 11, 17, 14, 0, tzinfo=LONDON)


def test_every_rule_has_a_reason_and_a_source_article():
    assert set(RULES) == {f"R{n}" for n in range(1, 14)}
    for rule in RULES.values():
        assert rule.reason and rule.source
        assert all(part.strip() in {"000", "001", "002", "003", "004"}
                   for part in rule.source.split(","))


def test_every_rule_says_why_in_the_words_of_one_of_its_articles_by_its_title():
    for rule in RULES.values():
        sources = {ARTICLES[part.strip()] for part in rule.source.split(",")}
        assert rule.article in sources, rule.id
        assert rule.why.endswith((".", "!")), rule.id
        # Plain words for the candidate: no rule id, no article number.
        assert not re.search(r"\bR\d|\b00\d\b", f"{rule.title} {rule.reason} {rule.why}")


def test_r1_debrief_is_due_an_hour_after_the_interview_ends():
    item = only(plan(facts(interview(TUESDAY_AFTERNOON)), settings(), CURRENT_TIME), "R1")
    assert local(item) == datetime(2026, 11, 17, 16, 0, tzinfo=LONDON)
    assert not item.satisfied


def test_r1_is_satisfied_by_a_finished_debrief():
    done = interview(TUESDAY_AFTERNOON, debriefed=True)
    assert only(plan(facts(done), settings(), CURRENT_TIME), "R1").satisfied


def test_r2_thank_you_email_is_due_the_same_evening_for_each_interviewer():
    items = plan(
        facts(interview(TUESDAY_AFTERNOON), interviewers=[person(10), person(11, name="Alan")]),
        settings(), CURRENT_TIME,
    )
    r2 = by_rule(items, "R2")
    assert {item.interviewer_id for item in r2} == {10, 11}
    assert {local(item) for item in r2} == {datetime(2026, 11, 17, 18, 0, tzinfo=LONDON)}


def test_r2_after_a_late_interview_is_due_half_an_hour_after_it_ends():
    evening = interview(datetime(2026, 11, 17, 18, 30, tzinfo=LONDON))
    item = only(plan(facts(evening, interviewers=[person()]), settings(), CURRENT_TIME), "R2")
    assert local(item) == datetime(2026, 11, 17, 20, 0, tzinfo=LONDON)


def test_r2_is_satisfied_only_by_an_email_to_that_interviewer():
    meeting = interview(TUESDAY_AFTERNOON)
    sent = [SentFacts("thank_you", "email", meeting.ends_at + timedelta(hours=2), 10)]
    items = plan(facts(meeting, interviewers=[person(10), person(11)], sent=sent),
                 settings(), CURRENT_TIME)
    satisfied = {item.interviewer_id: item.satisfied for item in by_rule(items, "R2")}
    assert satisfied == {10: True, 11: False}
    # An email is not a mailed card: R3 still stands for the same person.
    assert not any(item.satisfied for item in by_rule(items, "R3"))


def test_r2_window_closes_48_hours_after_the_interview():
    meeting = interview(TUESDAY_AFTERNOON)
    item = only(plan(facts(meeting, interviewers=[person()]), settings(), CURRENT_TIME), "R2")
    assert item.expires_at == meeting.ends_at + timedelta(hours=48)
    assert not item.expired(meeting.ends_at + timedelta(hours=47))
    assert item.expired(meeting.ends_at + timedelta(hours=49))


def test_r3_mailed_card_is_due_with_the_email_and_satisfied_by_a_card():
    meeting = interview(TUESDAY_AFTERNOON)
    sent = [SentFacts("thank_you", "card", meeting.ends_at + timedelta(hours=20), 10)]
    item = only(plan(facts(meeting, interviewers=[person(10)], sent=sent), settings(),
                     CURRENT_TIME), "R3")
    assert local(item) == datetime(2026, 11, 17, 18, 0, tzinfo=LONDON)
    assert item.satisfied


def test_r4_friday_interview_is_followed_up_on_monday_morning():
    friday = interview(datetime(2026, 11, 20, 15, 0, tzinfo=LONDON))
    item = only(plan(facts(friday), settings(), CURRENT_TIME), "R4")
    assert local(item) == datetime(2026, 11, 23, 9, 0, tzinfo=LONDON)


def test_r4_does_not_apply_midweek():
    assert by_rule(plan(facts(interview(TUESDAY_AFTERNOON)), settings(), CURRENT_TIME),
                   "R4") == []


def test_r4_interview_before_a_public_holiday_waits_for_the_next_business_morning():
    # Thursday 2 April 2026, before Good Friday (a UK-wide holiday) and the weekend.
    thursday = interview(datetime(2026, 4, 2, 11, 0, tzinfo=LONDON))
    item = only(plan(facts(thursday), settings(), CURRENT_TIME), "R4")
    assert local(item) == datetime(2026, 4, 6, 9, 0, tzinfo=LONDON)
    # The same Thursday for a candidate in the US, where Good Friday is a working day.
    assert by_rule(plan(facts(thursday), settings(NEW_YORK, "US"), CURRENT_TIME), "R4") == []


def test_r4_friday_evening_interview_in_sydney_counts_in_the_new_york_candidates_week():
    # 18:00 Friday in Sydney is 02:00 Friday in New York: Friday for the candidate, so
    # the follow-up is Monday 09:00 New York time.
    sydney_friday = interview(datetime(2026, 11, 20, 18, 0, tzinfo=SYDNEY))
    item = only(plan(facts(sydney_friday), settings(NEW_YORK, "US"), CURRENT_TIME), "R4")
    assert local(item, NEW_YORK) == datetime(2026, 11, 23, 9, 0, tzinfo=NEW_YORK)


def test_r4_saturday_in_sydney_is_still_friday_for_new_york_when_late():
    # 10:00 Saturday in Sydney is 18:00 Friday in New York.
    sydney_saturday = interview(datetime(2026, 11, 21, 10, 0, tzinfo=SYDNEY))
    assert sydney_saturday.ends_at.astimezone(NEW_YORK).weekday() == 4
    item = only(plan(facts(sydney_saturday), settings(NEW_YORK, "US"), CURRENT_TIME), "R4")
    assert local(item, NEW_YORK) == datetime(2026, 11, 23, 9, 0, tzinfo=NEW_YORK)


def test_r5_value_add_is_due_the_next_morning_within_48_hours():
    meeting = interview(TUESDAY_AFTERNOON)
    item = only(plan(facts(meeting), settings(), CURRENT_TIME), "R5")
    assert local(item) == datetime(2026, 11, 18, 9, 0, tzinfo=LONDON)
    assert item.due_at - meeting.ends_at < timedelta(hours=48)


def test_r5_is_satisfied_by_a_value_add_sent_after_the_interview():
    meeting = interview(TUESDAY_AFTERNOON)
    sent = [SentFacts("value_add", "email", meeting.ends_at + timedelta(hours=30))]
    assert only(plan(facts(meeting, sent=sent), settings(), CURRENT_TIME), "R5").satisfied


def test_r5_after_a_friday_interview_is_due_on_saturday_inside_its_48_hours():
    friday = interview(datetime(2026, 11, 20, 15, 0, tzinfo=LONDON))
    item = only(plan(facts(friday), settings(), CURRENT_TIME), "R5")
    assert local(item) == datetime(2026, 11, 21, 9, 0, tzinfo=LONDON)  # not Monday
    assert item.expires_at - item.due_at >= TIME_TO_ACT
    assert "48 hours" in RULES["R5"].reason and "weekend" in RULES["R5"].reason


def test_r5_prefers_a_business_day_when_it_leaves_time_to_act():
    # Thursday 16:00–17:00: Friday 09:00 is a business day well inside the window.
    thursday = interview(datetime(2026, 11, 19, 16, 0, tzinfo=LONDON))
    assert local(only(plan(facts(thursday), settings(), CURRENT_TIME), "R5")) == datetime(
        2026, 11, 20, 9, 0, tzinfo=LONDON)
    # Before a holiday (US Thanksgiving, Thursday 26 Nov): an evening interview still has
    # Friday morning; a morning one would have only hours left then, so Thursday it is.
    evening = interview(datetime(2026, 11, 25, 18, 0, tzinfo=NEW_YORK))
    item = only(plan(facts(evening), settings(NEW_YORK, "US"), CURRENT_TIME), "R5")
    assert local(item, NEW_YORK) == datetime(2026, 11, 27, 9, 0, tzinfo=NEW_YORK)
    morning = interview(datetime(2026, 11, 25, 10, 0, tzinfo=NEW_YORK))
    item = only(plan(facts(morning), settings(NEW_YORK, "US"), CURRENT_TIME), "R5")
    assert local(item, NEW_YORK) == datetime(2026, 11, 26, 9, 0, tzinfo=NEW_YORK)


# The rules below are checked alone (the value-add rules switched off): how they share the
# week with the others is the cap's tests' business.
ALONE = {"R5", "R8"}


def test_r6_status_check_two_days_after_the_promised_decision_date():
    items = plan(facts(interview(TUESDAY_AFTERNOON), decision_date=date(2026, 11, 25)),
                 settings(disabled=ALONE), CURRENT_TIME)
    item = only(items, "R6")
    assert local(item) == datetime(2026, 11, 27, 9, 0, tzinfo=LONDON)
    assert by_rule(items, "R7") == []  # a date was given: no week-later check-in


def test_r6_lands_on_a_business_day_at_the_reminder_hour():
    # Decision Thursday 26 Nov + 2 days = Saturday → Monday at the candidate's 08:00.
    item = only(plan(facts(interview(TUESDAY_AFTERNOON), decision_date=date(2026, 11, 26)),
                     settings(hour=8, disabled=ALONE), CURRENT_TIME), "R6")
    assert local(item) == datetime(2026, 11, 30, 8, 0, tzinfo=LONDON)


def test_r6_key_changes_with_the_decision_date_so_a_new_date_replans():
    first = only(plan(facts(interview(TUESDAY_AFTERNOON), decision_date=date(2026, 11, 25)),
                      settings(), CURRENT_TIME), "R6")
    moved = only(plan(facts(interview(TUESDAY_AFTERNOON), decision_date=date(2026, 12, 2)),
                      settings(), CURRENT_TIME), "R6")
    assert first.key != moved.key


def test_r7_check_in_a_week_after_the_last_interview_without_a_decision_date():
    item = only(plan(facts(interview(TUESDAY_AFTERNOON)), settings(disabled=ALONE),
                     CURRENT_TIME), "R7")
    assert local(item) == datetime(2026, 11, 24, 9, 0, tzinfo=LONDON)


def test_r6_and_r7_stop_when_there_is_news():
    for status in ("offer", "rejected", "on_hold"):
        items = plan(facts(interview(TUESDAY_AFTERNOON), status=status,
                           status_since=CURRENT_TIME), settings(), CURRENT_TIME)
        assert by_rule(items, "R6") == by_rule(items, "R7") == []


def test_r8_weekly_value_contact_is_planned_a_week_after_the_last_value_add():
    meeting = interview(TUESDAY_AFTERNOON)
    sent_on = datetime(2026, 11, 26, 10, 0, tzinfo=LONDON)
    items = plan(facts(meeting, sent=[SentFacts("value_add", "email", sent_on)]),
                 settings(), CURRENT_TIME)
    item = only(items, "R8")
    # Thursday 26 Nov → the reminder hour of Thursday 3 Dec: a week counts in days.
    assert local(item) == datetime(2026, 12, 3, 9, 0, tzinfo=LONDON)


def test_r9_cordial_reply_within_one_business_day_of_a_rejection():
    rejected_at = datetime(2026, 11, 20, 16, 0, tzinfo=LONDON).astimezone(UTC)  # Friday
    items = plan(facts(interview(TUESDAY_AFTERNOON), interviewers=[person()],
                       status="rejected", status_since=rejected_at), settings(), CURRENT_TIME)
    item = only(items, "R9")
    assert local(item) == datetime(2026, 11, 23, 9, 0, tzinfo=LONDON)
    # Rejection ends the thank-you duties and the weekly outreach.
    assert not {i.rule for i in items} & {"R2", "R3", "R5", "R6", "R7", "R8"}


def test_r10_asks_about_other_openings_a_month_after_the_rejection():
    rejected_at = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)
    item = only(plan(facts(interview(TUESDAY_AFTERNOON), status="rejected",
                           status_since=rejected_at), settings(), CURRENT_TIME), "R10")
    assert local(item) == datetime(2026, 12, 21, 9, 0, tzinfo=LONDON)


def test_r11_stays_in_touch_every_four_weeks_while_on_hold():
    on_hold = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
    sent = [SentFacts("stay_in_touch", "email", datetime(2026, 12, 16, 10, 0, tzinfo=UTC))]
    item = only(plan(facts(interview(TUESDAY_AFTERNOON), status="on_hold",
                           status_since=on_hold, sent=sent), settings(), CURRENT_TIME), "R11")
    assert local(item) == datetime(2027, 1, 13, 9, 0, tzinfo=LONDON)  # the day, not the minute


ON_HOLD_SINCE = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
FIRST_R11 = "R11:7:2026-11-18"


def on_hold(*rows, sent=(), now=CURRENT_TIME):
    return by_rule(plan(facts(interview(TUESDAY_AFTERNOON), status="on_hold",
                      status_since=ON_HOLD_SINCE, sent=sent, followups=rows),
                settings(), now), "R11")


def test_r11_first_touch_four_weeks_after_the_freeze():
    item = only(on_hold(), "R11")
    assert (item.key, local(item)) == (FIRST_R11, datetime(2026, 12, 16, 9, 0, tzinfo=LONDON))


@pytest.mark.parametrize("how", ["done", "dismissed"])
def test_r11_recurs_four_weeks_after_it_was_closed_from_the_email_or_the_app(how):
    closed_at = datetime(2026, 12, 16, 12, 0, tzinfo=UTC)
    row = FollowUpFacts(FIRST_R11, "R11", how, datetime(2026, 12, 16, 9, tzinfo=UTC), closed_at)
    item = only(on_hold(row, now=closed_at + timedelta(minutes=1)), "R11")
    assert item.key != FIRST_R11
    assert local(item) == datetime(2027, 1, 13, 9, 0, tzinfo=LONDON)
    assert not item.satisfied


@pytest.mark.parametrize("how", ["done", "dismissed"])
def test_r11_closed_from_its_email_recurs_four_weeks_after_the_email_whatever_the_clock(how):
    # Issue 16.5: the Done was recorded by a clock behind the one that sent the email (the
    # web server's, against a dispatch run with --now four weeks on): on the freeze's own
    # day. A Done clicked in the email comes after it, so the next touch counts from there,
    # not from the freeze again (which planned the same date a second time).
    emailed = datetime(2026, 12, 16, 9, 5, tzinfo=UTC)
    clicked = ON_HOLD_SINCE + timedelta(minutes=30)
    row = FollowUpFacts(FIRST_R11, "R11", how, datetime(2026, 12, 16, 9, tzinfo=UTC), clicked,
                        sent_at=emailed)
    item = only(on_hold(row, now=datetime(2026, 12, 17, 12, 0, tzinfo=UTC)), "R11")
    assert local(item) == datetime(2027, 1, 13, 9, 0, tzinfo=LONDON)
    assert not item.satisfied


def test_r11_done_in_the_app_before_it_was_emailed_counts_from_the_done():
    done = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # two weeks early
    row = FollowUpFacts(FIRST_R11, "R11", "done", datetime(2026, 12, 16, 9, tzinfo=UTC), done)
    item = only(on_hold(row, now=done + timedelta(days=1)), "R11")
    assert local(item) == datetime(2026, 12, 30, 9, 0, tzinfo=LONDON)


def test_r11_recorded_stay_in_touch_note_closes_the_open_one_and_plans_the_next():
    sent_at = datetime(2026, 12, 16, 11, 0, tzinfo=UTC)
    row = FollowUpFacts(FIRST_R11, "R11", "reminded", datetime(2026, 12, 16, 9, tzinfo=UTC))
    items = {item.key: item for item in on_hold(
        row, sent=[SentFacts("stay_in_touch", "email", sent_at)], now=sent_at)}
    assert items[FIRST_R11].satisfied  # the planner marks it done
    (following,) = [item for key, item in items.items() if key != FIRST_R11]
    assert local(following) == datetime(2027, 1, 13, 9, 0, tzinfo=LONDON)


def test_r11_ignored_until_its_window_closed_still_plans_the_next_one():
    row = FollowUpFacts(FIRST_R11, "R11", "reminded", datetime(2026, 12, 16, 9, tzinfo=UTC))
    now = datetime(2027, 1, 14, 9, 0, tzinfo=UTC)  # four weeks after it fell due, and a day
    items = {item.key: item for item in on_hold(row, now=now)}
    assert items[FIRST_R11].expired(now)  # the planner closes it as it happened
    (following,) = [item for key, item in items.items() if key != FIRST_R11]
    assert local(following) == datetime(2027, 1, 13, 9, 0, tzinfo=LONDON)
    assert not following.expired(now)


def test_r11_a_long_freeze_planned_late_gets_only_the_current_touch():
    now = datetime(2027, 6, 1, 12, 0, tzinfo=UTC)
    item = only(on_hold(now=now), "R11")
    assert not item.expired(now)
    assert item.due_at - now < timedelta(weeks=4)


def test_r8_weekly_touch_recurs_after_it_was_marked_done():
    meeting = interview(TUESDAY_AFTERNOON)
    first = only(plan(facts(meeting), settings(disabled={"R5", "R7"}), CURRENT_TIME), "R8")
    closed_at = first.due_at + timedelta(hours=2)
    row = FollowUpFacts(first.key, "R8", "done", first.due_at, closed_at)
    item = only(plan(facts(meeting, followups=[row]), settings(disabled={"R5", "R7"}),
                     closed_at), "R8")
    assert item.key != first.key
    assert item.due_at.date() == (first.due_at + timedelta(days=7)).date()


def test_r12_work_product_after_a_second_round_is_booked_never_after_the_first():
    booked = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)
    first = interview(TUESDAY_AFTERNOON)
    second = interview(datetime(2026, 11, 25, 10, 0, tzinfo=LONDON), id=2, round_number=2,
                       booked_at=booked)
    items = plan(facts(first, second), settings(), CURRENT_TIME)
    item = only(items, "R12")
    assert item.interview_id == 2
    assert local(item) == datetime(2026, 11, 19, 9, 0, tzinfo=LONDON)


def test_r12_booked_on_friday_for_monday_morning_is_due_before_the_window_closes():
    booked = datetime(2026, 11, 20, 17, 0, tzinfo=LONDON).astimezone(UTC)  # Friday evening
    monday = interview(datetime(2026, 11, 23, 8, 0, tzinfo=LONDON), id=2, round_number=2,
                       booked_at=booked)
    item = only(plan(facts(monday), settings(), CURRENT_TIME), "R12")
    assert local(item) == datetime(2026, 11, 23, 9, 0, tzinfo=LONDON)
    assert item.expires_at - item.due_at >= TIME_TO_ACT


def test_r12_logged_days_after_the_round_is_not_planned():
    second = interview(datetime(2026, 11, 10, 10, 0, tzinfo=LONDON), id=2, round_number=2,
                       booked_at=datetime(2026, 11, 16, 10, 0, tzinfo=UTC))
    assert by_rule(plan(facts(second), settings(), CURRENT_TIME), "R12") == []


def test_r13_missing_email_or_title_is_due_with_the_thank_you():
    items = plan(facts(interview(TUESDAY_AFTERNOON),
                       interviewers=[person(10, email=False), person(11, title=False)]),
                 settings(), CURRENT_TIME)
    by_person = {item.interviewer_id: item for item in by_rule(items, "R13")}
    assert not by_person[10].satisfied and not by_person[11].satisfied
    assert by_person[10].due_at == only([i for i in by_rule(items, "R2")
                                         if i.interviewer_id == 10], "R2").due_at


def test_r13_is_not_planned_for_someone_complete_from_the_start():
    items = plan(facts(interview(TUESDAY_AFTERNOON),
                       interviewers=[person(10, email=False), person(11)]),
                 settings(), CURRENT_TIME)
    assert {item.interviewer_id for item in by_rule(items, "R13")} == {10}


def test_r13_once_planned_is_done_when_the_details_are_completed():
    row = FollowUpFacts("R13:10", "R13", "pending", CURRENT_TIME)
    items = plan(facts(interview(TUESDAY_AFTERNOON), interviewers=[person(10)],
                       followups=[row]), settings(), CURRENT_TIME)
    assert only(items, "R13").satisfied


def test_ended_application_needs_no_follow_up():
    for status in ("accepted", "withdrawn", "filled"):
        assert plan(facts(interview(TUESDAY_AFTERNOON), interviewers=[person()], status=status),
                    settings(), CURRENT_TIME) == []


def test_a_listing_only_saved_needs_no_follow_up():
    # Nothing was sent yet: no thank-you, no check-in, no weekly touch, even with an
    # interview recorded, a decision date passed or a status held for weeks.
    saved = facts(interview(TUESDAY_AFTERNOON), interviewers=[person(email=False)],
                  status="saved", decision_date=date(2026, 11, 1),
                  status_since=CURRENT_TIME - timedelta(weeks=8))
    assert plan(saved, settings(), CURRENT_TIME) == []
    # The same facts once applied do plan follow-ups: the test can fail.
    assert plan(replace(saved, status="applied"), settings(), CURRENT_TIME)


def test_switched_off_rules_are_not_planned():
    items = plan(facts(interview(TUESDAY_AFTERNOON), interviewers=[person()]),
                 settings(disabled={"R3", "R5"}), CURRENT_TIME)
    assert not {item.rule for item in items} & {"R3", "R5"}
    assert by_rule(items, "R2")


def test_keys_are_stable_so_planning_twice_gives_the_same_follow_ups():
    args = (facts(interview(TUESDAY_AFTERNOON), interviewers=[person()]), settings(),
            CURRENT_TIME)
    assert plan(*args) == plan(*args)
    keys = [item.key for item in plan(*args)]
    assert len(keys) == len(set(keys))


# --- Time zones ---------------------------------------------------------------------------


def test_reminder_hour_stays_at_nine_local_across_the_autumn_dst_change():
    # London leaves summer time at 01:00 UTC on Sunday 25 October 2026.
    before = at_reminder_hour(datetime(2026, 10, 24, 6, tzinfo=UTC), settings(),
                              business_day=False)
    after = at_reminder_hour(datetime(2026, 10, 25, 6, tzinfo=UTC), settings(),
                             business_day=False)
    assert before.astimezone(LONDON).hour == after.astimezone(LONDON).hour == 9
    assert (before.hour, after.hour) == (8, 9)  # in UTC


def test_r7_across_the_spring_dst_change_keeps_the_local_hour():
    # New York springs forward on 8 March 2026; the check-in a week after 5 March.
    meeting = interview(datetime(2026, 3, 5, 10, 0, tzinfo=NEW_YORK))
    item = only(plan(facts(meeting), settings(NEW_YORK, "US", disabled=ALONE), CURRENT_TIME),
                "R7")
    assert local(item, NEW_YORK) == datetime(2026, 3, 12, 9, 0, tzinfo=NEW_YORK)
    assert item.due_at.hour == 13  # UTC-4 after the change, not UTC-5


def test_reminder_hour_inside_a_dst_gap_moves_forward_not_back():
    # 02:00 does not exist in New York on 8 March 2026; the reminder must not go early.
    due = at_reminder_hour(datetime(2026, 3, 8, 5, 0, tzinfo=UTC),
                           settings(NEW_YORK, "US", hour=2), business_day=False)
    assert due == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)  # 03:00 EDT


def test_public_holidays_are_the_candidates_countrys():
    thanksgiving = date(2026, 11, 26)
    assert not is_business_day(thanksgiving, "US")
    assert is_business_day(thanksgiving, "GB")
    assert is_business_day(thanksgiving, "ZZ")  # unknown country: weekends only


# --- The anti-pestering cap ---------------------------------------------------------------


def test_R6_and_R5_both_keep_their_dates_and_the_weekly_touch_moves_past_them():
    meeting = interview(TUESDAY_AFTERNOON)
    items = plan(facts(meeting, decision_date=date(2026, 11, 19)), settings(), CURRENT_TIME)
    r5, r6, r8 = only(items, "R5"), only(items, "R6"), only(items, "R8")
    # R5 Wed 18 Nov 09:00 (inside its 48 hours); R6 decision Thu 19 + 2 = Sat 21 → Mon 23:
    # both date-bound, both kept although 5 days apart. The weekly touch (Tue 24) moves.
    assert local(r5) == datetime(2026, 11, 18, 9, 0, tzinfo=LONDON)
    assert (local(r6), r6.postponed_from) == (datetime(2026, 11, 23, 9, 0, tzinfo=LONDON), None)
    assert r5.postponed_from is None
    assert r8.postponed_from == datetime(2026, 11, 24, 9, 0, tzinfo=LONDON)
    assert local(r8) == datetime(2026, 11, 30, 9, 0, tzinfo=LONDON)
    assert all(abs(r8.due_at - other.due_at) >= timedelta(days=7) for other in (r5, r6))


def test_R6_keeps_decision_date_when_R8_collides():
    # Interview Tue 17 Nov; R8 would be Tue 24, R6 (decision Mon 23 + 2) Wed 25 Nov.
    meeting = interview(TUESDAY_AFTERNOON)
    items = plan(facts(meeting, decision_date=date(2026, 11, 23)),
                 settings(disabled={"R5"}), CURRENT_TIME)
    r6, r8 = only(items, "R6"), only(items, "R8")
    assert (local(r6), r6.postponed_from) == (datetime(2026, 11, 25, 9, 0, tzinfo=LONDON), None)
    assert r8.postponed_from == datetime(2026, 11, 24, 9, 0, tzinfo=LONDON)
    assert local(r8) == datetime(2026, 12, 2, 9, 0, tzinfo=LONDON)  # R6 + 7 days
    assert r8.due_at < r8.expires_at  # its window moved with it


def test_R6_keeps_decision_date_when_R8_was_already_reminded():
    # The weekly touch was emailed on Tue 24 (fixed); R6 on Wed 25 still holds its date.
    meeting = interview(TUESDAY_AFTERNOON)
    first = plan(facts(meeting), settings(disabled={"R5", "R7"}), CURRENT_TIME)
    r8 = only(first, "R8")
    items = plan(facts(meeting, decision_date=date(2026, 11, 23)),
                 settings(disabled={"R5"}), CURRENT_TIME, fixed_due={r8.key: r8.due_at})
    assert only(items, "R8").due_at == r8.due_at
    r6 = only(items, "R6")
    assert (local(r6), r6.postponed_from) == (datetime(2026, 11, 25, 9, 0, tzinfo=LONDON), None)


def test_R6_keeps_decision_date_when_an_R7_check_in_collides():
    # A flexible check-in (R7) planned next to a date-bound status check (R6): R7 moves.
    base = datetime(2026, 11, 24, 9, tzinfo=UTC)
    r7 = Planned("R7", "R7:1", base)
    r6 = Planned("R6", "R6:7:2026-11-23", base + timedelta(days=1))
    capped = {item.key: item for item in cap([r7, r6])}
    assert capped[r6.key] == r6
    assert capped[r7.key].due_at == r6.due_at + timedelta(days=7)
    assert capped[r7.key].postponed_from == base


def test_R6_and_R7_are_never_both_planned():
    meeting = interview(TUESDAY_AFTERNOON)
    for decision in (None, date(2026, 11, 20)):
        items = plan(facts(meeting, decision_date=decision), settings(), CURRENT_TIME)
        assert len(by_rule(items, "R6") + by_rule(items, "R7")) == 1


def test_R6_keeps_decision_date_after_a_check_in_was_sent_before_the_date():
    # A check-in sent before the promised date does not answer "I would have heard by now".
    meeting = interview(TUESDAY_AFTERNOON)
    sent = [SentFacts("check_in", "email", datetime(2026, 11, 20, 10, tzinfo=UTC))]
    r6 = only(plan(facts(meeting, decision_date=date(2026, 11, 25), sent=sent),
                   settings(disabled=ALONE), CURRENT_TIME), "R6")
    assert not r6.satisfied
    assert local(r6) == datetime(2026, 11, 27, 9, 0, tzinfo=LONDON)


def test_cap_moves_the_window_of_a_postponed_follow_up_so_it_is_not_lost():
    base = datetime(2026, 11, 18, 9, tzinfo=UTC)
    first = Planned("R7", "R7:1", base)
    squeezed = Planned("R8", "R8:2", base + timedelta(days=1),
                       expires_at=base + timedelta(days=8))
    moved = {item.key: item for item in cap([first, squeezed])}["R8:2"]
    assert moved.due_at == base + timedelta(days=7)
    assert moved.expires_at == base + timedelta(days=14)
    assert not moved.expired(moved.due_at)


def test_cap_never_moves_a_date_bound_R5_for_a_flexible_one():
    base = datetime(2026, 11, 18, 9, tzinfo=UTC)
    earlier = Planned("R7", "R7:1", base)
    r5 = Planned("R5", "R5:2", base + timedelta(days=1), expires_at=base + timedelta(days=2))
    capped = {item.key: item for item in cap([earlier, r5])}
    assert capped["R5:2"] == r5
    assert capped["R7:1"].due_at == r5.due_at + timedelta(days=7)


def test_cap_never_drops_a_follow_up():
    meeting = interview(TUESDAY_AFTERNOON)
    uncapped_rules = {"R5", "R6", "R8"}
    items = plan(facts(meeting, decision_date=date(2026, 11, 19)), settings(), CURRENT_TIME)
    assert uncapped_rules <= {item.rule for item in items}


def test_cap_exempts_thank_you_duties():
    items = plan(facts(interview(TUESDAY_AFTERNOON), interviewers=[person()]), settings(),
                 CURRENT_TIME)
    for rule in ("R2", "R3"):
        assert only(items, rule).postponed_from is None


def test_cap_plans_around_a_reminder_already_sent():
    base = datetime(2026, 11, 18, 9, tzinfo=UTC)
    sent = Planned("R5", "R5:1", base, fixed=True)
    later = Planned("R7", "R7:1", base + timedelta(days=2))
    capped = {item.key: item for item in cap([later, sent])}
    assert capped["R5:1"].due_at == base
    assert capped["R7:1"].due_at == base + timedelta(days=7)
    assert capped["R7:1"].postponed_from == base + timedelta(days=2)


@pytest.mark.parametrize("gap_days", [0, 3, 6])
def test_cap_holds_for_any_pile_up(gap_days):
    base = datetime(2026, 11, 18, 9, tzinfo=UTC)
    pile = [Planned(rule, f"{rule}:x", base + timedelta(days=gap_days * n))
            for n, rule in enumerate(("R6", "R7", "R8", "R10", "R11"))]
    capped = cap(pile)
    assert len(capped) == len(pile)
    assert capped[0] == pile[0]  # the date-bound status check holds its place
    dues = sorted(item.due_at for item in capped)
    assert all(b - a >= timedelta(days=7) for a, b in itertools.pairwise(dues))


# --- The employer's reply (issue 13.5) --------------------------------------------------


def test_R6_is_done_when_the_employer_wrote_on_or_after_the_decision_date():
    wrote = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)  # the promised day itself
    item = only(plan(facts(interview(TUESDAY_AFTERNOON), decision_date=date(2026, 11, 25),
                           employer_wrote=wrote), settings(disabled=ALONE), CURRENT_TIME), "R6")
    assert item.satisfied
    assert item.note == "Done: the employer wrote on Wed 25 Nov."


def test_R6_still_stands_when_the_employer_wrote_before_the_decision_date():
    wrote = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)
    item = only(plan(facts(interview(TUESDAY_AFTERNOON), decision_date=date(2026, 11, 25),
                           employer_wrote=wrote), settings(disabled=ALONE), CURRENT_TIME), "R6")
    assert not item.satisfied
    assert local(item) == datetime(2026, 11, 27, 9, 0, tzinfo=LONDON)


def test_R6_ignores_employer_mail_by_default():
    assert ApplicationFacts(id=1, status="interviewing").employer_last_wrote_at is None


def test_R7_recounts_its_week_from_the_employers_reply():
    wrote = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)  # Friday, after the interview
    pending = FollowUpFacts("R7:1", "R7", "pending", datetime(2026, 11, 24, 9, tzinfo=UTC))
    items = plan(facts(interview(TUESDAY_AFTERNOON), employer_wrote=wrote,
                       followups=[pending]), settings(disabled=ALONE), CURRENT_TIME)
    item = only(items, "R7")
    assert item.key == "R7:1"  # the pending check-in moves, it is not replaced
    assert local(item) == datetime(2026, 11, 27, 9, 0, tzinfo=LONDON)


def test_R7_already_due_before_the_employers_reply_is_done_and_a_new_week_starts():
    wrote = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)
    reminded = FollowUpFacts("R7:1", "R7", "reminded", datetime(2026, 11, 24, 9, tzinfo=UTC))
    items = {item.key: item for item in plan(
        facts(interview(TUESDAY_AFTERNOON), employer_wrote=wrote, followups=[reminded]),
        settings(disabled=ALONE), CURRENT_TIME)}
    assert items["R7:1"].satisfied
    assert items["R7:1"].note == "Done: the employer wrote on Wed 25 Nov."
    following = items["R7:1:2026-11-25"]
    assert not following.satisfied
    assert local(following) == datetime(2026, 12, 2, 9, 0, tzinfo=LONDON)


def test_R7_ignores_employer_mail_from_before_the_interview():
    wrote = datetime(2026, 11, 10, 16, 0, tzinfo=UTC)  # the invitation, say
    item = only(plan(facts(interview(TUESDAY_AFTERNOON), employer_wrote=wrote),
                     settings(disabled=ALONE), CURRENT_TIME), "R7")
    assert (item.key, local(item)) == ("R7:1", datetime(2026, 11, 24, 9, 0, tzinfo=LONDON))
