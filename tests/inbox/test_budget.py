"""The parse budget (inbox/budget.py): each reading runs in a limited child process,
and whatever it spends past its seconds or its memory becomes a sentence, not a hang.

No database: the budget is pure. The slow, greedy and dying readers are in tests/inbox/
hostile.py, a module the child (forked from the forkserver) can import without Django.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from inbox import budget, mime, understanding
from tests.inbox import hostile
from tests.inbox.conftest import SAMPLES, make_email, make_ics

ROOMY = budget.Budget(seconds=10, memory_mb=512)


def test_a_reading_past_its_seconds_is_stopped_with_a_reason():
    began = time.monotonic()
    with pytest.raises(mime.MessageRefused) as refused:
        budget.run(hostile.spin, 60, budget=budget.Budget(seconds=0.5, memory_mb=512))
    assert "took too long to read" in refused.value.reason
    assert "0.5 seconds" in refused.value.reason
    assert time.monotonic() - began < 30  # stopped, not waited for (60 s of spinning)


def test_a_reading_that_waits_for_the_processor_is_tried_again_not_refused():
    # Past the deadline, the child had used hardly any CPU: the machine was busy, not the
    # message dear. A genuine email is then read again later, never kept as unreadable.
    began = time.monotonic()
    with pytest.raises(budget.Busy):
        budget.run(hostile.nap, 60, budget=budget.Budget(seconds=0.5, memory_mb=512))
    assert time.monotonic() - began < 30


def test_a_reading_past_its_memory_is_stopped_with_a_reason():
    with pytest.raises(mime.MessageRefused) as refused:
        budget.run(hostile.hog, 400, budget=budget.Budget(seconds=10, memory_mb=200))
    assert refused.value.reason == budget.TOO_LARGE.format(megabytes=200)
    assert budget.run(hostile.hog, 20, budget=budget.Budget(seconds=10, memory_mb=200)) == 20


def test_a_reader_that_dies_is_a_refusal_not_a_crash():
    with pytest.raises(mime.MessageRefused) as refused:
        budget.run(hostile.die, budget=ROOMY)
    assert refused.value.reason == budget.FAILED


def test_the_budgeted_reading_is_the_same_as_reading_here():
    for path in sorted(Path(SAMPLES).glob("*.eml"))[:6]:
        raw = path.read_bytes()
        here = mime.parse_message(raw)
        there = budget.read(raw, budget=ROOMY, max_bytes=mime.MAX_BYTES)
        assert there.parsed == here
        assert there.suggestion == understanding.understand(here)


def test_an_invitation_read_in_the_child_keeps_its_times_and_zone():
    raw = make_email(ics=make_ics())
    reading = budget.read(raw, budget=ROOMY, max_bytes=mime.MAX_BYTES)
    (invite,) = reading.suggestion.invites
    assert invite.starts_at.isoformat() == "2026-12-08T15:00:00+00:00"  # 10:00 New York
    assert reading.suggestion.kind == "invitation"


def test_unreadable_mail_is_refused_with_the_parsers_reason():
    with pytest.raises(mime.MessageRefused) as refused:
        budget.read(b"hello, no headers here", budget=ROOMY, max_bytes=mime.MAX_BYTES)
    assert "does not look like an email message" in refused.value.reason


def test_a_dropped_calendar_becomes_a_message_from_its_organizer():
    data = make_ics().encode()
    raw = budget.calendar_message("invite.ics", data, budget=ROOMY)
    parsed = mime.parse_message(raw)
    assert parsed.sender.email == "priya.raman@northwind.io"
    assert parsed.message_id == budget.calendar_message_id(data)  # the same file: same id
    assert budget.calendar_message("invite.ics", data, budget=ROOMY) != raw  # the boundary


def test_a_calendar_that_is_not_one_is_refused_with_the_calendars_reason():
    with pytest.raises(mime.MessageRefused) as refused:
        budget.calendar_message("x.ics", b"BEGIN:VCALENDAR\r\nnonsense", budget=ROOMY)
    assert refused.value.reason
    assert "unexpected" not in refused.value.reason


@pytest.mark.parametrize(
    "raw",
    [hostile.time_zone_bomb(), hostile.long_content_type(), hostile.split_boundary()],
    ids=["time-zone bomb", "long Content-Type", "split boundary"],
)
def test_the_hostile_messages_of_issue_16_end_within_the_default_budget(raw):
    try:
        reading = budget.read(
            raw, budget=budget.Budget(seconds=1.5, memory_mb=512), max_bytes=mime.MAX_BYTES
        )
    except mime.MessageRefused as refused:
        outcome = refused.reason
    else:
        outcome = " ".join(reading.suggestion.problems)
    assert outcome  # each says what happened in a sentence
    assert "unexpected" not in outcome


def test_a_prefork_worker_is_told_to_run_with_threads(monkeypatch):
    """Celery's prefork processes are daemonic, and multiprocessing refuses them children:
    every message would stay unread. The error says what to do."""
    import multiprocessing

    monkeypatch.setattr(multiprocessing.current_process(), "daemon", True)
    with pytest.raises(RuntimeError, match="--pool threads"):
        budget.read(make_email(), budget=ROOMY, max_bytes=mime.MAX_BYTES)
