"""Starter texts by role, kind and channel, and the merge fields they fill. No database."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.core.exceptions import ObjectDoesNotExist

from interviews.models import InterviewerRole
from notes import coach, selectors, starters, text
from notes.models import Channel, CorrespondenceKind

MERGE = starters.Merge(
    recipient_name="Grace Hopper",
    role=starters.HIRING_MANAGER,
    company="Initech",
    job_title="Senior Product Manager",
    topics="Scaling the data platform; the hiring plan",
    concerns="No direct experience with Kafka",
    most_difficult="Migrating every team to event streaming",
    when="today",
    signature_name="Ada Lovelace",
    signature_phone="+44 20 7946 0000",
)
NOW = datetime(2026, 11, 20, 19, tzinfo=UTC)


def _review(start: starters.Starter, kind: str, channel: str, merge=MERGE):
    context = coach.Context(
        draft=coach.Draft(kind=kind, channel=channel, body=start.body, subject=start.subject),
        recipient=coach.Recipient(
            name=merge.recipient_name,
            title="Director",
            role=merge.role,
            topics=merge.topics,
            concerns=merge.concerns,
        ),
        now=NOW,
    )
    return {result.check: result for result in coach.review(context)}


def test_role_kind_and_channel_values_match_the_models():
    assert {
        starters.HIRING_MANAGER,
        starters.MANAGERS_BOSS,
        starters.HR,
        starters.COLLEAGUE,
        starters.OTHER_DEPARTMENT,
    } <= set(InterviewerRole.values)
    kinds = {
        starters.THANK_YOU,
        starters.STATUS_CHECK,
        starters.CHECK_IN,
        starters.VALUE_ADD,
        starters.REJECTION_REPLY,
        starters.OPENINGS_INQUIRY,
        starters.STAY_IN_TOUCH,
        starters.WORK_PRODUCT,
    }
    assert kinds == set(CorrespondenceKind.values) - {CorrespondenceKind.OTHER}
    assert {starters.EMAIL, starters.CARD, starters.LETTER} <= set(Channel.values)


# --- Salutation (nameparser) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "channel", "expected"),
    [
        ("Grace Hopper", "email", "Dear Grace,"),
        ("Grace Hopper", "letter", "Dear Grace Hopper,"),
        ("Dr. Grace Hopper", "email", "Dear Dr. Hopper,"),
        ("Ms. Ada Lovelace", "letter", "Dear Ms. Lovelace,"),
        ("Robert (Bob) Smith", "email", "Dear Bob,"),
        ("Hopper, Grace", "email", "Dear Grace,"),
        ("José van der Berg", "letter", "Dear José van der Berg,"),
        ("Cher", "letter", "Dear Cher,"),
    ],
)
def test_salutation_comes_from_the_recorded_name(name, channel, expected):
    assert starters.salutation(name, channel) == expected


@pytest.mark.parametrize("channel", ["email", "card", "letter"])
def test_every_starter_greets_by_the_recorded_name(channel):
    start = starters.starter(starters.THANK_YOU, channel, MERGE)

    assert start.body.startswith(starters.salutation("Grace Hopper", channel))
    assert _review(start, "thank_you", channel)["C3"].status == coach.Status.PASS


# --- Thank-you notes by role ------------------------------------------------------------


def test_hiring_managers_starter_is_the_fullest():
    lengths = {
        role: text.word_count(
            starters.starter(
                "thank_you", "email", starters.Merge(**{**MERGE.__dict__, "role": role})
            ).body
        )
        for role in InterviewerRole.values
    }

    manager = lengths.pop(InterviewerRole.HIRING_MANAGER)
    assert manager > max(lengths.values()), lengths
    assert lengths[InterviewerRole.HR] == min(lengths.values()), lengths


@pytest.mark.parametrize("role", InterviewerRole.values)
def test_each_role_gets_its_own_starter(role):
    body = starters.starter(
        "thank_you", "email", starters.Merge(**{**MERGE.__dict__, "role": role})
    ).body
    others = [
        starters.starter("thank_you", "email", starters.Merge(**{**MERGE.__dict__, "role": r})).body
        for r in InterviewerRole.values
        if r != role
    ]

    assert body not in others


def test_hiring_managers_starter_fills_every_merge_field():
    body = starters.starter("thank_you", "email", MERGE).body

    assert "Senior Product Manager role at Initech" in body
    assert "scaling the data platform and the hiring plan" in body  # topics, mid-sentence
    assert "your concern about no direct experience with Kafka" in body
    assert "migrating every team to event streaming" in body  # the interview's answer
    assert "would thrive there" in body  # culture fit (C10)
    assert body.rstrip().endswith("Best regards,\nAda Lovelace\n+44 20 7946 0000")


def test_starter_is_a_start_whose_blanks_the_coach_flags():
    results = _review(starters.starter("thank_you", "email", MERGE), "thank_you", "email")

    assert results["C1"].status == coach.Status.WARN
    assert "blank" in results["C1"].advice


def test_starter_without_recorded_topics_leaves_a_blank_for_them():
    body = starters.starter(
        "thank_you", "email", starters.Merge(recipient_name="Grace Hopper", role="hiring_manager")
    ).body

    assert "[the topic you discussed with Grace]" in body
    assert "[your name]" in body


def test_starter_offers_to_repair_the_weak_moment_from_the_debrief():
    merge = starters.Merge(**{**MERGE.__dict__, "weak_moment": "Rambled on the conflict question"})

    body = starters.starter("thank_you", "email", merge).body

    assert "come back to one point" in body
    assert "Rambled on the conflict question" in body


def test_hr_starter_is_brief_and_mentions_their_topic():
    merge = starters.Merge(
        **{**MERGE.__dict__, "role": "hr", "topics": "Relocation to Manchester", "concerns": ""}
    )

    start = starters.starter("thank_you", "email", merge)

    assert "your answers about relocation to Manchester." in start.body
    assert text.word_count(start.body) < 80
    assert _review(start, "thank_you", "email", merge)["C1"].status == coach.Status.PASS


def test_card_starter_is_short_and_has_no_subject():
    start = starters.starter("thank_you", "card", MERGE)

    assert start.subject == ""
    assert _review(start, "thank_you", "card")["C6"].status == coach.Status.PASS
    assert "With thanks," in start.body


def test_letter_starter_signs_off_formally():
    assert "\n\nSincerely,\nAda Lovelace" in starters.starter("thank_you", "letter", MERGE).body


# --- The other kinds --------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(set(CorrespondenceKind.values) - {"other"}))
def test_every_kind_has_a_starter_with_subject_greeting_and_signature(kind):
    start = starters.starter(kind, "email", MERGE)

    assert start.subject
    assert start.body.startswith("Dear Grace,")
    assert "Ada Lovelace" in start.body
    assert (
        _review(start, kind, "email")["C11"].status == coach.Status.PASS or kind == "work_product"
    )


def test_status_check_uses_seed_003s_words():
    body = starters.starter("status_check", "email", MERGE).body

    assert "I am sure you are busy, but I wanted to follow up on our interview" in body
    assert "I recall understanding that I would hear back by now." in body
    assert "Can you give me a status report? By the way, I am still very interested." in body


def test_rejection_reply_asks_to_be_considered_for_other_roles():
    start = starters.starter("rejection_reply", "email", MERGE)

    assert "considered for other roles" in start.body
    assert _review(start, "rejection_reply", "email")["C10"].status == coach.Status.PASS


def test_value_add_starter_names_the_library_item_matching_the_topics():
    merge = starters.Merge(
        **{
            **MERGE.__dict__,
            "resource_title": "Streaming at Scale",
            "resource_url": "https://example.com/s",
            "resource_why": "Two teams cut migration time in half.",
        }
    )

    body = starters.starter("value_add", "email", merge).body

    assert "Streaming at Scale (https://example.com/s)" in body
    assert "scaling the data platform" in body


def test_work_product_cover_note_says_what_was_redacted():
    body = starters.starter("work_product", "email", MERGE).body

    assert "removed client names and anything confidential" in body
    assert "[a redacted work sample, or my 30/60/90-day plan]" in body


def test_stay_in_touch_starter_mentions_a_topic_of_mutual_interest():
    body = starters.starter("stay_in_touch", "email", MERGE).body

    assert "topic of mutual interest" in body
    assert "scaling the data platform" in body


# --- The debrief, read defensively ------------------------------------------------------


def test_weak_moments_come_from_debrief_answers_6_to_8():
    debrief = SimpleNamespace(
        did_not_do_well="Rambled", awkward_moments="", could_do_better="Ask more questions"
    )

    assert selectors.weak_moments(SimpleNamespace(debrief=debrief)) == (
        "Rambled",
        "Ask more questions",
    )


def test_weak_moments_of_an_interview_without_debrief_are_empty():
    class NoDebrief:
        @property
        def debrief(self):
            raise ObjectDoesNotExist

    assert selectors.weak_moments(NoDebrief()) == ()
    assert selectors.weak_moments(SimpleNamespace()) == ()
    assert selectors.weak_moments(None) == ()


def test_weak_moments_tolerate_a_debrief_without_those_fields():
    assert selectors.weak_moments(SimpleNamespace(debrief=SimpleNamespace())) == ()


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ("Scaling the data platform", "scaling the data platform"),
        ("Relocation to Manchester", "relocation to Manchester"),
        ("The hiring plan", "the hiring plan"),
        ("Kafka migration", "Kafka migration"),
        ("GDPR audits", "GDPR audits"),
    ],
)
def test_recorded_topics_read_naturally_mid_sentence(item, expected):
    assert starters._in_sentence(item) == expected


@pytest.mark.parametrize(
    ("days", "expected"), [(0, "today"), (1, "yesterday"), (3, "on Tuesday"), (9, "on 11 November")]
)
def test_when_phrase_refers_to_the_interview_day(days, expected):
    from datetime import timedelta

    interview = datetime(2026, 11, 20, 15, tzinfo=UTC) - timedelta(days=days)

    assert selectors.when_phrase(interview, NOW) == expected
