"""mailto: links for email notes: encoding and the length fallback. No database."""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

from notes.mailto import MAILTO_MAX_CHARS, mailto_url


def test_mailto_encodes_spaces_as_percent_20_never_plus():
    url = mailto_url("grace@initech.example", "Thank you", "Dear Grace")

    assert url == "mailto:grace@initech.example?subject=Thank%20you&body=Dear%20Grace"


def test_mailto_encodes_line_breaks_as_crlf():
    url = mailto_url("g@x.example", "", "Dear Grace,\n\nThanks.\r\nAda")

    assert url.endswith("body=Dear%20Grace%2C%0D%0A%0D%0AThanks.%0D%0AAda")


def test_mailto_encodes_characters_that_would_end_a_field():
    url = mailto_url("g@x.example", "R&D: Q&A?", "a=1 & b=2 #3 100% +4")

    query = urlsplit(url).query
    assert query.count("&") == 1  # only the separator between subject and body
    assert "%26" in query and "%3D" in query and "%23" in query and "%25" in query
    assert "%2B" in query  # a literal plus is never read back as a space
    assert parse_qs(query) == {"subject": ["R&D: Q&A?"], "body": ["a=1 & b=2 #3 100% +4"]}


def test_mailto_encodes_non_ascii_as_utf8():
    url = mailto_url("jose@example.com", "Gracias, José", "Café — naïve 👍")

    assert "Jos%C3%A9" in url
    assert "Caf%C3%A9%20%E2%80%94%20na%C3%AFve%20%F0%9F%91%8D" in url
    assert url.isascii()


def test_mailto_keeps_the_address_readable():
    url = mailto_url(" ada+jobs@example.com ", "Hi", "")

    assert url == "mailto:ada+jobs@example.com?subject=Hi"


def test_mailto_without_address_still_opens_a_draft():
    assert mailto_url("", "Hi", "Body") == "mailto:?subject=Hi&body=Body"


def test_mailto_round_trips_the_note():
    body = "Dear Grace,\n\nI enjoyed it — 100%.\nAda"

    query = urlsplit(mailto_url("g@x.example", "Thanks", body)).query
    decoded = unquote(query.split("body=")[1])

    assert decoded == body.replace("\n", "\r\n")


def test_long_note_falls_back_to_copying():
    body = "word " * 400  # 2,000 characters, 2,400 once encoded

    assert mailto_url("g@x.example", "Thanks", body) is None


def test_link_of_exactly_the_limit_is_kept():
    head = mailto_url("g@x.example", "", "")
    prefix = len(head) + len("?body=")
    body = "a" * (MAILTO_MAX_CHARS - prefix)

    url = mailto_url("g@x.example", "", body)

    assert url is not None and len(url) == MAILTO_MAX_CHARS
    assert mailto_url("g@x.example", "", body + "a") is None


def test_encoding_counts_towards_the_limit():
    # 600 characters of text, but each "é" takes 6 characters in the link.
    assert mailto_url("g@x.example", "", "é" * 600) is None
