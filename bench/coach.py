"""How long the note coach takes: a 1,000-word note, a 100 KB job listing, nine other notes.

Run: ``.venv/bin/python bench/coach.py``. Prints the first (cold) review, which runs yake on
the listing, and the median and worst of the warm ones, which read yake's phrases from the
cache: the warm time is what a user waits for while typing. The target is under 50 ms warm.
A benchmark, not a test: timings depend on the machine.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from notes import coach, text

RUNS = 50
TARGET_MS = 50

VOCABULARY = """
platform data streaming roadmap stakeholder customers discovery delivery analytics team
hiring onboarding pipeline quality migration events latency reliability design review
payments compliance privacy metrics experiments growth pricing partners support release
""".split()  # noqa: SIM905


def _prose(rng: random.Random, words: int) -> str:
    sentences, count = [], 0
    while count < words:
        length = rng.randint(8, 18)
        sentence = " ".join(rng.choice(VOCABULARY) for _ in range(length))
        sentences.append(sentence.capitalize() + ".")
        count += length
    paragraphs = [" ".join(sentences[i : i + 5]) for i in range(0, len(sentences), 5)]
    return "\n\n".join(paragraphs)


def _listing(rng: random.Random, size: int = 100_000) -> str:
    lines, total = [], 0
    while total < size:
        line = "- " + " ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(6, 14)))
        lines.append(line)
        total += len(line) + 1
    return "\n".join(lines)[:size]


def main() -> None:
    rng = random.Random(42)
    listing = _listing(rng)
    body = f"Dear Grace,\n\n{_prose(rng, 1_000)}\n\nBest regards,\nAda Lovelace"
    others = tuple(
        coach.OtherNote(f"Person {n}", "colleague", _prose(rng, 1_000), same_set=True)
        for n in range(9)
    )
    ended = datetime(2026, 11, 20, 15, tzinfo=UTC)
    context = coach.Context(
        draft=coach.Draft(kind="thank_you", channel="email", body=body, subject="Thank you"),
        recipient=coach.Recipient(
            name="Grace Hopper",
            title="Director",
            role="hiring_manager",
            topics="Scaling the data platform; the hiring plan",
            concerns="No direct experience with streaming",
        ),
        now=ended + timedelta(hours=4),
        others=others,
        other_names=tuple(other.interviewer_name for other in others),
        listing=listing,
        company="Initech",
        job_title="Product Manager",
        testimonials=tuple(coach.Quote(_prose(rng, 30), f"Author {n}") for n in range(20)),
        weak_moments=("I rambled on the stakeholder question",),
        confidential_terms=("Umbrella Corp", "Project Falcon"),
        interview_ended_at=ended,
    )
    print(
        f"note: {text.word_count(body)} words; listing: {len(listing):,} characters; "
        f"{len(others)} other notes of ~1,000 words"
    )

    text.clear_key_phrase_cache()
    start = time.perf_counter()
    coach.review(context)
    cold = (time.perf_counter() - start) * 1000

    warm = []
    for _ in range(RUNS):
        fresh = coach.Context(**{**context.__dict__, "_memo": {}})
        start = time.perf_counter()
        coach.review(fresh)
        warm.append((time.perf_counter() - start) * 1000)

    median = statistics.median(warm)
    print(f"cold (yake on the listing): {cold:7.1f} ms")
    print(f"warm median of {RUNS}:        {median:7.1f} ms  (worst {max(warm):.1f} ms)")
    print(f"target: under {TARGET_MS} ms warm: {'met' if median < TARGET_MS else 'MISSED'}")


if __name__ == "__main__":
    main()
