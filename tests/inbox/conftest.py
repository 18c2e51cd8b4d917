"""Fixtures of the Inbox tests: messages and invitations built like real mail, and an
application of the owner with a recorded interviewer."""

from __future__ import annotations

from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from pathlib import Path

import pytest

from interviews.models import InterviewerRole
from tests.factories import ApplicationFactory, InterviewerFactory

SAMPLES = Path(__file__).parent / "samples"
# Tuesday 1 December 2026, 17:00 UTC: the employer's mail arrives in the afternoon.
CURRENT_TIME = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)


def make_email(
    *,
    sender: tuple[str, str] = ("Priya Raman", "priya.raman@northwind.io"),
    to: str = "owner@example.com",
    subject: str = "Your application",
    body: str = "Thank you for your time.",
    date: datetime = CURRENT_TIME,
    message_id: str | None = "<m1@northwind.io>",
    ics: str | None = None,
    method: str = "REQUEST",
) -> bytes:
    message = EmailMessage()
    message["From"] = formataddr(sender)
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(date)
    if message_id:
        message["Message-ID"] = message_id
    message.set_content(body)
    if ics is not None:
        message.add_alternative(ics.encode(), maintype="text", subtype="calendar",
                                params={"method": method})
    return message.as_bytes(policy=policy.SMTP)  # CRLF, as on the wire


def make_ics(
    *,
    uid: str = "interview-42@northwind.io",
    sequence: int = 0,
    method: str = "REQUEST",
    start: str = "20261208T100000",
    end: str = "20261208T110000",
    tzid: str = "America/New_York",
    organizer: tuple[str, str] = ("Priya Raman", "priya.raman@northwind.io"),
    attendees: tuple[tuple[str, str], ...] = (
        ("Marco Verdi", "marco.verdi@northwind.io"),
        ("Owner", "owner@example.com"),
    ),
    summary: str = "Northwind – Technical interview",
    location: str = "https://northwind.zoom.us/j/123456789",
) -> str:
    people = "\r\n".join(
        f'ATTENDEE;CN="{name}";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION:mailto:{email}'
        for name, email in attendees
    )
    status = "STATUS:CANCELLED\r\n" if method == "CANCEL" else ""
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Tests//EN\r\n"
        f"METHOD:{method}\r\n"
        "BEGIN:VTIMEZONE\r\nTZID:America/New_York\r\n"
        "BEGIN:STANDARD\r\nDTSTART:19701101T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r\n"
        "TZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nTZNAME:EST\r\nEND:STANDARD\r\n"
        "BEGIN:DAYLIGHT\r\nDTSTART:19700308T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\n"
        "TZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nTZNAME:EDT\r\nEND:DAYLIGHT\r\n"
        "END:VTIMEZONE\r\n"
        "BEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nSEQUENCE:{sequence}\r\nDTSTAMP:20261201T170000Z\r\n"
        f"DTSTART;TZID={tzid}:{start}\r\nDTEND;TZID={tzid}:{end}\r\n"
        f"SUMMARY:{summary}\r\nLOCATION:{location}\r\n{status}"
        f'ORGANIZER;CN="{organizer[0]}":mailto:{organizer[1]}\r\n'
        f"{people}\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


@pytest.fixture
def application(owner):
    application = ApplicationFactory(
        owner=owner, company="Northwind", role_title="Data Engineer", status="interviewing"
    )
    InterviewerFactory(
        application=application,
        name="Priya Raman",
        email="priya.raman@northwind.io",
        role=InterviewerRole.HR,
    )
    return application
