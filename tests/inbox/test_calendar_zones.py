"""Each calendar's time zones are its own (issue 16, points 1 and 2).

One account's VTIMEZONE never moves another account's invitation, whichever way either came
in (upload, the forwarding server, a polled mailbox), all in one process; and a time zone built
to cost (a change every second since 1601) is refused in words instead of worked out.
"""

from __future__ import annotations

import smtplib
import socket
from datetime import UTC, datetime

import icalendar
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from inbox import mailbox, services
from inbox.calendars import CalendarRefused, parse_calendar
from inbox.models import CalendarInvite, ReceivedMessage, Security
from inbox.smtpd import make_controller, stop
from tests.inbox.conftest import SAMPLES, make_email
from tests.inbox.dovecot import start_dovecot


def calendar(zone: str, event: str) -> str:
    return (
        "BEGIN:VCALENDAR\r\nPRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN\r\n"
        f"VERSION:2.0\r\nMETHOD:REQUEST\r\n{zone}{event}END:VCALENDAR\r\n"
    )


def vevent(uid: str, tzid: str, start: str, end: str, organizer: str) -> str:
    return (
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261201T170000Z\r\nSEQUENCE:0\r\n"
        f'DTSTART;TZID="{tzid}":{start}\r\nDTEND;TZID="{tzid}":{end}\r\n'
        f"SUMMARY:Interview\r\nORGANIZER;CN=Recruiter:mailto:{organizer}\r\n"
        "ATTENDEE;CN=Owner:mailto:owner@example.com\r\nEND:VEVENT\r\n"
    )


def fixed_zone(tzid: str, offset: str) -> str:
    return (
        f"BEGIN:VTIMEZONE\r\nTZID:{tzid}\r\nBEGIN:STANDARD\r\nDTSTART:16010101T000000\r\n"
        f"TZOFFSETFROM:{offset}\r\nTZOFFSETTO:{offset}\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
    )


# Account B's file: "Pacific Standard Time" is +09:00 here.
POISON = calendar(
    fixed_zone("Pacific Standard Time", "+0900"),
    vevent("poison@b.example", "Pacific Standard Time", "20261208T100000", "20261208T110000",
           "mallory@b.example"),
)  # fmt: skip

# Account A's genuine Outlook invitation: 10:00–11:00 PST on 9 December is 18:00–19:00 UTC.
PACIFIC = (
    "BEGIN:VTIMEZONE\r\nTZID:Pacific Standard Time\r\n"
    "BEGIN:STANDARD\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:-0700\r\nTZOFFSETTO:-0800\r\n"
    "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=1SU;BYMONTH=11\r\nEND:STANDARD\r\n"
    "BEGIN:DAYLIGHT\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:-0800\r\nTZOFFSETTO:-0700\r\n"
    "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=2SU;BYMONTH=3\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n"
)
GENUINE = calendar(
    PACIFIC,
    vevent("040000008200E00074C5B7101A82E008000000001@fabrikam.com", "Pacific Standard Time",
           "20261209T100000", "20261209T110000", "tbecker@fabrikam.com"),
)  # fmt: skip
STARTS_AT = datetime(2026, 12, 9, 18, tzinfo=UTC)
ENDS_AT = datetime(2026, 12, 9, 19, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fresh_process():
    """icalendar's process-wide zone table as a freshly started worker has it (empty), so
    the poison lands whichever test ran before; emptied again after."""
    icalendar.timezone.tzp.use_default()
    yield
    icalendar.timezone.tzp.use_default()


def times(data: str | bytes) -> tuple[datetime, datetime]:
    [invite] = parse_calendar(data)
    return invite.starts_at, invite.ends_at


# A Windows or IANA name means its IANA zone, whatever a file's block says (B's own event too).
POISON_TIMES = (datetime(2026, 12, 8, 18, tzinfo=UTC), datetime(2026, 12, 8, 19, tzinfo=UTC))


def test_a_zone_defined_in_one_calendar_never_moves_the_next():
    assert times(POISON) == POISON_TIMES
    assert times(GENUINE) == (STARTS_AT, ENDS_AT)
    no_block = (SAMPLES / "outlook_pacific_no_vtimezone.ics").read_bytes()
    assert times(no_block)[0] == datetime(2026, 12, 9, 17, 30, tzinfo=UTC)


def test_a_zone_other_code_taught_icalendar_is_not_used_either():
    icalendar.Calendar.from_ical(POISON)  # the library's own table now says +09:00
    assert times(GENUINE) == (STARTS_AT, ENDS_AT)


def test_a_private_zone_name_means_what_each_file_says():
    def interview(offset: str) -> str:
        event = vevent("u@x", "Interview time", "20261209T100000", "20261209T110000", "r@x.io")
        return calendar(fixed_zone("Interview time", offset), event)

    assert times(interview("+0900"))[0] == datetime(2026, 12, 9, 1, tzinfo=UTC)
    assert times(interview("-0800"))[0] == STARTS_AT
    assert times(interview("+0900"))[0] == datetime(2026, 12, 9, 1, tzinfo=UTC)


def test_a_private_zone_follows_its_own_yearly_rules_and_their_end():
    # The US rules before 2007 (first Sunday of April) end; the 2007 ones (second Sunday of
    # March) follow: 10 March 2026 is summer time by the later rule only.
    zone = (
        "BEGIN:VTIMEZONE\r\nTZID:Eastern (custom)\r\n"
        "BEGIN:DAYLIGHT\r\nDTSTART:19870405T020000\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\n"
        "RRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=1SU;UNTIL=20060402T070000Z\r\nEND:DAYLIGHT\r\n"
        "BEGIN:DAYLIGHT\r\nDTSTART:20070311T020000\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\n"
        "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\nEND:DAYLIGHT\r\n"
        "BEGIN:STANDARD\r\nDTSTART:19671029T020000\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\n"
        "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU;UNTIL=20061029T060000Z\r\nEND:STANDARD\r\n"
        "BEGIN:STANDARD\r\nDTSTART:20071104T020000\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\n"
        "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
    )

    def at(start: str) -> datetime:
        end = start[:9] + "235900"
        return times(calendar(zone, vevent("e@x", "Eastern (custom)", start, end, "r@x.io")))[0]

    assert at("20260310T100000") == datetime(2026, 3, 10, 14, tzinfo=UTC)
    assert at("20260305T100000") == datetime(2026, 3, 5, 15, tzinfo=UTC)
    assert at("20261105T100000") == datetime(2026, 11, 5, 15, tzinfo=UTC)
    assert at("20050410T100000") == datetime(2005, 4, 10, 14, tzinfo=UTC)
    assert at("20050310T100000") == datetime(2005, 3, 10, 15, tzinfo=UTC)


# --- the three ways in, in this one process --------------------------------------------------


def invite_times(owner) -> tuple[datetime, datetime]:
    invite = CalendarInvite.objects.get(owner=owner)
    return invite.starts_at, invite.ends_at


@pytest.mark.django_db
def test_by_upload_another_accounts_zone_never_moves_an_invitation(owner, outsider):
    for account, data in ((outsider, POISON), (owner, GENUINE)):
        client = Client()
        client.force_login(account, backend="django.contrib.auth.backends.ModelBackend")
        ics = SimpleUploadedFile("invite.ics", data.encode(), content_type="text/calendar")
        response = client.post(reverse("inbox_upload"), {"files": [ics], "pasted": ""})
        assert response.status_code == 302
    assert invite_times(owner) == (STARTS_AT, ENDS_AT)
    assert invite_times(outsider) == POISON_TIMES


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def read_by_the_worker(owner) -> None:
    """The forwarding server only stores the message; the worker's unit reads it (here, in
    this process, as the worker would)."""
    stored = ReceivedMessage.objects.filter(owner=owner, parsed_at__isnull=True)
    for pk in stored.values_list("pk", flat=True):
        assert services.parse_one(message_id=pk)


@pytest.mark.django_db(transaction=True)
def test_by_the_forwarding_server_another_accounts_zone_never_moves_an_invitation(
    owner, outsider, settings
):
    settings.INBOUND_DOMAIN = "in.followup.test"
    server = make_controller(host="127.0.0.1", port=free_port(), domain=settings.INBOUND_DOMAIN)
    server.start()
    try:
        for n, (account, data) in enumerate(((outsider, POISON), (owner, GENUINE))):
            rcpt = services.full_address(services.inbound_address_for(account))
            raw = make_email(message_id=f"<z{n}@x>", ics=data)
            with smtplib.SMTP(server.hostname, server.port, timeout=10) as client:
                assert client.sendmail("recruiter@example.com", [rcpt], raw) == {}
            read_by_the_worker(account)
    finally:
        stop(server)
    assert invite_times(owner) == (STARTS_AT, ENDS_AT)


@pytest.mark.django_db
def test_by_a_polled_mailbox_another_accounts_zone_never_moves_an_invitation(
    owner, outsider, settings
):
    settings.INBOX_IMAP_ALLOW_PRIVATE = True  # the throwaway Dovecots listen on loopback
    for n, (account, data) in enumerate(((outsider, POISON), (owner, GENUINE))):
        imap = start_dovecot()
        try:
            imap.append(make_email(message_id=f"<i{n}@x>", ics=data))
            connection = mailbox.mailbox_connect(
                owner=account, password=imap.password, host=imap.host, port=imap.port,
                security=Security.NONE, username=imap.user, folder="INBOX",
            )  # fmt: skip
            assert mailbox.poll_one(connection.pk) == 1
        finally:
            imap.stop()
    assert invite_times(owner) == (STARTS_AT, ENDS_AT)


# --- the recurring time-zone bomb ---------------------------------------------------------------


def zone_bomb(rule: str = "FREQ=SECONDLY", tzid: str = "Tick", pairs: int = 1) -> str:
    """An invitation whose own zone goes to summer and back on `rule` from 1601 (the one
    observed: about 525 bytes, every second)."""
    changes = "".join(
        f"BEGIN:{kind}\r\nDTSTART:16010101T000000\r\nRRULE:{rule}\r\n"
        f"TZOFFSETFROM:{offsets[0]}\r\nTZOFFSETTO:{offsets[1]}\r\nEND:{kind}\r\n"
        for kind, offsets in (("STANDARD", ("+0100", "+0000")), ("DAYLIGHT", ("+0000", "+0100")))
    )
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\n"
        f"BEGIN:VTIMEZONE\r\nTZID:{tzid}\r\n{changes * pairs}END:VTIMEZONE\r\n"
        "BEGIN:VEVENT\r\nUID:tick@example.com\r\nDTSTAMP:20261201T000000Z\r\n"
        f'DTSTART;TZID="{tzid}":20261208T100000\r\nDTEND;TZID="{tzid}":20261208T110000\r\n'
        "SUMMARY:Interview\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def test_the_observed_bomb_is_about_525_bytes():
    assert 480 <= len(zone_bomb().encode()) <= 560


BOMBS = [
    (zone_bomb(), "it changes more often than once a year"),
    (zone_bomb("FREQ=MINUTELY;INTERVAL=1"), "it changes more often than once a year"),
    (zone_bomb("FREQ=DAILY;UNTIL=22001231T000000Z"), "it changes more often than once a year"),
    (
        zone_bomb("FREQ=YEARLY;BYHOUR=0,1,2,3;BYMINUTE=0,1,2;BYSECOND=0,1,2"),
        "it changes on a pattern real time zones do not use",
    ),
    (zone_bomb("FREQ=YEARLY;BYDAY=SU"), "it changes on a pattern real time zones do not use"),
    (zone_bomb("FREQ=YEARLY;INTERVAL=0"), "it changes on a pattern real time zones do not use"),
    # 30 February never comes: each change is looked for back to 1601, until the cap.
    (
        zone_bomb("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", pairs=20),
        "its changes take too long to work out",
    ),
    (zone_bomb("FREQ=YEARLY", pairs=101), "it has too many changes to be a real time zone"),
]


@pytest.mark.parametrize(("data", "why"), BOMBS)
def test_a_zone_built_to_cost_is_refused_in_words(data, why):
    with pytest.raises(CalendarRefused) as refused:
        parse_calendar(data)
    assert refused.value.reason == (
        f"The calendar's time zone \u201cTick\u201d could not be used: {why}. "
        "The invitation was not read; ask the sender for one with a standard time zone."
    )


def test_a_bomb_under_a_known_zone_name_is_never_worked_out():
    data = zone_bomb(tzid="Pacific Standard Time")
    assert times(data)[0] == datetime(2026, 12, 8, 18, tzinfo=UTC)


def test_a_bomb_nobody_refers_to_costs_nothing():
    data = zone_bomb().replace('TZID="Tick":', 'TZID="Europe/Berlin":')
    assert times(data)[0] == datetime(2026, 12, 8, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("begin", "end"),
    [("BEGIN:VTIME\r\n ZONE", "end:vtime\r\n\tzone"), ("BEGIN;X-A=1:VTIMEZONE", "End:VTimeZone")],
)
def test_a_vtimezone_spelled_otherwise_is_still_kept_from_icalendar(begin, end):
    data = zone_bomb().replace("BEGIN:VTIMEZONE", begin).replace("END:VTIMEZONE", end)
    with pytest.raises(CalendarRefused) as refused:
        parse_calendar(data)
    assert "changes more often than once a year" in refused.value.reason


def test_an_event_no_invitation_has_costs_no_zone_work():
    # Year 9000 in a zone whose change never comes would be looked for back to 1601.
    far = zone_bomb("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", pairs=20).replace("2026", "9000")
    kept = "BEGIN:VEVENT\r\nUID:k@x\r\nDTSTART:20261208T100000Z\r\nEND:VEVENT\r\n"
    [invite] = parse_calendar(far.replace("END:VCALENDAR", kept + "END:VCALENDAR"))
    assert invite.uid == "k@x"
