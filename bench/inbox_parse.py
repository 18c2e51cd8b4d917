"""How fast the Inbox reads mail: parse-and-classify messages per second on one core.

Run: ``.venv/bin/python bench/inbox_parse.py [rounds]``. Reads every ``.eml`` of the sample
corpus (tests/inbox/samples/: invitations with calendars, HTML mail, forwards, replies) through
``parse_message`` and ``understand``, ``rounds`` times (default 20), in this one process, after
one warm-up round (which loads dateparser's language data and compiles the phrase set). Prints
the rate by the process's CPU time (what one core does, whatever else the machine runs) and by
the wall clock, and the slowest sample. The target is at least 200 messages/s on one core.
A benchmark, not a test: timings depend on the machine.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from notes.inbox.mime import parse_message
from notes.inbox.understanding import understand

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


if __name__ == "__main__":
    main()
