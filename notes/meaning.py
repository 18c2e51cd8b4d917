"""What a note means, as far as the coach can tell without a model: no ORM, nothing downloaded.

The coach's judgement checks (C1, C7, C9, C10, C12) ask what a note is about, not which
words it uses, so this module reads a note a little deeper than ``notes.text``:

* **Lemmas.** Every word is reduced by simplemma (its English dictionary ships in the
  wheel) and then by Snowball, so "led" is "lead", "indexes" and "indexing" are "index",
  and "prioritise" and "prioritisation" are one word. A hyphenated word counts as itself
  and as its parts: "Android-specific" names Android.
* **Subjects.** ``RELATED`` groups words that speak of one subject in an interview (to lead
  a team and to manage one; a test and a spec); ``INSTANCES`` lists what counts as naming a
  broader thing (Kotlin and WorkManager name Android; Kafka names streaming), one way only:
  a note on "streaming" or on Pulsar does not answer a concern about Kafka.
* **A concrete answer.** A sentence answers when it carries evidence the concern did not
  already hold: a number, a name (a capitalised word inside a sentence), a past action of
  the writer ("I rebuilt", "we shipped", "I have completed") or a plan ("I would start
  by"). Reassurance alone ("I am a fast learner") is not evidence.
* **Interest, culture fit, repair.** Short lists of the ways people say they want a job,
  that they share how a company works, and that they come back to an answer.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass

import simplemma

from notes import text

# Words of a recorded topic, concern or weak moment that say little about its subject.
FILLER = frozenset(
    """
    direct directly lack lacking limited enough little much whether worried worry concern
    concerned question unsure sure really maybe bit lot thing things way ways around
    specific especially particular particularly mostly mainly depth deep strong real
    might may quickly slow fast much many more less bigger larger smaller not no never
    one two three four five six seven eight nine ten eleven twelve first second
    minute minutes hour hours day days week weeks month months year years
    asked ask answer answered question questions moment moments
    awkward blanked blank froze freeze rambled ramble nervous muddled came come
    struggled struggle forgot forget could couldn't unable ran run out time
    got flustered fluster vague explain explained
    """.split()  # noqa: SIM905
)

# Words that speak of one subject; any of a group names the group's subject.
RELATED = (
    "manage manager management lead leader leadership led supervise head mentor "
    "line-manage report reports one-to-one",
    "hire hiring recruit recruiting recruitment",
    "team squad squads crew",
    "test tests testing spec specs qa tdd coverage regression",
    "flaky unreliable intermittent",
    "speak speaking speaker talk talks presentation present keynote stage",
    "conference conferences meetup meetups summit",
    "accessibility accessible a11y",
    "gap break sabbatical career-break",
    "pushback disagree disagreement disagreed conflict conflicts push objection",
    "stakeholder stakeholders executive executives leadership",
    "salary pay compensation earn earning package",
    "overqualified bored boredom",
    "leave quit stay stayed tenure commit commitment",
    "time-zone timezone timezones zone zones overlap",
    "remote distributed async asynchronous",
    "multilingual bilingual language languages translation",
    "prioritise prioritize prioritisation prioritization priority priorities",
    "budget budgets forecast forecasts forecasting",
    "plan planning quarter quarterly",
    "finance financial cfo",
    "late lateness arrive arrived arriving",
    "achievement achievements proud proudest accomplishment",
    "design designing designer",
    "onboarding induction",
    "relocation relocate relocating move moving",
    "backlog queue",
    "return returns refund refunds",
    "notification notifications",
    "offline offline-first",
    "b2b business businesses enterprise enterprises saas",
    "consumer consumers b2c",
    "startup start-up scale-up pace fast-paced",
    "corporate corporation enterprise",
)

# A broader subject and what counts as naming it. One way only: a note on Kotlin speaks of
# Android; a note on Android does not speak of Kotlin.
INSTANCES = {
    "android": "kotlin jetpack compose workmanager viewmodel viewmodels gradle apk room",
    "ios": "swift swiftui uikit xcode iphone ipad testflight",
    "cross-platform": "flutter react-native multiplatform kotlin android ios swift",
    "mobile": "android ios flutter react-native kotlin swift app apps",
    "streaming": "kafka pulsar kinesis flink event-driven",
    "sql": "postgres postgresql mysql query queries window partition join index",
    "window": "partition preceding",
    "database": "postgres postgresql mysql index indexes sql table",
    "test": "pytest hypothesis playwright selenium cypress jest junit",
    "accessibility": "wcag nvda voiceover jaws screen-reader aria",
    "healthcare": "nhs clinical clinician clinicians patient patients hospital health",
    "health": "nhs clinical clinician clinicians patient patients hospital",
    "e-commerce": "checkout basket shop retail refund refunds returns order orders",
    "retail": "checkout basket shop refund refunds returns order orders",
    "stakeholder": "cfo ceo cto coo director directors vp board",
    "senior": "cfo ceo cto coo director directors vp board",
    "language": "english german french polish spanish italian portuguese dutch",
    "ci": "pipeline pipelines build builds runner runners",
    "salary": "£ $ € base",
}

_NUMBER_WORDS = frozenset(
    """
    two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty
    fifty sixty hundred hundreds thousand thousands million millions dozen half quarter
    double doubled tripled
    """.split()  # noqa: SIM905
)
# A figure: "40%", "£78,000", "2025", "12"; not the digit inside a name such as "B2B".
_FIGURE = re.compile(r"(?<![^\W\d_])[£$€]?\d[\d,.]*%?(?![^\W\d_])")
# A first-person past action: "I rebuilt", "we shipped", "I have completed", "I've led".
_PAST_ACTION = re.compile(
    r"\b(?:i|we)\s+(?:(?:have|had|'ve)\s+)?(?:also\s+|already\s+|then\s+|just\s+)?"
    r"(?P<verb>[a-z]+(?:ed|t)|built|led|ran|wrote|grew|gave|took|made|brought|set|kept|"
    r"spent|taught|won|began|drove|sold|held|met|did|rewrote|rebuilt|undertook|stood|"
    r"broke|chose|shown|given|taken|written|grown|run|done)\b",
    re.IGNORECASE,
)
# Past tenses that report a feeling or a conversation, not something the writer did.
_NOT_ACTIONS = frozenset(
    """
    wanted enjoyed appreciated hoped thought felt noticed mentioned said asked heard
    understood realised realized believed wondered loved liked found learned learnt
    listened talked discussed spoke met meant tried expected worried hesitated guessed
    need needed but just that what it not at got sent went want
    """.split()  # noqa: SIM905
)
_PLAN = re.compile(
    r"\b(?:i\s+would|i'd|i\s+will|i'll|my\s+plan|i\s+plan|i\s+propose|i\s+would\s+propose)"
    r"\s+(?:\w+\s+){0,2}?(?:start|begin|first|propose|pair|set\s+up|move|build|run|map|"
    r"introduce|measure|add|write|check|score|review)\b|\bin\s+my\s+first\s+\d+\s+days\b",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"(?<=[.!?:;])\s+|\n+")
_PRONOUNS = frozenset({"I", "I'm", "I've", "I'd", "I'll"})


@functools.lru_cache(maxsize=65536)
def canon(word: str) -> str:
    """The dictionary form of a case-folded word, then its Snowball stem."""
    word = word.replace("’", "'").removesuffix("'s")
    lemma = simplemma.lemmatize(word, lang="en").casefold() if word.isalpha() else word
    return text.term_stem(lemma)


def _forms(word: str) -> set[str]:
    """A word as itself and, when hyphenated, as each meaningful part."""
    word = word.casefold().replace("’", "'")
    forms = {canon(word)}
    if "-" in word:
        forms |= {canon(part) for part in word.split("-") if _meaningful(part)}
    return forms


# Words that qualify a subject without being one: "experience with Kafka" is about Kafka.
GENERIC = frozenset(
    """
    experience experienced skill skills ability able background knowledge role job position
    work working candidate familiarity exposure level team teams company organisation
    """.split()  # noqa: SIM905
)


def _meaningful(word: str) -> bool:
    return (
        len(word) > 1
        and word not in text.STOPWORDS
        and word not in FILLER
        and text.stem(word) not in GENERIC
        and canon(word) not in _filler_forms()
    )


@functools.cache
def _filler_forms() -> frozenset[str]:
    """FILLER and GENERIC as lemmas, so "coming" is filler as "come" is."""
    return frozenset(canon(word) for word in FILLER | GENERIC)


@functools.cache
def _related() -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for group in RELATED:
        members = {canon(word) for word in group.split()}
        for member in members:
            found.setdefault(member, set()).update(members)
    return {key: frozenset(value) for key, value in found.items()}


@functools.cache
def _instances() -> dict[str, frozenset[str]]:
    return {
        canon(broad): frozenset(canon(word) for word in narrow.split())
        for broad, narrow in INSTANCES.items()
    }


def naming(form: str) -> frozenset[str]:
    """Every canonical word that names ``form``'s subject: itself, its kin, its instances."""
    related = _related().get(form, frozenset({form}))
    instances = _instances()
    return related | {word for member in related | {form} for word in instances.get(member, ())}


@dataclass(frozen=True)
class Reading:
    """A text as the canonical forms of its words (and of each hyphenated word's parts)."""

    forms: frozenset[str]

    def without(self, other: Reading) -> Reading:
        """This reading less the words of another (a concern is not answered by the very
        words that name a topic of the conversation)."""
        return Reading(self.forms - other.forms)

    @classmethod
    def of(cls, content: str) -> Reading:
        forms: set[str] = set()
        for word in text.words(content):
            forms |= _forms(word)
        return cls(frozenset(forms))


def subject(item: str) -> list[frozenset[str]]:
    """The units that identify an item's subject: for each telling word, the forms that
    name it. "Whether I have enough experience with Android-specific patterns" gives one
    unit for Android-specific (naming Android, Kotlin, WorkManager…) and one for pattern."""
    units = []
    for word in text.words(item):
        folded = word.casefold()
        if not _meaningful(folded):
            continue
        names: set[str] = set()
        for form in _forms(folded):
            names |= naming(form)
        units.append(frozenset(names))
    return units


SHARE = 1 / 3


def takes_up(item: str, reading: Reading, *, share: float = SHARE) -> bool:
    """Whether a text speaks of an item's subject: at least ``share`` of its units (and
    at least one) are named, by the same word, a related one or an instance."""
    units = subject(item)
    if not units:
        return False
    found = sum(1 for names in units if names & reading.forms)
    return found >= max(1, round(len(units) * share))


def sentences(content: str) -> list[str]:
    return [part.strip() for part in _SENTENCE.split(content) if text.words(part)]


def evidence(sentence: str, *, known: str = "") -> set[str]:
    """The kinds of concrete evidence a sentence carries that ``known`` (the concern) did not.

    A figure in digits, a number in words, a name, a past action of the writer's, a plan.
    """
    known_forms = Reading.of(known).forms
    found = set()
    if any(figure not in known for figure in _FIGURE.findall(sentence)):
        found.add("figure")
    if any(
        word in _NUMBER_WORDS and canon(word) not in known_forms for word in text.words(sentence)
    ):
        found.add("number")
    if any(_forms(name) - known_forms for name in names(sentence)):
        found.add("name")
    for match in _PAST_ACTION.finditer(sentence):
        verb = match.group("verb").casefold()
        if verb not in _NOT_ACTIONS and canon(verb) not in known_forms:
            found.add("action")
            break
    if _PLAN.search(sentence):
        found.add("plan")
    return found


def names(sentence: str) -> list[str]:
    """Capitalised words inside a sentence (not its first word, not "I"): names of
    employers, tools, places, certificates."""
    found = []
    tokens = sentence.split()
    for previous, token in itertools.pairwise(tokens):
        word = token.strip("\"“”'‘’()[],.;:!?")
        if (
            word[:1].isupper()
            and word not in _PRONOUNS
            and not previous.endswith((".", "!", "?", ":"))
            and text.words(word)
        ):
            found.append(word)
    return found


# --- Interest, culture fit, repair ---------------------------------------------------------

INTEREST = re.compile(
    r"\b(?:interested|interest\s+in|excited|exciting\s+(?:role|opportunity)|enthusias\w*|"
    r"eager|keen|thrilled|delighted\s+to|(?:would|'d)\s+(?:really\s+|very\s+much\s+)?love|"
    r"love\s+to\s+(?:join|work)|can(?:'|no)t\s+wait|cannot\s+wait|"
    r"look(?:ing)?\s+forward\s+to\s+(?:working|joining|contributing|being|the\s+next\s+step)|"
    r"(?:really\s+|very\s+much\s+|would\s+|'d\s+)?(?:want|like|hope)\s+to\s+"
    r"(?:join|work\s+(?:with|for|at|here|there|alongside)|be\s+part)|"
    r"(?:want|wanting)\s+(?:this|the)\s+(?:job|role|position)|"
    r"(?:job|role|position)\s+i\s+(?:most\s+|really\s+)?want|"
    r"most\s+want\s+to\s+work|want\s+to\s+work\s+for|hope\s+(?:i|to)\s+get\s+the\s+chance|"
    r"jump\s+at|first\s+choice|part\s+of\s+(?:it|the\s+team|your\s+team)|"
    r"welcome\s+the\s+next\s+step|move\s+forward|the\s+role\s+i'?ve\s+been\s+hoping\s+for|"
    r"take\s+the\s+next\s+step|still\s+(?:very\s+)?interested|work\s+with\s+you)\b",
    re.IGNORECASE,
)
CULTURE = re.compile(
    r"\b(?:cultur\w*|values?|mission|ethos|thrive|fit\s+(?:in|right\s+in)|"
    r"way\s+(?:you|your|of\s+working|the\s+team)|how\s+(?:you|your\s+team|the\s+team)\s+"
    r"(?:work|works|run|build|design)|habit\s+of|in\s+the\s+open|belief|believe\s+in|"
    r"i\s+share|share\s+your|resonat\w*|admire|commitment\s+to|care\s+(?:about|deeply)|"
    r"openness|blameless|handbook|drew\s+me|drawn\s+to|why\s+i\s+applied|obsess\w*|"
    r"how\s+i\s+(?:think|believe)|"
    r"reason\s+i\s+applied|principles?|the\s+way\s+i\s+(?:want|like)\s+to\s+work|"
    r"how\s+i\s+like\s+to\s+work|company\s+i\s+want\s+to\s+work\s+for)\b",
    re.IGNORECASE,
)
OTHER_ROLES = re.compile(
    r"\b(?:other|another|future|similar|different|new)\s+(?:[\w-]+\s+){0,2}?(?:roles?|"
    r"positions?|openings?|opportunit(?:y|ies)|vacanc(?:y|ies)|jobs?)\b|"
    r"\bkeep\s+me\s+in\s+mind\b|\bconsider(?:ed)?\s+me\s+for\b",
    re.IGNORECASE,
)
REPAIR = re.compile(
    r"\b(?:(?:better|clearer|crisper|fuller|shorter|proper|complete|straight|direct|clear)\s+"
    r"answer|answer\s+i\s+should\s+have|should\s+have\s+\w+|(?:vague|weak|poor|incomplete|confused)\s+answer|"
    r"rest\s+of\s+my\s+answer|(?:finish|complete|add\s+to)\s+my\s+answer|"
    r"(?:come|coming|go|going)\s+back\s+to|return\s+to|revisit|"
    r"let\s+me\s+(?:put|try|clarify|answer|add)|to\s+clarify|to\s+be\s+clear|on\s+reflection|"
    r"in\s+hindsight|looking\s+back|thinking\s+it\s+over|having\s+thought|"
    r"i\s+(?:got\s+|was\s+)?(?:froze|blanked|fumbled|stumbled|rambled|hesitated|flustered)|"
    r"mind\s+went\s+blank|went\s+blank\s+on|"
    r"caught\s+off\s+guard|"
    r"ran\s+out\s+of\s+time|(?:did\s+not|didn't|could\s+not|couldn't)\s+answer|"
    r"(?:sorry|apologi[sz]e|apologies)\s+(?:again\s+)?(?:for|about)|"
    r"came\s+out\s+(?:muddled|unclear|rushed|wrong)|put\s+it\s+plainly)",
    re.IGNORECASE,
)
# C12: links that point at the candidate, not at a resource for them.
_SELF_LINK = re.compile(r"cv|resume|résumé|portfolio|linkedin\.com/in", re.IGNORECASE)
_QUOTED_TITLE = re.compile(r"[\"“]([^\"”\n]{4,120})[\"”]")


def shares_a_resource(content: str, titles: tuple[str, ...]) -> bool:
    """A link that is not the writer's own CV or portfolio, a library title, or a quoted
    title of two words or more ("Monolith to Microservices" by Sam Newman)."""
    if any(not _SELF_LINK.search(url) for url in text.urls(content)):
        return True
    normalized = text.normalized(content)
    if any(text.contains_phrase(normalized, title) for title in titles if title):
        return True
    return any(len(text.words(title)) >= 2 for title in _QUOTED_TITLE.findall(content))
