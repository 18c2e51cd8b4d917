"""Plain-text helpers for the coach and the starters: words, phrases, greetings. No ORM.

Matching is deliberately simple and predictable, so a user can see why a check passed:
words are case-folded and lightly stemmed (plural and possessive endings dropped) on both
sides, and a phrase "appears" in a note when its words appear there in the same order.
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass

import snowballstemmer

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


# How C4 reads a listing. yake ranks candidate phrases but glues neighbours onto a term
# ("strong SQL", "review SQL") and never sees a plain list as a list; so the terms are
# built from three sources and ranked by yake where it has an opinion:
# 1. the listing's own list items: bullets, comma/semicolon lists, "and"/"or"-joined items,
#    each trimmed of its lead-in ("Experience with forecasting" → "forecasting");
# 2. noun phrases, approximated without a tagger as the runs of words between stopwords and
#    punctuation, trimmed of lead-in verbs and generic words at their edges;
# 3. yake's n-grams, cut the same way; an n-gram used once that holds a named term the
#    listing uses more often ("review SQL", "SQL queries") is reduced to the term ("SQL").
# Terms and notes are compared by Snowball stems ("forecasts" = "forecasting"), so a note
# is matched by the term itself, not by the n-gram around it.

TERM_MAX_WORDS = 3
# Leading words that introduce a term without being part of it.
LEAD_IN_WORDS = frozenset(
    """
    solid deep demonstrable demonstrated hands-on advanced basic familiarity familiar
    knowledge understanding expertise proficiency proficient fluency fluent exposure
    background comfortable confident own owning drive driving review reviewing write
    writing use using champion present presenting deliver delivering improve improving
    define defining maintain maintaining apply applying need needs bring know knows seek
    seeking require requires expect expects
    """.split()  # noqa: SIM905
)
_FRAGMENT = re.compile(
    r"\s*(?:[,;:()\[\]•·|]|\s[-–—]\s|\s&\s|[.!?](?=\s|$)|"
    r"\b(?:and|or|as\s+well\s+as|such\s+as|including|e\.g\.|i\.e\.)(?=\s|$))\s*",
    re.IGNORECASE,
)
_CHUNK_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*(?:\+\+|#)?")
# A capitalised word after a lower-case one ("such as Kafka"), not a Title Case heading.
_NAMED_IN_TEXT = re.compile(r"(?:\b[a-z][^\W_]*[,;/]?|[,;/(])\s*([A-Z][^\W_]*(?:\+\+|#)?)")
_snowball = snowballstemmer.stemmer("english")


@functools.lru_cache(maxsize=65536)
def term_stem(word: str) -> str:
    """The Snowball stem of a case-folded word: "forecasting", "forecasts" → "forecast".

    A hyphenated word gives the stems of its parts, so "cross-functional" in a listing and
    "cross functional" in a note (or the other way round) are the same term.
    """
    word = word.replace("’", "'").removesuffix("'s")
    return " ".join(_snowball.stemWord(part) for part in word.split("-") if part)


def term_words(text: str) -> list[str]:
    """The words of a text for C4, a hyphenated word as one ("cross-functional")."""
    return _CHUNK_WORD.findall(text)


def term_text(text: str) -> str:
    """A note as space-padded Snowball stems, for ``uses_term``."""
    return f" {' '.join(term_stem(word.casefold()) for word in term_words(text))} "


def uses_term(note_term_text: str, term: str) -> bool:
    """Whether a note (given as ``term_text``) uses a listing term, case and inflection aside."""
    needle = " ".join(term_stem(word.casefold()) for word in term_words(term))
    return bool(needle) and f" {needle} " in note_term_text


def _is_acronym(word: str) -> bool:
    return (len(word) > 1 and word.isupper()) or any(c.isupper() for c in word[1:])


@dataclass
class _Listing:
    """What the term selection needs to know of a listing, computed in one pass."""

    counts: Counter  # stems of every 1- to 3-word run → how often the listing has it
    alone: Counter  # stems of every chunk (``_chunks``) → how often it stands on its own
    named: set[str]  # words written capitalised inside a sentence: "such as Kafka"

    @classmethod
    def read(cls, listing: str) -> _Listing:
        counts: Counter = Counter()
        alone: Counter = Counter()
        for line in _lines(listing):
            for fragment in _FRAGMENT.split(_BULLET.sub("", line)):
                tokens = [term_stem(word.casefold()) for word in term_words(fragment)]
                for size in range(1, TERM_MAX_WORDS + 1):
                    for start in range(len(tokens) - size + 1):
                        counts[" ".join(tokens[start : start + size])] += 1
                alone.update(_key(chunk) for chunk in _chunks(fragment))
        return cls(counts, alone, set(_NAMED_IN_TEXT.findall(listing)))

    def count(self, words: list[str]) -> int:
        return self.counts[" ".join(term_stem(word.casefold()) for word in words)]

    def is_named(self, word: str) -> bool:
        return _is_acronym(word) or word in self.named


def _key(words: list[str]) -> str:
    return " ".join(term_stem(word.casefold()) for word in words)


def _chunks(fragment: str) -> list[list[str]]:
    """Runs of words between stopwords, trimmed of lead-in and generic words at the edges."""
    runs: list[list[str]] = [[]]
    for word in term_words(fragment):
        if word.casefold() in STOPWORDS:
            runs.append([])
        else:
            runs[-1].append(word)
    chunks = []
    for run in runs:
        while run and (
            run[0].casefold() in LEAD_IN_WORDS or stem(run[0].casefold()) in GENERIC_LISTING_WORDS
        ):
            run = run[1:]
        while run and stem(run[-1].casefold()) in GENERIC_LISTING_WORDS:
            run = run[:-1]
        if run:
            chunks.append(run)
    return chunks


def _core_term(chunk: list[str], listing: _Listing) -> list[str]:
    """A chunk, or the named term inside it when the chunk only glues neighbours onto it:
    a run the listing uses once, holding one name or acronym ("review SQL", "SQL queries")."""
    if len(chunk) > 1 and listing.count(chunk) <= 1:
        named = [word for word in chunk if listing.is_named(word)]
        if len(named) == 1:
            return named
    return chunk


# Words that may come before an item in a list: "Experience with", "Knowledge of the".
_ITEM_GLUE = frozenset({"with", "in", "of", "for", "on", "a", "an", "the", "at"})


def _introduces(word: str) -> bool:
    folded = word.casefold()
    return folded in LEAD_IN_WORDS or folded in _ITEM_GLUE or stem(folded) in GENERIC_LISTING_WORDS


def _listed_terms(listing: str) -> list[tuple[list[str], bool]]:
    """(words, is an item) of every term the listing's own text offers, in reading order.

    A fragment (a bullet, or a part of a list cut at commas, semicolons, "and", "or") whose
    text is one term after its lead-in is an item: the listing asks for it in so many words.
    """
    found = []
    for line in _lines(listing):
        for fragment in _FRAGMENT.split(_BULLET.sub("", line)):
            chunks = _chunks(fragment)
            is_item = len(chunks) == 1 and all(
                _introduces(word) for word in term_words(fragment) if word not in chunks[0]
            )
            found.extend((chunk, is_item) for chunk in chunks)
    return found


# How many of the listing's own items may follow the ``limit`` best ranked terms.
ITEMS_BEYOND_LIMIT = 10


def _select(listing: str, company: str, role: str, limit: int) -> tuple[str, ...]:
    """1. Gather terms: yake's candidates cut into chunks (ranked by yake), then the
       listing's own items and noun phrases (ranked after, in reading order).
    2. Keep a term of one to three words that names neither the company nor only the role,
       and, when it is one word, is an item, a name or an acronym, or recurs.
    3. Of two overlapping terms keep the better ranked, except that of two terms one
       inside the other the shorter is kept only if the listing also uses it alone:
       "forecasting" asked for on its own beats "demand forecasting", "Power BI" beats "Power".
    4. Keep the ``limit`` best, then the listing's items not yet kept.
    """
    read = _Listing.read(listing)
    company_words = {term_stem(word.casefold()) for word in term_words(company)} - STOPWORDS
    role_words = {stem(word.casefold()) for word in term_words(role)}
    weak_words = STOPWORDS | GENERIC_LISTING_WORDS | role_words

    gathered: list[tuple[list[str], bool]] = []
    for phrase in listing_candidates(listing):
        gathered.extend((_core_term(chunk, read), False) for chunk in _chunks(phrase))
    gathered.extend((_core_term(chunk, read), is_item) for chunk, is_item in _listed_terms(listing))

    items = {
        _key(chunk)
        for chunk, is_item in gathered
        if is_item
    }
    ranked: dict[str, list[str]] = {}  # stems → the term's words, first (best) sighting
    for chunk, _is_item in gathered:
        key = _key(chunk)
        if key not in ranked and _acceptable(chunk, key, read, items, company_words, weak_words):
            ranked[key] = chunk

    kept: list[tuple[str, list[str]]] = []
    for key, chunk in ranked.items():
        clash = next(
            (index for index, (other, _words) in enumerate(kept) if _overlap(key, other, read)),
            None,
        )
        if clash is None:
            kept.append((key, chunk))
        elif _replaces(key, kept[clash][0], read):
            kept[clash] = (key, chunk)
        if len(kept) == limit and clash is None:
            break
    kept = kept[:limit]
    # 4. Every item the listing asks for in so many words ("SQL", "forecasting" in its
    #    requirements list) is shown too, after the best ranked, even past the limit: yake
    #    ranks a long listing's prose phrases above its short list items.
    for key, chunk in ranked.items():
        if len(kept) >= limit + ITEMS_BEYOND_LIMIT:
            break
        if key in items and not any(_overlap(key, other, read) for other, _words in kept):
            kept.append((key, chunk))
    return tuple(_display_term(words, read) for _key, words in dict(kept).items())


def _overlap(first: str, second: str, read: _Listing) -> bool:
    """One term inside the other, or both cut from one run: "small businesses" and
    "businesses rely" from "small businesses rely"."""
    if f" {first} " in f" {second} " or f" {second} " in f" {first} ":
        return True
    a, b = first.split(), second.split()
    return (a[-1] == b[0] and read.counts[" ".join(a + b[1:])] > 0) or (
        b[-1] == a[0] and read.counts[" ".join(b + a[1:])] > 0
    )


def _replaces(new: str, old: str, read: _Listing) -> bool:
    """Of two terms one inside the other, the shorter wins when the listing also uses it
    alone ("forecasting" over "demand forecasting"), the longer otherwise ("Power BI")."""
    if f" {new} " in f" {old} ":
        return read.counts[new] > read.counts[old]
    if f" {old} " in f" {new} ":
        return read.counts[old] <= read.counts[new]
    return False


def _acceptable(chunk, key, read, items, company_words, weak_words) -> bool:
    tokens = key.split()
    if len(chunk) > TERM_MAX_WORDS or len(set(tokens)) < len(tokens):
        return False
    if company_words & set(tokens):
        return False
    strong = [word for word in chunk if stem(word.casefold()) not in weak_words]
    if not strong or len(strong) < len(chunk) - 1:
        return False
    if key in items:
        return len(key) > 1 or chunk[0].isupper()  # "R", as a listed language
    if len(tokens) == 1:
        # A word that recurs but only inside longer terms ("data") is theirs, not a term.
        return len(key) > 1 and (
            read.is_named(chunk[0]) or (read.counts[key] > 1 and read.alone[key] > 0)
        )
    # Three words outside a list often run on into a verb ("small businesses rely").
    return len(chunk) < TERM_MAX_WORDS or read.counts[key] > 1


def _display_term(words: list[str], read: _Listing) -> str:
    # Names as the listing writes them ("Kafka", "Power BI"), other words in lower case.
    return " ".join(
        word if word in read.named or word.isupper() or _is_acronym(word) else word.lower()
        for word in words
    )


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
