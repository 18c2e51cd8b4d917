"""The follow-up cadence of DOMAIN.md §3 as pure functions.

``plan(facts, now)`` takes plain facts about one application (no ORM objects) and returns
every follow-up that should exist for it, each with a stable key, a due time in UTC, and
whether it is already satisfied. The planner in ``reminders/services.py`` turns that list
into database rows; nothing here touches the database, so each rule is unit-tested alone
(tests/reminders/test_rules.py, one test per rule id).

Times are computed in the candidate's time zone and returned in UTC. "Business day" skips
weekends and the candidate's public holidays (the ``holidays`` package).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

# Statuses, as stored by interviews.models.ApplicationStatus (kept as plain strings so this
# module imports nothing from the ORM).
INTERVIEWING = "interviewing"
REJECTED = "rejected"
ON_HOLD = "on_hold"
CLOSED = frozenset({"accepted", "withdrawn", "filled"})
# Thank-you duties and the other post-interview steps still matter while on hold or with an
# offer on the table; they stop when the application ends or is rejected.
POST_INTERVIEW_STATUSES = frozenset({"applied", INTERVIEWING, "offer", ON_HOLD})

EVENING = time(18, 0)
BUSINESS_MORNING = time(9, 0)
CAP = timedelta(days=7)


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    reason: str
    source: str
    outreach: bool = False  # subject to the anti-pestering cap


RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule("R1", "Debrief while it is fresh",
             "Write down what happened within the hour, while you still remember it.", "004"),
        Rule("R2", "Send a thank-you email",
             "Send each interviewer a personalised thank-you email the same day; it is "
             "overdue after 24 hours and too late after 48.", "001, 002"),
        Rule("R3", "Mail a thank-you card or one-page letter",
             "Post a handwritten card or a one-page letter the same day, or the next day "
             "at the latest, so it arrives while they decide.", "002, 003"),
        Rule("R4", "Follow up first thing on the next business morning",
             "Your interview was before a weekend or holiday: follow up first thing on the "
             "next business morning to stay top-of-mind.", "001"),
        Rule("R5", "Send a value-added follow-up",
             "Within 48 hours, send something useful on a topic you discussed: a book, an "
             "article, a news item or an idea — not a restatement of your qualifications.",
             "000", outreach=True),
        Rule("R6", "Ask for a status update",
             "The decision date has passed by two days without news: ask politely where "
             "things stand, and say you are still very interested.", "001, 003",
             outreach=True),
        Rule("R7", "Check in politely",
             "No decision date was given and a week has passed: a polite check-in is fine.",
             "001", outreach=True),
        Rule("R8", "Make a value-adding contact",
             "Stay in touch once a week with something of value, until you land the job or "
             "hear the position is filled — never just to ask for news.", "000, 002",
             outreach=True),
        Rule("R9", "Reply cordially to the rejection",
             "Thank HR and the interviewer for their time and ask to be considered for "
             "other roles: you may have been number two.", "000, 001"),
        Rule("R10", "Ask about other openings",
             "A month after a rejection, ask whether other roles have opened up.", "000",
             outreach=True),
        Rule("R11", "Stay in touch during the freeze",
             "The decision is on hold: stay in touch every few weeks with industry events or "
             "topics of mutual interest.", "001", outreach=True),
        Rule("R12", "Send a work product or a 30/60/90-day plan",
             "You are invited to a later round: send a relevant (redacted) work product or a "
             "30/60/90-day plan — never in the first follow-up.", "001"),
        Rule("R13", "Complete the contact details",
             "An interviewer's email or title is missing: get their card or ask reception, "
             "so your note reaches the right person with the right title.", "001, 004"),
    )
}


# --- Facts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CandidateSettings:
    zone: ZoneInfo
    country: str = ""
    reminder_hour: int = 9
    disabled_rules: frozenset[str] = frozenset()


@dataclass(frozen=True)
class InterviewFacts:
    id: int
    round_number: int
    starts_at: datetime
    ends_at: datetime
    booked_at: datetime
    debriefed: bool = False


@dataclass(frozen=True)
class InterviewerFacts:
    id: int
    name: str
    has_email: bool
    has_title: bool
    is_hr: bool = False
    interview_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class SentFacts:
    """One piece of correspondence (notes.models.Correspondence)."""

    kind: str
    channel: str
    sent_at: datetime
    interviewer_id: int | None = None


@dataclass(frozen=True)
class ApplicationFacts:
    id: int
    status: str
    decision_date: date | None = None
    status_since: datetime | None = None  # when the current status was entered
    interviews: tuple[InterviewFacts, ...] = ()
    interviewers: tuple[InterviewerFacts, ...] = ()
    sent: tuple[SentFacts, ...] = ()


@dataclass(frozen=True)
class Planned:
    """A follow-up that should exist. ``key`` is unique per (rule, object, occasion)."""

    rule: str
    key: str
    due_at: datetime
    satisfied: bool = False
    interview_id: int | None = None
    interviewer_id: int | None = None
    postponed_from: datetime | None = None  # set by the cap
    # After this, reminding is pointless (a thank-you 48 hours late, a debrief a week on):
    # the planner skips the follow-up instead of emailing it late.
    expires_at: datetime | None = None
    fixed: bool = field(default=False, compare=False)  # already reminded: the cap keeps it

    @property
    def outreach(self) -> bool:
        return RULES[self.rule].outreach

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and now > self.expires_at


# --- Calendar helpers ---------------------------------------------------------------------


@lru_cache(maxsize=256)
def _holidays(country: str, year: int) -> frozenset[date]:
    if not country:
        return frozenset()
    try:
        return frozenset(holidays.country_holidays(country, years=year).keys())
    except NotImplementedError:  # a country the package does not know: weekends only
        return frozenset()


def is_business_day(day: date, country: str) -> bool:
    return day.weekday() < 5 and day not in _holidays(country, day.year)


def next_business_day(day: date, country: str) -> date:
    """The first business day strictly after ``day``."""
    day += timedelta(days=1)
    while not is_business_day(day, country):
        day += timedelta(days=1)
    return day


def at_local(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """``day`` at ``clock`` in ``zone``, in UTC. A time in a DST gap moves forward."""
    local = datetime.combine(day, clock, tzinfo=zone)
    # Round-trip through UTC to normalise a non-existent wall time (spring forward).
    return local.astimezone(UTC)


def local_date(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def at_reminder_hour(
    earliest: datetime, settings: CandidateSettings, *, business_day: bool = True
) -> datetime:
    """The first reminder hour at or after ``earliest``, on a business day if asked."""
    clock = time(settings.reminder_hour)
    day = local_date(earliest, settings.zone)
    while True:
        if not business_day or is_business_day(day, settings.country):
            candidate = at_local(day, clock, settings.zone)
            if candidate >= earliest:
                return candidate
        day += timedelta(days=1)


def on_day_at_reminder_hour(moment: datetime, settings: CandidateSettings) -> datetime:
    """The reminder hour of the day ``moment`` falls on (or of the next business day).

    For "a week after", "a month after": the day counts, not the minute.
    """
    day = local_date(moment, settings.zone)
    while not is_business_day(day, settings.country):
        day += timedelta(days=1)
    return at_local(day, time(settings.reminder_hour), settings.zone)


# --- The rules ----------------------------------------------------------------------------


def _sent(facts: ApplicationFacts, *, kinds: Iterable[str], after: datetime,
          interviewer_id: int | None = None, channels: Iterable[str] | None = None) -> bool:
    kinds, channels = set(kinds), set(channels) if channels else None
    return any(
        s.kind in kinds
        and s.sent_at >= after
        and (interviewer_id is None or s.interviewer_id == interviewer_id)
        and (channels is None or s.channel in channels)
        for s in facts.sent
    )


def _r1_debrief(facts, settings, now):
    for interview in facts.interviews:
        yield Planned(
            "R1", f"R1:{interview.id}", interview.ends_at + timedelta(hours=1),
            satisfied=interview.debriefed, interview_id=interview.id,
            expires_at=interview.ends_at + timedelta(days=3),
        )


def _same_evening(interview: InterviewFacts, settings: CandidateSettings) -> datetime:
    """18:00 on the day the interview ended, or half an hour after a late interview."""
    evening = at_local(local_date(interview.ends_at, settings.zone), EVENING, settings.zone)
    return max(evening, interview.ends_at + timedelta(minutes=30))


def _attendees(facts: ApplicationFacts, interview: InterviewFacts):
    return [person for person in facts.interviewers if interview.id in person.interview_ids]


def _r2_r3_thank_you(facts, settings, now):
    for interview in facts.interviews:
        due = _same_evening(interview, settings)
        for person in _attendees(facts, interview):
            yield Planned(
                "R2", f"R2:{interview.id}:{person.id}", due,
                satisfied=_sent(facts, kinds={"thank_you"}, after=interview.starts_at,
                                interviewer_id=person.id, channels={"email"}),
                interview_id=interview.id, interviewer_id=person.id,
                expires_at=interview.ends_at + timedelta(hours=48),
            )
            yield Planned(
                "R3", f"R3:{interview.id}:{person.id}", due,
                satisfied=_sent(facts, kinds={"thank_you"}, after=interview.starts_at,
                                interviewer_id=person.id, channels={"card", "letter"}),
                interview_id=interview.id, interviewer_id=person.id,
                expires_at=interview.ends_at + timedelta(days=3),
            )


def _r4_before_non_working_day(facts, settings, now):
    for interview in facts.interviews:
        ended_on = local_date(interview.ends_at, settings.zone)
        if is_business_day(ended_on + timedelta(days=1), settings.country):
            continue
        morning = next_business_day(ended_on, settings.country)
        due = at_local(morning, BUSINESS_MORNING, settings.zone)
        yield Planned(
            "R4", f"R4:{interview.id}", due,
            satisfied=any(s.sent_at >= at_local(morning, time(0), settings.zone)
                          for s in facts.sent),
            interview_id=interview.id, expires_at=due + timedelta(days=1),
        )


def _r5_value_add(facts, settings, now):
    for interview in facts.interviews:
        # The morning after at the reminder hour: inside the 48 hours, after the thank-you.
        due = at_reminder_hour(interview.ends_at + timedelta(hours=12), settings)
        yield Planned(
            "R5", f"R5:{interview.id}", due,
            satisfied=_sent(facts, kinds={"value_add"}, after=interview.ends_at),
            interview_id=interview.id, expires_at=interview.ends_at + timedelta(hours=48),
        )


def _last_interview(facts: ApplicationFacts) -> InterviewFacts | None:
    return max(facts.interviews, key=lambda i: i.ends_at, default=None)


def _r6_r7_no_news(facts, settings, now):
    last = _last_interview(facts)
    if facts.status != INTERVIEWING or last is None:
        return
    asked = {"status_check", "check_in"}
    if facts.decision_date:
        due = on_day_at_reminder_hour(
            at_local(facts.decision_date + timedelta(days=2), time(12), settings.zone), settings
        )
        yield Planned(
            "R6", f"R6:{facts.id}:{facts.decision_date.isoformat()}", due,
            satisfied=_sent(facts, kinds=asked,
                            after=at_local(facts.decision_date, time(0), settings.zone)),
        )
    else:
        due = on_day_at_reminder_hour(last.ends_at + timedelta(days=7), settings)
        yield Planned(
            "R7", f"R7:{last.id}", due,
            satisfied=_sent(facts, kinds=asked, after=last.ends_at),
            interview_id=last.id,
        )


def _r8_weekly_value(facts, settings, now):
    last = _last_interview(facts)
    if facts.status != INTERVIEWING or last is None:
        return
    # One week after the latest value-adding touch (or the interview): only the next one is
    # planned; sending it moves the anchor, which plans the week after.
    touches = [s.sent_at for s in facts.sent if s.kind == "value_add" and s.sent_at >= last.ends_at]
    anchor = max([last.ends_at, *touches])
    due = on_day_at_reminder_hour(anchor + CAP, settings)
    yield Planned(
        "R8", f"R8:{facts.id}:{local_date(anchor, settings.zone).isoformat()}", due,
        expires_at=due + CAP,
    )


def _r9_r10_rejection(facts, settings, now):
    if facts.status != REJECTED or facts.status_since is None:
        return
    since = facts.status_since
    due = at_reminder_hour(since, settings)
    yield Planned(
        "R9", f"R9:{facts.id}:{since.date().isoformat()}", due,
        satisfied=_sent(facts, kinds={"rejection_reply"}, after=since),
        expires_at=due + CAP,
    )
    yield Planned(
        "R10", f"R10:{facts.id}:{since.date().isoformat()}",
        on_day_at_reminder_hour(since + timedelta(days=30), settings),
        satisfied=_sent(facts, kinds={"openings_inquiry"}, after=since),
    )


def _r11_on_hold(facts, settings, now):
    if facts.status != ON_HOLD or facts.status_since is None:
        return
    touches = [s.sent_at for s in facts.sent
               if s.kind == "stay_in_touch" and s.sent_at >= facts.status_since]
    anchor = max([facts.status_since, *touches])
    due = on_day_at_reminder_hour(anchor + timedelta(weeks=4), settings)
    yield Planned(
        "R11", f"R11:{facts.id}:{local_date(anchor, settings.zone).isoformat()}", due,
        expires_at=due + timedelta(weeks=4),
    )


def _r12_later_round(facts, settings, now):
    for interview in facts.interviews:
        if interview.round_number < 2:
            continue
        yield Planned(
            "R12", f"R12:{interview.id}", at_reminder_hour(interview.booked_at, settings),
            satisfied=_sent(facts, kinds={"work_product"}, after=interview.booked_at),
            interview_id=interview.id, expires_at=interview.starts_at,
        )


def _r13_contact_details(facts, settings, now):
    for person in facts.interviewers:
        attended = [i for i in facts.interviews if i.id in person.interview_ids]
        if not attended:
            continue
        first = min(attended, key=lambda i: i.ends_at)
        yield Planned(
            "R13", f"R13:{person.id}", _same_evening(first, settings),
            satisfied=person.has_email and person.has_title,
            interviewer_id=person.id,
        )


POST_INTERVIEW_RULES = (
    _r1_debrief, _r2_r3_thank_you, _r4_before_non_working_day, _r5_value_add,
    _r12_later_round, _r13_contact_details,
)
STATUS_RULES = (_r6_r7_no_news, _r8_weekly_value, _r9_r10_rejection, _r11_on_hold)


def plan(
    facts: ApplicationFacts,
    settings: CandidateSettings,
    now: datetime,
    *,
    fixed_due: Mapping[str, datetime] | None = None,
) -> list[Planned]:
    """Every follow-up that should exist for this application now, capped (see ``cap``).

    An ended application (accepted, withdrawn, filled) needs none; a rejected one only the
    rejection rules. ``fixed_due`` holds the due times of follow-ups that must not move
    (already emailed, or snoozed by the candidate); the cap plans around them.
    """
    fixed_due = fixed_due or {}
    if facts.status in CLOSED:
        return []
    generators = list(STATUS_RULES)
    if facts.status in POST_INTERVIEW_STATUSES:
        generators += POST_INTERVIEW_RULES
    planned = [
        item
        for generate in generators
        for item in generate(facts, settings, now)
        if item.rule not in settings.disabled_rules
    ]
    planned = [
        replace(item, due_at=fixed_due[item.key], fixed=True) if item.key in fixed_due else item
        for item in planned
    ]
    return cap(planned)


def cap(planned: list[Planned], *, gap: timedelta = CAP) -> list[Planned]:
    """The anti-pestering cap: outreach for one application is never due < 7 days apart.

    Satisfied items and items already reminded (``fixed``) hold their place; any other
    outreach closer than ``gap`` to the previous one is postponed, keeping its original due
    time in ``postponed_from`` so the user sees why. Nothing is ever dropped.
    """
    outreach = sorted(
        (p for p in planned if p.outreach and not p.satisfied),
        key=lambda p: (not p.fixed, p.due_at, p.key),
    )
    anchored = sorted(p.due_at for p in outreach if p.fixed)
    moved: dict[str, Planned] = {}
    for item in (p for p in outreach if not p.fixed):
        due = item.due_at
        while any(abs(due - other) < gap for other in anchored):
            due = max(other for other in anchored if abs(due - other) < gap) + gap
        anchored.append(due)
        anchored.sort()
        if due != item.due_at:
            shift = due - item.due_at
            moved[item.key] = replace(
                item, due_at=due, postponed_from=item.due_at,
                # Postponing must not let the window close on it: the window moves too.
                expires_at=item.expires_at + shift if item.expires_at else None,
            )
    return [moved.get(p.key, p) for p in planned]
