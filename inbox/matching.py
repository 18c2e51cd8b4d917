"""Which application a received message belongs to: a pure function over plain facts.

Three tests, in order, each deciding only when it points at exactly one application:

1. an address of the message (sender, recipients, reply-to) is a recorded interviewer's;
2. the sender's domain is an interviewer's domain, the listing's domain, or the company's
   name squeezed into a domain ("Acme Corp" ~ acme.com, acme-corp.io);
3. the company's name appears in the subject or the text.

A test that finds several applications narrows the next test to those (ties); what is
still tied or unknown waits in the Inbox for the user to file. The caller passes only the
owner's applications, so a message can never be filed into another account's.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

# Mail providers anyone can have an address at: their domain says nothing about a company.
FREE_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "yahoo.co.uk",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "mail.com",
        "fastmail.com",
        "zoho.com",
        "yandex.com",
        "hey.com",
        "example.com",
    }
)
# Scheduling services and applicant-tracking systems write on a company's behalf.
SENDER_SERVICE_DOMAINS = frozenset(
    {
        "calendar.google.com",
        "google.com",
        "zoom.us",
        "calendly.com",
        "greenhouse.io",
        "lever.co",
        "hire.lever.co",
        "ashbyhq.com",
        "workable.com",
        "smartrecruiters.com",
        "myworkday.com",
        "icims.com",
        "teamtailor.com",
        "recruitee.com",
        "goodtime.io",
    }
)
COMPANY_SUFFIXES = frozenset(
    {
        "inc",
        "corp",
        "corporation",
        "co",
        "company",
        "ltd",
        "llc",
        "gmbh",
        "ag",
        "sa",
        "plc",
        "bv",
        "group",
        "limited",
        "the",
    }
)


@dataclass(frozen=True)
class ApplicationFacts:
    id: int
    company: str
    listing_domain: str = ""
    people_emails: frozenset[str] = frozenset()
    is_closed: bool = False


@dataclass(frozen=True)
class MessageFacts:
    sender: str  # e-mail address, lower-case, "" if none
    addresses: tuple[str, ...]  # every address of the message, lower-case
    subject: str = ""
    text: str = ""


@dataclass(frozen=True)
class Match:
    application_id: int | None
    reason: str
    candidate_ids: tuple[int, ...] = field(default=())


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].lower().strip(".")


def _company_words(company: str) -> list[str]:
    words = re.findall(r"[a-z0-9]+", company.lower())
    return [word for word in words if word not in COMPANY_SUFFIXES] or words


def _domain_labels(domain: str) -> set[str]:
    """The labels that could name a company: ``jobs.acme-corp.co.uk`` → acme-corp, acmecorp…"""
    labels = [label for label in domain.split(".") if label]
    names = set()
    for label in labels[:-1] or labels:
        names.add(label)
        names.add(label.replace("-", ""))
    return names


def company_matches_domain(company: str, domain: str) -> bool:
    words = _company_words(company)
    if not words or not domain:
        return False
    labels = _domain_labels(domain)
    # "Acme Corp" is acme.com, acmecorp.com or acme-corp.co.uk.
    names = {"".join(words), "".join(re.findall(r"[a-z0-9]+", company.lower()))}
    return bool(names & labels) or (len(words[0]) >= 4 and words[0] in labels)


def company_in_text(company: str, text: str) -> bool:
    name = company.strip()
    if len(name) < 3:
        return False
    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE) is not None


def _narrow(apps: Sequence[ApplicationFacts]) -> Sequence[ApplicationFacts]:
    """Between tied applications, the open ones win: a closed one rarely gets new mail."""
    open_apps = [app for app in apps if not app.is_closed]
    return open_apps or apps


def _decide(apps: Sequence[ApplicationFacts], reason: str) -> Match | None:
    apps = _narrow(apps)
    if len(apps) == 1:
        return Match(apps[0].id, reason)
    return None


def match(
    message: MessageFacts,
    applications: Sequence[ApplicationFacts],
    *,
    own_addresses: Collection[str] = (),
) -> Match:
    own = {address.lower() for address in own_addresses}
    addresses = {address for address in message.addresses if address and address not in own}
    pool: Sequence[ApplicationFacts] = applications
    if not pool:
        return Match(None, "You have no applications yet.")

    by_person = [app for app in pool if app.people_emails & addresses]
    if by_person:
        known = sorted(_narrow(by_person)[0].people_emails & addresses)[0]
        decided = _decide(by_person, f"{known} is one of the people you recorded")
        if decided:
            return decided
        pool = by_person

    sender_domain = domain_of(message.sender) if message.sender not in own else ""
    if sender_domain and sender_domain not in FREE_MAIL_DOMAINS | SENDER_SERVICE_DOMAINS:
        by_domain = [
            app
            for app in pool
            if sender_domain in {domain_of(email) for email in app.people_emails}
            or (app.listing_domain and _same_site(app.listing_domain, sender_domain))
            or company_matches_domain(app.company, sender_domain)
        ]
        if by_domain:
            decided = _decide(by_domain, f"the sender writes from {sender_domain}")
            if decided:
                return decided
            pool = by_domain

    haystack = f"{message.subject}\n{message.text}"
    by_name = [app for app in pool if company_in_text(app.company, haystack)]
    if by_name:
        decided = _decide(by_name, f"it names {_narrow(by_name)[0].company}")
        if decided:
            return decided
        pool = by_name

    if pool is applications:
        return Match(None, "Nothing in it names one of your applications.")
    return Match(
        None,
        "It could belong to several of your applications.",
        tuple(app.id for app in _narrow(pool)),
    )


def _same_site(listing_domain: str, sender_domain: str) -> bool:
    """careers.acme.com and acme.com are one site (the last two labels agree)."""
    tail = lambda domain: ".".join(domain.split(".")[-2:])  # noqa: E731
    return tail(listing_domain) == tail(sender_domain) and tail(sender_domain) not in (
        FREE_MAIL_DOMAINS | SENDER_SERVICE_DOMAINS
    )
