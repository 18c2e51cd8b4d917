"""Reading calendar invitations (iCalendar, RFC 5545 / iTIP RFC 5546) into `Invite`s (pure).

icalendar does the parsing. Around it: limits checked on the raw text before parsing (size,
event count, nesting), so a hostile file costs little; times turned into aware UTC here, per
parse, from the file's own words (an IANA or Windows zone name is its IANA zone, any other name
the file's own VTIMEZONE, worked out with bounded effort), with the event's IANA zone kept for
display; the meeting link found wherever a vendor puts it; the
people reduced to the humans worth recording (no rooms, no resources, no robot senders, not the
candidate).
"""

from __future__ import annotations

import bisect
import calendar as gregorian
import logging
import re
import zoneinfo
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import cache

import icalendar
from icalendar.parser import Contentline
from icalendar.parser.content_line import NEWLINE, UFOLD
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

MAX_CALENDAR_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 6  # VCALENDAR > VEVENT > VALARM is 3; real files never go past 4
MAX_LINES = 20_000  # a Teams invitation is ~150 lines; parsing costs ~50 µs a line
MAX_LINE = 64 * 1024
MAX_ATTENDEE_LINES = 1_000
MAX_TIMEZONES = 20
MAX_TEXT = 10_000
MAX_PEOPLE = 200
MAX_OBSERVANCES = 200  # STANDARD/DAYLIGHT blocks in one VTIMEZONE; Outlook writes 2
MAX_RDATES = 2_000  # per VTIMEZONE; a zone's full history since 1900 has a few hundred
MAX_ZONE_STEPS = 5_000  # months looked at per parse; an invitation needs a handful
MAX_OFFSET = timedelta(hours=18)

_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
_LATEST = datetime(2200, 1, 1, tzinfo=UTC)


UNEXPECTED = "The calendar could not be read (an unexpected error, which was logged)."
logger = logging.getLogger(__name__)


class CalendarRefused(ValueError):
    """The calendar cannot be used; `reason` says why, for the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Person:
    name: str
    email: str


@dataclass(frozen=True)
class Invite:
    method: str
    uid: str
    sequence: int
    summary: str
    starts_at: datetime
    ends_at: datetime
    all_day: bool
    tzname: str
    location: str
    meeting_url: str
    organizer: Person | None
    attendees: tuple[Person, ...]
    description: str
    meeting_provider: str = ""
    status: str = ""
    recurrence_id: datetime | None = None
    floating: bool = False  # no zone given: times were read as UTC

    @property
    def cancelled(self) -> bool:
        return self.method == "CANCEL" or self.status == "CANCELLED"


def parse_calendar(
    data: bytes | str, *, own_addresses: Collection[str] = (), max_events: int = 50
) -> list[Invite]:
    """Every VEVENT of `data` as an `Invite`, in file order; `CalendarRefused` if unusable.

    1. Check size, nesting and event count on the raw lines (cheap, before any parsing).
    2. Parse with icalendar (several VCALENDARs in one file are allowed).
    3. Read each event; one that cannot be read (no start, absurd dates) is skipped.
    """
    text = _as_text(data)
    _check_shape(text, max_events=max_events)
    try:
        calendars = icalendar.Calendar.from_ical(_hide_zones(text), multiple=True)
    except RecursionError as exc:
        raise CalendarRefused("The calendar is nested too deeply to be read.") from exc
    except Exception as exc:  # icalendar raises ValueError and, on odd input, others
        raise CalendarRefused(
            "The calendar could not be read (it is not valid iCalendar)."
        ) from exc
    own = {address.strip().lower() for address in own_addresses}
    try:
        invites = _read_events(calendars, own)
    except CalendarRefused:
        raise
    except Exception as exc:
        # Last resort for hostile input nobody foresaw: a refusal, not a crash, and the bug
        # is logged (the fuzz tests fail on this reason).
        logger.exception("Unexpected error while reading a calendar")
        raise CalendarRefused(UNEXPECTED) from exc
    if not invites:
        raise CalendarRefused("The calendar has no event with a usable start time.")
    return invites


def _read_events(calendars, own: set[str]) -> list[Invite]:
    invites: list[Invite] = []
    for calendar in calendars:
        method = _text(calendar.get("METHOD")).upper() or "PUBLISH"
        zones = _Zones(calendar)
        for event in calendar.walk("VEVENT"):
            invite = _read_event(event, method=method, own=own, zones=zones)
            if invite is not None:
                invites.append(invite)
    return invites


# --- limits ------------------------------------------------------------------------------

_BEGIN = re.compile(r"^BEGIN:([A-Za-z0-9-]+)\s*$", re.IGNORECASE)
_END = re.compile(r"^END:([A-Za-z0-9-]+)\s*$", re.IGNORECASE)


def _as_text(data: bytes | str) -> str:
    if isinstance(data, bytes | bytearray | memoryview):
        data = bytes(data)
        if len(data) > MAX_CALENDAR_BYTES:
            raise CalendarRefused(
                f"The calendar is over {MAX_CALENDAR_BYTES // (1024 * 1024)} MB; it was not read."
            )
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", "replace")
    elif isinstance(data, str):
        text = data.lstrip("\ufeff")
    else:
        raise CalendarRefused("The calendar must be given as text or bytes.")
    if len(text) > MAX_CALENDAR_BYTES:
        raise CalendarRefused(
            f"The calendar is over {MAX_CALENDAR_BYTES // (1024 * 1024)} MB; it was not read."
        )
    text = text.replace("\x00", "")
    if "BEGIN:VCALENDAR" not in text.upper():
        raise CalendarRefused("This is not a calendar (no BEGIN:VCALENDAR).")
    return text


def _check_shape(text: str, *, max_events: int) -> None:
    lines = text.splitlines()
    if len(lines) > MAX_LINES:
        raise CalendarRefused("The calendar has too many lines to be an invitation.")
    depth = events = timezones = attendees = 0
    for line in lines:
        if len(line) > MAX_LINE:
            raise CalendarRefused("The calendar has a line over 64 KB; it was not read.")
        head = line[:8].upper()
        if head.startswith("ATTENDEE"):
            attendees += 1
            if attendees > MAX_ATTENDEE_LINES:
                raise CalendarRefused("The calendar lists too many attendees to be an invitation.")
            continue
        if head[:4] not in ("BEGI", "END:"):
            continue
        if _BEGIN.match(line):
            depth += 1
            if depth > MAX_DEPTH:
                raise CalendarRefused("The calendar is nested too deeply to be read.")
            name = line[6:].strip().upper()
            if name == "VEVENT":
                events += 1
                if events > max_events:
                    raise CalendarRefused(
                        f"The calendar has over {max_events} events; an invitation has a few."
                    )
            elif name == "VTIMEZONE":
                timezones += 1
                if timezones > MAX_TIMEZONES:
                    raise CalendarRefused("The calendar has too many time zones to be read.")
        elif _END.match(line):
            depth = max(0, depth - 1)


# --- one event ---------------------------------------------------------------------------


def _read_event(event, *, method: str, own: set[str], zones: _Zones) -> Invite | None:
    try:
        when = _when(event, zones)
    except CalendarRefused:  # a time zone that cannot be used: say so, never guess
        raise
    except Exception:  # a start icalendar could not decode: skip this event only
        return None
    if when is None:
        return None
    starts_at, ends_at, all_day, tzname, floating = when
    try:
        sequence = int(str(event.get("SEQUENCE", 0)).strip() or 0)
    except (TypeError, ValueError):
        sequence = 0
    sequence = max(0, min(sequence, 2**31 - 1))
    uid = _text(event.get("UID"))[:500]
    location = _text(event.get("LOCATION"))[:1000]
    description = _text(event.get("DESCRIPTION"))[:MAX_TEXT]
    meeting_url, provider = _meeting_link(event)
    organizer = _person(event.get("ORGANIZER"), own)
    attendees = _attendees(event.get("ATTENDEE"), own, organizer)
    return Invite(
        method=method[:20],
        uid=uid,
        sequence=sequence,
        summary=_text(event.get("SUMMARY"))[:500],
        starts_at=starts_at,
        ends_at=ends_at,
        all_day=all_day,
        tzname=tzname,
        location=location,
        meeting_url=meeting_url,
        organizer=organizer,
        attendees=attendees,
        description=description,
        meeting_provider=provider,
        status=_text(event.get("STATUS")).upper()[:20],
        recurrence_id=_recurrence_id(event, zones),
        floating=floating,
    )


def _when(event, zones: _Zones) -> tuple[datetime, datetime, bool, str, bool] | None:
    if event.get("DTSTART") is None:
        return None
    start, tzname, floating = zones.moment(event.get("DTSTART"))
    end = zones.moment(event.get("DTEND"))[0] if event.get("DTEND") is not None else None
    duration = event.decoded("DURATION") if event.get("DURATION") is not None else None
    if not isinstance(start, datetime) and isinstance(start, date):
        starts_at = datetime(start.year, start.month, start.day, tzinfo=UTC)
        if isinstance(end, date) and not isinstance(end, datetime) and end > start:
            ends_at = datetime(end.year, end.month, end.day, tzinfo=UTC)
        elif isinstance(duration, timedelta) and duration > timedelta(0):
            ends_at = starts_at + duration
        else:
            ends_at = starts_at + timedelta(days=1)
        return _bounded(starts_at, ends_at, all_day=True, tzname="UTC", floating=False)
    if not isinstance(start, datetime):
        return None
    starts_at = start
    if isinstance(end, datetime):
        ends_at = end
    elif isinstance(duration, timedelta):
        ends_at = starts_at + duration
    else:
        ends_at = starts_at
    if ends_at < starts_at:
        ends_at = starts_at
    if tzname == "UTC" and event.get("TZID") is not None:
        # Zoom writes UTC times and names the host's zone in a (non-standard) TZID property.
        tzname = _iana_name(_text(event.get("TZID")), None)
    return _bounded(starts_at, ends_at, all_day=False, tzname=tzname, floating=floating)


def _bounded(starts_at, ends_at, **rest):
    if not (_EARLIEST <= starts_at < _LATEST) or ends_at - starts_at > timedelta(days=60):
        return None
    return starts_at, ends_at, rest["all_day"], rest["tzname"], rest["floating"]


def _recurrence_id(event, zones: _Zones) -> datetime | None:
    if event.get("RECURRENCE-ID") is None:
        return None
    try:
        value = zones.moment(event.get("RECURRENCE-ID"))[0]
    except CalendarRefused:
        raise
    except Exception:
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return None


@cache
def _iana_zones() -> dict[str, str]:
    zones = {name.lower(): name for name in zoneinfo.available_timezones()}
    zones.update({name.lower(): iana for name, iana in WINDOWS_TO_OLSON.items()})
    return zones


@cache
def _cities() -> dict[str, str]:
    """ "amsterdam" -> "Europe/Amsterdam", for Outlook's display names of zones."""
    cities: dict[str, str] = {}
    for name in sorted(zoneinfo.available_timezones()):
        area, _, city = name.rpartition("/")
        if area.split("/")[0] in _AREAS:
            cities.setdefault(city.lower().replace("_", " "), name)
    return cities


_AREAS = {"Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe", "Indian",
          "Pacific"}  # fmt: skip


_ZONE_IN_TEXT = re.compile(r"[A-Za-z]+/[A-Za-z_]+(?:/[A-Za-z_]+)?")


def _iana_name(tzid: str, zone: tzinfo | None) -> str:
    """The IANA name of the event's zone, from its TZID (IANA, Windows, or decorated)."""
    zones = _iana_zones()
    candidates = [tzid.strip().strip('"'), getattr(zone, "key", "") or ""]
    for candidate in candidates:
        if candidate.lower() in ("utc", "z", "gmt", "etc/utc"):
            return "UTC"
        if candidate.lower() in zones:
            return zones[candidate.lower()]
        # "/mozilla.org/20050126_1/Europe/Berlin", "(UTC+01:00) Europe/Berlin"
        for match in _ZONE_IN_TEXT.findall(candidate):
            if match.lower() in zones:
                return zones[match.lower()]
        # "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna"
        for city in re.split(r"[,()]", candidate):
            name = _cities().get(city.strip().lower())
            if name:
                return name
    return "UTC"  # a private VTIMEZONE name: the times are still right, only the label is not


# --- time zones --------------------------------------------------------------------------
#
# icalendar keeps every VTIMEZONE it parses in one table for the whole process, where the first
# definition of a name wins (one account's file defining "Pacific Standard Time" as +09:00 moved
# another account's Outlook invitation by 17 hours), and turns it into a dateutil zone that
# expands the observances' recurrences without limit (a zone changing every second since 1601
# kept a worker busy for 30 s and took 970 MB). So icalendar never sees a VTIMEZONE: the blocks
# are renamed before parsing and read here, for this parse only. A known IANA or Windows name
# is its IANA zone; any other name is the file's own VTIMEZONE, whose offset at the event's
# moment comes from each observance's last change before it: yearly rules only, a few years
# looked at, within MAX_ZONE_STEPS; what is over that is refused in words.

_HIDDEN_ZONE = "X-FOLLOWUP-VTIMEZONE"


def _hide_zones(text: str) -> str:
    """`text` unfolded, with BEGIN/END:VTIMEZONE renamed where icalendar would see them."""
    lines = NEWLINE.split(UFOLD.sub("", text))
    for index, line in enumerate(lines):
        if "VTIMEZONE" not in line.upper():
            continue
        try:  # icalendar's own reading of the line, so no spelling slips past
            name, _params, value = Contentline(line).parts()
        except ValueError:  # icalendar will not take it as BEGIN or END either
            continue
        if name.upper() in ("BEGIN", "END") and value.upper() == "VTIMEZONE":
            lines[index] = f"{name.upper()}:{_HIDDEN_ZONE}"
    return "\r\n".join(lines)


@dataclass(frozen=True)
class _YearlyRule:
    months: frozenset[int]
    monthdays: frozenset[int]
    weekdays: frozenset[tuple[int, int]]  # (n-th in the month, or 0 for every; Monday=0)
    until: datetime | None
    count: int | None


@dataclass(frozen=True)
class _Observance:
    start: datetime  # wall time, in offset_from
    offset_from: timedelta
    offset_to: timedelta
    rules: tuple[_YearlyRule, ...]
    rdates: tuple[datetime, ...]  # sorted


class _Zones:
    """The time zones one VCALENDAR defines, read when an event first names one, for this
    parse only."""

    def __init__(self, calendar) -> None:
        self._blocks: dict[str, object] = {}
        for block in calendar.walk(_HIDDEN_ZONE):
            tzid = _text(block.get("TZID"))
            if tzid:
                self._blocks.setdefault(tzid, block)
        self._read: dict[str, tuple[_Observance, ...]] = {}
        self._steps = 0

    def moment(self, prop) -> tuple[datetime | date, str, bool]:
        """A DTSTART-like property as (aware UTC datetime or date, IANA label, floating)."""
        if isinstance(prop, list):
            prop = prop[0]
        value = prop.dt
        tzid = str(prop.params.get("TZID", "") or "").strip()
        if not isinstance(value, datetime):
            return value, "UTC", False
        if tzid:
            # icalendar may have attached a zone of its own: keep only the wall time written.
            return self._in_zone(value.replace(tzinfo=None), tzid)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC), "UTC", True
        return value.astimezone(UTC), "UTC", False  # a UTC time ("Z")

    def _in_zone(self, local: datetime, tzid: str) -> tuple[datetime, str, bool]:
        known = _known_zone(tzid)
        if known:
            return _from_iana(local, known), known, False
        block = self._blocks.get(tzid)
        if block is not None and not _EARLIEST.year - 1 <= local.year < _LATEST.year:
            return local.replace(tzinfo=UTC), "UTC", True  # dropped by _bounded: no zone work
        if block is not None:
            offset = self._offset_at(tzid, block, local)
            return (local - offset).replace(tzinfo=UTC), _iana_name(tzid, None), False
        guessed = _iana_name(tzid, None)  # "(UTC+01:00) Amsterdam, Berlin" without its block
        if guessed != "UTC":
            return _from_iana(local, guessed), guessed, False
        return local.replace(tzinfo=UTC), "UTC", True

    def _offset_at(self, tzid: str, block, local: datetime) -> timedelta:
        if tzid not in self._read:
            self._read[tzid] = _observances(tzid, block)
        observances = self._read[tzid]
        latest: tuple[datetime, timedelta] | None = None
        for observance in observances:
            onset = self._last_onset(tzid, observance, local)
            if onset is not None and (latest is None or onset >= latest[0]):
                latest = (onset, observance.offset_to)
        if latest is None:  # before the zone's first change: the offset it changed from
            return min(observances, key=lambda o: o.start).offset_from
        return latest[1]

    def _last_onset(self, tzid: str, observance: _Observance, local: datetime) -> datetime | None:
        if local < observance.start:
            return None
        onset = observance.start
        at = bisect.bisect_right(observance.rdates, local)
        if at:
            onset = max(onset, observance.rdates[at - 1])
        for rule in observance.rules:
            by_rule = self._last_by_rule(tzid, rule, observance.start, local)
            if by_rule is not None:
                onset = max(onset, by_rule)
        return onset

    def _last_by_rule(
        self, tzid: str, rule: _YearlyRule, start: datetime, local: datetime
    ) -> datetime | None:
        """The rule's last change at or before `local`: the years back from `local`, or with
        COUNT forward from the start (the count starts there)."""
        end = local if rule.until is None else min(local, rule.until)
        if rule.count is not None:
            seen, last = 0, None
            for year in range(start.year, end.year + 1):
                for onset in self._onsets(tzid, rule, year, start):
                    if onset > end or seen >= rule.count:
                        return last
                    seen, last = seen + 1, onset
            return last
        for year in range(end.year, start.year - 1, -1):
            onsets = [onset for onset in self._onsets(tzid, rule, year, start) if onset <= end]
            if onsets:
                return onsets[-1]
        return None

    def _onsets(self, tzid: str, rule: _YearlyRule, year: int, start: datetime) -> list[datetime]:
        onsets = []
        for month in sorted(rule.months) or (start.month,):
            self._steps += 1  # a month costs at most 31 set lookups
            if self._steps > MAX_ZONE_STEPS:
                raise _zone_refused(tzid, "its changes take too long to work out")
            days = _days(rule, year, month, start.day)
            onsets.extend(datetime.combine(date(year, month, day), start.time()) for day in days)
        return [onset for onset in onsets if onset >= start]


def _days(rule: _YearlyRule, year: int, month: int, default: int) -> list[int]:
    """The days of `month` the rule changes on (without BYMONTHDAY or BYDAY: DTSTART's)."""
    first_weekday, last = gregorian.monthrange(year, month)
    if not rule.monthdays and not rule.weekdays:
        return [default] if default <= last else []
    days = range(1, last + 1)
    if rule.monthdays:
        days = [d for d in days if d in rule.monthdays or d - last - 1 in rule.monthdays]
    if rule.weekdays:
        days = [d for d in days if _weekday_fits(rule.weekdays, first_weekday, last, d)]
    return days


def _weekday_fits(weekdays: frozenset, first_weekday: int, last: int, day: int) -> bool:
    weekday = (first_weekday + day - 1) % 7
    nth, nth_from_end = (day - 1) // 7 + 1, -((last - day) // 7 + 1)
    return not weekdays.isdisjoint({(0, weekday), (nth, weekday), (nth_from_end, weekday)})


def _from_iana(local: datetime, name: str) -> datetime:
    return local.replace(tzinfo=zoneinfo.ZoneInfo(name)).astimezone(UTC)


def _known_zone(tzid: str) -> str | None:
    """The IANA name of an IANA or Windows TZID, or of a globally unique one
    ("/mozilla.org/20050126_1/Europe/Paris", RFC 5545 3.2.19); None for any other name."""
    name = tzid.strip().strip('"')
    if name.lower() in ("utc", "z", "gmt", "etc/utc"):
        return "UTC"
    zones = _iana_zones()
    candidates = [name]
    if name.startswith("/"):
        parts = name.strip("/").split("/")
        candidates = ["/".join(parts[first:]) for first in range(len(parts))]
    for candidate in candidates:
        iana = zones.get(candidate.lower())
        if iana and iana in _installed_zones():
            return iana
    return None


@cache
def _installed_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones()) | {"UTC"}


def _zone_refused(tzid: str, why: str) -> CalendarRefused:
    name = tzid.strip('"')[:60]
    return CalendarRefused(
        f"The calendar's time zone \u201c{name}\u201d could not be used: {why}. "
        "The invitation was not read; ask the sender for one with a standard time zone."
    )


def _observances(tzid: str, block) -> tuple[_Observance, ...]:
    found = [sub for sub in block.subcomponents if sub.name in ("STANDARD", "DAYLIGHT")]
    if not found:
        raise _zone_refused(tzid, "it defines no offset from UTC")
    if len(found) > MAX_OBSERVANCES:
        raise _zone_refused(tzid, "it has too many changes to be a real time zone")
    observances = [_observance(tzid, sub) for sub in found]
    if sum(len(o.rdates) for o in observances) > MAX_RDATES:
        raise _zone_refused(tzid, "it has too many changes to be a real time zone")
    return tuple(observances)


def _observance(tzid: str, sub) -> _Observance:
    if any(sub.get(key) is None for key in ("DTSTART", "TZOFFSETFROM", "TZOFFSETTO")):
        raise _zone_refused(tzid, "one of its changes has no start or no offset")
    start = _wall(_first(sub.get("DTSTART")).dt)
    offset_from = _first(sub.get("TZOFFSETFROM")).td
    offset_to = _first(sub.get("TZOFFSETTO")).td
    if abs(offset_from) > MAX_OFFSET or abs(offset_to) > MAX_OFFSET:
        raise _zone_refused(tzid, "its offset from UTC is not a real one")
    rdates = sorted(
        _wall(item.dt[0] if isinstance(item.dt, tuple) else item.dt)  # a PERIOD: its start
        for value in _all(sub.get("RDATE"))[: MAX_RDATES + 1]
        for item in value.dts[: MAX_RDATES + 1]
    )
    rules = tuple(
        _yearly_rule(tzid, rule.to_ical().decode(), offset_from)
        for rule in _all(sub.get("RRULE"))[:5]
    )
    return _Observance(start, offset_from, offset_to, rules, tuple(rdates[: MAX_RDATES + 1]))


def _first(value):
    return value[0] if isinstance(value, list) else value


def _wall(value) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return datetime(value.year, value.month, value.day)


_RULE_PARTS = {"FREQ", "UNTIL", "COUNT", "INTERVAL", "BYMONTH", "BYDAY", "BYMONTHDAY", "WKST"}
_WEEKDAY = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}
_BYDAY = re.compile(r"([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)")
_UNTIL = re.compile(r"(\d{8})(?:T(\d{6})(Z?))?")


def _yearly_rule(tzid: str, text: str, offset_from: timedelta) -> _YearlyRule:
    """A VTIMEZONE's RRULE, if it is one a real zone uses: once a year, on a day of a month."""
    parts = {}
    for item in text.upper().split(";"):
        key, _, value = item.partition("=")
        parts[key.strip()] = value.strip()
    if parts.get("FREQ") != "YEARLY":
        raise _zone_refused(tzid, "it changes more often than once a year")
    unusual = _zone_refused(tzid, "it changes on a pattern real time zones do not use")
    if set(parts) - _RULE_PARTS or parts.get("INTERVAL", "1") != "1":
        raise unusual
    try:
        months = frozenset(int(v) for v in parts.get("BYMONTH", "").split(",") if v)
        monthdays = frozenset(int(v) for v in parts.get("BYMONTHDAY", "").split(",") if v)
        weekdays = frozenset(_weekday(v) for v in parts.get("BYDAY", "").split(",") if v)
        count = int(parts["COUNT"]) if "COUNT" in parts else None
    except ValueError as exc:
        raise unusual from exc
    if (
        not all(1 <= m <= 12 for m in months)
        or not all(1 <= abs(d) <= 31 for d in monthdays)
        or ((monthdays or weekdays) and not months)  # several changes a year
        or (count is not None and count < 1)
    ):
        raise unusual
    until = _until(parts["UNTIL"], offset_from) if "UNTIL" in parts else None
    if "UNTIL" in parts and until is None:
        raise unusual
    return _YearlyRule(months, monthdays, weekdays, until, count)


def _weekday(value: str) -> tuple[int, int]:
    match = _BYDAY.fullmatch(value.strip())
    if not match:
        raise ValueError(value)
    return int(match.group(1) or 0), _WEEKDAY[match.group(2)]


def _until(value: str, offset_from: timedelta) -> datetime | None:
    match = _UNTIL.fullmatch(value)
    if not match:
        return None
    try:
        day = datetime.strptime(match.group(1), "%Y%m%d")
        if match.group(2) is None:
            return day + timedelta(days=1, microseconds=-1)  # the whole last day
        until = datetime.strptime(match.group(1) + match.group(2), "%Y%m%d%H%M%S")
    except ValueError:
        return None
    return until + offset_from if match.group(3) else until  # UTC to the zone's wall time


# --- the meeting link --------------------------------------------------------------------

_LINKS = (
    ("zoom", re.compile(r"https://(?:[\w-]+\.)*zoom(?:gov)?\.us/(?:j|my|w|s|wc)/[^\s<>\"')\]]+")),
    (
        "teams",
        re.compile(r"https://teams\.(?:microsoft|live)\.com/(?:l/meetup-join|meet)/[^\s<>\"')\]]+"),
    ),
    ("meet", re.compile(r"https://meet\.google\.com/[a-z]{3,4}-[a-z]{4}-[a-z]{3,4}\b")),
    ("webex", re.compile(r"https://(?:[\w-]+\.)*webex\.com/[^\s<>\"')\]]+")),
)
# Where vendors put the link, most precise first.
_LINK_PROPERTIES = (
    "X-MICROSOFT-SKYPETEAMSMEETINGURL",
    "X-GOOGLE-CONFERENCE",
    "X-ZOOM-MEETING-URL",
    "X-WEBEX-MEETING-URL",
    "CONFERENCE",
    "URL",
    "LOCATION",
    "DESCRIPTION",
    "X-ALT-DESC",
)


def _meeting_link(event) -> tuple[str, str]:
    for name in _LINK_PROPERTIES:
        for value in _all(event.get(name)):
            text = _text(value)[:MAX_TEXT]
            for provider, pattern in _LINKS:
                match = pattern.search(text)
                if match:
                    return match.group(0).rstrip(".,;>"), provider
    return "", ""


# --- people ------------------------------------------------------------------------------

_ROBOT = re.compile(
    r"^(?:no-?reply|do-?not-?reply|notifications?|calendar-notification|mailer-daemon|"
    r"scheduling|scheduler|invites?|calendar)(?:[+.-][^@]*)?@",
    re.IGNORECASE,
)
_RESOURCE_DOMAINS = ("resource.calendar.google.com",)


def _all(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _person(value, own: set[str]) -> Person | None:
    if value is None or isinstance(value, list):
        value = value[0] if value else None
        if value is None:
            return None
    params = getattr(value, "params", {}) or {}
    cutype = str(params.get("CUTYPE", "INDIVIDUAL")).upper()
    if cutype in ("ROOM", "RESOURCE"):
        return None
    address = str(params.get("EMAIL", "") or value)
    address = re.sub(r"^mailto:", "", address.strip(), flags=re.IGNORECASE).strip().lower()
    if "@" not in address or len(address) > 254 or " " in address:
        return None
    if address in own or _ROBOT.match(address) or address.endswith(_RESOURCE_DOMAINS):
        return None
    name = str(params.get("CN", "")).strip().strip('"')[:200]
    if name.lower() == address:
        name = ""
    return Person(name=name, email=address)


def _attendees(value, own: set[str], organizer: Person | None) -> tuple[Person, ...]:
    people: dict[str, Person] = {}
    for item in _all(value)[: MAX_PEOPLE * 2]:
        person = _person(item, own)
        if person is None or person.email in people:
            continue
        if organizer is not None and person.email == organizer.email:
            continue  # the organizer is listed again as an attendee by most clients
        people[person.email] = person
        if len(people) >= MAX_PEOPLE:
            break
    return tuple(people.values())


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0] if value else ""
    try:
        text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    except Exception:  # a property type whose str() fails on odd input
        return ""
    return text.strip()
