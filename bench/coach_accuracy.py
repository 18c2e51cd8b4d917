"""How often the note coach's judgement checks agree with a careful reader.

Run: ``.venv/bin/python bench/coach_accuracy.py`` (``-v`` lists the notes it gets wrong,
``--only held_out`` measures only the notes written after the coach was tuned). Reads the
labelled notes of ``tests/notes/corpus/`` (its README says what each label means), runs
checks C1, C7, C9, C10 and C12 on each note a label covers, and prints, per check,
precision, recall and accuracy, with a note's problem as the positive class: precision is
the share of the coach's flags that a reader agrees with, recall the share of the reader's
flags the coach raised.

How a verdict counts:

* a warning is a flag; a pass is not. For C9, which is optional and never warns, "not yet
  taken up" (the optional suggestion) is the flag.
* "Can't tell" (the coach's unsure verdict, which asks the user to read the note again)
  is neither: it is counted **wrong** in the accuracy whatever the label, so saying "can't
  tell" never buys accuracy; it is never a flag in the precision, and it is a miss in the
  recall. The unsure count is printed beside each check.

``tests/notes/test_coach_accuracy.py`` runs the same measurement and wants each check's
accuracy at least ``TARGET``.
"""

from __future__ import annotations

import sys
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from notes import coach

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "notes" / "corpus"
CHECKS = {
    "C1": coach.c1_specific,
    "C7": coach.c7_addresses_concerns,
    "C9": coach.c9_repairs_weak_moment,
    "C10": coach.c10_expresses_interest,
    "C12": coach.c12_adds_value,
}
TARGET = 0.9
OK, FLAG, UNSURE = "ok", "flag", "unsure"
_ENDED = datetime(2026, 11, 20, 15, tzinfo=UTC)


def load_corpus(folder: Path = CORPUS) -> list[dict]:
    cases = []
    for path in sorted(folder.glob("*.toml")):
        cases.extend(tomllib.loads(path.read_text(encoding="utf-8"))["case"])
    return cases


def context(case: dict) -> coach.Context:
    """The coach's input for a case, as the note editor would build it."""
    testimonial = case.get("testimonial", "")
    return coach.Context(
        draft=coach.Draft(
            kind=case["kind"],
            channel=case["channel"],
            body=case["body"],
            subject=case.get("subject", ""),
        ),
        recipient=coach.Recipient(
            name=case["name"],
            title="Interviewer",
            role=case["role"],
            topics=case.get("topics", ""),
            concerns=case.get("concerns", ""),
        ),
        now=_ENDED + timedelta(hours=4),
        listing=case.get("listing", ""),
        company=case.get("company", ""),
        job_title=case.get("job_title", ""),
        testimonials=(coach.Quote(testimonial, "A former colleague"),) if testimonial else (),
        weak_moments=tuple(case.get("weak_moments", ())),
        resource_titles=tuple(case.get("resource_titles", ())),
        interview_ended_at=_ENDED,
    )


def verdict(check: str, result: coach.Result) -> str:
    """A result as the corpus labels it: ok, flag, or unsure."""
    if result.status == UNSURE:
        return UNSURE
    if result.status == coach.Status.WARN:
        return FLAG
    if check == "C9" and result.status == coach.Status.NOT_APPLICABLE:
        return FLAG  # the optional suggestion: the weak moment is not taken up yet
    return OK


@dataclass
class Score:
    check: str
    cases: int = 0
    right: int = 0
    flagged: int = 0  # the coach's flags
    true_flags: int = 0  # the coach's flags a reader agrees with
    wanted: int = 0  # the reader's flags
    unsure: int = 0

    @property
    def accuracy(self) -> float:
        return self.right / self.cases if self.cases else 0.0

    @property
    def precision(self) -> float:
        return self.true_flags / self.flagged if self.flagged else 1.0

    @property
    def recall(self) -> float:
        return self.true_flags / self.wanted if self.wanted else 1.0


@dataclass(frozen=True)
class Miss:
    case: str
    check: str
    expected: str
    got: str
    advice: str


def measure(cases: list[dict]) -> tuple[dict[str, Score], list[Miss]]:
    scores = {check: Score(check) for check in CHECKS}
    misses = []
    for case in cases:
        ctx = context(case)
        for check, expected in case["expect"].items():
            result = CHECKS[check](ctx)
            got = verdict(check, result)
            score = scores[check]
            score.cases += 1
            score.right += got == expected
            score.flagged += got == FLAG
            score.true_flags += got == FLAG and expected == FLAG
            score.wanted += expected == FLAG
            score.unsure += got == UNSURE
            if got != expected:
                misses.append(Miss(case["id"], check, expected, got, result.advice))
    return scores, misses


def main() -> None:
    # ``--only held_out`` measures one file of the corpus (held_out.toml and
    # held_out_2.toml: notes written after the coach was tuned).
    only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else ""
    cases = [
        case
        for path in sorted(CORPUS.glob(f"{only or '*'}.toml"))
        for case in tomllib.loads(path.read_text(encoding="utf-8"))["case"]
    ]
    scores, misses = measure(cases)
    print(f"{len(cases)} labelled notes in {CORPUS.relative_to(Path.cwd(), walk_up=True)}")
    print("positive class: a note the check should flag; 'can't tell' counts as wrong")
    print(f"{'check':<6}{'cases':>6}{'precision':>11}{'recall':>8}{'accuracy':>10}{'unsure':>8}")
    for score in scores.values():
        if not score.cases:  # no note in this selection is labelled for the check
            print(f"{score.check:<6}{0:>6}{'-':>11}{'-':>8}{'-':>10}{'-':>8}")
            continue
        print(
            f"{score.check:<6}{score.cases:>6}{score.precision:>11.2f}{score.recall:>8.2f}"
            f"{score.accuracy:>10.2f}{score.unsure:>8}"
        )
    if "-v" in sys.argv:
        for miss in misses:
            print(
                f"  {miss.check} {miss.case}: want {miss.expected}, got {miss.got} ({miss.advice})"
            )
    below = [score.check for score in scores.values() if score.cases and score.accuracy < TARGET]
    verdict_line = f"MISSED {', '.join(below)}" if below else "met"
    print(f"target: accuracy at least {TARGET} on each check: {verdict_line}")


if __name__ == "__main__":
    main()
