"""Starter texts for every kind of note, by the interviewer's role and the channel. No ORM.

A starter is a start, never the finished note: whatever the app cannot know is left as a
``[bracketed]`` blank, and the coach (check C1) flags every blank still there. Merge fields
come from what the candidate recorded: the salutation from the interviewer's name (parsed
by nameparser), the role and company, that person's topics and concerns, the interview's
answers, a weak moment from the debrief (C9) and the candidate's signature.

The hiring manager's thank-you is the fullest (seed 001: "Provide that person with the
most detailed and persuasive follow-up note"); HR's is the briefest; a card is always brief
(seed 002: "again, be brief").
"""

from __future__ import annotations

from dataclasses import dataclass

from nameparser import HumanName

from notes import text

# The values of interviews.models.InterviewerRole and of notes.models' kinds and channels,
# repeated so that this module stays free of the ORM (a test keeps them in step).
HIRING_MANAGER = "hiring_manager"
MANAGERS_BOSS = "managers_boss"
HR = "hr"
COLLEAGUE = "colleague"
OTHER_DEPARTMENT = "other_department"

THANK_YOU = "thank_you"
STATUS_CHECK = "status_check"
CHECK_IN = "check_in"
VALUE_ADD = "value_add"
REJECTION_REPLY = "rejection_reply"
OPENINGS_INQUIRY = "openings_inquiry"
STAY_IN_TOUCH = "stay_in_touch"
WORK_PRODUCT = "work_product"

EMAIL = "email"
CARD = "card"
LETTER = "letter"

SIGN_OFFS = {EMAIL: "Best regards,", CARD: "With thanks,", LETTER: "Sincerely,"}


@dataclass(frozen=True)
class Merge:
    """What a starter can fill in. Empty strings leave a ``[blank]`` instead."""

    recipient_name: str
    role: str = ""
    company: str = ""
    job_title: str = ""
    topics: str = ""
    concerns: str = ""
    most_important: str = ""
    most_difficult: str = ""
    weak_moment: str = ""
    # "today", "yesterday", "on Tuesday", "on 3 November": when the interview was.
    when: str = "today"
    signature_name: str = ""
    signature_phone: str = ""
    resource_title: str = ""
    resource_url: str = ""
    resource_why: str = ""


@dataclass(frozen=True)
class Starter:
    subject: str
    body: str


def salutation(name: str, channel: str = EMAIL) -> str:
    """The greeting line for a recorded name, never guessing a gender.

    A recorded title is kept ("Dr. Grace Hopper" → "Dear Dr. Hopper,"); otherwise an email
    or card uses the first name or the nickname ("Robert (Bob) Smith" → "Dear Bob,") and a
    formal letter the full name ("Dear Grace Hopper,").
    """
    parsed = HumanName(name)
    first = parsed.nickname or parsed.first
    if parsed.title and parsed.last:
        return f"Dear {parsed.title} {parsed.last},"
    if channel == LETTER and first and parsed.last:
        return f"Dear {first} {parsed.last},"
    return f"Dear {first or name.strip() or '[their name]'},"


def first_name(name: str) -> str:
    parsed = HumanName(name)
    return parsed.nickname or parsed.first or name.strip()


def _or_blank(value: str, blank: str) -> str:
    value = " ".join(value.split())
    return value if value else f"[{blank}]"


_COMMON_ENDINGS = (
    "ing",
    "tion",
    "sion",
    "ment",
    "ity",
    "ness",
    "ance",
    "ence",
    "ship",
    "ure",
    "ics",
    "ies",
)
_COMMON_STARTS = frozenset(
    """
    team teams hiring roadmap product data process plan plans budget strategy culture
    growth sales marketing customer customers onboarding design quality pricing role
    their our
    """.split()  # noqa: SIM905
)


def _in_sentence(item: str) -> str:
    """A recorded item as it reads mid-sentence: "Scaling the platform" → "scaling the …".

    Only a first word that looks common (a stopword, a frequent noun, an -ing or -tion
    form) is lowered, so names ("Kafka migration", "GDPR") keep their capitals.
    """
    first, _, rest = item.partition(" ")
    lowered = first.casefold()
    if (
        first[:1].isupper()
        and first[1:].islower()
        and (
            lowered in text.STOPWORDS
            or lowered in _COMMON_STARTS
            or lowered.endswith(_COMMON_ENDINGS)
        )
    ):
        return f"{lowered} {rest}".strip()
    return item


def _first_items(value: str, count: int) -> list[str]:
    return [_in_sentence(item) for item in text.items(value)[:count]]


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def _signature(merge: Merge, channel: str) -> str:
    lines = [SIGN_OFFS.get(channel, SIGN_OFFS[EMAIL]), _or_blank(merge.signature_name, "your name")]
    if channel == EMAIL and merge.signature_phone:
        # The email address is in the From line already; the phone is not.
        lines.append(merge.signature_phone)
    return "\n".join(lines)


def _role_and_company(merge: Merge) -> str:
    job = _or_blank(merge.job_title, "the role")
    return f"the {job} role at {merge.company}" if merge.company else f"the {job} role"


def _topic_sentence(merge: Merge, *, count: int = 2) -> str:
    topics = _first_items(merge.topics, count)
    if not topics:
        who = first_name(merge.recipient_name)
        return (
            f"I particularly enjoyed our conversation about [the topic you discussed with {who}]."
        )
    return (
        f"I particularly enjoyed our conversation about {_and(topics)}. "
        "[One thing you took away from it, or an idea it gave you.]"
    )


def _concern_sentences(merge: Merge, *, count: int = 2) -> list[str]:
    return [
        f"On your concern about {concern}: [how your experience answers it, with one "
        "concrete example]."
        for concern in _first_items(merge.concerns, count)
    ]


def _challenge_sentence(merge: Merge) -> str:
    if merge.most_difficult.strip():
        return (
            f"You described the biggest challenge in the role as "
            f"{_in_sentence(' '.join(merge.most_difficult.split()).rstrip('.'))}. "
            "[How you would tackle it in your first months.]"
        )
    if merge.most_important.strip():
        return (
            f"You said the most important thing to accomplish is "
            f"{_in_sentence(' '.join(merge.most_important.split()).rstrip('.'))}. "
            "[How you would deliver it.]"
        )
    return "[The biggest challenge you heard about, and how you would tackle it.]"


def _repair_sentence(merge: Merge) -> str | None:
    weak = " ".join(merge.weak_moment.split())
    if not weak:
        return None
    return (
        "I would also like to come back to one point from our conversation: "
        f"[your better answer now; your debrief says: \u201c{weak}\u201d]."
    )


def _paragraphs(*parts: str | None) -> str:
    return "\n\n".join(part for part in parts if part)


def _thank_you_body(merge: Merge, channel: str) -> str:
    company = merge.company or "the company"
    thanks = (
        f"Thank you for taking the time to meet with me {merge.when} about "
        f"{_role_and_company(merge)}."
    )
    interest = "I am very interested in the role and excited about the next step."
    if channel == CARD:
        topics = _first_items(merge.topics, 1)
        about = topics[0] if topics else "[the topic you discussed]"
        return _paragraphs(
            f"Thank you for meeting with me {merge.when}. I enjoyed our conversation about "
            f"{about}, and I am very interested in joining {company}."
        )
    role = merge.role
    if role == HIRING_MANAGER:
        return _paragraphs(
            f"{thanks} {_topic_sentence(merge, count=2)}",
            _challenge_sentence(merge),
            " ".join(_concern_sentences(merge)) or None,
            "[One achievement that matches the listing, in its words, e.g. \u201cMy recent "
            "experience installing a new accounting system at XYZ Corp will let me hit the "
            "ground running.\u201d]",
            _repair_sentence(merge),
            f"[What you admire in how {company} works, its values or mission, and why you "
            f"would thrive there.] {interest}",
        )
    if role == MANAGERS_BOSS:
        return _paragraphs(
            f"{thanks} {_topic_sentence(merge, count=1)}",
            " ".join(_concern_sentences(merge, count=1)) or None,
            _repair_sentence(merge),
            f"[What draws you to {company}'s mission and culture, and why you would thrive "
            f"there.] {interest}",
        )
    if role == HR:
        topics = _first_items(merge.topics, 1)
        return _paragraphs(
            f"Thank you for organising my interview {merge.when} and for explaining the "
            f"process for {_role_and_company(merge)}."
            + (f" I appreciated your answers about {topics[0]}." if topics else ""),
            " ".join(_concern_sentences(merge, count=1)) or None,
            f"I am very interested in joining {company} and look forward to hearing about "
            "the next steps.",
        )
    if role == OTHER_DEPARTMENT:
        return _paragraphs(
            f"{thanks} {_topic_sentence(merge, count=1)}",
            "I appreciate the importance of [what their department needs from this role, "
            "e.g. collaboration and trust between our teams]. [How you would work with them "
            "so both teams succeed.]",
            " ".join(_concern_sentences(merge, count=1)) or None,
            interest,
        )
    if role == COLLEAGUE:
        return _paragraphs(
            f"{thanks} {_topic_sentence(merge, count=1)}",
            "[How you would work together day to day.]",
            " ".join(_concern_sentences(merge, count=1)) or None,
            _repair_sentence(merge),
            interest,
        )
    return _paragraphs(
        f"{thanks} {_topic_sentence(merge, count=1)}",
        " ".join(_concern_sentences(merge, count=1)) or None,
        interest,
    )


def _topic(merge: Merge, blank: str = "the topic you discussed") -> str:
    topics = _first_items(merge.topics, 1)
    return topics[0] if topics else f"[{blank}]"


def _other_body(kind: str, merge: Merge) -> tuple[str, str]:
    """(subject, body) of the kinds other than the thank-you."""
    job = _or_blank(merge.job_title, "the role")
    company = merge.company or "the company"
    if kind == STATUS_CHECK:
        # Seed 003's own words.
        return f"Following up: {job} interview", (
            f"I am sure you are busy, but I wanted to follow up on our interview {merge.when}. "
            "I recall understanding that I would hear back by now. Can you give me a status "
            "report? By the way, I am still very interested."
        )
    if kind == CHECK_IN:
        return f"Following up: {job} interview", _paragraphs(
            f"I wanted to follow up on our interview {merge.when} for {_role_and_company(merge)}. "
            f"I remain very interested in joining {company}, and I would be glad to provide "
            "anything else that helps your decision.",
            "[One line on something relevant since you spoke: a result, an idea, an article.]",
        )
    if kind == VALUE_ADD:
        title = _or_blank(merge.resource_title, "a book, article or news item")
        link = _or_blank(merge.resource_url, "link")
        why = _or_blank(merge.resource_why, "one line on why it helps their team")
        return f"Following our conversation about {_topic(merge, 'the topic')}", _paragraphs(
            f"I enjoyed our discussion {merge.when} about {_topic(merge)}. I came across "
            f"{title} ({link}) and thought of it: {why}",
            "[How you would put it to work in the role: one or two sentences, not your CV.]",
        )
    if kind == REJECTION_REPLY:
        return f"Thank you: {job}", _paragraphs(
            "Thank you for letting me know, and for your time and consideration throughout "
            f"the process. I enjoyed meeting you and learning about {company}'s work on "
            f"{_topic(merge, 'what impressed you')}.",
            f"I would appreciate being considered for other roles at {company}; please keep "
            "me in mind for future openings.",
        )
    if kind == OPENINGS_INQUIRY:
        return f"Other openings at {company}", _paragraphs(
            f"Last month I interviewed for {_role_and_company(merge)}. I remain very "
            f"interested in {company}: have any other roles opened up where my experience in "
            "[your strongest area] could help?",
            "I would be glad to talk whenever suits you.",
        )
    if kind == STAY_IN_TOUCH:
        return f"{_topic(merge, 'A topic of mutual interest')}", _paragraphs(
            f"I hope all is well at {company}. I saw [an industry event or article on a topic "
            f"of mutual interest] and thought of our conversation about {_topic(merge)}.",
            "[One line on why it matters to them.] I remain very interested in the "
            f"{job} role whenever the timing is right.",
        )
    if kind == WORK_PRODUCT:
        challenge = " ".join(merge.most_difficult.split()).rstrip(".") or (
            "[the challenge you discussed]"
        )
        return f"{job}: [what you attach]", _paragraphs(
            f"Following our conversation {merge.when} about {_topic(merge)}, I have attached "
            "[a redacted work sample, or my 30/60/90-day plan] to give you a tangible sense of "
            f"how I would approach {challenge}.",
            "I have removed client names and anything confidential. I look forward to "
            "discussing it with you.",
        )
    return "", "[Your message.]"


def starter(kind: str, channel: str, merge: Merge) -> Starter:
    """The starter for a kind of note to one person on one channel."""
    if kind == THANK_YOU:
        subject = f"Thank you: {_or_blank(merge.job_title, 'the role')} interview"
        body = _thank_you_body(merge, channel)
    else:
        subject, body = _other_body(kind, merge)
    full = "\n\n".join(
        [salutation(merge.recipient_name, channel), body, _signature(merge, channel)]
    )
    return Starter(subject=subject if channel == EMAIL else "", body=full)
