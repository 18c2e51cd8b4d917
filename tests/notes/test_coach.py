"""The note coach, checks C1–C13 of DOMAIN.md §4: pure functions, no database."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string

from core.articles import ARTICLES
from notes import coach, text
from notes.coach import Status

INTERVIEW_END = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
NOW = INTERVIEW_END + timedelta(hours=4)

LISTING = """Senior Product Manager – Data Platform

Initech builds the payments infrastructure that small businesses rely on.

What you will do
- Own the product roadmap for the data platform, from discovery to delivery
- Drive stakeholder management across finance, risk and compliance
- Champion data privacy and regulatory compliance (GDPR, PCI DSS)

What you bring
- Experience with event streaming platforms such as Kafka
- A track record of shipping data products
"""

GRACE = coach.Recipient(
    name="Grace Hopper",
    title="Director of Product",
    role="hiring_manager",
    topics="Scaling the data platform; the hiring plan",
    concerns="No direct experience with Kafka",
)
ALAN = coach.Recipient(
    name="Alan Turing", title="Talent Partner", role="hr", topics="Relocation to Manchester"
)

GRACE_NOTE = """Dear Grace,

Thank you for meeting with me today about the Senior Product Manager role. I enjoyed our
conversation about scaling the data platform, and your plan to double the team next year.

You said the biggest challenge is moving every team onto event streaming. At Globex I led
that move for twelve teams in nine months; I would start with the two teams whose batch jobs
fail most often, and share the product roadmap with stakeholders every fortnight.

On Kafka: I have not run it in production, but I ran Pulsar, its close cousin, for three
years, and I finished Confluent's Kafka administration course last month.

Initech's mission to make money movement fair for small businesses is why I applied, and the
way your team writes decisions down is how I like to work: I would thrive there. I am very
interested in the role and excited about the next step.

Best regards,
Ada Lovelace
"""

ALAN_NOTE = """Dear Alan,

Thank you for organising my interview today and for explaining the process so clearly. Your
tips on relocating to Manchester were very helpful: I have already looked at the areas you
suggested. I am very interested in joining Initech and look forward to hearing about the
next steps.

Best regards,
Ada Lovelace
"""


def _ctx(body: str = GRACE_NOTE, **overrides) -> coach.Context:
    draft = coach.Draft(
        kind=overrides.pop("kind", "thank_you"),
        channel=overrides.pop("channel", "email"),
        body=body,
        subject=overrides.pop("subject", "Thank you: Senior Product Manager interview"),
        attachment=overrides.pop("attachment", ""),
    )
    defaults = {
        "draft": draft,
        "recipient": GRACE,
        "now": NOW,
        "listing": LISTING,
        "company": "Initech",
        "job_title": "Senior Product Manager",
        "interview_ended_at": INTERVIEW_END,
        "other_names": ("Alan Turing",),
    }
    return coach.Context(**{**defaults, **overrides})


def _other(body: str, name: str = "Alan Turing", role: str = "hr", same_set: bool = True):
    return coach.OtherNote(interviewer_name=name, role=role, body=body, same_set=same_set)


# --- C1 --------------------------------------------------------------------------------


def test_c1_passes_note_naming_a_topic_from_this_conversation():
    result = coach.c1_specific(_ctx())

    assert result.status == Status.PASS
    assert result.sources == ("001", "004")


def test_c1_flags_generic_note_and_suggests_a_recorded_topic():
    generic = "Dear Grace,\n\nThank you for your time today. It was a pleasure.\n\nBest,\nAda"

    result = coach.c1_specific(_ctx(generic))

    assert result.status == Status.WARN
    assert "Scaling the data platform" in result.advice


def test_c1_flags_a_blank_left_from_the_starter():
    result = coach.c1_specific(_ctx(GRACE_NOTE + "\n[How you would tackle it.]"))

    assert result.status == Status.WARN
    assert "[How you would tackle it.]" in result.advice


def test_c1_does_not_apply_without_recorded_topics():
    result = coach.c1_specific(_ctx(recipient=replace(GRACE, topics="", concerns="")))

    assert result.status == Status.NOT_APPLICABLE
    assert "Record the topics" in result.advice


# --- C2 --------------------------------------------------------------------------------


def test_c2_flags_near_duplicate_note_naming_other_interviewer():
    to_alan = GRACE_NOTE.replace("Dear Grace,", "Dear Alan,")

    result = coach.c2_not_duplicate(_ctx(others=(_other(to_alan),)))

    assert result.status == Status.WARN
    assert "Alan Turing" in result.advice
    assert "100% alike" in result.advice
    assert result.sources == ("001",)


def test_c2_flags_a_lightly_edited_copy_at_the_threshold():
    edited = GRACE_NOTE.replace("twelve teams in nine months", "ten teams in a year").replace(
        "three\nyears", "two years"
    )
    assert coach.similarity(GRACE_NOTE, edited) >= coach.DUPLICATE_THRESHOLD

    result = coach.c2_not_duplicate(_ctx(others=(_other(edited),)))

    assert result.status == Status.WARN


def test_c2_passes_notes_written_for_each_person_and_names_the_closest():
    result = coach.c2_not_duplicate(_ctx(others=(_other(ALAN_NOTE),)))

    assert coach.similarity(GRACE_NOTE, ALAN_NOTE) < coach.DUPLICATE_THRESHOLD
    assert result.status == Status.PASS
    assert "closest: Alan Turing" in result.advice


def test_c2_ignores_greeting_and_signature_that_every_note_shares():
    first, second = "Alpha beta gamma delta epsilon.", "Zeta eta theta iota kappa."
    signature = "\n\nBest regards,\nAda Lovelace\n+44 20 7946 0000"

    assert coach.similarity(
        f"Dear Grace,\n\n{first}{signature}", f"Dear Alan,\n\n{second}{signature}"
    ) == (coach.similarity(first, second))


def test_c2_does_not_apply_without_other_notes():
    assert coach.c2_not_duplicate(_ctx()).status == Status.NOT_APPLICABLE


# --- C3 --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "greeting",
    [
        "Dear Grace,",
        "Dear Grace Hopper,",
        "Hi Grace!",
        "Dear Dr. Hopper,",
        "Dear Ms Hopper:",
        "Hello Grace",
    ],
)
def test_c3_passes_greeting_by_recorded_name(greeting):
    result = coach.c3_greets_by_recorded_name(_ctx(GRACE_NOTE.replace("Dear Grace,", greeting)))

    assert result.status == Status.PASS, result.advice


def test_c3_flags_misspelled_name():
    result = coach.c3_greets_by_recorded_name(
        _ctx(GRACE_NOTE.replace("Dear Grace,", "Dear Grase,"))
    )

    assert result.status == Status.WARN
    assert "misspelled" in result.advice
    assert "Grace Hopper" in result.advice


def test_c3_flags_note_addressed_to_another_interviewer():
    result = coach.c3_greets_by_recorded_name(_ctx(GRACE_NOTE.replace("Dear Grace,", "Dear Alan,")))

    assert result.status == Status.WARN
    assert "greets Alan Turing, but it is for Grace Hopper" in result.advice


def test_c3_flags_a_note_without_a_greeting_by_name():
    result = coach.c3_greets_by_recorded_name(
        _ctx(GRACE_NOTE.replace("Dear Grace,", "Dear Hiring Manager,"))
    )

    assert result.status == Status.WARN


def test_c3_flags_missing_title_on_the_contact_record():
    result = coach.c3_greets_by_recorded_name(_ctx(recipient=replace(GRACE, title="")))

    assert result.status == Status.WARN
    assert "title" in result.advice


def test_c3_accepts_a_recorded_nickname():
    bob = replace(GRACE, name="Robert (Bob) Smith")

    result = coach.c3_greets_by_recorded_name(_ctx("Dear Bob,\n\nThanks.", recipient=bob))

    assert result.status == Status.PASS


def test_c3_flags_missing_accent_as_misspelling():
    jose = replace(GRACE, name="José García")

    result = coach.c3_greets_by_recorded_name(_ctx("Dear Jose,\n\nThanks.", recipient=jose))

    assert result.status == Status.WARN
    assert "misspelled" in result.advice


# --- C4 --------------------------------------------------------------------------------


def test_c4_shows_used_and_missing_listing_phrases():
    result = coach.c4_mirrors_listing(_ctx())

    assert result.status == Status.PASS
    assert {"data platform", "product roadmap", "Kafka"} <= set(result.used)
    assert "PCI DSS" in result.missing
    assert not set(result.used) & set(result.missing)
    assert result.sources == ("003",)


def test_C4_every_listed_item_is_shown_even_when_the_prose_fills_the_top_ten():
    # A long listing's prose phrases rank above its short requirement items (yake), and
    # the ten best used to leave "Python" and "forecasting" out.
    listing = LISTING + "\nRequirements\n- SQL\n- Python\n- forecasting\n- stakeholder management\n"
    phrases = [p.casefold() for p in text.key_phrases(listing, company="Initech",
                                                      role="Senior Product Manager")]
    assert {"sql", "python", "forecasting", "stakeholder management"} <= set(phrases)
    result = coach.c4_mirrors_listing(
        _ctx(GRACE_NOTE.replace("On Kafka:", "On SQL and Kafka:"), listing=listing)
    )
    assert "SQL" in result.used
    assert {"python", "forecasting"} <= {p.casefold() for p in result.missing}


def test_c4_warns_note_that_mirrors_too_few_phrases():
    result = coach.c4_mirrors_listing(_ctx(ALAN_NOTE, recipient=ALAN))

    assert result.status == Status.WARN
    assert result.missing
    assert result.missing[0] in result.advice


def test_c4_never_suggests_the_company_or_role_title():
    phrases = text.key_phrases(LISTING, company="Initech", role="Senior Product Manager")

    assert phrases
    assert not any("initech" in phrase.casefold() for phrase in phrases)
    assert "senior product manager" not in [phrase.casefold() for phrase in phrases]


def test_c4_runs_yake_once_per_listing_text(monkeypatch):
    text.clear_key_phrase_cache()
    calls = []
    real = text._extract
    monkeypatch.setattr(text, "_extract", lambda listing: calls.append(1) or real(listing))

    for _ in range(3):
        coach.c4_mirrors_listing(_ctx())
        coach.c4_mirrors_listing(_ctx(ALAN_NOTE, recipient=ALAN))
    coach.c4_mirrors_listing(_ctx(listing=LISTING + "\nAlso: SQL."))

    assert len(calls) == 2


def test_c4_does_not_apply_without_a_listing():
    assert coach.c4_mirrors_listing(_ctx(listing="")).status == Status.NOT_APPLICABLE


ANALYST_LISTING = """Financial Analyst – Planning

Globex is hiring a Financial Analyst for its planning team.

What you will do
- Partner with budget holders on stakeholder management and monthly reporting
- Review SQL queries with the data team and present the forecast to directors

What you bring
- Strong SQL
- Forecasting
- Excel, Tableau and Power BI
"""
ANALYST_NOTE = """Dear Grace,

Thank you for today. I enjoyed walking through the SQL exercise with you and hearing how
the planning cycle works. I am very interested in the role.

Best regards,
Ada Lovelace
"""


def _analyst(body: str = ANALYST_NOTE, **overrides) -> coach.Context:
    return _ctx(
        body,
        **{
            "listing": ANALYST_LISTING,
            "company": "Globex",
            "job_title": "Financial Analyst",
            **overrides,
        },
    )


def test_C4_a_bare_term_in_the_note_counts_and_the_others_show_missing():
    result = coach.c4_mirrors_listing(_analyst())

    assert "SQL" in result.used
    assert {"stakeholder management", "forecasting"} <= set(result.missing)
    assert not set(result.used) & set(result.missing)


def test_C4_terms_carry_no_glued_neighbours():
    phrases = text.key_phrases(ANALYST_LISTING, company="Globex", role="Financial Analyst")

    assert {"SQL", "stakeholder management", "forecasting"} <= set(phrases)
    lowered = [phrase.casefold() for phrase in phrases]
    assert not [p for p in lowered if "sql" in p.split() and p != "sql"], phrases
    assert len(lowered) == len(set(lowered))


def test_C4_keeps_every_item_of_a_plain_list():
    listing = "Requirements\n- SQL\n- forecasting\n- stakeholder management\n- R\n"

    phrases = text.key_phrases(listing, limit=10)

    assert set(phrases) == {"SQL", "forecasting", "stakeholder management", "R"}


@pytest.mark.parametrize(
    "listing",
    [
        "We need SQL, forecasting and stakeholder management.",
        "You bring SQL; forecasting; stakeholder management.",
        "Experience with SQL and forecasting, and with stakeholder management.",
    ],
)
def test_C4_reads_comma_semicolon_and_and_joined_lists(listing):
    phrases = text.key_phrases(listing)

    assert {"SQL", "forecasting", "stakeholder management"} <= set(phrases)


@pytest.mark.parametrize(
    "written", ["stakeholder Management", "STAKEHOLDER MANAGEMENT", "stakeholders' management"]
)
def test_C4_matches_a_term_whatever_its_case(written):
    body = f"Dear Grace,\n\nI led {written} for the budget at Initech.\n\nBest,\nAda"

    result = coach.c4_mirrors_listing(_analyst(body))

    assert "stakeholder management" in result.used


@pytest.mark.parametrize("written", ["forecasts", "forecasted", "forecast"])
def test_C4_matches_a_term_whatever_its_inflection(written):
    body = f"Dear Grace,\n\nMy {written} were within two percent.\n\nBest,\nAda"

    result = coach.c4_mirrors_listing(_analyst(body))

    assert "forecasting" in result.used


def test_C4_a_term_is_matched_as_a_whole_word():
    body = "Dear Grace,\n\nI wrote SQLite tooling and forecastle designs.\n\nBest,\nAda"

    result = coach.c4_mirrors_listing(_analyst(body))

    assert "SQL" in result.missing
    assert "forecasting" in result.missing


def test_C4_a_note_using_three_listed_terms_passes():
    body = (
        "Dear Grace,\n\nI enjoyed our talk on forecasting; my SQL models fed the monthly "
        "reporting, and stakeholder management is most of my week.\n\nBest,\nAda"
    )

    result = coach.c4_mirrors_listing(_analyst(body, channel="letter"))

    assert result.status == Status.PASS
    assert {"SQL", "forecasting", "stakeholder management", "monthly reporting"} <= set(
        result.used
    )


# --- C5 --------------------------------------------------------------------------------


def test_c5_passes_hiring_managers_note_as_the_longest():
    result = coach.c5_hiring_manager_most_detailed(_ctx(others=(_other(ALAN_NOTE),)))

    assert result.status == Status.PASS


def test_c5_warns_when_hiring_managers_note_is_not_the_longest():
    short = "Dear Grace,\n\nThank you for today; I enjoyed the data platform talk.\n\nBest,\nAda"

    result = coach.c5_hiring_manager_most_detailed(_ctx(short, others=(_other(ALAN_NOTE),)))

    assert result.status == Status.WARN
    assert "Alan Turing" in result.advice
    assert result.sources == ("001",)


def test_c5_warns_other_note_longer_than_the_hiring_managers():
    short_manager_note = "Dear Grace,\n\nThank you, it was great.\n\nBest,\nAda"

    result = coach.c5_hiring_manager_most_detailed(
        _ctx(
            ALAN_NOTE,
            recipient=ALAN,
            others=(_other(short_manager_note, "Grace Hopper", "hiring_manager"),),
        )
    )

    assert result.status == Status.WARN
    assert "Grace Hopper" in result.advice


def test_c5_only_compares_notes_of_the_same_interview():
    other_round = _other(GRACE_NOTE * 2, same_set=False)

    result = coach.c5_hiring_manager_most_detailed(_ctx(others=(other_round,)))

    assert result.status == Status.NOT_APPLICABLE


# --- C6 --------------------------------------------------------------------------------


def test_c6_card_is_brief():
    card = "Dear Grace,\n\n" + "word " * (coach.CARD_MAX_WORDS + 1)

    assert coach.c6_fits_channel(_ctx(card, channel="card")).status == Status.WARN
    assert coach.c6_fits_channel(_ctx(ALAN_NOTE, channel="card")).status == Status.PASS


def test_c6_email_stays_short_and_has_a_subject():
    long_email = "Dear Grace,\n\n" + "word " * coach.EMAIL_MAX_WORDS

    assert coach.c6_fits_channel(_ctx(long_email)).status == Status.WARN
    assert coach.c6_fits_channel(_ctx(subject="")).advice == "Add a subject line."
    assert coach.c6_fits_channel(_ctx()).status == Status.PASS


def test_c6_letter_fits_one_page():
    line = "x" * coach.LETTER_CHARS_PER_LINE
    header = 12
    fits = "\n".join([line] * (coach.LETTER_MAX_LINES - header))
    too_long = fits + "\nOne line too many."

    assert coach.letter_lines(fits, header) == coach.LETTER_MAX_LINES
    assert (
        coach.c6_fits_channel(_ctx(fits, channel="letter", letter_header_lines=header)).status
        == Status.PASS
    )
    result = coach.c6_fits_channel(_ctx(too_long, channel="letter", letter_header_lines=header))
    assert result.status == Status.WARN
    assert "one page" in result.advice


def test_c6_counts_wrapped_lines_of_a_letter():
    assert coach.letter_lines("a" * (coach.LETTER_CHARS_PER_LINE * 2 + 1)) == 3
    assert coach.letter_lines("one\n\ntwo") == 3


# --- C7 --------------------------------------------------------------------------------


def test_c7_passes_note_answering_the_concern():
    assert coach.c7_addresses_concerns(_ctx()).status == Status.PASS


def test_c7_warns_and_names_the_concern_left_unanswered():
    result = coach.c7_addresses_concerns(
        _ctx(
            GRACE_NOTE.replace("On Kafka", "On streaming").replace("Kafka administration", "admin")
        )
    )

    assert result.status == Status.WARN
    assert "No direct experience with Kafka" in result.advice


def test_c7_does_not_apply_when_no_concern_was_recorded():
    assert coach.c7_addresses_concerns(_ctx(recipient=ALAN)).status == Status.NOT_APPLICABLE


# --- C8 --------------------------------------------------------------------------------

TESTIMONIAL = coach.Quote(
    quote="Thanks for the great job on the transition team. Your contributions were critical "
    "to success.",
    author="Bill Smith",
)


def test_c8_passes_note_quoting_a_testimonial_from_the_brag_book():
    quoting = GRACE_NOTE.replace(
        "Best regards,",
        "As my CFO wrote: \u201cYour contributions were critical to success.\u201d"
        "\n\nBest regards,",
    )

    result = coach.c8_testimonial(_ctx(quoting, testimonials=(TESTIMONIAL,)))

    assert result.status == Status.PASS
    assert "Bill Smith" in result.advice


def test_c8_is_optional_and_suggests_the_brag_book():
    result = coach.c8_testimonial(_ctx(testimonials=(TESTIMONIAL,)))

    assert result.status == Status.NOT_APPLICABLE
    assert result.advice.startswith("Optional")
    assert result.sources == ("003",)


# --- C9 --------------------------------------------------------------------------------


def test_c9_passes_note_that_repairs_the_weak_moment():
    weak = ("I rambled when asked about stakeholder conflicts",)
    repaired = GRACE_NOTE.replace(
        "Best regards,",
        "On stakeholder conflicts, a crisper answer: I agree the goal first, then the plan."
        "\n\nBest regards,",
    )

    assert coach.c9_repairs_weak_moment(_ctx(repaired, weak_moments=weak)).status == Status.PASS


def test_c9_is_optional_and_quotes_the_debrief():
    weak = ("I rambled when asked about stakeholder conflicts",)

    result = coach.c9_repairs_weak_moment(_ctx(weak_moments=weak))

    assert result.status == Status.NOT_APPLICABLE
    assert "rambled" in result.advice
    assert result.sources == ("004",)


# --- C10 -------------------------------------------------------------------------------


def test_c10_passes_interest_and_culture_fit_for_the_hiring_manager():
    assert coach.c10_expresses_interest(_ctx()).status == Status.PASS


def test_c10_warns_hiring_manager_note_without_culture_fit():
    # Everything on why Initech suits the writer goes, the interest stays.
    plain = (
        GRACE_NOTE.split("Initech's mission")[0]
        + "I am very interested in the role and excited about the next step.\n\n"
        "Best regards,\nAda Lovelace\n"
    )

    result = coach.c10_expresses_interest(_ctx(plain))

    assert result.status == Status.WARN
    assert "culture" in result.advice


def test_c10_warns_note_without_interest_in_the_position():
    cold = ALAN_NOTE.replace(
        "I am very interested in joining Initech and look forward to "
        "hearing about the\nnext steps.",
        "Regards.",
    )

    result = coach.c10_expresses_interest(_ctx(cold, recipient=ALAN))

    assert result.status == Status.WARN
    assert result.sources == ("001", "004")


def test_c10_asks_rejection_reply_to_request_other_roles():
    asks = "Dear Grace,\n\nThank you. Please keep me in mind for other roles.\n\nBest,\nAda"
    silent = "Dear Grace,\n\nThank you for letting me know.\n\nBest,\nAda"

    assert coach.c10_expresses_interest(_ctx(asks, kind="rejection_reply")).status == Status.PASS
    assert coach.c10_expresses_interest(_ctx(silent, kind="rejection_reply")).status == Status.WARN


# --- C11 -------------------------------------------------------------------------------


def test_c11_flags_confidential_markers_in_the_attachment_description():
    result = coach.c11_no_confidential_markers(
        _ctx(kind="work_product", attachment="Q3 pricing model (Internal only)")
    )

    assert result.status == Status.WARN
    assert "Internal only" in result.advice
    assert "what you attach" in result.advice


def test_c11_flags_words_the_candidate_added():
    leaky = GRACE_NOTE.replace("At Globex", "For Globex's client Umbrella Corp")

    result = coach.c11_no_confidential_markers(_ctx(leaky, confidential_terms=("Umbrella Corp",)))

    assert result.status == Status.WARN
    assert "Umbrella Corp" in result.advice


def test_c11_matches_whole_words_only():
    harmless = GRACE_NOTE + "\nI met Linda at the conference."

    result = coach.c11_no_confidential_markers(_ctx(harmless))

    assert result.status == Status.PASS  # "Linda" does not contain the marker "nda"


def test_c11_asks_for_a_description_of_the_attachment():
    result = coach.c11_no_confidential_markers(_ctx(kind="work_product"))

    assert result.status == Status.WARN
    assert result.sources == ("001",)


# --- C12 -------------------------------------------------------------------------------

VALUE_ADD = """Dear Grace,

Following our conversation about scaling the data platform, here is an article I found
useful: https://example.com/streaming-at-scale. It shows how two teams cut their migration
time in half by moving one data domain at a time.

Best regards,
Ada
"""


def test_c12_passes_resource_on_a_topic_discussed():
    assert coach.c12_adds_value(_ctx(VALUE_ADD, kind="value_add")).status == Status.PASS


def test_c12_warns_follow_up_without_a_resource():
    bare = VALUE_ADD.replace("https://example.com/streaming-at-scale", "an article")

    result = coach.c12_adds_value(_ctx(bare, kind="value_add"))

    assert result.status == Status.WARN
    assert result.sources == ("000",)


def test_c12_recognises_a_library_item_by_its_title():
    named = VALUE_ADD.replace("https://example.com/streaming-at-scale", "Streaming at Scale")

    result = coach.c12_adds_value(
        _ctx(named, kind="value_add", resource_titles=("Streaming at Scale",))
    )

    assert result.status == Status.PASS


def test_c12_warns_follow_up_that_restates_qualifications():
    bragging = """Dear Grace,

Here is a link: https://example.com/a about the data platform.
I have ten years of experience. I led three migrations. My skills match the role.
I managed large teams.

Best,
Ada"""

    result = coach.c12_adds_value(_ctx(bragging, kind="value_add"))

    assert result.status == Status.WARN
    assert "qualifications" in result.advice


def test_c12_ranks_library_items_by_the_topics_discussed():
    library = [
        (["sales"], "C-level selling"),
        (["data platform", "streaming"], "Streaming at scale"),
        ([], "Hiring plans that work"),
    ]

    assert coach.rank_resources(library, GRACE.topics) == [1, 2]


def test_c12_does_not_apply_to_a_thank_you():
    assert coach.c12_adds_value(_ctx()).status == Status.NOT_APPLICABLE


# --- C13 -------------------------------------------------------------------------------


def test_c13_counts_down_the_48_hours():
    result = coach.c13_within_48_hours(_ctx())

    assert result.status == Status.PASS
    assert "44 h left" in result.advice
    assert result.sources == ("000", "001")


def test_c13_warns_after_48_hours():
    late = INTERVIEW_END + timedelta(hours=49)

    result = coach.c13_within_48_hours(_ctx(now=late))

    assert result.status == Status.WARN
    assert "49 h" in result.advice


def test_c13_judges_a_sent_note_by_when_it_was_sent():
    sent = INTERVIEW_END + timedelta(hours=20)

    result = coach.c13_within_48_hours(_ctx(now=INTERVIEW_END + timedelta(days=9), sent_at=sent))

    assert result.status == Status.PASS
    assert "Sent 20 h" in result.advice


def test_c13_waits_for_the_interview_to_end():
    early = INTERVIEW_END - timedelta(hours=1)

    assert coach.c13_within_48_hours(_ctx(now=early)).status == Status.NOT_APPLICABLE


# --- The whole review ------------------------------------------------------------------


def test_review_runs_every_check_in_order_each_citing_its_seeds():
    results = coach.review(_ctx(others=(_other(ALAN_NOTE),)))

    assert [result.check for result in results] == [f"C{n}" for n in range(1, 14)]
    for result in results:
        assert result.sources and all(
            source in {"000", "001", "002", "003", "004"} for source in result.sources
        )
        assert result.advice and "\n" not in result.advice


def test_review_of_a_well_written_note_has_no_warnings():
    results = coach.review(_ctx(others=(_other(ALAN_NOTE),)))

    assert coach.warnings(results) == 0, [r for r in results if r.status == Status.WARN]


def test_blanks_left_in_a_note_do_not_count_as_its_words():
    hint = "Dear Grace,\n\n[Why you would thrive in their culture and mission.]\n\nBest,\nAda"

    result = coach.c10_expresses_interest(_ctx(hint))

    assert result.status == Status.WARN


def test_C4_keeps_a_hyphenated_term_whole_and_matches_it_either_way():
    listing = "You will lead cross-functional teams and own the roadmap."

    phrases = text.key_phrases(listing, role="Product Manager")
    note = text.term_text("I ran cross functional squads.")

    assert "cross-functional" in phrases
    assert text.uses_term(note, "cross-functional")


# --- Judging real writing (issue 18): other words, repeated words, can't tell ---------

PRIYA = coach.Recipient(
    name="Priya Raman",
    title="Engineering Manager",
    role="hiring_manager",
    topics="Offline-first architecture; the move to Jetpack Compose",
    concerns="Whether I have enough experience with Android-specific patterns",
)


def _priya(body: str, **overrides) -> coach.Context:
    return _ctx(
        f"Dear Priya,\n\n{body}\n\nBest regards,\nTomás",
        **{"recipient": PRIYA, "company": "Monzo", "job_title": "Mobile Engineer", **overrides},
    )


def test_c7_passes_a_concern_answered_in_other_words_with_a_concrete_example():
    answer = (
        "You wondered whether my background is deep enough on the platform itself. At "
        "Citymapper I rebuilt our offline planner in Kotlin with WorkManager jobs, and crash "
        "reports on that screen fell by 40%."
    )

    assert coach.c7_addresses_concerns(_priya(answer)).status == Status.PASS


def test_c7_warns_a_note_that_only_repeats_the_concern():
    repeated = (
        "On your concern about whether I have enough experience with Android-specific "
        "patterns: I understand the concern and I appreciate you raising it."
    )

    result = coach.c7_addresses_concerns(_priya(repeated))

    assert result.status == Status.WARN
    assert "do not answer it yet" in result.advice


def test_c7_says_it_cannot_tell_rather_than_flagging_a_thin_answer():
    thin = "On Android patterns: the course from Google is next on my list."

    result = coach.c7_addresses_concerns(_priya(thin))

    assert result.status == Status.UNSURE
    assert result.status.label == "Can't tell"
    assert result.advice.startswith("Can't tell")
    assert coach.warnings((result,)) == 0


def test_c7_leaves_concerns_to_the_email_when_the_note_is_a_card():
    result = coach.c7_addresses_concerns(_priya("Thank you!", channel="card"))

    assert result.status == Status.NOT_APPLICABLE


def test_c10_passes_interest_and_culture_fit_said_in_other_words():
    note = "I love Monzo's habit of designing in the open, and I really hope to join you."

    assert coach.c10_expresses_interest(_priya(note)).status == Status.PASS


def test_c10_does_not_count_looking_forward_to_hearing_as_interest():
    result = coach.c10_expresses_interest(
        _ctx(
            ALAN_NOTE.split("I am very")[0] + "I look forward to hearing from you.", recipient=ALAN
        )
    )

    assert result.status == Status.WARN


def test_c9_passes_a_weak_moment_taken_up_in_other_words():
    weak = ("Blanked on the question about database indexes",)
    note = _priya(
        "I froze when you asked about indexing, so here is my answer: a composite index on "
        "(account_id, booked_at).",
        weak_moments=weak,
    )

    assert coach.c9_repairs_weak_moment(note).status == Status.PASS


def test_c9_counts_the_better_answer_itself_but_not_an_apology_alone():
    weak = ("Gave a vague answer when asked how I estimate work",)
    answer = _priya(
        "I was not happy with my answer on estimates, so here is what I do: I split the work "
        "into pieces of two days at most and add a day for every unknown API.",
        weak_moments=weak,
    )
    apology = _priya(
        "Sorry that my answer about estimating work was vague; I was a bit nervous.",
        weak_moments=weak,
    )

    assert coach.c9_repairs_weak_moment(answer).status == Status.PASS
    assert coach.c9_repairs_weak_moment(apology).status == Status.NOT_APPLICABLE


def test_c12_counts_a_quoted_title_but_not_a_link_to_your_own_cv():
    book = 'I reread "Monolith to Microservices" by Sam Newman, on the data platform move.'
    cv = "Here is my CV on the data platform: https://example.com/ada-cv.pdf"

    assert coach.c12_adds_value(_ctx(book, kind="value_add")).status == Status.PASS
    assert coach.c12_adds_value(_ctx(cv, kind="value_add")).status == Status.WARN


def test_advice_a_job_seeker_reads_carries_no_check_ids():
    for body in (GRACE_NOTE, "Dear Grace,\n\nThanks.\n\nBest,\nAda"):
        for result in coach.review(_ctx(body, weak_moments=("I rambled",))):
            assert not re.search(r"\bC\d{1,2}\b", result.advice), result


def test_the_editor_shows_an_unsure_verdict_like_the_other_checks():
    unsure = coach.c7_addresses_concerns(
        _priya("On Android patterns: the course from Google is next on my list.")
    )
    pane = SimpleNamespace(results=(unsure,), prefix="n1", note=SimpleNamespace(pk=1))

    html = render_to_string("notes/_coach.html", {"pane": pane, "oob": False})

    assert 'class="coach-result coach-unsure"' in html
    assert "Can&#x27;t tell" in html
    assert "read it once more" in html


def test_every_check_says_why_in_the_words_of_one_of_its_articles_by_its_title():
    results = coach.review(_ctx())

    assert {result.check for result in results} == set(coach.WHY)
    for result in results:
        why = coach.WHY[result.check]
        assert why.article in {ARTICLES[source] for source in result.sources}, result.check
        assert why.advice.endswith((".", "!", "\u201d")), result.check
