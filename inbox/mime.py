"""Reading a raw email message into the few things the Inbox needs (pure, no Django).

Hostile input is the normal case here: a message comes from anyone who learned a candidate's
inbound address. So every step is bounded (size, header length, part count, nesting depth) and
every failure becomes either a `MessageRefused` with a sentence the user can read, or a partial
result whose `problems` say what was dropped or repaired. No other exception leaves
`parse_message`.

The standard library's compat32 parser is used on purpose: it is lenient with broken MIME and
never raises on header syntax; decoding (encoded words, charsets, dates) is done here, where a
failure can be caught and reported.
"""

from __future__ import annotations

import codecs
import email
import email.header
import email.message
import email.utils
import hashlib
import html
import logging
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from html.parser import HTMLParser

import dateparser
import nh3
import quotequail
from mailparser_reply import EmailReplyParser

MAX_BYTES = 10 * 1024 * 1024
MAX_HEADER_BYTES = 256 * 1024  # the whole header block of one message
MAX_HEADER_VALUE = 8 * 1024  # one header value, after unfolding
MAX_ADDRESSES = 200  # per address header
MAX_PARTS = 200
MAX_DEPTH = 12  # multipart / message/rfc822 nesting
MAX_BOUNDARIES = 100
MAX_CALENDARS = 10
MAX_CALENDAR_PART = 2 * 1024 * 1024
MAX_TEXT = 512 * 1024  # characters of body text kept
MAX_FORWARD_DEPTH = 3
MAX_HTML = 384 * 1024  # HTML sanitised for display; a larger body is shown as text
MAX_HTML_TAGS = 20_000
MAX_HTML_TEXT = 512 * 1024  # HTML read for its text

UNEXPECTED = "The message could not be read (an unexpected error, which was logged)."
UNSPLIT = (
    "The message is damaged: it says it is in several parts, but the markers that separate "
    "its parts are missing. Its whole body is shown as plain text, so an attachment or a "
    "formatted version inside it may appear as raw code."
)
logger = logging.getLogger(__name__)

CALENDAR_TYPES = {"text/calendar", "application/ics", "text/x-vcalendar", "application/x-ics"}


class MessageRefused(ValueError):
    """The message cannot be read at all; `reason` says why, for the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Address:
    name: str
    email: str

    @property
    def domain(self) -> str:
        return self.email.rpartition("@")[2]


@dataclass(frozen=True)
class ParsedMessage:
    message_id: str
    subject: str
    sender: Address | None
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    reply_to: tuple[Address, ...]
    date: datetime | None
    text: str
    full_text: str
    safe_html: str | None
    calendars: tuple[bytes, ...]
    forwarded: ParsedMessage | None
    problems: tuple[str, ...]
    in_reply_to: str = ""
    references: tuple[str, ...] = ()
    dropped_attachments: tuple[str, ...] = ()

    def addresses(self) -> tuple[Address, ...]:
        seen: dict[str, Address] = {}
        for address in (self.sender, *self.to, *self.cc, *self.reply_to):
            if address is not None and address.email not in seen:
                seen[address.email] = address
        return tuple(seen.values())


def parse_message(raw: bytes, *, max_bytes: int = MAX_BYTES) -> ParsedMessage:
    """Parse one raw RFC 5322 message; raise `MessageRefused` or return a (partial) parse."""
    if not isinstance(raw, bytes | bytearray | memoryview):
        raise MessageRefused("The message must be given as raw bytes.")
    raw = bytes(raw)
    if len(raw) > max_bytes:
        raise MessageRefused(
            f"The message is {_megabytes(len(raw))}, over the {_megabytes(max_bytes)} limit."
        )
    if not raw.strip():
        raise MessageRefused("The message is empty.")
    _check_header_block(raw)
    _check_structure(raw)
    try:
        message = email.message_from_bytes(raw)
    except RecursionError as exc:
        raise MessageRefused("The message is nested too deeply to be read.") from exc
    except Exception as exc:  # the parser is lenient; anything here is a broken input
        raise MessageRefused("The message could not be read as email.") from exc
    if not _looks_like_email(message):
        raise MessageRefused(
            "This does not look like an email message (no From, To, Subject or Date header)."
        )
    try:
        return _Reader().read(message, depth=0)
    except RecursionError as exc:
        raise MessageRefused("The message is nested too deeply to be read.") from exc
    except Exception as exc:
        # Last resort for hostile input nobody foresaw: the caller gets a refusal, not a
        # crash, and the bug is logged (the fuzz tests fail on this reason).
        logger.exception("Unexpected error while reading a message")
        raise MessageRefused(UNEXPECTED) from exc


def employer_message(
    message: ParsedMessage, *, own_addresses: Collection[str] = ()
) -> ParsedMessage:
    """The message the employer wrote: the original of a hand-forwarded message, else itself.

    An automatic forwarding rule keeps the employer as From; a hand forward ("Fwd:") has the
    candidate as From and the employer's message inside, with little or no new text on top.
    """
    if message.forwarded is None:
        return message
    own = {address.strip().lower() for address in own_addresses}
    from_self = message.sender is not None and message.sender.email in own
    looks_forwarded = bool(_FORWARD_SUBJECT.match(message.subject)) or len(message.text) < 80
    if from_self or looks_forwarded:
        return message.forwarded
    return message


# --- header block ------------------------------------------------------------------------

_HEADER_END = re.compile(rb"\r?\n\r?\n")
_FORWARD_SUBJECT = re.compile(r"^\s*(fwd?|fw|tr|wg|rv|enc)\s*:", re.IGNORECASE)


def _check_header_block(raw: bytes) -> None:
    end = _HEADER_END.search(raw, 0, MAX_HEADER_BYTES + 4)
    header_size = end.start() if end else len(raw)
    if header_size > MAX_HEADER_BYTES:
        raise MessageRefused(
            f"The message's headers are over {MAX_HEADER_BYTES // 1024} KB; "
            "that is not a real email."
        )


def header_message_id(raw: bytes) -> str:
    """The Message-ID as ``parse_message`` reads it, from a bounded scan of the top-level
    header block alone: how a message is known twice before anything reads it; "" if none."""
    return _clean_message_id(header_value(raw, "Message-ID").strip())


def header_value(raw: bytes, name: str) -> str:
    """One top-level header, decoded and unfolded, from a bounded scan of the header block
    (at most MAX_HEADER_BYTES looked at, MAX_HEADER_VALUE kept): for a message that is not
    parsed (stored unread, or that could not be read); "" if it is not there."""
    end = _HEADER_END.search(raw, 0, MAX_HEADER_BYTES + 4)
    block = raw[: end.start() if end else MAX_HEADER_BYTES]
    pattern = rb"^" + re.escape(name.encode("ascii")) + rb"[ \t]*:([^\n]*(?:\n[ \t][^\n]*)*)"
    match = re.search(pattern, block, re.IGNORECASE | re.MULTILINE)
    if match is None:
        return ""
    value = match.group(1)[:MAX_HEADER_VALUE].decode("ascii", "surrogateescape")
    return _decode_header(value).strip()


# A MIME header anywhere in the message (the top level's or a part's), with its folded
# continuation lines. The parser reads a header's parameters in time that grows with the
# square of its length, and only the top-level header block is bounded above.
_CONTENT_HEADER = re.compile(
    rb"^content-[a-z0-9-]{0,40}[ \t]*:[^\n]*(?:\n[ \t][^\n]*)*", re.IGNORECASE | re.MULTILINE
)


def _check_structure(raw: bytes) -> None:
    """Refuse, before parsing, what the parser would spend long on: it recurses once per level
    of nesting, builds every part before any limit of ours could apply, and reads a long
    header's parameters slowly. Every Content-* header (of any part) is bounded, and the
    parts are counted by each boundary as the parser will read it (``boundary*0=``, RFC 2231
    continuations, are joined as the parser joins them)."""
    if raw.lower().count(b"message/rfc822") > 50:
        raise MessageRefused("The message has too many nested parts to be read.")
    boundaries: set[bytes] = set()
    declared = 0
    for match in _CONTENT_HEADER.finditer(raw):
        header = match.group(0)
        if len(header) > MAX_HEADER_VALUE:
            name = header.split(b":", 1)[0].decode("ascii", "replace").strip().title()
            raise MessageRefused(
                f"A part's {name[:40]} header is over {MAX_HEADER_VALUE // 1024} KB; "
                "that is not a real email."
            )
        if b"boundary" in header.lower():
            declared += 1
            if declared > MAX_BOUNDARIES:
                raise MessageRefused("The message has too many nested parts to be read.")
            boundaries.update(_boundary_of(header))
    parts = sum(raw.count(b"\n--" + boundary) for boundary in boundaries)
    if parts > MAX_PARTS * 5:
        raise MessageRefused(f"The message has over {MAX_PARTS * 5} parts; it was not read.")


def _boundary_of(header: bytes) -> tuple[bytes, ...]:
    """The boundary a Content-Type header declares, read by the parser's own rules."""
    try:
        boundary = email.message_from_bytes(header + b"\n\n").get_boundary()
        return (boundary.encode("utf-8", "surrogateescape"),) if boundary else ()
    except Exception:  # a header the parser cannot read declares no boundary it would use
        return ()


def _looks_like_email(message: email.message.Message) -> bool:
    keys = {key.lower() for key in message}
    return bool(keys & {"from", "to", "subject", "date", "message-id", "sender"})


# --- the reader ------------------------------------------------------------------------


@dataclass
class _Body:
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    calendars: list[bytes] = field(default_factory=list)
    attached: list[email.message.Message] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


class _Reader:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.parts_seen = 0
        # The zone the Date header named; None when it named none ("-0000") or was missing.
        self.date_zone: tzinfo | None = None

    def problem(self, text: str) -> None:
        if text not in self.problems:
            self.problems.append(text)

    def read(self, message: email.message.Message, *, depth: int) -> ParsedMessage:
        subject = self.header_text(message, "Subject")
        sender = self.addresses(message, "From")
        to = self.addresses(message, "To")
        cc = self.addresses(message, "Cc")
        reply_to = self.addresses(message, "Reply-To")
        date = self.date(message)
        body = _Body()
        self.walk(message, body, depth=0)
        full_text, safe_html = self.body_text(body)
        calendars = tuple(body.calendars)
        forwarded = None
        if body.attached and depth < MAX_FORWARD_DEPTH:
            forwarded = self.attached(body.attached[0], depth=depth + 1)
        new_text = _new_text(full_text)
        if forwarded is None and depth < MAX_FORWARD_DEPTH:
            forwarded, top = self.inline_forward(
                full_text, subject, depth=depth + 1, zone=self.date_zone
            )
            if forwarded is not None:
                new_text = top
        if body.dropped:
            names = ", ".join(body.dropped[:5]) + (" …" if len(body.dropped) > 5 else "")
            self.problem(f"Attachments are not kept: {names}.")
        message_id = self.header_text(message, "Message-ID").strip()
        message_id = _clean_message_id(message_id) or _stable_id(
            sender, to, date, subject, full_text
        )
        return ParsedMessage(
            message_id=message_id,
            subject=subject,
            sender=sender[0] if sender else None,
            to=to,
            cc=cc,
            reply_to=reply_to,
            date=date,
            text=new_text,
            full_text=full_text,
            safe_html=safe_html,
            calendars=calendars,
            forwarded=forwarded,
            problems=tuple(self.problems),
            in_reply_to=_clean_message_id(self.header_text(message, "In-Reply-To")),
            references=tuple(
                _clean_message_id(ref)
                for ref in self.header_text(message, "References").split()[:50]
                if _clean_message_id(ref)
            ),
            dropped_attachments=tuple(body.dropped),
        )

    # headers

    def header_text(self, message: email.message.Message, name: str) -> str:
        try:
            value = message.get(name)
        except Exception:  # a header object the parser could not build
            value = None
        if value is None:
            return ""
        value = _header_str(value)
        if len(value) > MAX_HEADER_VALUE:
            self.problem(f"The {name} header was too long and was cut.")
            value = value[:MAX_HEADER_VALUE]
        return _decode_header(value)

    def addresses(self, message: email.message.Message, name: str) -> tuple[Address, ...]:
        try:
            values = message.get_all(name) or []
        except Exception:
            values = []
        text = ", ".join(_header_str(value) for value in values)
        if not text:
            return ()
        if len(text) > MAX_HEADER_VALUE * 4:
            self.problem(f"The {name} header was too long and was cut.")
            text = text[: MAX_HEADER_VALUE * 4]
        try:
            pairs = email.utils.getaddresses([text])
            if not any(addr for _, addr in pairs):
                # The strict parser gives up on the whole header for one bad entry.
                pairs = email.utils.getaddresses([text], strict=False)
        except Exception:  # the address parser on hostile text
            self.problem(f"The {name} header could not be read.")
            return ()
        found: dict[str, Address] = {}
        for display, addr in pairs:
            addr = _unsurrogate(addr).strip().strip("<>").lower()
            if not _EMAIL.fullmatch(addr):
                continue
            if addr not in found:
                found[addr] = Address(name=_decode_header(display).strip().strip('"'), email=addr)
            if len(found) >= MAX_ADDRESSES:
                self.problem(f"The {name} header lists too many addresses; the rest were left out.")
                break
        return tuple(found.values())

    def date(self, message: email.message.Message) -> datetime | None:
        value = self.header_text(message, "Date").strip()
        if not value:
            return None
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            self.problem("The Date header could not be read.")
            return None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        else:
            self.date_zone = parsed.tzinfo
        try:
            return parsed.astimezone(UTC)
        except (OverflowError, ValueError):
            self.problem("The Date header could not be read.")
            return None

    # body

    def walk(self, part: email.message.Message, body: _Body, *, depth: int) -> None:
        self.parts_seen += 1
        if self.parts_seen > MAX_PARTS:
            self.problem(f"The message has over {MAX_PARTS} parts; the rest were left out.")
            return
        if depth > MAX_DEPTH:
            self.problem("Some parts were nested too deeply and were left out.")
            return
        content_type = _content_type(part)
        if content_type == "message/rfc822":
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else None
            if isinstance(inner, email.message.Message):
                body.attached.append(inner)
            return
        if part.is_multipart():
            payload = part.get_payload()
            if not isinstance(payload, list):
                return
            for child in payload:
                if isinstance(child, email.message.Message):
                    self.walk(child, body, depth=depth + 1)
            return
        filename = _filename(part)
        disposition = _disposition(part)
        if content_type in CALENDAR_TYPES or filename.lower().endswith((".ics", ".ical")):
            data = self.payload_bytes(part)
            if len(body.calendars) >= MAX_CALENDARS:
                self.problem("The message has too many calendar parts; the rest were left out.")
            elif len(data) > MAX_CALENDAR_PART:
                self.problem("A calendar part was too large and was left out.")
            elif data.strip() and data not in body.calendars:
                body.calendars.append(data)
            return
        is_attachment = disposition == "attachment" or (filename and disposition != "inline")
        if content_type == "text/plain" and not is_attachment:
            body.plain.append(self.payload_text(part))
        elif content_type == "text/html" and not is_attachment:
            body.html.append(self.payload_text(part))
        elif content_type.startswith("multipart/"):
            self.unsplit(part, body)
        else:
            body.dropped.append(filename or content_type)

    def unsplit(self, part: email.message.Message, body: _Body) -> None:
        """A multipart the parser could not split (its boundary never appears) keeps its body
        as one string: show that text rather than nothing, and say why it looks raw."""
        text = self.payload_text(part)
        if text.strip():
            body.plain.append(text)
            self.problem(UNSPLIT)

    def payload_bytes(self, part: email.message.Message) -> bytes:
        try:
            data = part.get_payload(decode=True)
        except Exception:
            data = None
        if data is None:
            raw = part.get_payload()
            data = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""
        return data if isinstance(data, bytes) else b""

    def payload_text(self, part: email.message.Message) -> str:
        data = self.payload_bytes(part)
        try:
            charset = part.get_content_charset() or "us-ascii"
        except Exception:
            charset = "us-ascii"
        return _decode_bytes(data, charset, self.problem)

    def body_text(self, body: _Body) -> tuple[str, str | None]:
        html_source = "\n".join(body.html)
        plain = "\n\n".join(text for text in body.plain if text.strip())
        if not plain and html_source:
            plain = html_to_text(html_source)
        if len(plain) > MAX_TEXT:
            self.problem("The message text was very long and was cut.")
            plain = plain[:MAX_TEXT]
        plain = _normalise_text(plain)
        safe = None
        if html_source and _sanitisable(html_source):
            safe, images = sanitise_html(html_source)
            if images:
                self.problem(f"{images} remote image(s) were not loaded.")
        elif html_source:
            self.problem("The HTML version is too large to show safely; it is shown as text.")
        return plain, safe

    def attached(self, inner: email.message.Message, *, depth: int) -> ParsedMessage | None:
        try:
            return _Reader().read(inner, depth=depth)
        except RecursionError:
            self.problem("The attached message was nested too deeply and was left out.")
            return None

    def inline_forward(
        self, text: str, subject: str, *, depth: int, zone: tzinfo | None = None
    ) -> tuple[ParsedMessage | None, str]:
        """The original of an inline forward; a reply's quoted history is not one.

        Gmail and Apple Mail mark a forward in the body; Outlook writes the same header block
        for replies and forwards, so there only the "FW:" subject tells them apart. `zone` is
        the forwarding message's own zone, in which such a header gives its time.
        """
        lowered = text.lower()
        if (
            "forward" not in lowered
            and "original message" not in lowered
            and "from:" not in lowered
        ):
            return None, ""
        try:
            unwrapped = quotequail.unwrap(text[:100_000])
        except Exception:  # a heuristic parser on hostile text: no forward found
            return None, ""
        kind = (unwrapped or {}).get("type")
        marked = "forwarded message" in lowered or "begin forwarded" in lowered
        if kind not in ("forward", "reply") or not (marked or _FORWARD_SUBJECT.match(subject)):
            return None, ""
        inner_text = _normalise_text(unwrapped.get("text") or "")
        headers = email.message.Message()
        for key in ("from", "to", "cc", "subject", "date"):
            value = unwrapped.get(key)
            if value:
                value = re.sub(r"[\r\n]+", " ", str(value))[:MAX_HEADER_VALUE]
                headers[key.title()] = value
        reader = _Reader()
        sender = reader.addresses(headers, "From")
        date = self.forward_date(headers.get("Date") or "", zone)
        to = reader.addresses(headers, "To")
        subject = reader.header_text(headers, "Subject")
        original = ParsedMessage(
            message_id=_stable_id(sender, to, date, subject, inner_text),
            subject=subject,
            sender=sender[0] if sender else None,
            to=to,
            cc=reader.addresses(headers, "Cc"),
            reply_to=(),
            date=date,
            text=_new_text(inner_text),
            full_text=inner_text,
            safe_html=None,
            calendars=(),
            forwarded=None,
            problems=tuple(reader.problems),
        )
        return original, _normalise_text(unwrapped.get("text_top") or "")

    def forward_date(self, value: str, zone: tzinfo | None) -> datetime | None:
        """The time in a forward's header block, which is free text and often names no zone
        ("Thu, 3 Dec 2026 at 17:05", as Gmail writes it, in the forwarder's zone).

        A zone the text names is used; otherwise the forwarding message's zone; with neither,
        the time is unknown and the user is told, rather than read silently as UTC.
        """
        value = value.strip()
        if not value:
            return None
        parsed = _strict_date(value) or _loose_date(value)
        if parsed is None:
            return None
        if parsed.tzinfo is None:
            if zone is None:
                self.problem(
                    f"The forwarded message gives its time (“{value[:60]}”) with no time zone, "
                    "and the forward names none either, so when it was written is not known."
                )
                return None
            parsed = parsed.replace(tzinfo=zone)
        try:
            return parsed.astimezone(UTC)
        except (OverflowError, ValueError):
            return None


# --- text helpers ------------------------------------------------------------------------

_EMAIL = re.compile(r"[^@\s<>(),;:\"\[\]\\]{1,64}@[a-z0-9](?:[a-z0-9.-]{0,253}[a-z0-9])?")
_MESSAGE_ID = re.compile(r"<[^<>\s]{1,900}>")
_reply_parser = EmailReplyParser(languages=["en", "de", "fr", "es", "it", "nl"])


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _unsurrogate(text: str) -> str:
    """Header bytes that were not ASCII arrive as surrogates; most are UTF-8."""
    if not any("\udc80" <= char <= "\udcff" for char in text):
        return text
    data = text.encode("utf-8", "surrogateescape")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def _header_str(value) -> str:
    """compat32 wraps a header with raw 8-bit bytes in a Header of charset unknown-8bit."""
    if not isinstance(value, email.header.Header):
        return str(value)
    try:
        chunks = email.header.decode_header(value)
    except Exception:
        return str(value)
    out = []
    for chunk, charset in chunks:
        if isinstance(chunk, bytes):
            charset = "utf-8" if charset in (None, "unknown-8bit") else charset
            out.append(_decode_bytes(chunk, charset, lambda _p: None))
        else:
            out.append(chunk)
    return "".join(out)


def _decode_header(value: str) -> str:
    value = _unsurrogate(value)
    if "=?" not in value:
        return re.sub(r"\s*[\r\n]+\s*", " ", value)
    try:
        parts = email.header.decode_header(value)
        decoded = []
        for chunk, charset in parts:
            if isinstance(chunk, str):
                decoded.append(chunk)
            else:
                decoded.append(_decode_bytes(chunk, charset or "us-ascii", lambda _p: None))
        text = "".join(decoded)
    except Exception:  # a malformed encoded word: keep what was sent
        text = value
    return re.sub(r"\s*[\r\n]+\s*", " ", text)


def _decode_bytes(data: bytes, charset: str, report) -> str:
    charset = (charset or "us-ascii").strip().strip('"').lower()
    try:
        codec = codecs.lookup(charset).name
    except LookupError:
        codec = ""
        report(f"The text declared an unknown character set ({charset[:40]}); it was guessed.")
    if codec:
        if codec == "ascii":
            codec = "utf-8"  # mislabelled UTF-8 is far more common than real 7-bit text
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            report(f"The text was not valid {charset[:40]}; it was repaired.")
        except Exception:  # codecs like rot13 or a broken decoder: guess below
            report(f"The text could not be read as {charset[:40]}; it was guessed.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def _content_type(part: email.message.Message) -> str:
    try:
        return part.get_content_type().lower()
    except Exception:
        return "application/octet-stream"


def _disposition(part: email.message.Message) -> str:
    """"attachment", "inline" or "". A header with undecodable bytes is a ``Header``
    object, not a str, under the compat32 policy: read it as text either way."""
    try:
        value = part.get("Content-Disposition")
    except Exception:
        return ""
    return _header_str(value or "").split(";")[0].strip().lower()


def _filename(part: email.message.Message) -> str:
    try:
        name = part.get_filename() or part.get_param("name") or ""
    except Exception:
        return ""
    if isinstance(name, tuple):  # RFC 2231 (charset, language, value)
        name = email.utils.collapse_rfc2231_value(name)
    return _decode_header(str(name))[:200]


def _clean_message_id(value: str) -> str:
    match = _MESSAGE_ID.search(value)
    if match:
        return match.group(0)
    value = value.strip()
    if value and " " not in value and len(value) < 900:
        return f"<{value}>"
    return ""


def _stable_id(
    sender: tuple[Address, ...], to: tuple[Address, ...], date, subject: str, text: str
) -> str:
    """A Message-ID for a message that has none, the same every time the message is read."""
    key = "\n".join(
        [
            ",".join(a.email for a in sender),
            ",".join(a.email for a in to),
            date.isoformat() if date else "",
            subject,
            text[:20_000],
        ]
    )
    return f"<{hashlib.sha256(key.encode('utf-8', 'replace')).hexdigest()}@inbox.invalid>"


def _strict_date(value: str) -> datetime | None:
    """An RFC 5322 date with a numeric zone; anything less is left to `_loose_date` (the
    strict parser reads "5:05 PM PST" as 05:05 with no zone)."""
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return parsed if parsed.tzinfo is not None else None


def _loose_date(value: str) -> datetime | None:
    """Dates in an inline forward header are free text ("Mon, Nov 30, 2026 at 9:00 AM"): aware
    when the text names a zone, naive when it does not."""
    value = re.sub(r"\bat\b", " ", value)
    try:
        return dateparser.parse(value[:100], languages=["en"])
    except Exception:
        return None


def _normalise_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    # Line by line: a regex like `[ \t]+\n` backtracks quadratically on a run of spaces.
    text = "\n".join(line.rstrip(" \t") for line in text.split("\n"))
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def _new_text(text: str) -> str:
    """The text the sender wrote this time: quoted history and signature removed."""
    if not text:
        return ""
    try:
        parsed = _reply_parser.read(text=text[:100_000])
        newest = parsed.replies[0].body if parsed.replies else text
    except Exception:  # the reply parser is a heuristic; keep the whole text if it trips
        newest = text
    lines = [line for line in newest.splitlines() if not line.lstrip().startswith(">")]
    return _normalise_text("\n".join(lines))


# --- HTML --------------------------------------------------------------------------------

_BLOCK_TAGS = {
    "p", "div", "br", "tr", "li", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "hr", "section", "article", "header", "footer", "pre", "dd", "dt",
}  # fmt: skip
_SKIP_TAGS = {"script", "style", "head", "title", "noscript", "template", "svg", "object"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP_TAGS:
            self.skipping += 1
        elif tag in _BLOCK_TAGS:
            self.chunks.append("\n")
        if tag == "li":
            self.chunks.append("- ")
        if tag == "td":
            self.chunks.append(" ")

    def handle_endtag(self, tag):
        if tag in _SKIP_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.chunks.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.chunks.append(re.sub(r"\s+", " ", data))


def _sanitisable(source: str) -> bool:
    """Sanitising cost grows faster than the size with deep nesting: bound both."""
    return len(source) <= MAX_HTML and source.count("<") <= MAX_HTML_TAGS


def html_to_text(source: str) -> str:
    """Readable text of an HTML body: blocks on their own lines, scripts and styles dropped."""
    parser = _TextExtractor()
    try:
        parser.feed(source[:MAX_HTML_TEXT])
        parser.close()
    except Exception:  # HTMLParser is lenient; fall back to stripping tags
        return html.unescape(re.sub(r"<[^>]*>", " ", source))
    lines = (line.strip() for line in "".join(parser.chunks).splitlines())
    return _normalise_text("\n".join(lines))


_SAFE_TAGS = (nh3.ALLOWED_TAGS - {"img"}) | {"font", "center"}
_SAFE_ATTRIBUTES = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items() if tag != "img"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align"},
}
_IMG = re.compile(r"<img\b", re.IGNORECASE)


def sanitise_html(source: str) -> tuple[str, int]:
    """nh3-cleaned HTML with every image removed (none is loaded), and how many there were.

    Images go entirely: a remote one is a tracking pixel, a cid: one points at an attachment
    that is not kept, and the page's CSP would block a data: one anyway.
    """
    images = len(_IMG.findall(source))
    try:
        cleaned = nh3.clean(
            source,
            tags=_SAFE_TAGS,
            attributes=_SAFE_ATTRIBUTES,
            url_schemes={"http", "https", "mailto", "tel"},
            link_rel="noopener noreferrer nofollow",
            strip_comments=True,
        )
    except Exception:  # nh3 panics surface as exceptions; text is still shown
        return "", images
    return cleaned.strip(), images
