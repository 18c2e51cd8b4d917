"""Search across a candidate's applications, the people they met and their notes (/search/).

One function, ``search_for``, picks the way by the database: PostgreSQL's full-text search
(``websearch`` queries, stemmed English, ranked, with ``ts_headline`` snippets) or, on
SQLite, ``plain_search``: every word must appear (``icontains``) in one of the same fields,
newest first, with snippets cut in Python. Both answer the same ``Results``, owner-scoped,
at most ``LIMIT`` hits per kind.

Snippets are user text: they are escaped here and only the ``<mark>`` around a match is
markup. PostgreSQL marks a match with a random token of this request (text in the
database cannot forge it), which is turned into ``<mark>`` after escaping.

No index, and not the listings' text. Measured with 1,000 applications of one candidate (each
with 60 words of notes, a person and a 150-word note) on a busy 2-core machine, a search
takes 0.2–0.4 s, all three kinds. With the 600-word listings in the vector it took 1.4–2.7 s:
``to_tsvector`` ran over every listing of the candidate. A GIN expression index over the same
vector was tried: PostgreSQL 15 kept choosing the owner index (it prices ``to_tsvector`` far
below what a long text costs), so the index cost writes and bought nothing. A listing is
what the notes mirror, not what a person looks for; the company, role and notes are.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import F, Q, QuerySet, TextField, Value
from django.db.models.functions import Concat
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_safe

from interviews.models import Application, Interviewer
from notes.models import Note

LIMIT = 20  # hits per kind; more says "narrow it down"
QUERY_MAX_CHARS = 200
SNIPPET_CHARS = 160
CONFIG = "english"
KINDS = (("applications", "Applications"), ("people", "People"), ("notes", "Notes"))


@dataclass
class Hit:
    title: str
    url: str
    detail: str = ""
    snippet: SafeString = field(default_factory=SafeString)


@dataclass
class Group:
    kind: str
    label: str
    hits: list[Hit]
    more: bool  # there are more than LIMIT


@dataclass
class Results:
    query: str
    groups: list[Group]

    @property
    def count(self) -> int:
        return sum(len(group.hits) for group in self.groups)


def clean_query(raw: str | None) -> str:
    return " ".join((raw or "").split())[:QUERY_MAX_CHARS]


def search_for(user, query: str, *, limit: int = LIMIT) -> Results:
    """The candidate's matches for ``query``: full text on PostgreSQL, words elsewhere."""
    query = clean_query(query)
    if not query:
        return Results(query="", groups=[])
    if connection.vendor == "postgresql":
        return full_text_search(user, query, limit=limit)
    return plain_search(user, query, limit=limit)


# --- The three kinds: what is searched, what a hit shows -------------------------------------
#
# (weight A: what names the thing; B: what describes it; C: long text around it.)


def _applications(user) -> QuerySet:
    return Application.objects.owned_by(user).only(
        "id", "company", "role_title", "status", "notes", "created_at"
    )


def _people(user) -> QuerySet:
    return Interviewer.objects.owned_by(user).select_related("application").only(
        "id", "name", "title", "email", "application__id", "application__company",
        "application__role_title",
    )


def _notes(user) -> QuerySet:
    return Note.objects.owned_by(user).select_related("application", "interviewer").only(
        "id", "kind", "subject", "body", "sent_at", "created_at", "application__id",
        "application__company", "interviewer__id", "interviewer__name",
    )


SEARCHED = {
    "applications": (_applications, {"A": ("company", "role_title"), "B": ("notes",)},
                     ("notes",)),
    # A person's title is on the hit's second line already: the snippet shows the email.
    "people": (_people, {"A": ("name",), "B": ("title", "email")}, ("email",)),
    "notes": (_notes, {"A": ("subject",), "B": ("body",)}, ("body",)),
}


def _hit(kind: str, row, snippet: SafeString) -> Hit:
    if kind == "applications":
        return Hit(
            title=str(row), url=row.get_absolute_url(), detail=row.get_status_display(),
            snippet=snippet,
        )
    if kind == "people":
        application = row.application
        detail = f"{row.title} · {application.company}" if row.title else application.company
        return Hit(title=row.name, url=application.get_absolute_url(), detail=detail,
                   snippet=snippet)
    state = "sent" if row.is_sent else "draft"
    return Hit(
        title=row.subject or str(row), url=reverse("note_edit", args=[row.pk]),
        detail=f"{row.get_kind_display()} to {row.interviewer.name}, {row.application.company}"
        f" ({state})",
        snippet=snippet,
    )


# --- PostgreSQL: full text ------------------------------------------------------------------


def search_vector(weighted: dict[str, tuple[str, ...]], weights: str = "AB"):
    """The kind's ``tsvector``, its fields weighted (``weights`` picks which)."""
    from django.contrib.postgres.search import SearchVector

    vector = None
    for weight, names in weighted.items():
        if weight in weights:
            part = SearchVector(*names, weight=weight, config=CONFIG)
            vector = part if vector is None else vector + part
    return vector


def full_text_search(user, query: str, *, limit: int = LIMIT) -> Results:
    """Ranked full-text matches (websearch syntax: quotes, ``or``, ``-word``), then names
    typed in part ("Monz"), which full text cannot find, up to ``limit`` per kind."""
    from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank

    search = SearchQuery(query, search_type="websearch", config=CONFIG)
    start, stop = f"[{secrets.token_hex(8)}]", f"[/{secrets.token_hex(8)}]"
    groups = []
    for kind, label in KINDS:
        rows_of, weighted, snippet_fields = SEARCHED[kind]
        headline = SearchHeadline(
            Concat(*_joined(snippet_fields), output_field=TextField()), search, config=CONFIG,
            start_sel=start, stop_sel=stop, max_words=25, min_words=10, max_fragments=2,
            fragment_delimiter=" … ",
        )
        rows = list(
            rows_of(user)
            .annotate(vector=search_vector(weighted), headline=headline,
                      rank=SearchRank(F("vector"), search))
            .filter(vector=search)
            .order_by("-rank", "-pk")[: limit + 1]
        )
        if len(rows) <= limit:
            found = {row.pk for row in rows}
            in_part = Q.create(
                [(f"{name}__icontains", query) for name in weighted["A"]], connector=Q.OR
            )
            more = rows_of(user).filter(in_part).exclude(pk__in=found).order_by("-pk")
            rows += [_no_headline(row) for row in more[: limit + 1 - len(rows)]]
        hits = [_hit(kind, row, _marked(row.headline, start, stop)) for row in rows[:limit]]
        groups.append(Group(kind=kind, label=label, hits=hits, more=len(rows) > limit))
    return Results(query=query, groups=groups)


def _no_headline(row):
    row.headline = ""
    return row


def _joined(names: tuple[str, ...]) -> list:
    parts = []
    for name in names:
        if parts:
            parts.append(Value(" · "))
        parts.append(F(name))
    return parts if len(parts) > 1 else [*parts, Value("")]


def _marked(headline: str, start: str, stop: str) -> SafeString:
    """``ts_headline``'s text escaped, its request-token marks turned into ``<mark>``."""
    if start not in headline:
        return SafeString("")
    text = escape(headline.strip(" ·"))
    return mark_safe(text.replace(start, "<mark>").replace(stop, "</mark>"))  # noqa: S308


# --- Elsewhere (SQLite): every word, anywhere ------------------------------------------------


def query_words(query: str) -> list[str]:
    """The words of a query, without websearch's quotes, ``or`` and leading ``-``."""
    words = [word.strip('"').lstrip("-") for word in clean_query(query).split()]
    return [word for word in words if word and word.lower() != "or"][:10]


def plain_search(user, query: str, *, limit: int = LIMIT) -> Results:
    """Rows where each word of the query is in one of the kind's fields, newest first."""
    words = query_words(query)
    groups = []
    for kind, label in KINDS:
        rows_of, weighted, snippet_fields = SEARCHED[kind]
        names = [name for group in weighted.values() for name in group]
        matches = Q()
        for word in words:
            matches &= Q.create([(f"{name}__icontains", word) for name in names],
                                connector=Q.OR)
        rows = list(rows_of(user).filter(matches).order_by("-pk")[: limit + 1]) if words else []
        hits = [
            _hit(kind, row, snippet(" · ".join(
                value for value in (getattr(row, name) for name in snippet_fields) if value
            ), words))
            for row in rows[:limit]
        ]
        groups.append(Group(kind=kind, label=label, hits=hits, more=len(rows) > limit))
    return Results(query=query, groups=groups)


def snippet(text: str, words: list[str], *, width: int = SNIPPET_CHARS) -> SafeString:
    """Up to ``width`` characters of ``text`` around the first word found, escaped, each word
    found wrapped in ``<mark>``; empty when none of the words is in the text."""
    if not words or not text:
        return SafeString("")
    pattern = re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)
    first = pattern.search(text)
    if first is None:
        return SafeString("")
    begin = max(0, first.start() - width // 3)
    end = min(len(text), begin + width)
    window = text[begin:end]
    pieces, at = [], 0
    for found in pattern.finditer(window):
        pieces += [escape(window[at:found.start()]), "<mark>", escape(found.group()), "</mark>"]
        at = found.end()
    pieces.append(escape(window[at:]))
    lead = "… " if begin else ""
    tail = " …" if end < len(text) else ""
    return mark_safe(lead + "".join(pieces) + tail)  # noqa: S308 — every piece escaped


# --- The page -------------------------------------------------------------------------------


@login_required
@require_safe
def search(request: HttpRequest) -> HttpResponse:
    query = clean_query(request.GET.get("q"))
    results = search_for(request.user, query)
    return render(request, "tracking/search.html", {
        "query": query, "results": results,
        "full_text": connection.vendor == "postgresql",
    })
