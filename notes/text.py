"""Plain-text helpers for the coach and the starters: words, phrases, greetings. No ORM.

Matching is deliberately simple and predictable, so a user can see why a check passed:
words are case-folded and lightly stemmed (plural and possessive endings dropped) on both
sides, and a phrase "appears" in a note when its words appear there in the same order.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict

# Letters and digits, keeping "o'neil", "c++", "c#" and "e-mail"-style joins as one word.
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*(?:\+\+|#)?")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"\[[^\[\]\n]{1,120}\]")
_ITEM_SEPARATORS = re.compile(r"\s*(?:\n|;|•|·|,\s|\s-\s|\.\s)\s*")
_BULLET = re.compile(r"^\s*(?:[-*•·–—]|\d+[.)])\s*")
_GREETING = re.compile(
    r"^(?P<word>dear|hi|hello|hey|good\s+(?:morning|afternoon|evening))\b[\s,]*"
    r"(?P<name>[^,:;!\n]*?)\s*[,:;!.]?\s*$",
    re.IGNORECASE,
)
_SIGN_OFF = re.compile(
    r"^(?:(?:best|kind|warm|warmest|with\s+kind)\s+)?(?:regards|wishes)"
    r"|sincerely|yours\s+(?:sincerely|truly|faithfully)|best|all\s+the\s+best"
    r"|thanks(?:\s+again)?|thank\s+you(?:\s+again)?|many\s+thanks|cheers|respectfully"
    r"|with\s+(?:gratitude|appreciation|thanks)",
    re.IGNORECASE,
)

# Common English words that say nothing about a topic. Short on purpose: the lists of
# topics and concerns a user types are short too, and every word left out of matching is a
# word the coach cannot credit.
STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers herself him himself his
    how i if in into is it its itself just let me more most my myself no nor not now of
    off on once only or other our ours ourselves out over own same she should so some
    such than that the their theirs them themselves then there these they this those
    through to too under until up very was we were what when where which while who whom
    why will with would you your yours yourself yourselves via per etc us i'm i've i'd
    i'll we're we've you're it's that's there's don't can't won't isn't aren't wasn't
    weren't
    """.split()  # noqa: SIM905
)

# Words of any job listing that are not worth mirroring on their own.
GENERIC_LISTING_WORDS = frozenset(
    """
    ability able apply applicant applicants benefit benefits bring candidate candidates
    company day days degree description equal excellent experience experienced great
    good including job join joining junior key lead leading like looking new offer
    opportunity opportunities plus position preferred preferably proven required
    requirement requirements responsibility responsibilities role roles salary senior
    skill skills strong successful team teams thousand thousands time track record want
    well will work working year years you your within across based ideal ideally must
    nice environment
    """.split()  # noqa: SIM905
)


def words(text: str) -> list[str]:
    return _WORD.findall(text.casefold().replace("’", "'"))


def stem(word: str) -> str:
    """Drop possessive and plural endings, the same way on both sides of a comparison."""
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def stems(text: str) -> list[str]:
    return [stem(word) for word in words(text)]


def normalized(text: str) -> str:
    """Space-separated stems, padded with spaces so a phrase search matches whole words."""
    return f" {' '.join(stems(text))} "


def contains_phrase(normalized_text: str, phrase: str) -> bool:
    needle = " ".join(stems(phrase))
    return bool(needle) and f" {needle} " in normalized_text


def content_words(text: str) -> set[str]:
    """The stems of the words that carry meaning: no stopwords, nothing under 3 letters."""
    return {stem(word) for word in words(text) if word not in STOPWORDS and len(word) > 2}


def word_count(text: str) -> int:
    return len(words(text))


def items(text: str) -> list[str]:
    """Split a list typed as lines, bullets, semicolons or commas into its items."""
    result = []
    for line in text.splitlines():
        line = _BULLET.sub("", line)
        result.extend(part.strip(" .") for part in _ITEM_SEPARATORS.split(line))
    return [item for item in result if content_words(item)]


# Words of a recorded topic or concern that say little about what it is.
_FILLER = frozenset(
    """
    direct directly lack lacking limited enough little much whether worried worry
    concern concerned question unsure sure really maybe bit lot thing things way ways
    around
    """.split()  # noqa: SIM905
)


def telling_words(item: str) -> set[str]:
    """The words that identify a topic or concern; all its content words if none do."""
    found = content_words(item)
    telling = found - GENERIC_LISTING_WORDS - _FILLER
    return telling or found


def mentions(item: str, note_words: set[str], *, share: float = 0.5) -> bool:
    """Whether a note (given as its content words) takes up an item of a list.

    At least ``share`` of the item's telling words (rounded, and at least one) must appear
    in the note: "no direct experience with Kafka" is taken up by a note that speaks of
    Kafka, not by one that only speaks of experience.
    """
    wanted = telling_words(item)
    if not wanted:
        return False
    found = len(wanted & note_words)
    return found >= max(1, round(len(wanted) * share))


def urls(text: str) -> list[str]:
    return _URL.findall(text)


def placeholders(text: str) -> list[str]:
    """The ``[bracketed]`` blanks a starter leaves for the user to fill in."""
    return _PLACEHOLDER.findall(text)


def without_placeholders(text: str) -> str:
    """The note as written so far: a blank's hint is not the user's words."""
    return _PLACEHOLDER.sub(" ", text)


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").split("\n")


def greeting(text: str) -> tuple[str, str] | None:
    """(greeting word, name) of the note's first non-empty line, or None if it greets no one.

    "Dear Dr. Hopper," gives ("Dear", "Dr. Hopper"); "Hello," gives ("Hello", "").
    """
    for line in _lines(text):
        if line.strip():
            match = _GREETING.match(line.strip())
            if not match:
                return None
            return match.group("word"), " ".join(match.group("name").split())
    return None


def core(text: str) -> str:
    """The note without its greeting line and its sign-off and signature.

    Every note shares those, so comparing notes (C2) and weighing their detail (C5) leaves
    them out.
    """
    lines = _lines(text)
    while lines and not lines[0].strip():
        lines.pop(0)
    if lines and _GREETING.match(lines[0].strip()):
        lines.pop(0)
    # A sign-off is a line of its own near the end: "Best regards," then the signature.
    for index in range(len(lines) - 1, max(-1, len(lines) - 9), -1):
        candidate = lines[index].strip().rstrip(",.!").strip()
        if candidate and _SIGN_OFF.fullmatch(candidate):
            lines = lines[:index]
            break
    return "\n".join(lines).strip()


# --- Key phrases of a job listing ----------------------------------------------------------

KEY_PHRASE_CANDIDATES = 60
KEY_PHRASES_CACHED = 128


class _LRU:
    """A small thread-safe LRU map: listing digest → candidate phrases."""

    def __init__(self, size: int):
        self.size = size
        self._data: OrderedDict[str, tuple[str, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[str, ...] | None:
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key: str, value: tuple[str, ...]) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


_phrase_cache = _LRU(KEY_PHRASES_CACHED)


def clear_key_phrase_cache() -> None:
    _phrase_cache.clear()
    _selection_cache.clear()


def _as_sentences(listing: str) -> str:
    """Make each line and bullet a sentence, so no phrase runs from a heading into a line."""
    sentences = []
    for line in _lines(listing):
        line = _BULLET.sub("", line).strip()
        if line:
            sentences.append(line if line[-1] in ".!?:;" else f"{line}.")
    return "\n".join(sentences)


def _extract(listing: str) -> tuple[str, ...]:
    # Imported here: yake pulls in numpy and networkx, which only the first look at a
    # listing needs; every later one is served from the cache.
    import yake

    extractor = yake.KeywordExtractor(lan="en", n=3, top=KEY_PHRASE_CANDIDATES, dedupLim=0.9)
    return tuple(phrase for phrase, _score in extractor.extract_keywords(_as_sentences(listing)))


def listing_candidates(listing: str) -> tuple[str, ...]:
    """yake's ranked candidate phrases for a listing, computed once per listing text.

    Keyed by the SHA-256 of the text, so a 100 KB listing is hashed, not stored, as the key.
    """
    if not listing.strip():
        return ()
    key = hashlib.sha256(listing.encode()).hexdigest()
    phrases = _phrase_cache.get(key)
    if phrases is None:
        phrases = _extract(listing)
        _phrase_cache.put(key, phrases)
    return phrases


def _display(phrase: str) -> str:
    """Lower-case, except acronyms and names written with inner capitals (SQL, SaaS)."""
    return " ".join(
        word
        if (len(word) > 1 and word.isupper()) or any(c.isupper() for c in word[1:])
        else word.lower()
        for word in phrase.split()
    )


def _stands_out(word: str, listing: str, normalized_listing: str) -> bool:
    """Whether a single word is worth mirroring on its own.

    It is when the listing writes it as an acronym or a name (capitalised after a lower-case
    word: "such as Kafka"), or uses it more than once.
    """
    if len(word) > 1 and (word.isupper() or any(c.isupper() for c in word[1:])):
        return True
    capitalised = word[:1].upper() + word[1:]
    if re.search(rf"[a-z,;]\s+{re.escape(capitalised)}\b", listing):
        return True
    return normalized_listing.count(f" {stem(word.casefold())} ") > 1


def _select(listing: str, company: str, role: str, limit: int) -> tuple[str, ...]:
    company_words = {stem(word) for word in words(company)} - STOPWORDS
    weak_words = STOPWORDS | GENERIC_LISTING_WORDS | {stem(word) for word in words(role)}
    candidates = listing_candidates(listing)
    longer = [f" {' '.join(stems(phrase))} " for phrase in candidates if len(phrase.split()) > 1]
    normalized_listing = normalized(listing)
    kept: list[str] = []
    kept_stems: list[str] = []
    for phrase in candidates:
        tokens = stems(phrase)
        if not tokens or len(set(tokens)) < len(tokens) or company_words & set(tokens):
            continue
        if any(token in STOPWORDS for token in tokens):
            continue
        strong = [token for token in tokens if token not in weak_words]
        if not strong or len(strong) < len(tokens) - 1:
            continue
        joined = f" {' '.join(tokens)} "
        if len(tokens) == 1 and (
            any(joined in other for other in longer)
            or not _stands_out(phrase, listing, normalized_listing)
        ):
            continue
        if any(joined in other or other in joined for other in kept_stems):
            continue
        named = len(tokens) == 1 and re.search(rf"[a-z,;]\s+{re.escape(phrase)}\b", listing)
        kept.append(phrase if named else _display(phrase))
        kept_stems.append(joined)
        if len(kept) == limit:
            break
    return tuple(kept)


_selection_cache = _LRU(KEY_PHRASES_CACHED)


def key_phrases(
    listing: str, *, company: str = "", role: str = "", limit: int = 10
) -> tuple[str, ...]:
    """The listing's phrases worth mirroring in a note (seed 003), best first.

    Drops what yake ranks high but a note need not chase: phrases naming the company, or
    made of more than one word from the role title and of generic listing words ("senior",
    "experience"); phrases with a stopword ("thousands of small"); repeated words; single words
    that recur inside a longer candidate or that the listing neither names nor repeats; and
    phrases overlapping one already kept. Cached, like yake's candidates, per listing text.
    """
    if not listing.strip():
        return ()
    digest = hashlib.sha256(listing.encode()).hexdigest()
    key = "\x00".join((digest, company, role, str(limit)))
    phrases = _selection_cache.get(key)
    if phrases is None:
        phrases = _select(listing, company, role, limit)
        _selection_cache.put(key, phrases)
    return phrases
