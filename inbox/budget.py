"""Reading a message within a budget: a child process with a CPU-time and memory limit.

Mail is cheap to write and may be dear to read: a calendar whose time zone repeats every
second since 1601, a header folded over 200,000 parameters. ``mime``'s pre-parse checks
refuse the shapes we know of; this is the bound on the ones we do not. Each reading runs in
a child forked from a small server process (multiprocessing's "forkserver") that imported
the parse modules once — no Django, no threads, no database connection. The child limits
itself (``RLIMIT_CPU``, ``RLIMIT_AS``), runs ``mime.parse_message`` and
``understanding.understand`` (both pure), and sends the result back; the parent waits at
most ``seconds`` of wall-clock time and kills the child past it. Whatever goes wrong in the
child becomes ``mime.MessageRefused`` with a sentence the user can read.

A deadline missed while the child had used little CPU says the machine was busy, not that
the message was dear: that is ``Busy``, and the caller reads the message again later rather
than keep a genuine email as unreadable.

Pure: the caller passes the settings (``INBOX_PARSE_SECONDS``, ``INBOX_PARSE_MEMORY_MB``).
"""

from __future__ import annotations

import email.message
import hashlib
import math
import multiprocessing
import os
import resource
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from email.utils import formataddr

from inbox import calendars, mime, understanding

# What the forkserver imports once, so that each child starts with them loaded.
PRELOAD = ["inbox.budget", "inbox.budget_warmup"]
TOO_SLOW = (
    "The message took too long to read (over {seconds:g} seconds); it is kept unread. "
    "A real email is read in a fraction of that."
)
TOO_LARGE = "The message needed too much memory to read (over {megabytes:,} MB); it is kept unread."
FAILED = "The message could not be read (the reader stopped unexpectedly)."
DAEMONIC = (
    "Mail is read in a child process, which this daemonic process may not start: run the "
    "Celery worker with --pool threads (as the Procfile and docker-compose.yml do)."
)

# Past the deadline, a child that had used less than this share of its CPU budget was
# waiting for the processor, not working on the message.
BUSY_SHARE = 0.25


class Busy(Exception):
    """The wall-clock deadline passed while the machine was busy; read the message later."""


_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload(PRELOAD)
_starting = threading.Lock()


@dataclass(frozen=True)
class Budget:
    seconds: float
    memory_mb: int


@dataclass(frozen=True)
class Reading:
    parsed: mime.ParsedMessage
    suggestion: understanding.Suggestion


def read(
    raw: bytes,
    *,
    budget: Budget,
    max_bytes: int,
    own_addresses: Collection[str] = (),
    now: datetime | None = None,
) -> Reading:
    """Parse and understand ``raw`` in a limited child; ``mime.MessageRefused`` if it cannot."""
    return run(_read, bytes(raw), max_bytes, tuple(own_addresses), now, budget=budget)


def calendar_message(name: str, data: bytes, *, budget: Budget) -> bytes:
    """A dropped .ics wrapped as a message whose people are the event's (for matching)."""
    return run(_calendar_message, name, bytes(data), budget=budget)


def run(function: Callable, *args, budget: Budget):
    """``function(*args)`` in a limited child; its result, ``mime.MessageRefused``, or
    ``Busy`` (the deadline passed while the child had hardly run: try again later).

    ``function`` must be a module-level function of a module the child can import without
    Django, and may raise ``mime.MessageRefused`` or ``calendars.CalendarRefused`` (both are
    passed on as ``MessageRefused`` with their reason).
    """
    if multiprocessing.current_process().daemon:
        # A Celery prefork pool's process: multiprocessing refuses it children. Loud, since
        # every message would stay unread; the worker runs with --pool threads.
        raise RuntimeError(DAEMONIC)
    receiver, sender = _context.Pipe(duplex=False)
    child = _context.Process(target=_child, args=(sender, budget, function, args), daemon=True)
    with _starting:  # the first start launches the forkserver: once, not once per thread
        child.start()
    sender.close()
    try:
        outcome = _wait(receiver, child, budget)
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join(timeout=5)
        child.close()
    return outcome


def _wait(receiver, child, budget: Budget):
    deadline = time.monotonic() + budget.seconds
    try:
        ready = receiver.poll(max(deadline - time.monotonic(), 0))
        if not ready:
            used = _cpu_seconds(child.pid)
            if used is not None and used < budget.seconds * BUSY_SHARE:
                raise Busy(f"{used:.2f} s of CPU in {budget.seconds:g} s")
            raise mime.MessageRefused(TOO_SLOW.format(seconds=budget.seconds))
        status, value = receiver.recv()
    except (EOFError, OSError) as error:
        # The child died without an answer: killed at its CPU limit, or out of memory
        # where even the MemoryError could not be reported.
        child.join(timeout=1)
        if child.exitcode is not None and child.exitcode < 0:
            raise mime.MessageRefused(TOO_SLOW.format(seconds=budget.seconds)) from error
        raise mime.MessageRefused(FAILED) from error
    if status == "ok":
        return value
    if status == "memory":
        raise mime.MessageRefused(TOO_LARGE.format(megabytes=budget.memory_mb))
    raise mime.MessageRefused(value)


def _cpu_seconds(pid: int | None) -> float | None:
    """The CPU time a running process has used (Linux's /proc), or None where unknown."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return None
    # After the command's closing parenthesis: state is field 3, utime 14 and stime 15.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- in the child ----------------------------------------------------------------------


def _child(sender, budget: Budget, function: Callable, args: tuple) -> None:
    cpu = max(1, math.ceil(budget.seconds))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    memory = budget.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    try:
        result = ("ok", function(*args))
    except mime.MessageRefused as refused:
        result = ("refused", refused.reason)
    except calendars.CalendarRefused as refused:
        result = ("refused", refused.reason)
    except MemoryError:
        result = ("memory", "")
    except Exception:  # reported to the parent as a refusal, never a crash
        result = ("refused", mime.UNEXPECTED)
    try:
        sender.send(result)
    except MemoryError:
        sender.send(("memory", ""))
    sender.close()


def _read(raw: bytes, max_bytes: int, own_addresses: tuple[str, ...], now) -> Reading:
    parsed = mime.parse_message(raw, max_bytes=max_bytes)
    suggestion = understanding.understand(parsed, own_addresses=own_addresses, now=now)
    return Reading(parsed=parsed, suggestion=suggestion)


def _calendar_message(name: str, data: bytes) -> bytes:
    invites = calendars.parse_calendar(data)
    first = invites[0]
    message = email.message.EmailMessage()
    if first.organizer:
        message["From"] = formataddr((first.organizer.name, first.organizer.email))
    if first.attendees:
        message["To"] = ", ".join(formataddr((p.name, p.email)) for p in first.attendees[:30])
    message["Subject"] = first.summary or name
    message["Message-ID"] = calendar_message_id(data)
    message.set_content(first.description or f"Calendar file {name}")
    message.add_attachment(data, maintype="text", subtype="calendar", filename=name or "invite.ics")
    return message.as_bytes()


def calendar_message_id(data: bytes) -> str:
    """The same file dropped twice is the same message (the MIME boundary is random)."""
    return f"<{hashlib.sha256(data).hexdigest()}@calendar.upload.invalid>"


def unread_calendar_message(name: str, data: bytes) -> bytes:
    """A dropped .ics that could not be read, wrapped without reading it, to be kept."""
    message = email.message.EmailMessage()
    message["Subject"] = name or "invite.ics"
    message["Message-ID"] = calendar_message_id(data)
    message.set_content(f"Calendar file {name}")
    message.add_attachment(data, maintype="text", subtype="calendar", filename=name or "invite.ics")
    return message.as_bytes()
