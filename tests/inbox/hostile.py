"""Hostile messages of issue 16 (built, not stored: each is small to write, dear to read).

Used by the tests and by ``bench/inbox_parse.py`` and ``bench/inbound_smtp.py``.
"""

from __future__ import annotations

import os
import time

HEAD = (
    b"From: Priya Raman <priya.raman@northwind.io>\r\nTo: owner@example.com\r\n"
    b"Subject: Interview\r\nDate: Tue, 1 Dec 2026 17:00:00 +0000\r\n"
)


def time_zone_bomb_ics() -> bytes:
    """About 525 bytes: a VTIMEZONE whose observance recurs every second from 1601."""
    return (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\nMETHOD:REQUEST\r\n"
        b"BEGIN:VTIMEZONE\r\nTZID:Bomb\r\n"
        b"BEGIN:STANDARD\r\nDTSTART:16010101T000000\r\nRRULE:FREQ=SECONDLY\r\n"
        b"TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\n"
        b"BEGIN:DAYLIGHT\r\nDTSTART:16010101T000001\r\nRRULE:FREQ=SECONDLY;INTERVAL=2\r\n"
        b"TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nEND:DAYLIGHT\r\n"
        b"END:VTIMEZONE\r\n"
        b"BEGIN:VEVENT\r\nUID:bomb@northwind.io\r\nDTSTAMP:20261201T170000Z\r\n"
        b"DTSTART;TZID=Bomb:20261208T100000\r\nDTEND;TZID=Bomb:20261208T110000\r\n"
        b"SUMMARY:Interview\r\nORGANIZER:mailto:priya.raman@northwind.io\r\n"
        b"END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def time_zone_bomb(message_id: bytes = b"<bomb@northwind.io>") -> bytes:
    """The bomb as an invitation in a message, as a forwarding rule would send it."""
    return (
        HEAD + b"Message-ID: " + message_id + b"\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n'
        b"--b1\r\nContent-Type: text/plain\r\n\r\nPlease join us.\r\n"
        b"--b1\r\nContent-Type: text/calendar; method=REQUEST\r\n\r\n"
        + time_zone_bomb_ics()
        + b"\r\n--b1--\r\n"
    )


def long_content_type(parameters: int = 200_000) -> bytes:
    """A part's Content-Type folded over ``parameters`` parameters (1.4 MB at 200,000)."""
    folded = b"".join(b";\r\n p%d=v" % n for n in range(parameters))
    return (
        HEAD + b"Message-ID: <long-ct@northwind.io>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n'
        b"--b1\r\nContent-Type: text/plain" + folded + b"\r\n\r\nHello.\r\n--b1--\r\n"
    )


def split_boundary(size: int = 10 * 1024 * 1024) -> bytes:
    """``boundary*0=`` (RFC 2231 continuation) and a part every 7 bytes, up to ``size``."""
    head = (
        HEAD + b"Message-ID: <split@northwind.io>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary*0="x"\r\n\r\n'
    )
    part = b"--x\r\n\r\n"
    return head + part * ((size - len(head)) // len(part))


# Readers for the budget's tests: module-level in a module without Django, so the budget's
# child process can import them by name.


def spin(seconds: float) -> str:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass
    return "done"


def nap(seconds: float) -> str:
    """A reader that does not get the processor: it waits, using no CPU (a busy machine)."""
    time.sleep(seconds)
    return "done"


def hog(megabytes: int) -> int:
    chunks = [bytearray(1024 * 1024) for _ in range(megabytes)]
    return len(chunks)


def die() -> None:
    os._exit(3)


def newlines(size: int = 8 * 1024 * 1024) -> bytes:
    """A body of 8 MB of empty lines: no check refuses it, and reading it takes a while."""
    head = HEAD + b"Message-ID: <newlines@northwind.io>\r\n\r\n"
    return head + b"\r\n" * ((size - len(head)) // 2)
