"""How fast the Inbox reads mail: parse-and-classify messages per second on one core.

Run: ``.venv/bin/python bench/inbox_parse.py [rounds]``. Reads every ``.eml`` of the sample
corpus (tests/inbox/samples/: invitations with calendars, HTML mail, forwards, replies) through
``parse_message`` and ``understand``, ``rounds`` times (default 20), in this one process, after
one warm-up round (which loads dateparser's language data and compiles the phrase set). Prints
the rate by the process's CPU time (what one core does, whatever else the machine runs) and by
the wall clock, and the slowest sample. The target is at least 200 messages/s on one core.
Then hostile messages near the 10 MB cap, each of which must take bounded time. Then the
parse budget (inbox/budget.py, as the app reads every message): the overhead of a
reading in a limited child per message, and the three hostile inputs of issue 16 (a
time-zone bomb, a part's Content-Type folded over 200,000 parameters, a split boundary)
with 8 MB of empty lines, each read within the default budget: wall time and outcome.
A benchmark, not a test: timings depend on the machine.
"""

from __future__ import annotations

import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from inbox import budget
from inbox.mime import MAX_BYTES, MessageRefused, parse_message
from inbox.understanding import understand
from tests.inbox import hostile as issue16

SAMPLES = Path(__file__).resolve().parent.parent / "tests" / "inbox" / "samples"
OWN = ("anna.lee@example.com",)
TARGET = 200


def read_one(raw: bytes) -> str:
    return understand(parse_message(raw), own_addresses=OWN).kind


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    corpus = [(path.name, path.read_bytes()) for path in sorted(SAMPLES.glob("*.eml"))]
    cold = time.perf_counter()
    for _name, raw in corpus:
        read_one(raw)
    cold = time.perf_counter() - cold

    per_sample: dict[str, list[float]] = {name: [] for name, _raw in corpus}
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(rounds):
        for name, raw in corpus:
            began = time.perf_counter()
            read_one(raw)
            per_sample[name].append(time.perf_counter() - began)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu

    count = rounds * len(corpus)
    rate = count / cpu
    medians = {name: statistics.median(times) for name, times in per_sample.items()}
    slowest = max(medians, key=medians.get)
    print(f"corpus: {len(corpus)} messages, {sum(len(r) for _n, r in corpus) / 1024:.0f} KB")
    print(f"warm-up round (cold start): {cold * 1000:.0f} ms")
    print(f"parse+classify: {count} messages in {cpu:.2f} s of CPU = {rate:.0f} messages/s")
    print(f"wall clock: {elapsed:.2f} s = {count / elapsed:.0f} messages/s (shared cores)")
    print(f"median per message: {statistics.median(medians.values()) * 1000:.2f} ms; "
          f"slowest sample {slowest}: {medians[slowest] * 1000:.2f} ms")  # fmt: skip
    print(f"target >= {TARGET} messages/s: {'met' if rate >= TARGET else 'NOT met'}")
    hostile()
    budgeted(corpus, rounds)


def hostile() -> None:
    """Hostile messages near the size cap: each must be parsed or refused in bounded time."""
    head = b"From: a@b.c\r\nSubject: x\r\n"
    html = b"Content-Type: text/html\r\n"
    cases = {
        "10 MB of text": head + b"\r\n" + b"we will get back to you by " * 370_000,
        "5 MB of spaces": head + b"\r\nget back to you by " + b" " * 5_000_000,
        "8 MB of newlines": head + b"\r\n" + b"\r\n" * 4_000_000,
        "9 MB of nested HTML": head
        + html
        + b"\r\n"
        + b"<div><img src='http://x/y'><p>hi " * 280_000,
        "100,000 parts": head
        + b"Content-Type: multipart/mixed; boundary=x\r\n\r\n"
        + b"--x\r\nContent-Type: text/plain\r\n\r\nhi\r\n" * 100_000,
        "7 MB of quoted lines": head + b"\r\n" + b"> quoted line\r\n" * 500_000,
    }
    for name, raw in cases.items():
        began = time.process_time()
        try:
            outcome = read_one(raw)
        except MessageRefused as refused:
            outcome = f"refused ({refused.reason})"
        print(f"hostile, {name}: {time.process_time() - began:.2f} s CPU, {outcome}")


DEFAULT_BUDGET = budget.Budget(seconds=1.5, memory_mb=512)  # the settings' defaults
ANSWER_TARGET = 2.0  # seconds: every hostile input answers within this, with a reason


def budgeted(corpus: list[tuple[str, bytes]], rounds: int) -> None:
    """What reading in a limited child costs per message, and where the hostile inputs end."""
    began = time.perf_counter()
    budget.read(corpus[0][1], budget=DEFAULT_BUDGET, max_bytes=MAX_BYTES, own_addresses=OWN)
    print(f"budget: first reading (starts the forkserver): "
          f"{(time.perf_counter() - began) * 1000:.0f} ms")  # fmt: skip
    here, there = [], []
    for _ in range(max(1, rounds // 4)):
        for _name, raw in corpus:
            began = time.perf_counter()
            read_one(raw)
            here.append(time.perf_counter() - began)
            began = time.perf_counter()
            budget.read(raw, budget=DEFAULT_BUDGET, max_bytes=MAX_BYTES, own_addresses=OWN)
            there.append(time.perf_counter() - began)
    overhead = statistics.median(there) - statistics.median(here)
    print(f"budget: median per message {statistics.median(here) * 1000:.1f} ms in process, "
          f"{statistics.median(there) * 1000:.1f} ms in a limited child: overhead "
          f"{overhead * 1000:.1f} ms a message ({len(here)} readings each)")  # fmt: skip
    cases = {
        "time-zone bomb (.ics in a message)": issue16.time_zone_bomb(),
        "Content-Type over 200,000 parameters": issue16.long_content_type(),
        "split boundary (boundary*0=), 10 MB": issue16.split_boundary(),
        "8 MB of empty lines": issue16.newlines(),
    }
    for name, raw in cases.items():
        began = time.perf_counter()
        try:
            outcome, peak = budget.run(_read_in_child, raw, budget=DEFAULT_BUDGET)
        except MessageRefused as refused:
            outcome, peak = f"could not be read: {refused.reason}", None
        elapsed = time.perf_counter() - began
        mark = "ok" if elapsed < ANSWER_TARGET else "OVER"
        memory = f", child's peak {peak:.0f} MB" if peak else ""
        print(f"budget, {name} ({len(raw) / 1024:,.0f} KB): {elapsed:.2f} s wall [{mark}]"
              f"{memory}, {outcome}")  # fmt: skip


def _read_in_child(raw: bytes) -> tuple[str, float]:
    """budget.read's work, in the child, with the child's peak memory (RSS, MB)."""
    try:
        reading = budget._read(raw, MAX_BYTES, (), None)
        problems = reading.suggestion.problems + reading.parsed.problems
        outcome = f"read, kind {reading.suggestion.kind}" + (f"; {problems[0]}" if problems else "")
    except MessageRefused as refused:
        outcome = f"could not be read: {refused.reason}"
    return outcome, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
