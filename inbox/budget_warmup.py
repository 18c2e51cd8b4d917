"""Imported once by the reading budget's forkserver (``budget.PRELOAD``), never by Django.

Reading one small message here compiles the phrase set and loads dateparser's data in the
server process, so every child forked from it starts with them loaded instead of loading
them for its message.
"""

from __future__ import annotations

from inbox import budget

_WARM = (
    b"From: Priya <priya@example.com>\r\nTo: you@example.com\r\nSubject: Next steps\r\n"
    b"Date: Tue, 1 Dec 2026 17:00:00 +0000\r\nMessage-ID: <warm@example.com>\r\n\r\n"
    b"Thank you for your time. We will get back to you by Friday, December 11.\r\n"
)

budget._read(_WARM, len(_WARM), (), None)
