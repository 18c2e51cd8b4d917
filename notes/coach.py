"""The note coach: checks C1–C13 of DOMAIN.md §4 on one draft. Text in, results out; no ORM.

Each check returns a ``Result``: pass, warn, unsure or not applicable, one line saying what
to change (or what is right), and the seeds the advice comes from. A judgement check that
cannot tell says so ("Can't tell … read it once more") rather than flagging the note. The
judgement checks (C1, C7, C9, C10, C12) read what a note means through ``notes.meaning``:
lemmas, related words, concrete evidence; ``bench/coach_accuracy.py`` measures them against
the labelled notes of ``tests/notes/corpus/``. A check informs; it never
blocks sending. ``review(context)`` runs them all, in order.

Thresholds and limits (the numbers the checks use, in one place):

* C2 — two notes are near-duplicates when rapidfuzz's ``token_set_ratio`` of their cores
  (greeting and signature left out, since every note shares them) is at least
  ``DUPLICATE_THRESHOLD`` = 80 out of 100. Token-set ratio scores 100 when one note's words
  are all in the other, so a short note that says nothing the longer one does not is
  flagged too, on purpose: seed 001 asks for a different point in each note.
* C4 — the listing's top ``KEY_PHRASES_SHOWN`` = 10 terms (``notes.text.key_phrases``:
  yake's n-grams cut to their terms, plus the listing's own list items and noun phrases);
  a note uses a term when it has the term's words in order, case and inflection aside
  ("forecasts" uses "forecasting"); it should use at least ``PHRASES_WANTED`` of them:
  1 on a card, 2 in an email, 3 in a letter.
* C6 — a card at most 80 words (a folded note card holds about that in
  handwriting); an email at most 300 words (read without scrolling much), with a subject
  of at most 78 characters; a letter must fit one page: its estimated line count, at
  ``LETTER_CHARS_PER_LINE`` = 80 characters a line, plus the address blocks and date, at
  most ``LETTER_MAX_LINES`` = 44. The print view (static/css/print.css) sets 11 pt type at
  1.35 line height in a 170 × 239 mm box, the printable area of both A4 and US Letter with
  20 mm margins: 45 lines. Measured in Chromium, a line holds about 105 characters of prose
  in Times/Liberation Serif and 83 in DejaVu Serif, the widest fallback; 80 leaves room for
  word wrapping (tests/notes/test_print.py renders a letter at the limit in both).
* C13 — ``DEADLINE_HOURS`` = 48 after the interview ends; seed 002's "the same day" is
  the ideal shown while the clock runs.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from nameparser import HumanName
from rapidfuzz import fuzz, utils

from core.articles import ARTICLES
from notes import meaning, starters, text

DUPLICATE_THRESHOLD = 80
KEY_PHRASES_SHOWN = 10
PHRASES_WANTED = {starters.CARD: 1, starters.EMAIL: 2, starters.LETTER: 3}
CARD_MAX_WORDS = 80
EMAIL_MAX_WORDS = 300
SUBJECT_MAX_CHARS = 78
LETTER_CHARS_PER_LINE = 80
LETTER_MAX_LINES = 44
DEADLINE_HOURS = 48
MISSPELLING_SIMILARITY = 70  # rapidfuzz ratio of a greeted name to a recorded one
QUOTE_WINDOW_WORDS = 5  # C8: this many consecutive words of a testimonial count as quoting it

# C11: words that mark a document as not for sharing (seed 001: "Redact names and hide
# proprietary information"); the candidate adds their own (client names, code names).
CONFIDENTIAL_MARKERS = (
    "confidential",
    "internal only",
    "internal use only",
    "for internal use",
    "proprietary",
    "trade secret",
    "do not distribute",
    "not for distribution",
    "under nda",
    "nda",
    "privileged",
    "restricted",
    "strictly private",
)
# C12: a sentence about oneself, the "restates your qualifications" pattern of seed 000.
_SELF_SENTENCE = re.compile(
    r"^\s*(?:i\s+(?:am|have|bring|was|led|built|managed|delivered|worked)\b|my\s+"
    r"(?:experience|skills?|background|qualifications?|track record|expertise)\b)",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


class Status(StrEnum):
    PASS = "pass"  # noqa: S105 (a status, not a password)
    WARN = "warn"
    # The coach cannot tell: it asks the user to read the note again instead of flagging it.
    UNSURE = "unsure"
    NOT_APPLICABLE = "not_applicable"

    @property
    def label(self) -> str:
        return {"pass": "OK", "warn": "Check", "unsure": "Can't tell", "not_applicable": "n/a"}[
            self.value
        ]


@dataclass(frozen=True)
class Result:
    check: str  # "C1" … "C13"
    title: str
    status: Status
    advice: str  # one line: what to change, or what is right
    sources: tuple[str, ...]  # the seeds the advice comes from: ("001", "004")
    # C4 only: the listing's key phrases the note uses, and those it does not.
    used: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class Draft:
    kind: str
    channel: str
    body: str
    subject: str = ""
    attachment: str = ""


@dataclass(frozen=True)
class Recipient:
    name: str
    title: str = ""
    role: str = ""
    topics: str = ""
    concerns: str = ""


@dataclass(frozen=True)
class OtherNote:
    """Another note of the same application, to another interviewer."""

    interviewer_name: str
    role: str
    body: str
    # Same interview and kind as the draft: the set whose hiring manager's note must be the
    # most detailed (C5).
    same_set: bool = False


@dataclass(frozen=True)
class Quote:
    quote: str
    author: str


@dataclass(frozen=True)
class Context:
    draft: Draft
    recipient: Recipient
    now: datetime
    others: tuple[OtherNote, ...] = ()
    # Everyone else the candidate met for this application (C3: a note to the wrong person).
    other_names: tuple[str, ...] = ()
    listing: str = ""
    company: str = ""
    job_title: str = ""
    testimonials: tuple[Quote, ...] = ()
    weak_moments: tuple[str, ...] = ()
    confidential_terms: tuple[str, ...] = ()
    # C12: titles and links of the candidate's library, to recognise a resource by name.
    resource_titles: tuple[str, ...] = ()
    interview_ended_at: datetime | None = None
    sent_at: datetime | None = None
    # C6: lines the letter's address blocks and date take above the body.
    letter_header_lines: int = 10
    _memo: dict = field(default_factory=dict, compare=False, repr=False)

    # Derived once per review and shared by the checks. Every check but C1 (which flags
    # them) and C6 (which measures the text as it stands) reads the note without its
    # [blanks]: a starter's hint is not the user's words.
    @property
    def written(self) -> str:
        return self._cached("written", lambda: text.without_placeholders(self.draft.body))

    @property
    def core(self) -> str:
        return self._cached("core", lambda: text.core(self.written))

    @property
    def words(self) -> set[str]:
        return self._cached("words", lambda: text.content_words(self.written))

    @property
    def reading(self) -> meaning.Reading:
        """The note as lemmas, to see what it speaks of (C1, C7, C9, C12)."""
        return self._cached("reading", lambda: meaning.Reading.of(self.written))

    @property
    def sentences(self) -> list[str]:
        return self._cached("sentences", lambda: meaning.sentences(self.core))

    @property
    def normalized(self) -> str:
        return self._cached("normalized", lambda: text.normalized(self.written))

    @property
    def term_text(self) -> str:
        """The note as Snowball stems, to match the listing's terms (C4)."""
        return self._cached("term_text", lambda: text.term_text(self.written))

    @property
    def shingles(self) -> set[str]:
        """Every run of ``QUOTE_WINDOW_WORDS`` consecutive stems of the note (C8)."""

        def compute():
            tokens = self.normalized.split()
            size = QUOTE_WINDOW_WORDS
            return {" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}

        return self._cached("shingles", compute)

    def _cached(self, key: str, compute):
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]


def _result(check: str, title: str, sources: tuple[str, ...]):
    def make(status: Status, advice: str, **extra) -> Result:
        return Result(check, title, status, advice, sources, **extra)

    return make


def _not_for(kinds: set[str], ctx: Context) -> bool:
    return ctx.draft.kind not in kinds


def _first(name: str) -> str:
    return starters.first_name(name)


# --- C1 ---------------------------------------------------------------------------------


def c1_specific(ctx: Context) -> Result:
    make = _result("C1", "Specific to this conversation", ("001", "004"))
    blanks = text.placeholders(ctx.draft.body)
    if blanks:
        more = f" and {len(blanks) - 1} more" if len(blanks) > 1 else ""
        return make(Status.WARN, f"Replace the blank {blanks[0]}{more} with your own words.")
    if _not_for(
        {starters.THANK_YOU, starters.VALUE_ADD, starters.WORK_PRODUCT, starters.STAY_IN_TOUCH}, ctx
    ):
        return make(Status.NOT_APPLICABLE, "Short notes of this kind need no specific point.")
    who = _first(ctx.recipient.name)
    recorded = text.items(ctx.recipient.topics) + text.items(ctx.recipient.concerns)
    if not recorded:
        return make(
            Status.NOT_APPLICABLE,
            f"Record the topics and concerns you discussed with {who} to have this checked.",
        )
    if any(meaning.takes_up(item, ctx.reading) for item in recorded):
        return make(Status.PASS, f"Names something from your conversation with {who}.")
    return make(
        Status.WARN,
        f"Name something from your conversation with {who}, e.g. \u201c{recorded[0]}\u201d.",
    )


# --- C2 ---------------------------------------------------------------------------------


def similarity(first: str, second: str) -> float:
    """Token-set ratio (0–100) of two notes' cores, case and punctuation ignored."""
    return fuzz.token_set_ratio(
        text.core(first), text.core(second), processor=utils.default_process
    )


def c2_not_duplicate(ctx: Context) -> Result:
    make = _result("C2", "Not the same note as another", ("001",))
    if not ctx.core:
        return make(Status.NOT_APPLICABLE, "Write the note to compare it with the others.")
    written = [(text.without_placeholders(other.body), other) for other in ctx.others]
    written = [(body, other) for body, other in written if text.core(body)]
    if not written:
        return make(Status.NOT_APPLICABLE, "No other note for this application yet.")
    scored = sorted(
        ((similarity(ctx.written, body), other) for body, other in written),
        key=lambda pair: -pair[0],
    )
    close = [(score, other) for score, other in scored if score >= DUPLICATE_THRESHOLD]
    if not close:
        return make(
            Status.PASS,
            f"Different from your other notes (closest: {scored[0][1].interviewer_name}, "
            f"{scored[0][0]:.0f}% alike).",
        )
    names = ", ".join(f"{other.interviewer_name} ({score:.0f}% alike)" for score, other in close)
    return make(
        Status.WARN,
        f"Near-duplicate of your note to {names}: rewrite it around what you discussed with "
        f"{_first(ctx.recipient.name)}.",
    )


# --- C3 ---------------------------------------------------------------------------------

_TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "madam", "dame"}


def _name_tokens(name: str) -> list[str]:
    return [token for token in text.words(name) if token.rstrip(".") not in _TITLES]


def _accepted_greetings(name: str) -> set[str]:
    parsed = HumanName(name)
    forms = {
        parsed.first,
        parsed.nickname,
        parsed.last,
        f"{parsed.first} {parsed.last}",
        f"{parsed.nickname} {parsed.last}",
        " ".join(_name_tokens(name)),
    }
    return {" ".join(text.words(form)) for form in forms if form.strip()}


def c3_greets_by_recorded_name(ctx: Context) -> Result:
    make = _result("C3", "Greets them by the recorded name", ("001",))
    recorded = ctx.recipient.name
    found = text.greeting(ctx.draft.body)
    if found is None or not found[1]:
        example = starters.salutation(recorded, ctx.draft.channel)
        return make(Status.WARN, f"Open with a greeting by name: \u201c{example}\u201d")
    greeted = found[1]
    greeted_tokens = _name_tokens(greeted)
    if " ".join(greeted_tokens) in _accepted_greetings(recorded):
        if not ctx.recipient.title:
            return make(
                Status.WARN,
                f"The greeting is right; add {_first(recorded)}'s title to their contact "
                "details (their card, their email signature, or ask the recruiter).",
            )
        return make(Status.PASS, f"Greets {recorded} by the name and title on record.")
    for other in ctx.other_names:
        if greeted_tokens and " ".join(greeted_tokens) in _accepted_greetings(other):
            return make(
                Status.WARN,
                f"This note greets {other}, but it is for {recorded}: wrong person?",
            )
    recorded_tokens = _name_tokens(recorded)
    for token in greeted_tokens:
        if token in recorded_tokens:
            continue
        close = max(recorded_tokens, key=lambda r: fuzz.ratio(token, r), default="")
        if close and fuzz.ratio(token, close) >= MISSPELLING_SIMILARITY:
            return make(
                Status.WARN,
                f"\u201c{greeted}\u201d looks misspelled: the record says {recorded}.",
            )
    return make(
        Status.WARN,
        f"The greeting names \u201c{greeted}\u201d, not {recorded} as recorded.",
    )


# --- C4 ---------------------------------------------------------------------------------


def c4_mirrors_listing(ctx: Context) -> Result:
    make = _result("C4", "Mirrors the job listing", ("003",))
    if _not_for({starters.THANK_YOU, starters.WORK_PRODUCT}, ctx):
        return make(Status.NOT_APPLICABLE, "Mirroring the listing matters in thank-you notes.")
    if not ctx.listing.strip():
        return make(
            Status.NOT_APPLICABLE,
            "Paste the job listing into the application to see its key phrases.",
        )
    phrases = text.key_phrases(
        ctx.listing, company=ctx.company, role=ctx.job_title, limit=KEY_PHRASES_SHOWN
    )
    if not phrases:
        return make(Status.NOT_APPLICABLE, "The listing has no key phrases to mirror.")
    used = tuple(phrase for phrase in phrases if text.uses_term(ctx.term_text, phrase))
    missing = tuple(phrase for phrase in phrases if phrase not in used)
    wanted = min(PHRASES_WANTED.get(ctx.draft.channel, 2), len(phrases))
    if len(used) >= wanted:
        return make(
            Status.PASS,
            f"Uses {len(used)} of the listing's key phrases.",
            used=used,
            missing=missing,
        )
    return make(
        Status.WARN,
        f"Use the listing's own words: {wanted - len(used)} more of its key phrases, "
        f"e.g. \u201c{missing[0]}\u201d.",
        used=used,
        missing=missing,
    )


# --- C5 ---------------------------------------------------------------------------------


def _detail(body: str) -> int:
    return text.word_count(text.core(text.without_placeholders(body)))


def c5_hiring_manager_most_detailed(ctx: Context) -> Result:
    make = _result("C5", "Hiring manager's note is the most detailed", ("001",))
    if _not_for({starters.THANK_YOU}, ctx):
        return make(Status.NOT_APPLICABLE, "Compares the thank-you notes of one interview.")
    peers = [(_detail(other.body), other) for other in ctx.others if other.same_set]
    if not peers:
        return make(Status.NOT_APPLICABLE, "No other thank-you note for this interview.")
    mine = text.word_count(ctx.core)
    if ctx.recipient.role == starters.HIRING_MANAGER:
        rivals = [(words, other) for words, other in peers if other.role != starters.HIRING_MANAGER]
        longest = max(rivals, key=lambda pair: pair[0], default=None)
        if longest is None or mine > longest[0]:
            return make(Status.PASS, f"The most detailed note of the set ({mine} words).")
        return make(
            Status.WARN,
            f"Make this the most detailed note: your note to {longest[1].interviewer_name} has "
            f"{longest[0]} words, this one {mine}.",
        )
    managers = [(words, other) for words, other in peers if other.role == starters.HIRING_MANAGER]
    if not managers:
        return make(Status.NOT_APPLICABLE, "No note to a hiring manager in this set.")
    shortest = min(managers, key=lambda pair: pair[0])
    if mine < shortest[0]:
        return make(Status.PASS, f"Shorter than your note to {shortest[1].interviewer_name}.")
    return make(
        Status.WARN,
        f"This note ({mine} words) is as long as your note to the hiring manager, "
        f"{shortest[1].interviewer_name} ({shortest[0]}): give theirs the most detail.",
    )


# --- C6 ---------------------------------------------------------------------------------


def letter_lines(body: str, header_lines: int = 0) -> int:
    """Estimated printed lines of a letter: each line of the body wraps at the column width."""
    lines = body.replace("\r\n", "\n").strip("\n").split("\n") if body.strip() else []
    return header_lines + sum(
        max(1, math.ceil(len(line) / LETTER_CHARS_PER_LINE)) for line in lines
    )


def c6_fits_channel(ctx: Context) -> Result:
    make = _result("C6", "Length fits the channel", ("002", "003"))
    channel, body = ctx.draft.channel, ctx.draft.body
    count = text.word_count(body)
    if channel == starters.CARD:
        if count > CARD_MAX_WORDS:
            return make(
                Status.WARN,
                f"{count} words: cut to {CARD_MAX_WORDS} or fewer, a card is brief.",
            )
        return make(Status.PASS, f"{count} words: fits a card (at most {CARD_MAX_WORDS}).")
    if channel == starters.LETTER:
        lines = letter_lines(body, ctx.letter_header_lines)
        if lines > LETTER_MAX_LINES:
            return make(
                Status.WARN,
                f"About {lines} lines: cut about {lines - LETTER_MAX_LINES} to fit one page.",
            )
        return make(Status.PASS, f"About {lines} of {LETTER_MAX_LINES} lines: fits one page.")
    if channel == starters.EMAIL and not ctx.draft.subject.strip():
        return make(Status.WARN, "Add a subject line.")
    if channel == starters.EMAIL and len(ctx.draft.subject) > SUBJECT_MAX_CHARS:
        return make(Status.WARN, f"Shorten the subject to {SUBJECT_MAX_CHARS} characters or fewer.")
    if count > EMAIL_MAX_WORDS:
        return make(
            Status.WARN,
            f"{count} words: an email stays short, cut to {EMAIL_MAX_WORDS} or fewer.",
        )
    return make(
        Status.PASS, f"{count} words: short enough for an email (at most {EMAIL_MAX_WORDS})."
    )


# --- C7 ---------------------------------------------------------------------------------


ANSWERED, UNSURE_ANSWER, REPEATED, ABSENT = "answered", "unsure", "repeated", "absent"
# Concern sentences that refer to the concern without its words: "You asked whether…".
_REFERS_TO_CONCERN = re.compile(
    r"\b(?:you\s+(?:asked|wondered|were\s+right|had\s+doubts|were\s+worried|mentioned|raised)|"
    r"(?:fair|right)\s+to\s+(?:ask|wonder|worry)|"
    r"your\s+(?:question|concern|doubts?|worry)|(?:on|about)\s+the\s+\w+\s+question)\b",
    re.IGNORECASE,
)
ANSWER_WINDOW = 2  # sentences after the one that takes up a concern, where its answer may be


_CONCERN_SEPARATORS = re.compile(r"\s*(?:\n|;|•|·)\s*")
_BULLET = re.compile(r"^\s*(?:[-*•·–—]|\d+[.)])\s*")


def concern_items(concerns: str) -> list[str]:
    """The concerns recorded for a person, one per line, semicolon or bullet.

    Unlike a list of topics, a concern is a sentence: "Only consumer marketing, no B2B"
    is one concern, not two, so a comma does not split it.
    """
    parts = (_BULLET.sub("", part).strip(" .") for part in _CONCERN_SEPARATORS.split(concerns))
    return [part for part in parts if text.content_words(part)]


def answer_to(concern: str, ctx: Context, *, only_concern: bool = True) -> str:
    """How the note answers one concern (C7).

    1. Find the sentences that take it up: in other words too (``meaning.takes_up``), or,
       when it is the only concern, a sentence that refers to it ("You asked whether…").
    2. In those and the ``ANSWER_WINDOW`` sentences after, look for evidence the concern
       did not already hold (``meaning.evidence``): something the writer did, a figure,
       or two kinds of evidence together answer it; one weaker kind (a name, a plan, a
       number in words) leaves the coach unsure; none is the concern repeated.
    """
    sentences = ctx.sentences
    # A word of a recorded topic speaks of that topic, not of the concern ("the returns
    # flow" discussed is no answer to "no e-commerce background").
    topic_only = meaning.Reading.of(ctx.recipient.topics).without(meaning.Reading.of(concern))
    # A sentence that names part of the concern, read with the next one: "On pace:" then
    # "we worked like a startup".
    readings = [meaning.Reading.of(sentence).without(topic_only) for sentence in sentences]
    hits = [
        index
        for index, reading in enumerate(readings)
        if meaning.takes_up(concern, reading, share=0)
        and meaning.takes_up(
            concern,
            meaning.Reading.of(" ".join(sentences[index : index + 2])).without(topic_only),
        )
    ]
    if not hits and only_concern:
        hits = [i for i, sentence in enumerate(sentences) if _REFERS_TO_CONCERN.search(sentence)]
    if not hits:
        return ABSENT
    known = " ".join((concern, ctx.recipient.name, ctx.company, ctx.job_title, ctx.recipient.title))
    window = sorted({i for hit in hits for i in range(hit, hit + ANSWER_WINDOW + 1)})
    found: set[str] = set()
    for index in window:
        if index < len(sentences):
            found |= meaning.evidence(sentences[index], known=known)
    if {"action", "figure"} & found or len(found) >= 2:
        return ANSWERED
    return UNSURE_ANSWER if found else REPEATED


def c7_addresses_concerns(ctx: Context) -> Result:
    make = _result("C7", "Addresses their concerns", ("001",))
    if _not_for({starters.THANK_YOU, starters.WORK_PRODUCT}, ctx):
        return make(Status.NOT_APPLICABLE, "Concerns are answered in the thank-you note.")
    if ctx.draft.channel == starters.CARD:
        return make(
            Status.NOT_APPLICABLE, "A card is brief: answer their concerns in the email or letter."
        )
    concerns = concern_items(ctx.recipient.concerns)
    if not concerns:
        return make(Status.NOT_APPLICABLE, "No concern recorded for this person.")
    answers = {
        concern: answer_to(concern, ctx, only_concern=len(concerns) == 1) for concern in concerns
    }
    for concern, answer in answers.items():
        if answer == ABSENT:
            return make(
                Status.WARN,
                f"Answer their concern \u201c{concern}\u201d with one concrete example: what "
                "you did, with a number or a name.",
            )
        if answer == REPEATED:
            return make(
                Status.WARN,
                f"You name their concern \u201c{concern}\u201d but do not answer it yet: add "
                "what you did about it, with a number or a name, or your plan.",
            )
    for concern, answer in answers.items():
        if answer == UNSURE_ANSWER:
            return make(
                Status.UNSURE,
                f"Can't tell whether this answers their concern \u201c{concern}\u201d: read it "
                "once more, and add one concrete example if it is not there.",
            )
    return make(Status.PASS, "Answers every concern they raised.")


# --- C8 ---------------------------------------------------------------------------------


def _quotes(quote: str, ctx: Context) -> bool:
    """Whether the note quotes a testimonial: any run of five of its words, or all of it."""
    tokens = text.stems(quote)
    if len(tokens) < QUOTE_WINDOW_WORDS:
        return bool(tokens) and f" {' '.join(tokens)} " in ctx.normalized
    size = QUOTE_WINDOW_WORDS
    return any(
        " ".join(tokens[start : start + size]) in ctx.shingles
        for start in range(len(tokens) - size + 1)
    )


def c8_testimonial(ctx: Context) -> Result:
    make = _result("C8", "Quotes a testimonial (optional)", ("003",))
    if (
        _not_for({starters.THANK_YOU, starters.WORK_PRODUCT}, ctx)
        or ctx.draft.channel == starters.CARD
    ):
        return make(Status.NOT_APPLICABLE, "A testimonial belongs in a letter or email.")
    for item in ctx.testimonials:
        if _quotes(item.quote, ctx):
            return make(Status.PASS, f"Quotes {item.author}'s testimonial.")
    if not ctx.testimonials:
        return make(
            Status.NOT_APPLICABLE,
            "Optional: add testimonials to your brag book to quote a short one.",
        )
    return make(Status.NOT_APPLICABLE, "Optional: quote a short testimonial from your brag book.")


# --- C9 ---------------------------------------------------------------------------------


def _repairs(moment: str, sentences: list[str]) -> bool:
    """Whether a sentence speaks of the moment's subject and, there or next to it, comes
    back to it ("a crisper answer", "I froze when…", "sorry again for…") or gives the
    better answer itself: evidence the moment did not hold, weighed as for a concern."""
    for index, sentence in enumerate(sentences):
        if meaning.takes_up(moment, meaning.Reading.of(sentence)):
            near = sentences[max(0, index - 1) : index + 2]
            if any(meaning.REPAIR.search(part) for part in near):
                return True
            found: set[str] = set()
            for part in sentences[index : index + 2]:
                found |= meaning.evidence(part, known=moment)
            if {"action", "figure"} & found or len(found) >= 2:
                return True
    return False


def c9_repairs_weak_moment(ctx: Context) -> Result:
    make = _result("C9", "Repairs a weak moment (optional)", ("004",))
    if _not_for({starters.THANK_YOU}, ctx):
        return make(Status.NOT_APPLICABLE, "A thank-you note is the place to repair a moment.")
    if not ctx.weak_moments:
        return make(
            Status.NOT_APPLICABLE,
            "Optional: a debrief answer on what went less well gets a repair suggestion here.",
        )
    if any(_repairs(moment, ctx.sentences) for moment in ctx.weak_moments):
        return make(Status.PASS, "Takes up a moment your debrief says went less well.")
    return make(
        Status.NOT_APPLICABLE,
        f"Optional: your debrief noted \u201c{ctx.weak_moments[0][:80]}\u201d; a sentence "
        "can add what you would say now.",
    )


# --- C10 --------------------------------------------------------------------------------


def c10_expresses_interest(ctx: Context) -> Result:
    make = _result("C10", "Expresses interest (and culture fit)", ("001", "004"))
    kind, body = ctx.draft.kind, ctx.written
    if kind == starters.REJECTION_REPLY:
        if meaning.OTHER_ROLES.search(body):
            return make(Status.PASS, "Asks to be considered for other roles.")
        return make(Status.WARN, "Ask to be kept in mind for other roles.")
    if kind not in {
        starters.THANK_YOU,
        starters.STATUS_CHECK,
        starters.CHECK_IN,
        starters.OPENINGS_INQUIRY,
        starters.STAY_IN_TOUCH,
    }:
        return make(Status.NOT_APPLICABLE, "Interest is stated in the thank-you and check-ins.")
    if not meaning.INTEREST.search(body):
        return make(Status.WARN, "Say that you want the job: \u201cI am very interested…\u201d.")
    # A card is brief (seed 002): culture fit is for the email or letter.
    wants_culture = (
        kind == starters.THANK_YOU
        and ctx.draft.channel != starters.CARD
        and ctx.recipient.role in {starters.HIRING_MANAGER, starters.MANAGERS_BOSS}
    )
    if wants_culture and not meaning.CULTURE.search(body):
        return make(
            Status.WARN,
            "Add why you would thrive in their culture: their values, mission or way of working.",
        )
    if wants_culture:
        return make(Status.PASS, "Shows interest and culture fit.")
    return make(Status.PASS, "Shows interest in the position.")


# --- C11 --------------------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def _confidential_pattern(terms: tuple[str, ...]) -> re.Pattern:
    alternatives = sorted(
        {
            r"\s+".join(map(re.escape, term.split()))
            for term in (*CONFIDENTIAL_MARKERS, *terms)
            if term.strip()
        },
        key=len,
        reverse=True,
    )
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


def confidential_hits(content: str, terms: tuple[str, ...]) -> list[str]:
    """The markers and the candidate's own words found in a text, whole words only."""
    found: dict[str, str] = {}
    for match in _confidential_pattern(tuple(terms)).finditer(content):
        hit = " ".join(match.group().split())
        found.setdefault(hit.casefold(), hit)
    return list(found.values())


def c11_no_confidential_markers(ctx: Context) -> Result:
    make = _result("C11", "No confidential markers", ("001",))
    draft = ctx.draft
    hits = confidential_hits(
        f"{draft.subject}\n{draft.body}\n{draft.attachment}", ctx.confidential_terms
    )
    if hits:
        where = " or what you attach" if draft.kind == starters.WORK_PRODUCT else ""
        quoted = ", ".join(f"\u201c{hit}\u201d" for hit in hits[:3])
        return make(
            Status.WARN, f"Remove {quoted} from the note{where}: redact and hide what is private."
        )
    if draft.kind == starters.WORK_PRODUCT and not draft.attachment.strip():
        return make(Status.WARN, "Describe what you attach, so it can be checked for markers.")
    return make(Status.PASS, "No confidential markers or words from your list.")


# --- C12 --------------------------------------------------------------------------------


def c12_adds_value(ctx: Context) -> Result:
    make = _result("C12", "Adds value on a topic discussed", ("000",))
    if _not_for({starters.VALUE_ADD, starters.STAY_IN_TOUCH}, ctx):
        return make(Status.NOT_APPLICABLE, "Applies to value-add and stay-in-touch notes.")
    if not meaning.shares_a_resource(ctx.written, ctx.resource_titles):
        return make(
            Status.WARN,
            "Link a resource (article, book, news item) on a topic you discussed.",
        )
    topics = text.items(ctx.recipient.topics)
    if topics and not any(meaning.takes_up(topic, ctx.reading) for topic in topics):
        return make(
            Status.WARN, f"Tie the resource to your conversation, e.g. \u201c{topics[0]}\u201d."
        )
    sentences = [s for s in _SENTENCE.split(ctx.core) if text.words(s)]
    about_me = sum(1 for sentence in sentences if _SELF_SENTENCE.match(sentence))
    if sentences and about_me * 2 > len(sentences):
        return make(
            Status.WARN,
            "Do not restate your qualifications: lead with the resource and why it helps them.",
        )
    return make(Status.PASS, "Shares a resource on a topic you discussed.")


def rank_resources(resources: list[tuple[list[str], str]], topics: str) -> list[int]:
    """Indexes of library items matching the topics discussed, best first (C12).

    Each item is (tags, title and why). A tag found among the topics counts 2, each word
    of the title or the why found there counts 1; items scoring nothing are left out.
    """
    topic_words = text.content_words(topics)
    topic_text = text.normalized(topics)
    ranked = []
    for index, (tags, description) in enumerate(resources):
        score = 2 * sum(
            1
            for tag in tags
            if text.contains_phrase(topic_text, tag)
            or (text.content_words(tag) and text.content_words(tag) <= topic_words)
        )
        score += len(text.content_words(description) & topic_words)
        if score:
            ranked.append((-score, index))
    return [index for _score, index in sorted(ranked)]


# --- C13 --------------------------------------------------------------------------------


def _hours(delta) -> int:
    return int(delta.total_seconds() // 3600)


def c13_within_48_hours(ctx: Context) -> Result:
    make = _result("C13", "Sent within 48 hours", ("000", "001"))
    if _not_for({starters.THANK_YOU, starters.VALUE_ADD}, ctx):
        return make(Status.NOT_APPLICABLE, "The 48-hour clock applies to the first follow-ups.")
    ended = ctx.interview_ended_at
    if ended is None:
        return make(Status.NOT_APPLICABLE, "No interview linked to this note.")
    at = ctx.sent_at or ctx.now
    if at < ended:
        return make(Status.NOT_APPLICABLE, "The clock starts when the interview ends.")
    elapsed = _hours(at - ended)
    if ctx.sent_at is not None:
        if elapsed < DEADLINE_HOURS:
            return make(Status.PASS, f"Sent {elapsed} h after the interview.")
        return make(Status.WARN, f"Sent {elapsed} h after the interview, past the 48 hours.")
    if elapsed >= DEADLINE_HOURS:
        return make(
            Status.WARN,
            f"{elapsed} h since the interview, past the 48 hours: send it now, it still counts.",
        )
    left = DEADLINE_HOURS - elapsed
    return make(Status.PASS, f"{left} h left of the 48; the same day is best.")


CHECKS = (
    c1_specific,
    c2_not_duplicate,
    c3_greets_by_recorded_name,
    c4_mirrors_listing,
    c5_hiring_manager_most_detailed,
    c6_fits_channel,
    c7_addresses_concerns,
    c8_testimonial,
    c9_repairs_weak_moment,
    c10_expresses_interest,
    c11_no_confidential_markers,
    c12_adds_value,
    c13_within_48_hours,
)


def review(ctx: Context) -> tuple[Result, ...]:
    """Run every check on a draft, C1 to C13."""
    return tuple(check(ctx) for check in CHECKS)


def warnings(results: tuple[Result, ...]) -> int:
    return sum(1 for result in results if result.status == Status.WARN)


# --- Why each check: the advice it comes from ---------------------------------------------


@dataclass(frozen=True)
class Why:
    """The article's own sentence of advice behind a check, and the article's title: what
    the candidate reads under "Why?" (the check's id and ``sources`` are for the code)."""

    advice: str
    article: str


WHY: dict[str, Why] = {
    "C1": Why(
        "Follow up with emails that reflect an important point from each conversation.",
        ARTICLES["001"],
    ),
    "C2": Why("Don't send the same note to everyone.", ARTICLES["001"]),
    "C3": Why(
        "Make sure you have the right titles and name spellings and send the notes within "
        "48 hours of your interview.",
        ARTICLES["001"],
    ),
    "C4": Why(
        "If at all possible, mirror the job listing with words and phrases that will have the "
        "interviewer saying \u201cwow \u2013 this seems like a very good fit!\u201d",
        ARTICLES["003"],
    ),
    "C5": Why(
        "The hiring manager will be the person you'll be reporting to and will have the "
        "biggest say in who gets hired. Provide that person with the most detailed and "
        "persuasive follow-up note.",
        ARTICLES["001"],
    ),
    "C6": Why(
        "Briefly thank them for taking the time to speak with you. That same day put a "
        "thank-you note in the mail (again, be brief).",
        ARTICLES["002"],
    ),
    "C7": Why("Try to understand and address the concerns of each individual.", ARTICLES["001"]),
    "C8": Why(
        "Dig out a short testimonial from your brag book and include it in your follow-up "
        "letter: third-party testimonials can help further confirm that you are the hire "
        "to make!",
        ARTICLES["003"],
    ),
    "C9": Why(
        "Use the letter to emphasize why you are the best candidate, to overcome any areas "
        "where you faltered or were not clear.",
        ARTICLES["004"],
    ),
    "C10": Why(
        "In your follow-up notes, particularly to the hiring manager and the hiring manager's "
        "boss, express your understanding of the organization's values and mission and your "
        "conviction that you'll thrive in their organizational culture.",
        ARTICLES["001"],
    ),
    "C11": Why(
        "Be mindful and respectful of not disclosing any trade secrets or confidential work "
        "product from a current employer. Redact names and hide proprietary information.",
        ARTICLES["001"],
    ),
    "C12": Why(
        "Focus on a topic discussed in your interview, and then provide your prospective boss "
        "with additional information on that topic. Do not write a letter or e-mail that just "
        "restates your qualifications.",
        ARTICLES["000"],
    ),
    "C13": Why(
        "Send a thank you note to everyone you spoke with, within 48 hours of your interview.",
        ARTICLES["001"],
    ),
}
