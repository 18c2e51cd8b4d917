"""Calendar invitations read right: zones, links, people, updates; hostile calendars refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inbox.calendars import (
    MAX_CALENDAR_BYTES,
    UNEXPECTED,
    CalendarRefused,
    Invite,
    Person,
    parse_calendar,
)
from inbox.mime import parse_message

SAMPLES = Path(__file__).parent / "samples"
OWN = ("anna.lee@example.com",)


def invite_of(name: str) -> Invite:
    path = SAMPLES / name
    data = path.read_bytes()
    if path.suffix == ".eml":
        message = parse_message(data)
        message = message.forwarded if not message.calendars else message
        data = message.calendars[0]
    [invite] = parse_calendar(data, own_addresses=OWN)
    return invite


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# sample, start (UTC), end (UTC), zone, provider, organizer email, attendee emails
CORPUS = [
    ("google_invite.eml", utc(2026, 12, 8, 15), utc(2026, 12, 8, 16), "America/New_York", "meet",
     "priya.raman@northwind.io", ("marco.verdi@northwind.io",)),
    ("outlook_teams_invite.eml", utc(2026, 12, 10, 13, 30), utc(2026, 12, 10, 14, 30),
     "Europe/Berlin", "teams", "katrin.schneider@contoso-gmbh.de",
     ("david.okafor@contoso-gmbh.de",)),
    ("google_update.eml", utc(2026, 12, 9, 18), utc(2026, 12, 9, 19), "America/New_York", "meet",
     "priya.raman@northwind.io", ("marco.verdi@northwind.io",)),
    ("outlook_cancel.eml", utc(2026, 12, 10, 13, 30), utc(2026, 12, 10, 14, 30),
     "Europe/Berlin", "teams", "katrin.schneider@contoso-gmbh.de",
     ("david.okafor@contoso-gmbh.de",)),
    ("outlook_pacific_no_vtimezone.ics", utc(2026, 12, 9, 17, 30), utc(2026, 12, 9, 18, 30),
     "America/Los_Angeles", "", "tbecker@fabrikam.com", ("lwong@fabrikam.com",)),
    ("outlook_display_zone.ics", utc(2026, 12, 11, 10), utc(2026, 12, 11, 11),
     "Europe/Amsterdam", "", "sanne.devries@adatum.nl", ("pieter.jansen@adatum.nl",)),
    ("zoom_invite.eml", utc(2026, 12, 7, 19), utc(2026, 12, 7, 19, 45), "America/Sao_Paulo",
     "zoom", "miguel@litware.example", ()),
    ("ats_invite.eml", utc(2026, 12, 11, 19), utc(2026, 12, 11, 21), "America/Chicago", "",
     None, ("hannah.park@fourthcoffee.example", "omar.haddad@fourthcoffee.example")),
    ("webex_invite.ics", utc(2026, 12, 14, 16), utc(2026, 12, 14, 16, 45), "Europe/London",
     "webex", "olivia.brown@wingtip.example",
     ("james.wilson@wingtip.example", "chen.wei@wingtip.example")),
    ("all_day_onsite.ics", utc(2026, 12, 15), utc(2026, 12, 16), "UTC", "",
     "rachel@tailspintoys.example", ("sam.carter@tailspintoys.example",)),
    ("forwarded_attached_invite.eml", utc(2026, 12, 17, 8), utc(2026, 12, 17, 8, 30),
     "Europe/Berlin", "teams", "katrin.schneider@contoso-gmbh.de",
     ("eva.brandt@contoso-gmbh.de",)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "start", "end", "zone", "provider", "organizer", "attendees"), CORPUS
)
def test_each_invitation_is_read_right(name, start, end, zone, provider, organizer, attendees):
    invite = invite_of(name)
    assert (invite.starts_at, invite.ends_at) == (start, end)
    assert invite.starts_at.tzinfo is UTC
    assert invite.tzname == zone
    assert invite.meeting_provider == provider
    assert bool(invite.meeting_url) == bool(provider)
    assert (invite.organizer.email if invite.organizer else None) == organizer
    assert tuple(person.email for person in invite.attendees) == attendees


def test_every_ics_sample_is_in_the_table():
    listed = {row[0] for row in CORPUS}
    assert {path.name for path in SAMPLES.glob("*.ics")} <= listed


def test_the_meeting_links_are_the_vendors_join_links():
    assert invite_of("google_invite.eml").meeting_url == "https://meet.google.com/qpd-xwtb-fkr"
    assert invite_of("zoom_invite.eml").meeting_url.startswith(
        "https://litware.zoom.us/j/84512345678?pwd="
    )
    teams = invite_of("outlook_teams_invite.eml").meeting_url
    assert teams.startswith("https://teams.microsoft.com/l/meetup-join/19%3ameeting_")
    assert teams.endswith("%7d")  # the whole folded X- property, not a cut line
    assert invite_of("webex_invite.ics").meeting_url.startswith("https://wingtip.webex.com/")


def test_people_keep_their_names_and_lose_rooms_resources_robots_and_the_candidate():
    google = invite_of("google_invite.eml")
    assert google.organizer == Person("Priya Raman", "priya.raman@northwind.io")
    assert google.attendees == (Person("Marco Verdi", "marco.verdi@northwind.io"),)
    teams = invite_of("outlook_teams_invite.eml")
    assert teams.organizer == Person("Schneider, Katrin", "katrin.schneider@contoso-gmbh.de")
    assert "muc-4.12-isar@contoso-gmbh.de" not in {p.email for p in teams.attendees}
    webex = invite_of("webex_invite.ics")  # ANNA.LEE@EXAMPLE.COM is the candidate too
    assert "anna.lee@example.com" not in {p.email for p in webex.attendees}


def test_without_own_addresses_the_candidate_is_an_attendee():
    [invite] = parse_calendar((SAMPLES / "webex_invite.ics").read_bytes())
    assert "anna.lee@example.com" in {p.email for p in invite.attendees}


def test_update_and_cancellation_keep_the_uid_and_raise_the_sequence():
    first, moved, cancelled = (
        invite_of(n) for n in ("ats_invite.eml", "ats_update.eml", "ats_cancel.eml")
    )
    assert first.uid == moved.uid == cancelled.uid == "interview-7781-stage-3@ats-mail.example"
    assert (first.sequence, moved.sequence, cancelled.sequence) == (0, 1, 2)
    assert (first.method, moved.method, cancelled.method) == ("REQUEST", "REQUEST", "CANCEL")
    assert moved.starts_at - first.starts_at == timedelta(hours=2)
    assert not first.cancelled and not moved.cancelled and cancelled.cancelled
    assert cancelled.status == "CANCELLED"


def test_all_day_events_are_flagged_and_span_whole_days():
    invite = invite_of("all_day_onsite.ics")
    assert invite.all_day
    assert invite.ends_at - invite.starts_at == timedelta(days=1)


def event(body: str, *, method: str = "REQUEST", extra: str = "") -> str:
    return (
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nMETHOD:{method}\r\n{extra}"
        f"BEGIN:VEVENT\r\nUID:u1\r\nDTSTAMP:20261201T000000Z\r\n{body}END:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    )


def test_floating_times_are_read_as_utc_and_flagged():
    [invite] = parse_calendar(event("DTSTART:20261208T100000\r\nDTEND:20261208T110000\r\n"))
    assert invite.floating
    assert (invite.starts_at, invite.tzname) == (utc(2026, 12, 8, 10), "UTC")


def test_a_start_without_end_or_duration_ends_at_its_start():
    [invite] = parse_calendar(event("DTSTART:20261208T100000Z\r\n"))
    assert invite.ends_at == invite.starts_at == utc(2026, 12, 8, 10)
    assert invite.method == "REQUEST"
    assert invite.organizer is None and invite.attendees == ()


def test_a_calendar_without_method_is_a_publish():
    data = event("DTSTART:20261208T100000Z\r\n").replace("METHOD:REQUEST\r\n", "")
    assert parse_calendar(data)[0].method == "PUBLISH"


def test_a_meeting_link_in_the_description_only_is_found():
    [invite] = parse_calendar(
        event(
            "DTSTART:20261208T100000Z\r\nDESCRIPTION:Join: https://us02web.zoom.us/j/8123?pwd=x"
            "\\nthanks\r\n"
        )
    )
    assert (invite.meeting_provider, invite.meeting_url) == (
        "zoom",
        "https://us02web.zoom.us/j/8123?pwd=x",
    )


def test_a_windows_zone_name_without_vtimezone_is_mapped_to_iana():
    [invite] = parse_calendar(event('DTSTART;TZID="Tokyo Standard Time":20261208T100000\r\n'))
    assert (invite.starts_at, invite.tzname) == (utc(2026, 12, 8, 1), "Asia/Tokyo")


def test_a_mozilla_prefixed_zone_is_named_by_its_iana_part():
    [invite] = parse_calendar(
        event("DTSTART;TZID=/mozilla.org/20050126_1/Europe/Paris:20261208T100000\r\n")
    )
    assert invite.tzname == "Europe/Paris"


def test_an_event_that_cannot_be_read_is_skipped_and_the_others_kept():
    data = event("DTSTART:20261208T100000Z\r\n").replace(
        "END:VCALENDAR",
        "BEGIN:VEVENT\r\nUID:u2\r\nDTSTART:nonsense\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:u3\r\nSUMMARY:no start\r\nEND:VEVENT\r\nEND:VCALENDAR",
    )
    assert [invite.uid for invite in parse_calendar(data)] == ["u1"]


VEVENT = "BEGIN:VEVENT\r\nDTSTART:20261208T100000Z\r\nEND:VEVENT\r\n"
NOT_A_CALENDAR = "This is not a calendar (no BEGIN:VCALENDAR)."
HOSTILE = [
    (b"", NOT_A_CALENDAR),
    (b"hello world", NOT_A_CALENDAR),
    (
        b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
        "The calendar has no event with a usable start time.",
    ),
    (b"BEGIN:VCALENDAR\r\nthis is :: not ical\r\n;;;\r\n", None),
    (
        f"BEGIN:VCALENDAR\r\n{VEVENT * 5000}END:VCALENDAR\r\n".encode(),
        "The calendar has over 50 events; an invitation has a few.",
    ),
    (
        ("BEGIN:VCALENDAR\r\n" + "BEGIN:X-NEST\r\n" * 5_000 + "END:X-NEST\r\n" * 5_000).encode(),
        "The calendar is nested too deeply to be read.",
    ),
    (
        b"BEGIN:VCALENDAR\r\nX-PAD:" + b"a" * MAX_CALENDAR_BYTES,
        "The calendar is over 2 MB; it was not read.",
    ),
    (
        ("BEGIN:VCALENDAR\r\n" + "X:1\r\n" * 30_000).encode(),
        "The calendar has too many lines to be an invitation.",
    ),
    (
        f"BEGIN:VCALENDAR\r\n{VEVENT}".replace("END:VEVENT", "ATTENDEE:mailto:a@b.c\r\n" * 1001),
        "The calendar lists too many attendees to be an invitation.",
    ),
    (
        "BEGIN:VCALENDAR\r\n" + "BEGIN:VTIMEZONE\r\nTZID:Z\r\nEND:VTIMEZONE\r\n" * 21,
        "The calendar has too many time zones to be read.",
    ),
    (
        f"BEGIN:VCALENDAR\r\nATTENDEE{';X=1' * 20_000}:mailto:a@b.c\r\n",
        "The calendar has a line over 64 KB; it was not read.",
    ),
]


@pytest.mark.parametrize(("data", "reason"), HOSTILE)
def test_hostile_or_useless_calendars_are_refused_with_a_reason(data, reason):
    with pytest.raises(CalendarRefused) as refused:
        parse_calendar(data)
    assert refused.value.reason
    if reason:
        assert refused.value.reason == reason


def test_absurd_dates_are_skipped():
    with pytest.raises(CalendarRefused):
        parse_calendar(event("DTSTART:99991208T100000Z\r\n"))
    with pytest.raises(CalendarRefused):  # a "meeting" of three years
        parse_calendar(event("DTSTART:20261208T100000Z\r\nDTEND:20291208T100000Z\r\n"))


def test_the_event_limit_is_a_parameter():
    many = event("DTSTART:20261208T100000Z\r\n").replace(
        "END:VCALENDAR",
        "BEGIN:VEVENT\r\nUID:u2\r\nDTSTART:20261209T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR",
    )
    assert len(parse_calendar(many, max_events=2)) == 2
    with pytest.raises(CalendarRefused):
        parse_calendar(many, max_events=1)


# --- fuzz ----------------------------------------------------------------------------------

ICS_SAMPLES = [p.read_bytes() for p in sorted(SAMPLES.glob("*.ics"))]
TOKENS = [
    b"BEGIN:VCALENDAR", b"END:VCALENDAR", b"BEGIN:VEVENT", b"END:VEVENT", b"BEGIN:VTIMEZONE",
    b"END:VTIMEZONE", b"DTSTART:20261208T100000Z", b"DTSTART;TZID=Nowhere/Zone:20261208T1000",
    b"DTSTART;VALUE=DATE:2026", b"DTEND:0", b"DURATION:P99999W", b"DURATION:-PT1H",
    b"RRULE:FREQ=SECONDLY", b"SEQUENCE:99999999999999999999", b"SEQUENCE:-1",
    b"ATTENDEE;CN=\"x:mailto:", b"ORGANIZER:", b"METHOD:CANCEL", b"TZOFFSETFROM:+9999",
    b"\xff\xfe", b" folded", b"X-ALT-DESC;FMTTYPE=text/html:<b>", b"RECURRENCE-ID:garbage",
    b"UID:", b"\x00",
]  # fmt: skip


def _mutate(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    out = bytearray(data)
    for position, cut, insert in edits:
        at = position % (len(out) + 1)
        out[at : at + cut] = insert
    return bytes(out)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sample=st.sampled_from(ICS_SAMPLES),
    edits=st.lists(
        st.tuples(
            st.integers(0, 10_000),
            st.integers(0, 40),
            st.one_of(st.sampled_from(TOKENS), st.binary(max_size=30)).map(lambda b: b + b"\r\n"),
        ),
        max_size=8,
    ),
)
def test_fuzz_mangled_calendars_give_invites_or_a_refusal(sample, edits):
    check_calendar(_mutate(sample, edits))


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(st.sampled_from(TOKENS), max_size=40))
def test_fuzz_calendars_built_from_random_lines_give_invites_or_a_refusal(lines):
    check_calendar(b"BEGIN:VCALENDAR\r\n" + b"\r\n".join(lines))


def check_calendar(data: bytes) -> None:
    try:
        invites = parse_calendar(data, own_addresses=OWN)
    except CalendarRefused as refused:
        assert refused.reason and refused.reason != UNEXPECTED
        return
    assert invites
    for invite in invites:
        assert isinstance(invite, Invite)
        assert invite.starts_at.tzinfo is UTC and invite.ends_at >= invite.starts_at
        assert all("@" in person.email for person in invite.attendees)


def test_google_and_outlook_keep_the_uid_across_update_and_cancellation():
    invite, update = invite_of("google_invite.eml"), invite_of("google_update.eml")
    assert invite.uid == update.uid and (invite.sequence, update.sequence) == (0, 1)
    teams, cancel = invite_of("outlook_teams_invite.eml"), invite_of("outlook_cancel.eml")
    assert teams.uid == cancel.uid and cancel.method == "CANCEL" and cancel.cancelled


def test_an_unforeseen_error_is_a_logged_refusal_not_a_crash(monkeypatch, caplog):
    from inbox import calendars

    def broken(event, *, method, own):
        raise KeyError("a bug")

    monkeypatch.setattr(calendars, "_read_event", broken)
    with pytest.raises(CalendarRefused) as refused:
        parse_calendar((SAMPLES / "webex_invite.ics").read_bytes())
    assert refused.value.reason == UNEXPECTED
    assert "Unexpected error while reading a calendar" in caplog.text
