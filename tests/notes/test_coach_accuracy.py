"""The coach's judgement checks agree with a careful reader on the labelled corpus.

The same measurement as ``bench/coach_accuracy.py``, on ``tests/notes/corpus/``: each of
C1, C7, C9, C10 and C12 must be right on at least 90% of the notes labelled for it, with a
"can't tell" verdict counted as wrong. A behaviour test, not a timing one.
"""

from __future__ import annotations

import pytest

from bench import coach_accuracy

CASES = coach_accuracy.load_corpus()
SCORES, MISSES = coach_accuracy.measure(CASES)


def test_the_corpus_holds_at_least_sixty_labelled_notes():
    assert len(CASES) >= 60
    assert len({case["id"] for case in CASES}) == len(CASES)
    for case in CASES:
        assert set(case["expect"]) <= set(coach_accuracy.CHECKS), case["id"]
        assert set(case["expect"].values()) <= {coach_accuracy.OK, coach_accuracy.FLAG}


@pytest.mark.parametrize("check", list(coach_accuracy.CHECKS))
def test_each_judgement_check_is_right_on_nine_notes_in_ten(check):
    score = SCORES[check]
    misses = [miss for miss in MISSES if miss.check == check]

    assert score.cases >= 10, f"too few notes labelled for {check}"
    assert score.accuracy >= coach_accuracy.TARGET, misses


def test_an_unsure_verdict_counts_as_wrong_whatever_the_label():
    case = {
        "id": "unsure",
        "kind": "thank_you",
        "channel": "email",
        "role": "colleague",
        "name": "Grace Hopper",
        "concerns": "No direct experience with Kafka",
        "body": "Dear Grace,\n\nOn Kafka: the course from Confluent is next on my list.",
        "expect": {"C7": "flag"},
    }

    scores, misses = coach_accuracy.measure([case])

    assert misses[0].got == coach_accuracy.UNSURE
    assert scores["C7"].accuracy == 0
    assert scores["C7"].unsure == 1
