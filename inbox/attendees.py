"""Who a calendar invitation names: a person's name, their title and their likely role.

Calendars write a title into the display name: "Hannah Okafor (Head of Design)",
"Hannah Okafor – Head of Design". The title is the contact record's title (DOMAIN.md §1:
"name, title, email"), and it suggests the person's role in the process, which the user can
change. Pure: text in, text out; the role is one of ``interviews.models.InterviewerRole``'s
values.
"""

from __future__ import annotations

import re

# "Name (Title)" or "Name – Title"; a hyphen counts only with spaces around it, so that
# "Anna-Lena Schmidt" stays a name. A comma never splits: "Okafor, Hannah" is a name.
_IN_PARENTHESES = re.compile(r"^(?P<name>[^()]+?)\s*\((?P<title>[^()]+)\)\s*$")
_AFTER_DASH = re.compile(r"^(?P<name>.+?)\s+[-–—|]\s+(?P<title>.+)$")

HR = "hr"
HIRING_MANAGER = "hiring_manager"
MANAGERS_BOSS = "managers_boss"
COLLEAGUE = "colleague"
OTHER = "other"

# First match wins: a "Talent Acquisition Manager" is a recruiter, not a hiring manager.
_ROLE_WORDS = (
    (HR, r"recruit\w*|talent|people partner|people operations|human resources|\bhr\b|sourc\w+"),
    (MANAGERS_BOSS, r"chief|\bc[etop]o\b|founder|president|managing director|general manager"),
    (HIRING_MANAGER, r"head of|director|\bvp\b|vice president|manager|\blead\b|team lead"),
    (
        COLLEAGUE,
        r"engineer|developer|designer|analyst|scientist|researcher|architect|specialist"
        r"|associate|consultant|writer|marketer|accountant",
    ),
)


def split_title(display_name: str) -> tuple[str, str]:
    """("Hannah Okafor", "Head of Design") from "Hannah Okafor (Head of Design)"; a name
    without a title comes back as it is, with an empty title."""
    text = " ".join(display_name.split())
    for pattern in (_IN_PARENTHESES, _AFTER_DASH):
        found = pattern.match(text)
        if found and found["name"].strip() and found["title"].strip():
            return found["name"].strip(), found["title"].strip()
    return text, ""


def role_for(title: str) -> str:
    """The likely role in the process for a job title; "other" when it says nothing."""
    lowered = title.casefold()
    for role, words in _ROLE_WORDS:
        if re.search(words, lowered):
            return role
    return OTHER
