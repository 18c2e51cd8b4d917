"""What an employer's message looks like, as a suggestion the user confirms (pure, no ORM).

Like `notes/coach.py` and `reminders/rules.py`, this only reads: it never changes a status.
It reads the employer's own new text (the original of a hand forward; quoted history and
signature removed by `mime`), the subject, and any calendar parts, and says which one kind it
looks like, with the phrases that matched and a decision date resolved against the message's
Date header. Phrases are data (`phrases/<language>.toml`), so a language is a file.

Order of precedence when several kinds match, most consequential first: a calendar invitation
is a fact and wins; then offer, rejection, on hold (an ending or a pause beats anything said
along the way: "unfortunately … we will keep your CV on file and get back to you"); then an
invitation in words, a scheduling request, a delay, a decision date.

A rejection is said in two ways. Its `strong` phrases state a decision about the application
("we have decided to move forward with other candidates"); its `polite` phrases ("we regret
to inform you") open bad news of any kind: a pause, a postponed interview, a delay. A polite
phrase therefore names a rejection only when nothing else explains the regret, and never when
the message mentions a pause at all. Suggesting "Mark rejected" for a pause would close an
open application with one click; suggesting "On hold" for a rejection costs nothing.
"""

from __future__ import annotations

import calendar as calendar_module
import re
import tomllib
import zoneinfo
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path

import dateparser

from .calendars import CalendarRefused, Invite, parse_calendar
from .mime import ParsedMessage, employer_message

KINDS = (
    "invitation",
    "scheduling",
    "rejection",
    "offer",
    "decision_date",
    "delay",
    "on_hold",
    "other",
)
PHRASES_DIR = Path(__file__).parent / "phrases"
MAX_READ = 20_000  # characters of text classified; the decision is in the first lines


@dataclass(frozen=True)
class Suggestion:
    kind: str
    phrases: tuple[str, ...]
    decision_date: date | None
    invites: tuple[Invite, ...]
    summary: str
    problems: tuple[str, ...] = ()


def understand(
    message: ParsedMessage,
    *,
    own_addresses: Collection[str] = (),
    language: str = "en",
    now: datetime | None = None,
) -> Suggestion:
    """Classify one parsed message.

    1. Read the invitations in its calendar parts (a refused one is reported, not raised).
    2. Match every kind's phrases in the subject and the employer's new text.
    3. Resolve the decision date against the Date header (or `now` when there is none).
    4. Pick the kind by precedence and write the one-sentence summary.
    """
    phrases = load_phrases(language)
    original = employer_message(message, own_addresses=own_addresses)
    invites, problems = _invites(message, original, own_addresses)
    text = _text_of(original)
    matches = {kind: _match(phrases.patterns[kind], text) for kind in phrases.patterns}
    base = original.date or message.date or now
    decision = _decision_date(matches.get("decision_date", []), base, phrases)
    kind = _kind(matches, invites, text, decision)
    matched = _unique(m.text for m in matches.get(kind, []))
    if kind in ("delay", "decision_date") or (kind != "other" and decision):
        matched = _unique([*matched, *(m.text for m in matches.get("decision_date", []))])
    return Suggestion(
        kind=kind,
        phrases=matched[:10],
        decision_date=decision,
        invites=invites,
        summary=_summary(kind, invites, decision, phrases),
        problems=problems,
    )


# --- phrase sets -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Pattern:
    regex: re.Pattern[str]
    strong: bool
    polite: bool = False


@dataclass(frozen=True)
class PhraseSet:
    language: str
    patterns: dict[str, tuple[_Pattern, ...]]
    dates: dict
    summaries: dict[str, str]
    duration: re.Pattern[str] | None = None  # "within the next two weeks"
    weekday_lead: tuple[str, ...] = ()  # "next", "this", "coming"
    next_word: str = ""


def _date_slot(stops: list[str]) -> str:
    """A date expression after a phrase: up to the end of the sentence or a conjunction.

    A period ends it, except the one of a German or Nordic ordinal ("11. Dezember").
    """
    period = r"(?:(?<!\d)\.|\.(?!\s*[^\W\d_]))"
    conjunctions = _alternation(stops)
    stop = rf"|,?\s+(?:{conjunctions})\b" if conjunctions else ""
    return rf"(?P<date>(?:[^.!?;:\n]|\.){{1,60}}?)(?={period}|[!?;:\n]{stop}|$)"


def _compile(phrase: str, slot: str) -> re.Pattern[str]:
    body = phrase.replace("'", "['’]").replace(" ", r"\s+").replace("{date}", slot)
    return re.compile(rf"(?<!\w){body}", re.IGNORECASE)


@cache
def load_phrases(language: str = "en") -> PhraseSet:
    """The phrase set of `language` (a file in phrases/), English if there is none."""
    code = re.sub(r"[^a-z]", "", language.lower().split("-")[0].split("_")[0])[:8] or "en"
    path = PHRASES_DIR / f"{code}.toml"
    if not path.is_file():
        code, path = "en", PHRASES_DIR / "en.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    dates = data.get("dates", {})
    slot = _date_slot(dates.get("slot_stops", []))
    patterns = {kind: _patterns(data[kind], slot) for kind in KINDS if kind in data}
    return PhraseSet(
        code,
        patterns,
        dates,
        data.get("summaries", {}),
        duration=_duration_pattern(dates),
        weekday_lead=tuple(dates.get("weekday_lead", ())),
        next_word=dates.get("next_word", ""),
    )


def _patterns(section: dict, slot: str) -> tuple[_Pattern, ...]:
    return (
        tuple(_Pattern(_compile(p, slot), True) for p in section.get("strong", []))
        + tuple(_Pattern(_compile(p, slot), False, True) for p in section.get("polite", []))
        + tuple(_Pattern(_compile(p, slot), False) for p in section.get("weak", []))
    )


def _alternation(words) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


def _duration_pattern(dates: dict) -> re.Pattern[str] | None:
    units, numbers = dates.get("units", {}), dates.get("numbers", {})
    if not units:
        return None
    lead = _alternation(dates.get("duration_lead", ()))
    lead_part = rf"(?:(?:{lead}) )*" if lead else ""
    number = rf"\d{{1,3}}|{_alternation(numbers)}" if numbers else r"\d{1,3}"
    return re.compile(rf"(?<!\w){lead_part}(?P<n>{number}) (?P<unit>{_alternation(units)})(?!\w)")


# --- matching ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Match:
    text: str
    strong: bool
    date_text: str = ""
    polite: bool = False


def _text_of(message: ParsedMessage) -> str:
    body = message.text or message.full_text
    return f"{message.subject}\n{body[:MAX_READ]}"


def _match(patterns: tuple[_Pattern, ...], text: str) -> list[_Match]:
    found = []
    for pattern in patterns:
        for hit in pattern.regex.finditer(text):
            date_text = hit.groupdict().get("date") or ""
            said = re.sub(r"\s+", " ", hit.group(0)).strip()
            found.append(_Match(said, pattern.strong, date_text, pattern.polite))
            if len(found) > 20:
                return found
    return found


def _unique(texts) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for text in texts:
        seen.setdefault(text.lower(), text)
    return tuple(seen.values())


def _strong(matches: list[_Match]) -> bool:
    return any(m.strong for m in matches)


def _weak(matches: list[_Match]) -> bool:
    """Two different weak phrases of one kind ("unfortunately" … "keep your CV on file")."""
    return len({m.text.lower() for m in matches if not m.strong}) >= 2


_TIME = re.compile(r"\b\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)|\b\d{1,2}[:.h]\d{2}\b", re.I)
_WEAK_ORDER = ("offer", "rejection", "on_hold", "scheduling", "delay")


def _kind(
    matches: dict[str, list[_Match]],
    invites: tuple[Invite, ...],
    text: str,
    decision: date | None,
) -> str:
    """The kind by precedence: first among strong phrases, then the polite regret phrases,
    and only then among weak ones, so "Unfortunately I regret I must reschedule our interview"
    is a scheduling request and "we regret to inform you that the position is on hold" a
    pause."""
    if invites:
        return "invitation"
    for kind in ("offer", "rejection", "on_hold"):
        if _strong(matches.get(kind, [])):
            return kind
    invited = _strong(matches.get("invitation", []))
    if invited and _TIME.search(text):
        return "invitation"
    if invited or _strong(matches.get("scheduling", [])):
        return "scheduling"
    if _strong(matches.get("delay", [])):
        return "delay"
    if decision is not None:
        return "decision_date"
    if any(m.polite for m in matches.get("rejection", [])):
        return "on_hold" if matches.get("on_hold") else "rejection"
    for kind in _WEAK_ORDER:
        if _weak(matches.get(kind, [])):
            return kind
    return "other"


# --- invitations -------------------------------------------------------------------------


def _invites(
    message: ParsedMessage, original: ParsedMessage, own_addresses: Collection[str]
) -> tuple[tuple[Invite, ...], tuple[str, ...]]:
    invites: list[Invite] = []
    problems: list[str] = []
    seen: set[tuple[str, int, datetime | None]] = set()
    parts = list(message.calendars) + [c for c in original.calendars if c not in message.calendars]
    for data in parts:
        try:
            found = parse_calendar(data, own_addresses=own_addresses)
        except CalendarRefused as exc:
            problems.append(exc.reason)
            continue
        for invite in found:
            key = (invite.uid, invite.sequence, invite.recurrence_id)
            if invite.uid and key in seen:
                continue
            seen.add(key)
            invites.append(invite)
    return tuple(invites), tuple(problems)


# --- dates -------------------------------------------------------------------------------


def _decision_date(matches: list[_Match], base: datetime | None, phrases: PhraseSet) -> date | None:
    if base is None:
        return None
    for match in matches:
        if match.date_text:
            resolved = resolve_date(match.date_text, base, phrases)
            if resolved is not None:
                return resolved
    return None


def resolve_date(text: str, base: datetime, phrases: PhraseSet | None = None) -> date | None:
    """The date a phrase like "Friday", "the end of next week" or "two weeks" means at `base`.

    Relative expressions are resolved here (dateparser reads "Friday" as the past one);
    absolute dates go to dateparser with the base as reference and future preferred.
    """
    phrases = phrases or load_phrases("en")
    words = phrases.dates
    cleaned = re.sub(r"\s+", " ", text.lower().replace("’", "'")).strip(" ,")
    today = base.astimezone(UTC).date() if base.tzinfo else base.date()
    resolved = (
        _relative(cleaned, today, words)
        or _duration(cleaned, today, phrases)
        or _weekday(cleaned, today, phrases)
        or _day_month(cleaned, today, words)
        or _absolute(cleaned, base, phrases.language)
    )
    if resolved is None or not (
        today - timedelta(days=1) <= resolved <= today + timedelta(days=400)
    ):
        return None
    return resolved


_RULE_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _relative(text: str, today: date, words: dict) -> date | None:
    rules = words.get("relative", {})
    for phrase in sorted(rules, key=len, reverse=True):
        if not re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text):
            continue
        what, _, ahead = rules[phrase].partition("+")
        ahead_n = int(ahead or 0)
        if what == "day":
            return today + timedelta(days=ahead_n)
        if what == "month_end":
            year, month = (
                today.year + (today.month - 1 + ahead_n) // 12,
                (today.month - 1 + ahead_n) % 12 + 1,
            )
            return date(year, month, calendar_module.monthrange(year, month)[1])
        if what in _RULE_WEEKDAYS:  # rules name weekdays in English, whatever the language
            index = _RULE_WEEKDAYS.index(what)
            day = today - timedelta(days=today.weekday()) + timedelta(days=index, weeks=ahead_n)
            if day < today:  # "end of the week" said on a Saturday: the coming Friday
                day += timedelta(weeks=1)
            return day
    return None


def _duration(text: str, today: date, phrases: PhraseSet) -> date | None:
    match = phrases.duration.search(text) if phrases.duration else None
    if not match:
        return None
    words = phrases.dates
    number = match.group("n")
    count = int(number) if number.isdigit() else words.get("numbers", {}).get(number)
    unit_days = words.get("units", {}).get(match.group("unit"))
    if not count or not unit_days:
        return None
    if match.group("unit") in words.get("business_units", []):
        day, left = today, count
        while left:
            day += timedelta(days=1)
            if day.weekday() < 5:
                left -= 1
        return day
    return today + timedelta(days=count * unit_days)


def _weekday(text: str, today: date, phrases: PhraseSet) -> date | None:
    lead = _alternation(phrases.weekday_lead)
    lead_part = rf"(?:({lead}) )?" if lead else "()?"
    for index, name in enumerate(phrases.dates.get("weekdays", [])):
        match = re.search(rf"(?<!\w){lead_part}{name[:3]}(?:{name[3:]})?\.?(?!\w)", text)
        if not match:
            continue
        if re.search(r"[^\W\d_]{3,}\.?\s*\d|\d\.?\s*[^\W\d_]{3,}|\d/\d", text):
            return None  # "Friday, 11 December": a full date, read by the day-month readers
        day = today + timedelta(days=(index - today.weekday()) % 7 or 7)
        same_week = day.isocalendar()[:2] == today.isocalendar()[:2]
        if phrases.next_word and match.group(1) == phrases.next_word and same_week:
            day += timedelta(weeks=1)  # "next Friday" said on a Tuesday: the week after
        return day
    return None


def _day_month(text: str, today: date, words: dict) -> date | None:
    """ "11 December", "December 23rd", "Fri, 11 Dec 2026": the common forms, without dateparser.

    dateparser reads them too, at a few milliseconds each; this keeps classifying fast.
    """
    months = words.get("months", [])
    if not months:
        return None
    names = "|".join(rf"{m[:3]}(?:{m[3:]})?" for m in months)
    ordinals = _alternation(words.get("ordinals", ()))
    ordinal = rf"(?:{ordinals}|\.)?" if ordinals else r"\.?"
    joiners = _alternation(words.get("day_month_joiners", ()))
    joiner = rf"(?: (?:{joiners}))?" if joiners else ""
    day_first = re.search(
        rf"(?<!\w)(\d{{1,2}}){ordinal}{joiner} ({names})\.?(?: (\d{{4}}))?(?!\w)", text
    )
    month_first = re.search(
        rf"(?<!\w)({names})\.? (\d{{1,2}}){ordinal}(?!\w)(?:,? (\d{{4}}))?", text
    )
    if day_first:
        day, month, year = day_first.group(1), day_first.group(2), day_first.group(3)
    elif month_first:
        month, day, year = month_first.group(1), month_first.group(2), month_first.group(3)
    else:
        return None
    number = next(i for i, m in enumerate(months, 1) if m.startswith(month[:3]))
    candidates = [int(year)] if year else [today.year, today.year + 1]
    for candidate in candidates:
        try:
            resolved = date(candidate, number, int(day))
        except ValueError:
            return None
        if year or resolved >= today - timedelta(days=1):
            return resolved
    return None


def _absolute(text: str, base: datetime, language: str) -> date | None:
    if not re.search(r"\d", text):
        return None
    candidates = [text]
    words = text.split()
    candidates += [" ".join(words[:n]) for n in (4, 3, 2) if n < len(words)]
    settings = {
        "RELATIVE_BASE": base.replace(tzinfo=None),
        "PREFER_DATES_FROM": "future",
        "REQUIRE_PARTS": ["day"],
        "DATE_ORDER": "DMY",
    }
    for candidate in candidates:
        try:
            parsed = dateparser.parse(candidate[:60], languages=[language], settings=settings)
        except Exception:  # dateparser on odd text (overflows, regex edge cases)
            parsed = None
        if parsed is not None:
            return parsed.date()
    return None


# --- summary -----------------------------------------------------------------------------


def _day(value: date, words: dict, *, year: bool = False) -> str:
    """ "Fri 4 Dec" in the phrase set's words (short_weekdays, short_months), else English."""
    weekdays, months = words.get("short_weekdays"), words.get("short_months")
    if weekdays and months and len(weekdays) == 7 and len(months) == 12:
        text = f"{weekdays[value.weekday()]} {value.day} {months[value.month - 1]}"
    else:
        text = f"{value:%a} {value.day} {value:%b}"
    return f"{text} {value.year}" if year else text


def _local(invite: Invite, words: dict) -> str:
    if invite.all_day:
        return _day(invite.starts_at.date(), words, year=True)
    try:
        zone = zoneinfo.ZoneInfo(invite.tzname)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = UTC
    local = invite.starts_at.astimezone(zone)
    return f"{_day(local.date(), words, year=True)}, {local:%H:%M} ({invite.tzname})"


def _summary(
    kind: str, invites: tuple[Invite, ...], decision: date | None, phrases: PhraseSet
) -> str:
    def text(key: str, **values: str) -> str:
        template = phrases.summaries.get(key) or load_phrases("en").summaries.get(key, "")
        return template.format(**values)

    if kind == "invitation" and invites:
        invite = invites[0]
        when = text("when_on", when=_local(invite, phrases.dates))
        if invite.cancelled:
            return text("invitation_cancelled", when=when)
        if invite.sequence > 0:
            return text(
                "invitation_updated", when=text("when_to", when=_local(invite, phrases.dates))
            )
        return text("invitation", when=when)
    if kind == "invitation":
        return text("invitation", when="")
    day = _day(decision, phrases.dates) if decision else ""
    if kind == "decision_date":
        return text("decision_date", date=day)
    if kind == "delay":
        return text("delay", date_clause=text("delay_date_clause", date=day) if day else "")
    return text(kind)
