"""The follow-up cadence of DOMAIN.md §3 as pure functions.

``plan(facts, now)`` takes plain facts about one application (no ORM objects) and returns
every follow-up that should exist for it, each with a stable key, a due time in UTC, and
whether it is already satisfied. The planner in ``reminders/services.py`` turns that list
into database rows; nothing here touches the database, so each rule is unit-tested alone
(tests/reminders/test_rules.py, one test per rule id).

Times are computed in the candidate's time zone and returned in UTC. "Business day" skips
weekends and the candidate's public holidays (the ``holidays`` package).

Three promises the plan keeps (issue 11, 13.5):

* **Date-bound outreach keeps its date.** The status check (R6) lands on the promised
  decision date + 2 days, and the value-added follow-up (R5) inside its 48 hours: the seeds
  tie both to a moment. The other outreach is *flexible* — the weekly touch (R8, "at most
  once a week"), the check-in without a date (R7, "fine to follow up a week later"), the
  freeze's stay-in-touch (R11, "occasionally") and the inquiry about other openings (R10,
  "in a month") — and the anti-pestering cap (``cap``) moves only flexible outreach, 7 days
  clear of every other outreach reminder. Two date-bound reminders keep their dates even
  when closer than 7 days (an R6 within a week of R5 only when the decision was promised for
  the days right after the interview); the cap never moves one promise for another.
* **Nothing is planned that can never be sent.** Every follow-up with a window
  (``expires_at``) is due at least ``TIME_TO_ACT`` before the window closes; a rule whose
  window is already too short when it applies is not planned at all.
* **Recurring outreach recurs however the last one ended.** R8 and R11 are series
  (``_series``): each occurrence ends when a note of its kind is recorded, when the user
  marks it done or dismisses it (in the app or from the email), or when its window closes;
  the next one counts from that moment.

The employer's reply (``ApplicationFacts.employer_last_wrote_at``) is news: R6 is done once
the employer wrote on or after the decision date (a reply *before* the date leaves the
promise standing — a new date from that reply replans R6 under a new key); R7 re-counts its
week from the employer's latest message after the interview, and a check-in that fell due
before that message is done.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from core.articles import ARTICLES

# Statuses, as stored by interviews.models.ApplicationStatus (kept as plain strings so this
# module imports nothing from the ORM).
SAVED = "saved"  # a listing kept before applying: nothing sent, nothing to follow up
INTERVIEWING = "interviewing"
REJECTED = "rejected"
ON_HOLD = "on_hold"
CLOSED = frozenset({"accepted", "withdrawn", "filled"})
# Thank-you duties and the other post-interview steps still matter while on hold or with an
# offer on the table; they stop when the application ends or is rejected.
POST_INTERVIEW_STATUSES = frozenset({"applied", INTERVIEWING, "offer", ON_HOLD})
# Follow-up row statuses (reminders.models.Status), as plain strings.
OPEN_ROW_STATUSES = frozenset({"pending", "reminded"})
USER_CLOSED_ROW_STATUSES = frozenset({"done", "dismissed"})

EVENING = time(18, 0)
BUSINESS_MORNING = time(9, 0)
CAP = timedelta(days=7)
# A follow-up is due at least this long before its window closes: time to write and send.
TIME_TO_ACT = timedelta(hours=6)
FREEZE_TOUCH = timedelta(weeks=4)
# How many occurrences of a series are walked at most (a year of weekly touches, and more).
MAX_OCCURRENCES = 400


@dataclass(frozen=True)
class Rule:
    """One rule of the cadence. ``title`` says what to do and ``reason`` why, in plain
    words; ``why`` is the article's own sentence of advice behind it, and ``article`` that
    article's title (shown under "Why?"). ``id`` and ``source`` (the articles' numbers) are
    for the code, the tests and the admin, never for the candidate's eye."""

    id: str
    title: str
    reason: str
    source: str
    why: str
    article: str
    outreach: bool = False  # subject to the anti-pestering cap
    # Outreach tied to a moment the advice names (a window, a promised date): the cap moves
    # flexible outreach out of its way, never the reverse.
    date_bound: bool = False


RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule("R1", "Debrief while it is fresh",
             "Write down what happened within the hour, while you still remember it.", "004",
             why=("Debrief after the interview with yourself or your support team. The best way "
                  "to learn and evaluate one opportunity against another is to spend time "
                  "reflecting on the interview just finished."),
             article=ARTICLES["004"]),
        Rule("R2", "Send a thank-you email",
             "Send each interviewer a personalised thank-you email the same day; it is "
             "overdue after 24 hours and too late after 48.", "001, 002",
             why=("I still encourage you to send your thank-you notes the same day you "
                  "interviewed for a position."),
             article=ARTICLES["002"]),
        Rule("R3", "Mail a thank-you card or one-page letter",
             "Post a handwritten card or a one-page letter the same day, or the next day "
             "at the latest, so it arrives while they decide.", "002, 003",
             why=("Send a one-page (only!) follow-up letter via U.S. Mail. Mail it the same day "
                  "or the next day at the latest: you want it to arrive very quickly so it can "
                  "have an impact on the deliberations."),
             article=ARTICLES["003"]),
        Rule("R4", "Follow up first thing on the next business morning",
             "Your interview was before a weekend or holiday: follow up first thing on the "
             "next business morning to stay top-of-mind.", "001",
             why=("If your interview was on a Friday, follow up first thing Monday morning to "
                  "stay top-of-mind."),
             article=ARTICLES["001"]),
        Rule("R5", "Send a value-added follow-up",
             "Within 48 hours of the interview (a weekend included), send something useful "
             "on a topic you discussed: a book, an article, a news item or an idea — not a "
             "restatement of your qualifications.",
             "000", outreach=True, date_bound=True,
             why=("Within 48 hours, follow-up with a value-added response. Do not write a "
                  "letter or e-mail that just restates your qualifications; instead provide "
                  "something unique that dramatically sets you apart from others."),
             article=ARTICLES["000"]),
        Rule("R6", "Ask for a status update",
             "The decision date has passed by two days without news: ask politely where "
             "things stand, and say you are still very interested.", "001, 003",
             outreach=True, date_bound=True,
             why=("If they did give you a specific date, follow up within 48 hours. You want to "
                  "appear interested, but avoid coming across as desperate."),
             article=ARTICLES["001"]),
        Rule("R7", "Check in politely",
             "No decision date was given and a week has passed: a polite check-in is fine.",
             "001", outreach=True,
             why=("If they didn't give you a specific date for a decision, it's fine to follow "
                  "up a week later."),
             article=ARTICLES["001"]),
        Rule("R8", "Make a value-adding contact",
             "Stay in touch once a week with something of value, until you land the job or "
             "hear the position is filled — never just to ask for news.", "000, 002",
             outreach=True,
             why=("Call, write or personally visit your potential boss once a week with a "
                  "value-added benefit. Do this until you land the job or they tell you the "
                  "position has been filled."),
             article=ARTICLES["000"]),
        Rule("R9", "Reply cordially to the rejection",
             "Thank HR and the interviewer for their time and ask to be considered for "
             "other roles: you may have been number two.", "000, 001",
             why=("If you are turned down, write a very cordial thank-you note to HR and, more "
                  "importantly, to the person who interviewed you, thanking them for their time "
                  "and consideration. Indicate you would appreciate being looked at for other "
                  "jobs."),
             article=ARTICLES["000"]),
        Rule("R10", "Ask about other openings",
             "A month after a rejection, ask whether other roles have opened up.", "000",
             outreach=True,
             why=("If you are really interested in the position or company, follow-up in a "
                  "month with an inquiry about other opportunities that may have recently "
                  "opened up."),
             article=ARTICLES["000"]),
        Rule("R11", "Stay in touch during the freeze",
             "The decision is on hold: stay in touch every few weeks with industry events or "
             "topics of mutual interest.", "001", outreach=True,
             why=("If they still appear to be interested in you, stay in touch with the hiring "
                  "manager by occasionally sending emails about industry events or topics of "
                  "mutual interest."),
             article=ARTICLES["001"]),
        Rule("R12", "Send a work product or a 30/60/90-day plan",
             "You are invited to a later round: send a relevant (redacted) work product or a "
             "30/60/90-day plan — never in the first follow-up.", "001",
             why=("In the second round, it is a good idea to send a work product from a "
                  "previous job that closely relates to the position you're seeking. Wait until "
                  "you've completed the second or third rounds of interviews."),
             article=ARTICLES["001"]),
        Rule("R13", "Complete the contact details",
             "An interviewer's email or title is missing: ask for their card, look at their "
             "email signature or the invitation, or ask the recruiter, so your note reaches "
             "the right person with the right title.", "001, 004",
             why=("You will need the name, title, email address, and phone number of each "
                  "person that contributed to the interview. Ask for a business card from each "
                  "individual or check with the reception desk on the way out."),
             article=ARTICLES["004"]),
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
class FollowUpFacts:
    """A follow-up row that already exists (reminders.models.FollowUp), as planned before.

    ``status`` is the row's status string; ``closed_at`` when it was closed, if it was;
    ``sent_at`` when its reminder was emailed, if it was.
    """

    key: str
    rule: str
    status: str
    due_at: datetime
    closed_at: datetime | None = None
    sent_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ROW_STATUSES


@dataclass(frozen=True)
class ApplicationFacts:
    id: int
    status: str
    decision_date: date | None = None
    status_since: datetime | None = None  # when the current status was entered
    interviews: tuple[InterviewFacts, ...] = ()
    interviewers: tuple[InterviewerFacts, ...] = ()
    sent: tuple[SentFacts, ...] = ()
    # When a message from the employer was last received (issue 13.5): news.
    employer_last_wrote_at: datetime | None = None
    # The follow-ups planned so far, closed ones included: a series continues from them.
    followups: tuple[FollowUpFacts, ...] = ()

    def followup(self, key: str) -> FollowUpFacts | None:
        return next((row for row in self.followups if row.key == key), None)


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
    # Why it is satisfied, when that is not "you recorded it" (the employer wrote, say).
    note: str = field(default="", compare=False)

    @property
    def outreach(self) -> bool:
        return RULES[self.rule].outreach

    @property
    def date_bound(self) -> bool:
        return RULES[self.rule].date_bound

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

# The windows that count from the end of an interview: after them, reminding is pointless.
WINDOWS: dict[str, timedelta] = {
    "R1": timedelta(days=3),  # a debrief a few days on is memory, not a debrief
    "R2": timedelta(hours=48),  # "within 48 hours" (000, 001)
    "R3": timedelta(days=3),  # posted the next day at the latest, so it arrives in time
    "R5": timedelta(hours=48),  # "within 48 hours" (000)
    # A work product goes before the round or with its follow-up at the latest (001).
    "R12": timedelta(hours=48),
}


def window_closes(rule: str, interview_ends_at: datetime | None) -> datetime | None:
    """When the window of a follow-up tied to an interview closes (None: no such window)."""
    if rule not in WINDOWS or interview_ends_at is None:
        return None
    return interview_ends_at + WINDOWS[rule]


def _slot(earliest: datetime, closes: datetime, settings: CandidateSettings) -> datetime | None:
    """When to remind of something that may be done from ``earliest`` until ``closes``.

    The first reminder hour of a business day at or after ``earliest``, if that leaves
    ``TIME_TO_ACT``; else the first reminder hour whatever the day (a Saturday, after a
    Friday interview); else ``earliest`` itself; None if even that is too late.
    """
    latest = closes - TIME_TO_ACT
    for business_day in (True, False):
        due = at_reminder_hour(earliest, settings, business_day=business_day)
        if due <= latest:
            return due
    return earliest if earliest <= latest else None


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
            expires_at=window_closes("R1", interview.ends_at),
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
                expires_at=window_closes("R2", interview.ends_at),
            )
            yield Planned(
                "R3", f"R3:{interview.id}:{person.id}", due,
                satisfied=_sent(facts, kinds={"thank_you"}, after=interview.starts_at,
                                interviewer_id=person.id, channels={"card", "letter"}),
                interview_id=interview.id, interviewer_id=person.id,
                expires_at=window_closes("R3", interview.ends_at),
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
        # The morning after, at the reminder hour: after the thank-you, inside the 48 hours.
        # After a Friday that is Saturday's reminder hour: Monday would be too late.
        closes = window_closes("R5", interview.ends_at)
        due = _slot(interview.ends_at + timedelta(hours=12), closes, settings)
        yield Planned(
            "R5", f"R5:{interview.id}", due,
            satisfied=_sent(facts, kinds={"value_add"}, after=interview.ends_at),
            interview_id=interview.id, expires_at=closes,
        )


def _last_interview(facts: ApplicationFacts) -> InterviewFacts | None:
    return max(facts.interviews, key=lambda i: i.ends_at, default=None)


def _employer_wrote(facts: ApplicationFacts, *, after: datetime) -> datetime | None:
    """When the employer last wrote, if that was at or after ``after``."""
    wrote = facts.employer_last_wrote_at
    return wrote if wrote is not None and wrote >= after else None


def _wrote_note(wrote: datetime, settings: CandidateSettings) -> str:
    return f"Done: the employer wrote on {wrote.astimezone(settings.zone):%a %d %b}."


NO_NEWS_ASKS = frozenset({"status_check", "check_in"})


def _r6_status_check(facts, settings, now, last):
    decided = at_local(facts.decision_date, time(0), settings.zone)
    # Two days after the promised date, at the reminder hour (the next business day's if
    # that is not a working day). Date-bound: the cap moves other outreach, never this.
    due = on_day_at_reminder_hour(
        at_local(facts.decision_date + timedelta(days=2), time(12), settings.zone), settings
    )
    asked = _sent(facts, kinds=NO_NEWS_ASKS, after=decided)
    # News on or after the promised date answers the question; news before it does not
    # (the promise stands, and a new date from that message replans R6 under a new key).
    wrote = _employer_wrote(facts, after=decided)
    yield Planned(
        "R6", f"R6:{facts.id}:{facts.decision_date.isoformat()}", due,
        satisfied=asked or wrote is not None,
        note=_wrote_note(wrote, settings) if wrote and not asked else "",
    )


def _r7_check_in(facts, settings, now, last):
    base = f"R7:{last.id}"
    wrote = _employer_wrote(facts, after=last.ends_at)
    if wrote is None:
        due = on_day_at_reminder_hour(last.ends_at + CAP, settings)
        yield Planned("R7", base, due, interview_id=last.id,
                      satisfied=_sent(facts, kinds=NO_NEWS_ASKS, after=last.ends_at))
        return
    # The employer wrote after the interview: the week without news counts from there. A
    # check-in not yet due moves; one that fell due before the message is done by it.
    key = f"{base}:{local_date(wrote, settings.zone).isoformat()}"
    for row in facts.followups:
        if row.rule != "R7" or not row.is_open or not (
            row.key == base or row.key.startswith(f"{base}:")
        ):
            continue
        if row.due_at > wrote:
            key = row.key
        else:
            yield Planned("R7", row.key, row.due_at, satisfied=True, interview_id=last.id,
                          note=_wrote_note(wrote, settings))
    yield Planned(
        "R7", key, on_day_at_reminder_hour(wrote + CAP, settings), interview_id=last.id,
        satisfied=_sent(facts, kinds=NO_NEWS_ASKS, after=wrote),
    )


def _r6_r7_no_news(facts, settings, now):
    last = _last_interview(facts)
    if facts.status != INTERVIEWING or last is None:
        return
    if facts.decision_date:
        yield from _r6_status_check(facts, settings, now, last)
    else:
        yield from _r7_check_in(facts, settings, now, last)


def _series_key(rule: str, facts: ApplicationFacts, anchor: datetime,
                settings: CandidateSettings, used: set[str]) -> str:
    key = f"{rule}:{facts.id}:{local_date(anchor, settings.zone).isoformat()}"
    if key in used:  # two occurrences ended on one day
        key = next(f"{key}:{n}" for n in range(2, MAX_OCCURRENCES + 2) if f"{key}:{n}" not in used)
    used.add(key)
    return key


def _closed_by_user_at(row: FollowUpFacts) -> datetime:
    """When the user marked the occurrence done or dismissed it: never before its email.

    Done and Dismiss in a reminder email come after that email, whatever the clock of the
    server that recorded the click says (one behind the dispatcher's, or a dispatch run
    with ``--now``). Counted from a click stamped before the email, the next occurrence
    could fall due on the very date just closed (issue 16.5).
    """
    if row.sent_at is not None and row.sent_at > row.closed_at:
        return row.sent_at
    return row.closed_at


def _series(facts, settings, now, *, rule: str, start: datetime, period: timedelta,
            kinds: frozenset[str]) -> Iterator[Planned]:
    """A recurring outreach rule: the current occurrence, due ``period`` after its anchor.

    The first occurrence counts from ``start``. Each one ends at the first of: a note of
    ``kinds`` recorded (satisfied), its row marked done or dismissed by the user (from its
    email: no earlier than the email, ``_closed_by_user_at``), its window (``period`` after
    it fell due) closing; the next one counts from that moment. Ended occurrences are
    yielded only while their row is still open, so that the planner closes it; the rest is
    history.
    """
    touches = sorted(s.sent_at for s in facts.sent if s.kind in kinds and s.sent_at >= start)
    rows = {row.key: row for row in facts.followups if row.rule == rule}
    used: set[str] = set()
    anchor, next_touch, previous = start, 0, None
    for _ in range(MAX_OCCURRENCES):
        key = _series_key(rule, facts, anchor, settings, used)
        due = on_day_at_reminder_hour(anchor + period, settings)
        row = rows.get(key)
        item = Planned(rule, key, due, expires_at=due + period)
        while next_touch < len(touches) and touches[next_touch] < anchor:
            next_touch += 1
        ends = []  # (when, how)
        if next_touch < len(touches):
            ends.append((touches[next_touch], "note"))
        if row is not None and row.status in USER_CLOSED_ROW_STATUSES and row.closed_at:
            ends.append((_closed_by_user_at(row), "user"))
        held = row.due_at if row is not None else due  # where the cap or a snooze put it
        if now > held + period:
            ends.append((held + period, "window"))
        if not ends:
            break
        when, how = min(ends)
        if how == "note":
            next_touch += 1
            previous = replace(item, satisfied=True)
        elif how == "window":
            # Ignored: the next one falls due as this one's window closes.
            when, previous = held, replace(item, due_at=held, expires_at=held + period)
        else:
            previous = None
        previous = previous if row is not None and row.is_open else None
        anchor = max(when, anchor)
    if previous is not None:
        yield previous
    yield item


def _r8_weekly_value(facts, settings, now):
    last = _last_interview(facts)
    if facts.status != INTERVIEWING or last is None:
        return
    # One week after the latest value-adding touch (or the interview): only the next one is
    # planned; each one ended plans the week after.
    yield from _series(facts, settings, now, rule="R8", start=last.ends_at, period=CAP,
                       kinds=frozenset({"value_add"}))


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
    # Every four weeks while the decision is on hold, however the last touch ended.
    yield from _series(facts, settings, now, rule="R11", start=facts.status_since,
                       period=FREEZE_TOUCH, kinds=frozenset({"stay_in_touch"}))


def _r12_later_round(facts, settings, now):
    for interview in facts.interviews:
        if interview.round_number < 2:
            continue
        closes = window_closes("R12", interview.ends_at)
        due = _slot(interview.booked_at, closes, settings)
        if due is None:  # logged too long after the round to be of use
            continue
        yield Planned(
            "R12", f"R12:{interview.id}", due,
            satisfied=_sent(facts, kinds={"work_product"}, after=interview.booked_at),
            interview_id=interview.id, expires_at=closes,
        )


def _r13_contact_details(facts, settings, now):
    for person in facts.interviewers:
        attended = [i for i in facts.interviews if i.id in person.interview_ids]
        complete = person.has_email and person.has_title
        key = f"R13:{person.id}"
        # Only for someone whose email or title is missing; once planned, completing the
        # details makes it done.
        if not attended or (complete and facts.followup(key) is None):
            continue
        first = min(attended, key=lambda i: i.ends_at)
        yield Planned(
            "R13", key, _same_evening(first, settings),
            satisfied=complete, interviewer_id=person.id,
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

    An ended application (accepted, withdrawn, filled) needs none, nor does a listing only
    saved (not applied for yet); a rejected one only the rejection rules. ``fixed_due``
    holds the due times of follow-ups that must not move (already emailed, or snoozed by
    the candidate); the cap plans around them.
    """
    fixed_due = fixed_due or {}
    if facts.status in CLOSED or facts.status == SAVED:
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
    return cap(planned, now=now)


def cap(planned: list[Planned], *, gap: timedelta = CAP,
        now: datetime | None = None) -> list[Planned]:
    """The anti-pestering cap: outreach for one application is never due < 7 days apart.

    Some outreach holds its place: satisfied items, items already reminded or snoozed
    (``fixed``), date-bound ones (R5 in its 48 hours, R6 on the promised date) and those
    whose window closed by ``now``. Flexible outreach (R7, R8, R10, R11) closer than ``gap``
    to any outreach is postponed past it, keeping its original due time in
    ``postponed_from`` so the user sees why, with its window moved along. Nothing is ever
    dropped, and a date-bound reminder is never moved for a flexible one.
    """
    outreach = [p for p in planned if p.outreach and not p.satisfied]

    def holds(p: Planned) -> bool:
        return p.fixed or p.date_bound or (now is not None and p.expired(now))

    anchored = sorted(p.due_at for p in outreach if holds(p))
    moved: dict[str, Planned] = {}
    for item in sorted((p for p in outreach if not holds(p)), key=lambda p: (p.due_at, p.key)):
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
