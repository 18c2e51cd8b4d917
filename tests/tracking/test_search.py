"""Search across applications, people and notes (/search/): full text on PostgreSQL, every
word anywhere on SQLite. Each test asserts what the backend it runs on does; the plain
fallback and the snippet maker are also tested directly, on any backend."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from notes.models import Note
from tests.factories import ApplicationFactory, InterviewerFactory
from tracking import search as search_module
from tracking.search import LIMIT, plain_search, query_words, search_for, snippet

URL = reverse("search")
POSTGRES = connection.vendor == "postgresql"


@pytest.fixture
def owners_things(owner):
    monzo = ApplicationFactory(
        owner=owner, company="Monzo", role_title="Android Engineer",
        notes="Recruiter said interviewing continues in January. They ship Kotlin and design"
        " in the open.",
        listing_text="Listings are not searched: Fortran.",
    )
    other = ApplicationFactory(owner=owner, company="Globex", role_title="Product Manager")
    hannah = InterviewerFactory(application=monzo, name="Hannah Okafor", title="Head of Design")
    note = Note.objects.create(
        application=monzo, interviewer=hannah, subject="Thank you, Hannah",
        body="Thank you for walking me through the design critique ritual.",
    )
    return {"monzo": monzo, "globex": other, "hannah": hannah, "note": note}


def _titles(results, kind):
    return [hit.title for group in results.groups if group.kind == kind for hit in group.hits]


def test_it_finds_each_kind_grouped(owner, owners_things):
    results = search_for(owner, "design")
    assert _titles(results, "applications") == ["Android Engineer at Monzo"]
    assert _titles(results, "people") == ["Hannah Okafor"]
    assert _titles(results, "notes") == ["Thank you, Hannah"]
    assert [group.kind for group in results.groups] == ["applications", "people", "notes"]


def test_every_word_must_match(owner, owners_things):
    assert _titles(search_for(owner, "Monzo Kotlin"), "applications") == [
        "Android Engineer at Monzo"
    ]
    assert _titles(search_for(owner, "Monzo Cobol"), "applications") == []


def test_the_listing_text_is_not_searched(owner, owners_things):
    assert search_for(owner, "Fortran").count == 0


def test_a_name_typed_in_part_is_found(owner, owners_things):
    assert _titles(search_for(owner, "Monz"), "applications") == ["Android Engineer at Monzo"]
    assert _titles(search_for(owner, "Okaf"), "people") == ["Hannah Okafor"]


def test_the_backend_decides_the_way(owner, owners_things):
    # "interviews" is stemmed to "interview" on PostgreSQL and finds "interviewing"; the plain
    # fallback looks for the letters "interviews", which the notes do not hold.
    found = _titles(search_for(owner, "interviews"), "applications")
    if POSTGRES:
        assert found == ["Android Engineer at Monzo"]
    else:
        assert found == []
    # "-Kotlin" leaves Monzo out on PostgreSQL (websearch); the fallback ignores the minus.
    found = _titles(search_for(owner, "design -Kotlin"), "applications")
    assert found == ([] if POSTGRES else ["Android Engineer at Monzo"])


def test_the_plain_fallback_works_on_any_backend(owner, owners_things):
    results = plain_search(owner, "critique")
    assert _titles(results, "notes") == ["Thank you, Hannah"]
    assert str(results.groups[2].hits[0].snippet).count("<mark>critique</mark>") == 1
    assert _titles(plain_search(owner, "interviewing"), "applications") == [
        "Android Engineer at Monzo"
    ]


def test_another_candidates_things_never_appear(owner, outsider, owners_things):
    ApplicationFactory(owner=outsider, company="Monzo Outsider", notes="design")
    InterviewerFactory(
        application=ApplicationFactory(owner=outsider), name="Hannah Secret", title="Design"
    )
    for results in (search_for(owner, "design"), plain_search(owner, "design")):
        assert "Outsider" not in str(_titles(results, "applications"))
        assert _titles(results, "people") == ["Hannah Okafor"]
    assert search_for(outsider, "Okafor").count == 0
    assert plain_search(outsider, "Thank").count == 0


def test_the_page_escapes_names_notes_and_the_query(owner_client, owner):
    evil = ApplicationFactory(owner=owner, company="<script>alert(1)</script> Evil",
                              notes="pay <script>alert(2)</script> attention")
    person = InterviewerFactory(application=evil, name="<script>alert(3)</script>",
                                title="attention")
    Note.objects.create(application=evil, interviewer=person, subject="attention",
                        body="<b>attention</b> <script>alert(4)</script>")
    response = owner_client.get(URL, {"q": "attention"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)" in page
    if not POSTGRES:  # PostgreSQL's snippets drop tags altogether; the fallback escapes them
        assert "&lt;script&gt;alert(4)" in page
    assert "<mark>attention</mark>" in page
    response = owner_client.get(URL, {"q": "<script>nothing"})
    assertContains(response, "No matches for “&lt;script&gt;nothing”")
    assertNotContains(response, "<script>nothing")


def test_a_planted_mark_in_the_text_stays_text(owner):
    # The PostgreSQL marks are random per request: text cannot pretend to be one.
    ApplicationFactory(owner=owner, notes="[mark] launch [/mark] <mark>x</mark>")
    results = search_for(owner, "launch")
    shown = str(results.groups[0].hits[0].snippet)
    assert (shown.count("<mark>"), shown.count("</mark>")) == (1, 1)
    assert "<mark>launch</mark>" in shown
    if not POSTGRES:
        assert "&lt;mark&gt;x&lt;/mark&gt;" in shown


def test_empty_and_no_match_states(owner_client, owners_things):
    response = owner_client.get(URL)
    assertContains(response, "What are you looking for?")
    response = owner_client.get(URL, {"q": "   "})
    assertContains(response, "What are you looking for?")
    response = owner_client.get(URL, {"q": "zebra"})
    assertContains(response, "No matches for “zebra”")
    response = owner_client.get(URL, {"q": "Monzo"})
    assertContains(response, "Android Engineer at Monzo")
    assertContains(response, f'href="{owners_things["monzo"].get_absolute_url()}"')
    assertNotContains(response, "No matches")


def test_a_hit_links_where_it_lives(owner, owners_things):
    results = search_for(owner, "Hannah")
    person = results.groups[1].hits[0]
    assert person.url == owners_things["monzo"].get_absolute_url()
    assert person.detail == "Head of Design · Monzo"
    note = results.groups[2].hits[0]
    assert note.url == reverse("note_edit", args=[owners_things["note"].pk])


def test_each_kind_is_cut_at_the_limit_and_says_so(owner_client, owner, monkeypatch):
    monkeypatch.setattr(search_module, "LIMIT", 3)
    for n in range(4):
        ApplicationFactory(owner=owner, company=f"Initech {n}")
    results = search_for(owner, "Initech", limit=3)
    assert len(results.groups[0].hits) == 3 and results.groups[0].more
    assert not search_for(owner, "Initech", limit=4).groups[0].more
    assert LIMIT == 20


def test_the_page_needs_sign_in_and_a_get(client, owner_client):
    assert owner_client.post(URL, {"q": "x"}).status_code == 405
    client.logout()
    response = client.get(URL, {"q": "x"})
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_navbar_has_the_search_box(owner_client):
    response = owner_client.get(reverse("home"))
    assertContains(response, f'action="{URL}"')
    assertContains(response, 'data-shortcut="/"')


def test_query_words_and_snippets_without_a_database():
    assert query_words('"product manager" or -intern') == ["product", "manager", "intern"]
    text = "x" * 300 + " the Design review " + "y" * 300
    cut = str(snippet(text, ["design"]))
    assert cut.startswith("… ") and cut.endswith(" …") and "<mark>Design</mark>" in cut
    assert str(snippet("<i>design</i>", ["design"])) == "&lt;i&gt;<mark>design</mark>&lt;/i&gt;"
    assert str(snippet("nothing here", ["design"])) == ""
