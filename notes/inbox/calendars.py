"""Reading calendar invitations (iCalendar, RFC 5545 / iTIP RFC 5546) into `Invite`s (pure).

icalendar does the parsing and resolves TZID against the file's VTIMEZONE blocks (and knows
Outlook's Windows zone names). Around it: limits checked on the raw text before parsing (size,
event count, nesting), so a hostile file costs little; times turned into aware UTC with the
event's IANA zone kept for display; the meeting link found wherever a vendor puts it; the
people reduced to the humans worth recording (no rooms, no resources, no robot senders, not the
candidate).
"""

from __future__ import annotations

import logging
import re
import zoneinfo
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import cache

import icalendar
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

MAX_CALENDAR_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 6  # VCALENDAR > VEVENT > VALARM is 3; real files never go past 4
MAX_LINES = 20_000  # a Teams invitation is ~150 lines; parsing costs ~50 µs a line
MAX_LINE = 64 * 1024
MAX_ATTENDEE_LINES = 1_000
MAX_TIMEZONES = 20
MAX_TEXT = 10_000
MAX_PEOPLE = 200

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
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except RecursionError as exc:
        raise CalendarRefused("The calendar is nested too deeply to be read.") from exc
    except Exception as exc:  # icalendar raises ValueError and, on odd input, others
        raise CalendarRefused(
            "The calendar could not be read (it is not valid iCalendar)."
        ) from exc
    own = {address.strip().lower() for address in own_addresses}
    try:
        invites = _read_events(calendars, own)
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
        for event in calendar.walk("VEVENT"):
            invite = _read_event(event, method=method, own=own)
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


def _read_event(event, *, method: str, own: set[str]) -> Invite | None:
    try:
        when = _when(event)
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
        recurrence_id=_recurrence_id(event),
        floating=floating,
    )


def _when(event) -> tuple[datetime, datetime, bool, str, bool] | None:
    if event.get("DTSTART") is None:
        return None
    start = event.decoded("DTSTART")
    prop = event.get("DTSTART")
    tzid = str(prop.params.get("TZID", "")) if hasattr(prop, "params") else ""
    end = event.decoded("DTEND") if event.get("DTEND") is not None else None
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
    floating = start.tzinfo is None
    starts_at = _utc(start)
    if isinstance(end, datetime):
        ends_at = _utc(end)
    elif isinstance(duration, timedelta):
        ends_at = starts_at + duration
    else:
        ends_at = starts_at
    if ends_at < starts_at:
        ends_at = starts_at
    tzname = "UTC" if floating else _iana_name(tzid, start.tzinfo)
    if tzname == "UTC" and event.get("TZID") is not None:
        # Zoom writes UTC times and names the host's zone in a (non-standard) TZID property.
        tzname = _iana_name(_text(event.get("TZID")), None)
    return _bounded(starts_at, ends_at, all_day=False, tzname=tzname, floating=floating)


def _bounded(starts_at, ends_at, **rest):
    if not (_EARLIEST <= starts_at < _LATEST) or ends_at - starts_at > timedelta(days=60):
        return None
    return starts_at, ends_at, rest["all_day"], rest["tzname"], rest["floating"]


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _recurrence_id(event) -> datetime | None:
    if event.get("RECURRENCE-ID") is None:
        return None
    try:
        value = event.decoded("RECURRENCE-ID")
    except Exception:
        return None
    if isinstance(value, datetime):
        return _utc(value)
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
