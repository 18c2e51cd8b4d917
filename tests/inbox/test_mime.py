"""Raw messages read safely: headers, charsets, bodies, HTML, forwards; hostile mail refused."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inbox import mime
from inbox.mime import (
    Address,
    MessageRefused,
    ParsedMessage,
    employer_message,
    parse_message,
)
from inbox.understanding import Suggestion, understand

SAMPLES = Path(__file__).parent / "samples"
OWN = ("anna.lee@example.com",)


def parsed(name: str) -> ParsedMessage:
    return parse_message((SAMPLES / name).read_bytes())


def test_headers_are_decoded_and_addresses_lower_cased():
    message = parsed("outlook_teams_invite.eml")
    assert message.subject == "Interview Contoso – Senior Data Engineer (2nd round)"
    assert message.sender == Address("Schneider, Katrin", "katrin.schneider@contoso-gmbh.de")
    assert message.sender.domain == "contoso-gmbh.de"
    assert message.to == (Address("Anna Lee", "anna.lee@example.com"),)
    assert message.cc == (Address("Okafor, David", "david.okafor@contoso-gmbh.de"),)
    assert message.message_id == (
        "<AM9PR07MB71238E1C9A2F5B3D0E4C7B1FA1F92@AM9PR07MB7123.eurprd07.prod.outlook.com>"
    )
    assert message.date == datetime(2026, 12, 1, 8, 3, 10, tzinfo=UTC)


def test_raw_utf8_in_a_header_is_read_as_utf8():
    assert parsed("google_invite.eml").subject.startswith("Invitation: Northwind – Technical")


def test_the_date_header_becomes_aware_utc():
    assert parsed("zoom_invite.eml").date == datetime(2026, 12, 2, 19, 40, tzinfo=UTC)


def test_reply_headers_are_kept_for_threading():
    message = parsed("rejection_filled.eml")
    assert message.in_reply_to == "<CA+anna-thanks-123@mail.example.com>"
    assert message.references == ("<CA+anna-thanks-123@mail.example.com>",)


def test_a_body_in_latin1_is_decoded():
    assert "Grüße" in parsed("outlook_teams_invite.eml").full_text


def test_unknown_charsets_and_bad_dates_are_repaired_and_reported():
    message = parsed("broken_charset.eml")
    assert "Café olé" in message.full_text
    assert message.date is None
    assert message.sender.email == "jose.perez@contoso-gmbh.de"
    assert "The Date header could not be read." in message.problems
    assert any("unknown character set (x-mac-klingon)" in p for p in message.problems)
    assert message.message_id.endswith("@inbox.invalid>")


def test_a_missing_message_id_gets_a_stable_one():
    raw = (SAMPLES / "delay_no_date.eml").read_bytes().replace(b"Message-ID:", b"X-Old-Id:")
    first, second = parse_message(raw), parse_message(raw)
    assert re.fullmatch(r"<[0-9a-f]{64}@inbox\.invalid>", first.message_id)
    assert first.message_id == second.message_id
    other = parse_message(raw.replace(b"bear with us", b"wait for us"))
    assert other.message_id != first.message_id


def test_quoted_history_and_signature_are_removed_from_the_new_text():
    message = parsed("decision_friday.eml")
    assert message.text == (
        "Hi Anna,\n\nThanks so much for the kind note. The team is meeting this week to compare "
        "notes, and we will\nget back to you by Friday.\n\nPriya"
    )
    assert "Unfortunately" in message.full_text  # the whole body is still there
    outlook = parsed("rejection_filled.eml")
    assert "Original Message" not in outlook.text
    assert "receive an offer" not in outlook.text
    assert outlook.forwarded is None  # a reply's history is not a forward


def test_an_html_only_message_is_turned_into_text_without_script_or_style():
    message = parsed("invitation_in_words_html.eml")
    assert "We would like to invite you to an interview" in message.full_text
    assert "Thursday, 10 December at 2:30 pm" in message.full_text
    assert "document.location" not in message.full_text
    assert "background" not in message.full_text


def test_html_is_sanitised_and_no_remote_image_survives():
    html = parsed("invitation_in_words_html.eml").safe_html
    assert "<b>Thursday, 10 December at 2:30 pm</b>" in html
    for bad in ("<script", "onload", "onclick", "<img", "<iframe", "javascript:", "style=",
                "pixel.gif", "<style"):  # fmt: skip
        assert bad not in html.lower()
    assert "1 remote image(s) were not loaded." in parsed("invitation_in_words_html.eml").problems
    rejection = parsed("rejection_html.eml")
    assert "t.adatum.nl" not in rejection.safe_html
    assert "2 remote image(s) were not loaded." in rejection.problems


def test_links_in_sanitised_html_cannot_leak_the_referrer():
    html = parsed("scheduling_link.eml").safe_html
    assert 'href="https://calendly.com/wingtip-recruiting/panel-interview"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_a_plain_text_message_has_no_html():
    assert parsed("on_hold.eml").safe_html is None


def test_calendar_parts_and_ics_attachments_are_kept_other_attachments_dropped():
    google = parsed("google_invite.eml")
    assert len(google.calendars) == 2  # the inline text/calendar and invite.ics
    assert all(c.startswith(b"BEGIN:VCALENDAR") for c in google.calendars)
    offer = parsed("offer.eml")
    assert offer.calendars == ()
    assert offer.dropped_attachments == ("Offer_Letter_Anna_Lee.pdf",)
    assert "Attachments are not kept: Offer_Letter_Anna_Lee.pdf." in offer.problems
    assert "JVBERi0" not in offer.full_text


def test_an_attached_message_is_the_forwarded_original():
    message = parsed("forwarded_attached_invite.eml")
    original = message.forwarded
    assert original.sender.email == "katrin.schneider@contoso-gmbh.de"
    assert original.message_id == "<contoso-cto-chat-1@contoso-gmbh.de>"
    assert len(original.calendars) == 1
    assert employer_message(message, own_addresses=OWN) is original


def test_an_inline_forward_is_unwrapped_with_its_headers():
    message = parsed("forwarded_rejection.eml")
    original = message.forwarded
    assert original.sender == Address("Litware Talent", "talent@litware.example")
    assert original.subject == "Your application at Litware"
    assert original.date == datetime(2026, 12, 11, 14, 0, tzinfo=UTC)
    assert original.text.startswith("Dear Anna,")
    assert employer_message(message, own_addresses=OWN) is original


def test_an_employers_own_message_is_its_own_employer_message():
    message = parsed("rejection_move_forward.eml")
    assert employer_message(message, own_addresses=OWN) is message


def test_addresses_lists_everyone_once():
    emails = [a.email for a in parsed("offer.eml").addresses()]
    assert emails == [
        "daniel.kim@tailspintoys.example",
        "anna.lee@example.com",
        "rachel@tailspintoys.example",
    ]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "The message is empty."),
        (b"   \r\n  ", "The message is empty."),
        (b"just some words, no headers at all",
         "This does not look like an email message (no From, To, Subject or Date header)."),
        (b"From: a@b.c\r\nSubject: " + b"x" * 300_000 + b"\r\n\r\nhi",
         "The message's headers are over 256 KB; that is not a real email."),
        (b"From: a@b.c\r\n" + b"X-Spam: 1\r\n" * 40_000 + b"\r\nhi",
         "The message's headers are over 256 KB; that is not a real email."),
    ],
)  # fmt: skip
def test_unreadable_messages_are_refused_with_a_reason(raw, reason):
    with pytest.raises(MessageRefused) as refused:
        parse_message(raw)
    assert refused.value.reason == reason


def test_an_over_size_message_is_refused_before_parsing():
    raw = b"From: a@b.c\r\nSubject: big\r\n\r\n" + b"x" * 2048
    with pytest.raises(MessageRefused, match=r"over the 0\.0 MB limit"):
        parse_message(raw, max_bytes=1024)
    assert parse_message(raw, max_bytes=4096).subject == "big"


def nested_multipart(depth: int) -> bytes:
    head = b"From: a@b.c\r\nSubject: deep\r\nMIME-Version: 1.0\r\n"
    opening = b"".join(
        b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i)
        for i in range(depth)
    )
    closing = b"".join(b"\r\n--b%d--\r\n" % i for i in reversed(range(depth)))
    return head + opening + b"Content-Type: text/plain\r\n\r\nhello" + closing


def test_deeply_nested_parts_are_dropped_or_refused_never_a_crash():
    assert parse_message(nested_multipart(3)).full_text == "hello"
    partial = parse_message(nested_multipart(40))
    assert partial.full_text == ""
    assert "Some parts were nested too deeply and were left out." in partial.problems
    with pytest.raises(MessageRefused, match="too many nested parts"):
        parse_message(nested_multipart(5000))


def test_forwards_inside_forwards_stop_at_a_depth():
    raw = b"From: x@y.z\r\nSubject: inner\r\n\r\nbody\r\n"
    for i in range(20):
        raw = (
            b"From: a%d@b.c\r\nSubject: s%d\r\nContent-Type: message/rfc822\r\n\r\n" % (i, i) + raw
        )
    message, depth = parse_message(raw), 0
    while message.forwarded:
        message, depth = message.forwarded, depth + 1
    assert depth == 3


def test_too_many_addresses_are_cut_and_reported():
    raw = b"From: a@b.c\r\nTo: " + b", ".join(b"u%d@x.org" % i for i in range(500)) + b"\r\n\r\nhi"
    message = parse_message(raw)
    assert len(message.to) == 200
    assert "The To header lists too many addresses; the rest were left out." in message.problems


def test_invalid_addresses_are_left_out():
    raw = b"From: not an address\r\nTo: Anna <anna@example.com>, @@, <>\r\nSubject: x\r\n\r\nhi"
    message = parse_message(raw)
    assert message.sender is None
    assert message.to == (Address("Anna", "anna@example.com"),)


def test_a_message_built_by_the_standard_library_round_trips():
    built = EmailMessage()
    built["From"] = "Zoë Ødegaard <zoe@northwind.io>"
    built["To"] = "anna.lee@example.com"
    built["Subject"] = "Entretien – prochaine étape"
    built.set_content("Bonjour Anna,\n\nÀ bientôt.\n")
    built.add_attachment(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", maintype="text",
                         subtype="calendar", filename="rdv.ics")  # fmt: skip
    message = parse_message(built.as_bytes())
    assert message.sender == Address("Zoë Ødegaard", "zoe@northwind.io")
    assert message.subject == "Entretien – prochaine étape"
    assert message.full_text == "Bonjour Anna,\n\nÀ bientôt."
    assert message.calendars == (b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",)


def test_a_base64_body_with_garbage_is_repaired():
    raw = (
        b"From: a@b.c\r\nSubject: b64\r\nContent-Type: text/plain; charset=utf-8\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n"
        + base64.b64encode("Grüße aus Köln".encode())
        + b"!!!not base64***\r\n"
    )
    assert "Grüße aus Köln" in parse_message(raw).full_text


# --- fuzz ----------------------------------------------------------------------------------

EML_SAMPLES = [p.read_bytes() for p in sorted(SAMPLES.glob("*.eml"))]
TOKENS = [
    b"\r\n", b"\r\n\r\n", b"--", b"Content-Type: multipart/mixed; boundary=\"x\"\r\n",
    b"--x\r\n", b"--x--\r\n", b"Content-Type: message/rfc822\r\n\r\n",
    b"Content-Type: text/calendar\r\n\r\nBEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:2026\r\n",
    b"Content-Transfer-Encoding: base64\r\n", b"Content-Transfer-Encoding: quoted-printable\r\n",
    b"=?utf-8?B?////?=", b"=?x-unknown?Q?=FF?=", b"charset=\"utf-16\"", b"charset=rot13",
    b"Date: Mon, 99 Foo 99999 99:99:99 +9999\r\n", b"From: \"\\\" <@>\r\n", b"\xff\xfe\x00",
    b"Content-Disposition: attachment; filename*=utf-8''%FF.ics\r\n", b"=\r\n", b"<html><script>",
    b"---------- Forwarded message ---------\r\nFrom: x\r\n", b"> quoted\r\n",
]  # fmt: skip


def _mutate(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    out = bytearray(data)
    for position, cut, insert in edits:
        at = position % (len(out) + 1)
        out[at : at + cut] = insert
    return bytes(out)


def check_message(raw: bytes) -> None:
    try:
        message = parse_message(raw)
    except MessageRefused as refused:
        assert refused.reason and refused.reason != mime.UNEXPECTED
        return
    assert isinstance(message, ParsedMessage)
    assert message.message_id.startswith("<") and message.message_id.endswith(">")
    assert message.date is None or message.date.tzinfo is UTC
    if message.safe_html:
        assert "<script" not in message.safe_html.lower()
    suggestion = understand(message, own_addresses=OWN)
    assert isinstance(suggestion, Suggestion)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sample=st.sampled_from(EML_SAMPLES),
    edits=st.lists(
        st.tuples(
            st.integers(0, 20_000),
            st.integers(0, 60),
            st.one_of(st.sampled_from(TOKENS), st.binary(max_size=40)),
        ),
        max_size=8,
    ),
)
def test_fuzz_mangled_messages_give_a_parse_or_a_refusal(sample, edits):
    check_message(_mutate(sample, edits))


@settings(max_examples=200, deadline=None)
@given(parts=st.lists(st.one_of(st.sampled_from(TOKENS), st.binary(max_size=20)), max_size=30))
def test_fuzz_messages_built_from_random_pieces_give_a_parse_or_a_refusal(parts):
    check_message(b"From: a@b.c\r\n" + b"".join(parts))


def test_a_disposition_header_with_raw_8bit_bytes_is_read_not_a_crash():
    # Found by the fuzz test: compat32 hands such a header back as a Header, not a str.
    raw = (
        b"From: a@b.c\r\nMessage-ID: <d@b.c>\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n"
        b"--x\r\nContent-Type: text/plain\r\n\r\nSee the attachment.\r\n"
        b"--x\r\nContent-Type: application/pdf\r\n"
        b"Content-Disposition: attachment; filename=\xff\x80cv.pdf\r\n\r\nJVBERi0=\r\n--x--\r\n"
    )
    message = parse_message(raw)
    assert "See the attachment." in message.text
    check_message(raw)


def test_a_message_with_thousands_of_parts_is_refused_before_parsing():
    raw = (
        b"From: a@b.c\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n"
        + b"--x\r\nContent-Type: text/plain\r\n\r\nhi\r\n" * 2000
        + b"--x--"
    )
    with pytest.raises(MessageRefused, match="over 1000 parts"):
        parse_message(raw)


def test_a_huge_or_deeply_nested_html_body_is_shown_as_text_only():
    raw = (
        b"From: a@b.c\r\nSubject: x\r\nContent-Type: text/html\r\n\r\n"
        + b"<div><p>we regret to inform you " * 12_000
    )
    message = parse_message(raw)
    assert message.safe_html is None
    assert message.full_text.startswith("we regret to inform you")
    assert "The HTML version is too large to show safely; it is shown as text." in message.problems


def test_an_unforeseen_error_is_a_logged_refusal_not_a_crash(monkeypatch, caplog):
    def broken(self, message, *, depth):
        raise KeyError("a bug")

    monkeypatch.setattr(mime._Reader, "read", broken)
    with pytest.raises(MessageRefused) as refused:
        parse_message((SAMPLES / "on_hold.eml").read_bytes())
    assert refused.value.reason == mime.UNEXPECTED
    assert "Unexpected error while reading a message" in caplog.text


# --- what a damaged message still says (issue 16, section 6) -----------------------------

MISSING_BOUNDARY = (
    b"From: Priya Raman <priya.raman@northwind.io>\r\n"
    b"To: anna.lee@example.com\r\n"
    b"Subject: Your application at Northwind\r\n"
    b"Date: Thu, 03 Dec 2026 17:05:00 +0100\r\n"
    b"Message-ID: <broken-1@northwind.io>\r\n"
    b"MIME-Version: 1.0\r\n"
    b'Content-Type: multipart/mixed; boundary="X"\r\n'
    b"\r\n"
    b"Dear Anna,\r\n\r\n"
    b"Thank you for your time last week. After careful consideration we have decided to\r\n"
    b"move forward with other candidates.\r\n\r\n"
    b"Kind regards,\r\nPriya\r\n"
)


def test_a_multipart_whose_boundary_never_appears_is_shown_as_text_and_says_why():
    message = parse_message(MISSING_BOUNDARY)
    assert "decided to\nmove forward with other candidates" in message.full_text
    assert message.text.startswith("Dear Anna,")
    [problem] = message.problems
    assert "markers that separate its parts are missing" in problem
    assert "shown as plain text" in problem
    assert "boundary" not in problem.lower()  # a MIME word, not the user's
    suggestion = understand(message, own_addresses=OWN)
    assert suggestion.kind == "rejection"


def test_an_empty_multipart_is_still_read_without_a_problem():
    raw = MISSING_BOUNDARY.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
    message = parse_message(raw)
    assert (message.full_text, message.problems) == ("", ())


def hand_forward(date_line: str, outer_date: str | None) -> bytes:
    outer = f"Date: {outer_date}\r\n" if outer_date else ""
    return (
        "From: Anna Lee <anna.lee@example.com>\r\nTo: in+abc@inbound.example\r\n"
        f"Subject: Fwd: Next steps\r\n{outer}Message-ID: <fwd-1@example.com>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "FYI\r\n\r\n---------- Forwarded message ---------\r\n"
        "From: Priya Raman <priya.raman@northwind.io>\r\n"
        f"Date: {date_line}\r\nSubject: Next steps\r\n"
        "To: Anna Lee <anna.lee@example.com>\r\n\r\n\r\n"
        "Hi Anna, we will get back to you by Friday.\r\n"
    ).encode()


@pytest.mark.parametrize(
    ("date_line", "expected"),
    [
        # Gmail writes the forwarded header in the forwarder's zone, with no zone named
        ("Thu, 3 Dec 2026 at 17:05", datetime(2026, 12, 3, 16, 5, tzinfo=UTC)),
        ("Thu, Dec 3, 2026 at 5:05 PM", datetime(2026, 12, 3, 16, 5, tzinfo=UTC)),
        ("Thu, 3 Dec 2026 17:05", datetime(2026, 12, 3, 16, 5, tzinfo=UTC)),
        # a zone the header names is used as it is
        ("Thu, 3 Dec 2026 17:05:00 -0500", datetime(2026, 12, 3, 22, 5, tzinfo=UTC)),
        ("Thursday, December 3, 2026 5:05 PM PST", datetime(2026, 12, 4, 1, 5, tzinfo=UTC)),
    ],
)
def test_a_forward_header_without_a_zone_is_read_in_the_forwarding_messages_zone(
    date_line, expected
):
    message = parse_message(hand_forward(date_line, "Thu, 03 Dec 2026 18:30:00 +0100"))
    original = employer_message(message, own_addresses=OWN)
    assert original is message.forwarded
    assert original.date == expected
    assert message.problems == ()


@pytest.mark.parametrize("outer_date", [None, "Thu, 03 Dec 2026 17:30:00 -0000"])
def test_a_forward_header_without_any_zone_to_go_by_gives_no_time_and_says_so(outer_date):
    message = parse_message(hand_forward("Thu, 3 Dec 2026 at 17:05", outer_date))
    assert message.forwarded.date is None
    [problem] = message.problems
    assert "Thu, 3 Dec 2026 at 17:05" in problem
    assert "no time zone" in problem


# --- Pre-parse bounds of issue 16, section 2 (a part's headers, split boundaries) -----------


def test_a_parts_long_content_type_is_refused_before_parsing():
    from tests.inbox import hostile

    with pytest.raises(MessageRefused) as refused:
        parse_message(hostile.long_content_type(20_000))  # 240 KB in one part's header
    assert refused.value.reason == (
        "A part's Content-Type header is over 8 KB; that is not a real email."
    )


def test_a_split_boundary_is_counted_as_the_parser_reads_it():
    from tests.inbox import hostile

    with pytest.raises(MessageRefused) as refused:
        parse_message(hostile.split_boundary(1024 * 1024))  # boundary*0="x", 150,000 parts
    assert refused.value.reason == "The message has over 1000 parts; it was not read."


def test_a_genuine_split_boundary_is_still_read():
    raw = (
        b"From: hr@acme.example\r\nTo: owner@example.com\r\nSubject: Split\r\n"
        b"Message-ID: <split-ok@acme.example>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/alternative;\r\n boundary*0="----=_Part_1";\r\n'
        b' boundary*1="_42"\r\n\r\n'
        b"------=_Part_1_42\r\nContent-Type: text/plain\r\n\r\nSee you on Tuesday.\r\n"
        b"------=_Part_1_42--\r\n"
    )
    message = parse_message(raw)
    assert message.text == "See you on Tuesday."
    assert mime._boundary_of(b'Content-Type: multipart/mixed; boundary*0="a"; boundary*1="b"') == (
        b"ab",
    )


def test_the_message_id_is_read_from_the_headers_alone_as_the_parser_reads_it():
    for path in sorted(SAMPLES.glob("*.eml")):
        raw = path.read_bytes()
        parsed = parse_message(raw)
        scanned = mime.header_message_id(raw)
        assert scanned in (parsed.message_id, "")  # "" only where the header is missing
        assert bool(scanned) == (
            b"message-id:" in raw.split(b"\r\n\r\n")[0].split(b"\n\n")[0].lower()
        )
    folded = b"From: a@b.example\r\nMessage-Id:\r\n <x.1@b.example>\r\nSubject: s\r\n\r\nbody"
    assert mime.header_message_id(folded) == "<x.1@b.example>"
    in_body = b"From: a@b.example\r\nSubject: s\r\n\r\nMessage-ID: <not-this@b.example>"
    assert mime.header_message_id(in_body) == ""


def test_a_header_is_read_from_the_header_block_alone():
    raw = (
        b"From: =?utf-8?q?Ren=C3=A9e?= <renee@acme.example>\r\nSubject: Next\r\n steps\r\n"
        b"\r\nSubject: not this one"
    )
    assert mime.header_value(raw, "Subject") == "Next steps"
    assert mime.header_value(raw, "From") == "Renée <renee@acme.example>"
    assert mime.header_value(raw, "Date") == ""
