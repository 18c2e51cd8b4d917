"""The reminder email: one per candidate per dispatch, text and HTML from templates.

The bodies are those of ``templates/emails/reminder-{subject,body-text,body-html}.html``,
written in Python (``subject_of``, ``text_body``, ``html_body``; tested to match the
templates character for character).

It carries what well-kept automated mail carries: ``Auto-Submitted: auto-generated``
(RFC 3834: no auto-replies to it), a ``List-Unsubscribe`` link that pauses every reminder
email of the account and, when that link is https, ``List-Unsubscribe-Post`` so that mail
clients offer a one-click "unsubscribe" (RFC 8058, which defines it for https only); and a
footer saying why the email came and how to stop it.

Sending (``send_reminder_email``): over Django's own SMTP backend the message is written as
bytes here (``ReminderEmail.smtp_bytes``), not by Django's ``EmailMessage.message()``: that
builds the message with the modern email policy, whose header parsing and folding and MIME
content manager cost more than rendering the templates (about 2.5 ms an email, see
bench/dispatch.py). The bytes carry the same headers and the same two bodies
(tests/reminders/test_emails_fast_path.py parses both and compares them); every other
backend (console, file, locmem in development and tests, or a subclass of the SMTP backend
that changes how it sends) gets Django's message, as does an address this writer does not
handle (one that is not plain ASCII).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import functools
import html
import random
import re
import smtplib
from collections import deque
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, make_msgid

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.utils import DNS_NAME
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import formats, timezone
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR
from django.utils.html import conditional_escape
from django.utils.translation import get_language

from notes.models import Note
from reminders import rules
from reminders.links import make_token, unsubscribe_path

LATE_AFTER = timedelta(hours=1)

# What the candidate writes to act on each rule (notes.models.CorrespondenceKind values).
NOTE_KINDS = {
    "R2": {"thank_you"},
    "R3": {"thank_you"},
    "R5": {"value_add"},
    "R6": {"status_check"},
    "R7": {"check_in", "status_check"},
    "R8": {"value_add"},
    "R9": {"rejection_reply"},
    "R10": {"openings_inquiry"},
    "R11": {"stay_in_touch"},
    "R12": {"work_product"},
}
NOTE_CHANNELS = {"R2": {"email"}, "R3": {"card", "letter"}}


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def unsent_drafts(followups) -> list[Note]:
    """Every unsent note of the applications concerned, newest first, in one query (the
    dispatcher reads them once for a whole claim and passes them to each email)."""
    return list(
        Note.objects.filter(
            application_id__in={f.application_id for f in followups}, sent_at__isnull=True
        ).order_by("-updated_at", "-id")
    )


def ready_draft(followup, drafts: list[Note]) -> Note | None:
    """The note the candidate has started for this follow-up, if any."""
    kinds = NOTE_KINDS.get(followup.rule)
    if not kinds:
        return None
    channels = NOTE_CHANNELS.get(followup.rule)
    for note in drafts:
        if (
            note.application_id == followup.application_id
            and note.kind in kinds
            and (channels is None or note.channel in channels)
            and (followup.interviewer_id is None or note.interviewer_id == followup.interviewer_id)
            and note.interview_id in (None, followup.interview_id or note.interview_id)
            and note.body.strip()
        ):
            return note
    return None


def open_path(followup, draft: Note | None, where: tuple[str, object] | None = None) -> str:
    """Where acting on the reminder starts: the draft, the debrief, the notes, the plan.

    The paths of ``Note.get_absolute_url`` and ``FollowUp.get_absolute_url``, and of the
    debrief, notes and interviewer pages, each reversed once (``_path``); ``where`` is the
    script prefix and URLconf they are reversed for (default: the thread's).
    """
    where = where or _where()
    if draft is not None:
        return _path("note_edit", draft.pk, where)
    if followup.rule == "R1" and followup.interview_id:
        return _path("debrief", followup.interview_id, where)
    if followup.rule in ("R2", "R3") and followup.interview_id:
        return _path("interview_notes", followup.interview_id, where)
    if followup.rule == "R13" and followup.interviewer_id:
        return _path("interviewer_edit", followup.interviewer_id, where)
    if followup.interview_id:
        return _path("interview_detail", followup.interview_id, where)
    return _path("application_detail", followup.application_id, where)


def _where() -> tuple[str, object]:
    """What a reversed path depends on besides its arguments: the script prefix of the
    thread and the URLconf."""
    return get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF


def _path(name: str, pk: int, where: tuple[str, object]) -> str:
    head, tail = _around_id(name, *where)
    return f"{head}{int(pk)}{tail}"


# An id no row has, to find where the id goes in a reversed path.
_ID_MARKER = 9_081_726_354_453_627_189


@functools.lru_cache(maxsize=64)
def _around_id(name: str, script_prefix: str, urlconf) -> tuple[str, str]:
    path = reverse(name, args=[_ID_MARKER], urlconf=urlconf)
    head, found, tail = path.partition(str(_ID_MARKER))
    if not found or str(_ID_MARKER) in tail:
        raise ImproperlyConfigured(f"{name} does not take one id where expected: {path}")
    return head, tail


# Dates in the emails, in the candidate's zone (``build_reminder_email`` activates it).
WHEN = "D j M, H:i"
DAY = "D j M"


def _date(moment: datetime | None, fmt: str) -> str:
    """As the ``date`` template filter writes it (``formats.date_format`` in the zone of
    now), once for both bodies. WHEN and DAY are written here from the active language's
    day and month names, as DateFormat writes D, j, M, H and i (Django's DateFormat
    costs about 0.05 ms a date, four or five dates an email); other formats are Django's."""
    if not moment:
        return ""
    local = timezone.localtime(moment)
    if fmt not in (WHEN, DAY):
        return formats.date_format(local, fmt)
    days, months = _calendar_names(get_language())
    day = f"{days[local.weekday()]} {local.day} {months[local.month - 1]}"
    return day if fmt == DAY else f"{day}, {local.hour:02d}:{local.minute:02d}"


@functools.lru_cache(maxsize=16)
def _calendar_names(language: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    # Called while ``language`` is active: DateFormat's D (WEEKDAYS_ABBR) and M (MONTHS_3,
    # title-cased) in it.
    return (tuple(str(WEEKDAYS_ABBR[day]) for day in range(7)),
            tuple(str(MONTHS_3[month]).title() for month in range(1, 13)))


def reminder_items(followups, now: datetime, drafts: list[Note] | None = None) -> list[dict]:
    """What the templates show of each follow-up, as ready strings: the templates only put
    them in place (and escape them in the HTML body), so the work is done once for both."""
    items = []
    drafts = unsent_drafts(followups) if drafts is None else drafts
    where = _where()
    prefixes = {action: _link_prefix(action, settings.SITE_URL, *where)
                for action in ("done", "snooze", "dismiss")}
    for followup in followups:
        draft = ready_draft(followup, drafts)
        rule = followup.definition
        application = followup.application
        interviewer = followup.interviewer if followup.interviewer_id else None
        late = now - followup.due_at > LATE_AFTER
        closes = rules.window_closes(
            followup.rule, followup.interview.ends_at if followup.interview_id else None
        )
        items.append(
            {
                "followup": followup,
                "rule": rule,
                "rule_id": followup.rule,
                "title": rule.title,
                "reason": rule.reason,
                "source": rule.source,
                "person": interviewer.name if interviewer else "",
                "where": f"{application.role_title} at {application.company}",
                "late": late,
                "late_since": _date(followup.due_at, WHEN) if late else "",
                "closes": _date(closes, WHEN),
                "postponed_from": _date(followup.postponed_from, DAY),
                "open_url": _absolute(open_path(followup, draft, where)),
                "links": _action_links(followup.pk, followup.owner_id, prefixes),
                "draft": draft,
            }
        )
    return items


def _action_links(followup_id: int, owner_id: int,
                  prefixes: dict[str, str] | None = None) -> dict[str, str]:
    """Done, Snooze and Dismiss: each link signed on its own (``links.make_token``), on the
    path ``links.action_path`` reverses, reversed once per action rather than per link
    (``prefixes``: those of ``_link_prefix`` for each action, looked up once an email)."""
    if prefixes is None:
        prefixes = {action: _link_prefix(action, settings.SITE_URL, *_where())
                    for action in ("done", "snooze", "dismiss")}
    return {
        action: f"{prefixes[action]}"
        f"{make_token(followup_id=followup_id, owner_id=owner_id, action=action)}/"
        for action in ("done", "snooze", "dismiss")
    }


_MARKER = "MARKER"


@functools.lru_cache(maxsize=32)
def _link_prefix(action: str, site_url: str, script_prefix: str, urlconf) -> str:
    # Everything the reversed path depends on is in the key (the script prefix of the
    # thread, the URLconf) and the site's address: tests that change them get new links.
    path = reverse("followup_link", args=[action, _MARKER], urlconf=urlconf)
    if not path.endswith(f"/{_MARKER}/"):
        raise ImproperlyConfigured(f"followup_link no longer ends with the token: {path}")
    return f"{site_url}{path[: -len(_MARKER) - 1]}"


def _one_line(text: str) -> str:
    # Header values must never carry a line break (header injection); user text such as a
    # company name can, so the subject is collapsed onto one line.
    return " ".join(text.split())


def list_headers(*, owner_id: int) -> dict[str, str]:
    """The headers of automated mail, with the account's own unsubscribe link."""
    unsubscribe_url = _absolute(unsubscribe_path(owner_id=owner_id))
    headers = {
        "Auto-Submitted": "auto-generated",
        "List-Unsubscribe": f"<{unsubscribe_url}>",
    }
    if unsubscribe_url.startswith("https://"):
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return headers


class ReminderEmail(EmailMultiAlternatives):
    """Django's email with one text and one HTML body, which can also write itself as the
    bytes an SMTP server is sent (``smtp_bytes``) without Django's modern-policy message."""

    # The bytes once written (``prepare``), for an email written ahead of its turn.
    prepared: bytes | None = None

    def prepare(self) -> None:
        """Write the bytes now, while waiting for something else; ``smtp_bytes`` returns
        them from then on (Date: and Message-ID: are of this moment)."""
        self.prepared = self._smtp_bytes()

    def smtp_bytes(self) -> bytes | None:
        """The message as sent over SMTP, or None when only Django's message will do (an
        address or header this writer does not handle; then ``message()`` is used)."""
        return self.prepared if self.prepared is not None else self._smtp_bytes()

    def _smtp_bytes(self) -> bytes | None:
        if len(self.to) != 1 or self.cc or self.bcc or self.reply_to or self.attachments:
            return None
        if len(self.alternatives) != 1 or self.alternatives[0][1] != "text/html":
            return None
        to = self.to[0]
        from_line = _from_line(str(self.from_email))
        if from_line is None or not _PLAIN_ADDRESS.fullmatch(to):
            return None
        names = {name.lower() for name in self.extra_headers}
        if names & {"from", "to", "cc", "reply-to", "bcc", "subject", "mime-version",
                    "content-type", "content-transfer-encoding"}:
            return None
        lines = [
            b"MIME-Version: 1.0",
            b"Content-Type: multipart/alternative;",
            b' boundary="' + (boundary := _boundary()) + b'"',
            b"Subject: " + _subject(str(self.subject)),
            from_line,
            b"To: " + to.encode("ascii"),
        ]
        if "date" not in names:
            zone = timezone.get_current_timezone() if settings.EMAIL_USE_LOCALTIME else UTC
            lines.append(b"Date: " + format_datetime(datetime.now(zone)).encode("ascii"))
        if "message-id" not in names:
            lines.append(b"Message-ID: " + make_msgid(domain=DNS_NAME).encode("ascii"))
        for name, value in self.extra_headers.items():
            line = f"{name}: {value}"
            if not _PLAIN_HEADER.fullmatch(line):
                return None
            lines.append(line.encode("ascii"))
        separator = b"--" + boundary
        return b"\r\n".join([
            *lines, b"",
            separator, *_part("plain", str(self.body)),
            separator, *_part("html", str(self.alternatives[0][0])),
            separator + b"--", b"",
        ])


# An address this writer puts in To: as it is: ASCII, one @, nothing to quote or encode.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_PLAIN_ADDRESS = re.compile(rf"(?=.{{3,254}}$){_ATEXT}(?:\.{_ATEXT})*@{_LABEL}(?:\.{_LABEL})*")
# A header line written as it is: printable ASCII on one line, within SMTP's 998 octets.
_PLAIN_HEADER = re.compile(r"[A-Za-z0-9-]{1,76}: [ -~]{0,900}")


@functools.lru_cache(maxsize=16)
def _from_line(from_email: str) -> bytes | None:
    """The From: line of ``from_email`` (DEFAULT_FROM_EMAIL), written once by the email
    library itself, as Django writes it; None for what Django alone should handle."""
    from email.message import EmailMessage
    from email.policy import SMTP

    if not from_email.isascii() or not _sender(from_email):
        return None
    header = EmailMessage(policy=SMTP)
    try:
        header["From"] = from_email
        line = header.as_bytes().split(b"\r\n\r\n")[0]
    except (ValueError, TypeError):
        return None
    return line if line.startswith(b"From: ") else None


@functools.lru_cache(maxsize=16)
def _sender(from_email: str) -> str:
    """The envelope sender of ``from_email``, as Django's SMTP backend makes it."""
    try:
        return SMTPBackend.prep_address(None, from_email)
    except (ValueError, TypeError):
        return ""


def _subject(subject: str) -> bytes:
    """The value of Subject:: as it is when short plain ASCII, else RFC 2047 encoded words
    (base64 of UTF-8, never splitting a character), one word a line: lines within 78
    octets, "Subject: " included."""
    if subject.isascii() and len(subject) <= 60 and "=?" not in subject and (
        subject.isprintable()
    ):
        return subject.encode("ascii")
    words, chunk = [], b""
    for character in subject:
        encoded = character.encode("utf-8")
        if len(chunk) + len(encoded) > 39:  # 52 base64 characters: a word of 64
            words.append(chunk)
            chunk = b""
        chunk += encoded
    words.append(chunk)
    return b"\r\n ".join(b"=?utf-8?b?" + base64.b64encode(word) + b"?=" for word in words)


def _boundary() -> bytes:
    # As the email library makes them; quoted-printable bodies never hold "==".
    return b"===============%019d==" % random.randrange(10**18, 10**19)


def _part(subtype: str, body: str) -> list[bytes]:
    """A text part: UTF-8, quoted-printable (lines within 76 octets), CRLF line ends."""
    # Lines end where the email library ends them (bytes.splitlines: CR, LF, CRLF only);
    # the body's own last line end stays in the part, before the delimiter's CRLF.
    text = b"\r\n".join(body.encode("utf-8").splitlines()) + b"\r\n"
    return [
        b'Content-Type: text/%s; charset="utf-8"' % subtype.encode("ascii"),
        b"Content-Transfer-Encoding: quoted-printable",
        b"",
        binascii.b2a_qp(text, istext=True),
    ]


def send_reminder_email(message: EmailMultiAlternatives, connection=None, *,
                        while_waiting: Iterable[Callable[[], object]] = ()) -> None:
    """Send ``message`` over ``connection`` (default: the default mailer).

    Over Django's SMTP backend, as it is (not a subclass that changes how it sends), the
    bytes of ``ReminderEmail.smtp_bytes`` go over the backend's connection; anything else
    is sent by the backend from Django's message. Errors are the backend's: an
    ``smtplib.SMTPException`` or ``OSError`` from the server, as with ``send_messages``.

    ``while_waiting``: work to do while the SMTP server answers (``overlaps``), one job at
    each of its replies, in order (None: none at that reply), the first before the reply
    to the first command (EHLO or MAIL), so always before the message is sent: the
    exchange is smtplib's own, each reply is only read after a job rather than idled for.
    The replies of one email are those to MAIL, RCPT, DATA and the message itself (the
    longest wait: the server reads the whole message). Jobs the exchange had no reply
    left for run after it; when the email
    is not sent over the fast path, every job runs before it is sent. An SMTP error stops
    the jobs (those not run are dropped); an error of a job ends the exchange, closes the
    connection (it is left in the middle of a mail transaction) and propagates.
    """
    if connection is None:
        from django.core.mail import mailers

        connection = mailers.default
    jobs = deque(while_waiting)
    raw = (
        message.smtp_bytes()
        if isinstance(message, ReminderEmail) and _plain_smtp(connection) else None
    )
    if raw is None:
        _run(jobs)
        connection.send_messages([message])
        return
    with connection._lock:
        created = connection.open()
        if not connection.connection or created is None:  # failed silently on open()
            _run(jobs)
            return
        smtp = connection.connection
        if jobs:
            smtp.getreply = functools.partial(_job_then_reply, jobs, smtp.getreply)
        try:
            smtp.sendmail(_sender(str(message.from_email)), message.to, raw)
        except smtplib.SMTPException:
            jobs.clear()
            if not connection.fail_silently:
                raise
        except BaseException:
            # A job failed: the transaction is half done; the next email opens afresh.
            jobs.clear()
            with contextlib.suppress(smtplib.SMTPException, OSError):
                connection.close()
            raise
        finally:
            smtp.__dict__.pop("getreply", None)
            if created:
                connection.close()
    _run(jobs)


def _job_then_reply(jobs: deque, getreply: Callable[[], tuple[int, bytes]]):
    if jobs and (job := jobs.popleft()) is not None:
        job()
    return getreply()


def _run(jobs: deque) -> None:
    while jobs:
        if (job := jobs.popleft()) is not None:
            job()


def overlaps(connection) -> bool:
    """Whether ``send_reminder_email`` does its ``while_waiting`` jobs while this
    connection's SMTP server answers (Django's own SMTP backend), not before sending."""
    return _plain_smtp(connection)


def _plain_smtp(connection) -> bool:
    kind = type(connection)
    return isinstance(connection, SMTPBackend) and all(
        getattr(kind, name) is getattr(SMTPBackend, name)
        for name in ("send_messages", "_send", "prep_address")
    )


def build_reminder_email(*, owner, followups, now: datetime,
                         drafts: list[Note] | None = None) -> ReminderEmail:
    headers = list_headers(owner_id=owner.pk)
    # The worker has no request to activate the candidate's zone: times in the email would
    # read as UTC without this.
    with timezone.override(owner.zone):
        context = {
            "owner": owner,
            "items": reminder_items(followups, now, drafts),
            "any_late": any(now - f.due_at > LATE_AFTER for f in followups),
            "site_url": settings.SITE_URL,
            "settings_url": _absolute(_settings_path(*_where())),
            "unsubscribe_url": headers["List-Unsubscribe"][1:-1],
        }
        subject = _one_line(subject_of(context))
        text = text_body(context)
        html = html_body(context)
    message = ReminderEmail(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[owner.email],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    return message


@functools.lru_cache(maxsize=8)
def _settings_path(script_prefix: str, urlconf) -> str:
    # The script prefix and the URLconf are the key, as for _link_prefix.
    return reverse("reminder_settings", urlconf=urlconf)


# --- The bodies -----------------------------------------------------------------------------
#
# What ``templates/emails/reminder-{subject,body-text,body-html}.html`` render, written as
# Python: the three templates cost about half a millisecond an email in Django's engine,
# more than signing every link. The templates stay the reference:
# tests/reminders/test_emails_bodies.py renders both for emails of every shape (late,
# drafts with and without a subject, windows, postponements, one item or several, text
# that needs escaping) and compares them character for character; change both together.


def subject_of(context: dict) -> str:
    """reminder-subject.html."""
    items = context["items"]
    late = "[Late] " if context["any_late"] else ""
    if len(items) != 1:
        return f"{late}{len(items)} follow-ups to do today\n"
    item = items[0]
    followup = item["followup"]
    person = f" — {followup.interviewer.name}" if followup.interviewer else ""
    return f"{late}{item['rule'].title}{person} ({followup.application.company})\n"


def text_body(context: dict) -> str:
    """reminder-body-text.html (autoescape off)."""
    owner = context["owner"]
    parts = [f"Hello {owner},\n\n"]
    if context["any_late"]:
        parts.append("Some of these were due earlier and are arriving late; they are still "
                     "worth doing.\n\n")
    for counter, item in enumerate(context["items"], 1):
        parts.append(f"{counter}. {item['title']}")
        if item["person"]:
            parts.append(f" — for {item['person']}")
        if item["late"]:
            parts.append(f" [late: was due {item['late_since']}]")
        parts.append(f"\n   {item['where']}\n"
                     f"   Why: {item['reason']} ({item['rule_id']}, seed {item['source']})\n")
        if item["closes"]:
            parts.append(f"   Its window closes {item['closes']}: do it before then.\n")
        if item["postponed_from"]:
            parts.append(f"   Postponed from {item['postponed_from']} so you never reach out "
                         "more than once a week.\n")
        if draft := item["draft"]:
            subject = f" (subject: {draft.subject})" if draft.subject else ""
            parts.append(f"\n   Your draft, ready to check and send{subject}:\n   ----\n"
                         f"{draft.body}\n   ----\n")
        links = item["links"]
        parts.append(f"\n   Open in the app: {item['open_url']}\n"
                     f"   Done: {links['done']}\n"
                     f"   Snooze 2 days: {links['snooze']}\n"
                     f"   Dismiss: {links['dismiss']}\n\n")
    parts.append(
        "--\nWhy you get this email: you have an account on Follow-up "
        f"({context['site_url']}) as {owner.email}, and reminder emails are switched on. "
        "Each reminder comes from the follow-up plan of an application you logged.\n"
        "Stop all reminder emails (one click, you can switch them back on): "
        f"{context['unsubscribe_url']}\n"
        f"Choose when and which reminders you get: {context['settings_url']}\n\n"
    )
    return "".join(parts)


def _e(value) -> str:
    """A value as the template engine writes it with autoescape on (conditional_escape)."""
    if type(value) is str:
        return html.escape(value)
    return conditional_escape(value if isinstance(value, str) else str(value))


_HTML_HEAD = (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Your follow-ups'
    '</title></head>\n<body style="font-family: system-ui, sans-serif; line-height: 1.5; '
    'color: #212529; max-width: 40rem;">\n'
)
_GREY = "color: #6c757d;"


def html_body(context: dict) -> str:
    """reminder-body-html.html (autoescape on: every value escaped as Django does)."""
    owner = context["owner"]
    parts = [_HTML_HEAD, f"<p>Hello {_e(owner)},</p>\n"]
    if context["any_late"]:
        parts.append("<p><strong>Some of these were due earlier and are arriving late"
                     "</strong>; they are still worth doing.</p>")
    parts.append("\n")
    for item in context["items"]:
        parts.append(
            '\n<div style="border: 1px solid #dee2e6; border-radius: 6px; padding: 12px 16px; '
            'margin: 0 0 16px;">\n  <h2 style="font-size: 1.1rem; margin: 0 0 4px;">'
            f"{_e(item['title'])}"
        )
        if item["person"]:
            parts.append(f" — for {_e(item['person'])}")
        if item["late"]:
            parts.append(f' <span style="color: #b02a37;">(late: was due '
                         f"{_e(item['late_since'])})</span>")
        parts.append(
            f'</h2>\n  <p style="margin: 0 0 4px;">{_e(item["where"])}</p>\n'
            f'  <p style="margin: 0 0 4px; {_GREY}">Why: {_e(item["reason"])} '
            f'({_e(item["rule_id"])}, seed {_e(item["source"])})</p>\n  '
        )
        if item["closes"]:
            parts.append(f'<p style="margin: 0 0 4px;"><strong>Its window closes '
                         f"{_e(item['closes'])}</strong>: do it before then.</p>")
        parts.append("\n  ")
        if item["postponed_from"]:
            parts.append(f'<p style="margin: 0 0 4px; {_GREY}">Postponed from '
                         f"{_e(item['postponed_from'])} so you never reach out more than once "
                         "a week.</p>")
        parts.append("\n  ")
        draft = item["draft"]
        if draft:
            subject = f" — subject: {_e(draft.subject)}" if draft.subject else ""
            parts.append(
                '<p style="margin: 8px 0 4px;"><strong>Your draft, ready to check and send'
                f"</strong>{subject}</p>\n"
                '  <pre style="white-space: pre-wrap; font-family: inherit; background: '
                '#f8f9fa; padding: 8px 12px; border-radius: 4px; margin: 0;">'
                f"{_e(draft.body)}</pre>"
            )
        links = item["links"]
        parts.append(
            '\n  <p style="margin: 8px 0 0;">\n'
            f'    <a href="{_e(item["open_url"])}">'
            f"{'Open your draft' if draft else 'Open in the app'}</a> ·\n"
            f'    <a href="{_e(links["done"])}">Done</a> ·\n'
            f'    <a href="{_e(links["snooze"])}">Snooze 2 days</a> ·\n'
            f'    <a href="{_e(links["dismiss"])}">Dismiss</a>\n  </p>\n</div>\n'
        )
    parts.append(
        '\n<hr style="border: 0; border-top: 1px solid #dee2e6; margin: 24px 0 8px;">\n'
        f'<p style="{_GREY} font-size: .9rem; margin: 0 0 4px;">Why you get this email: you '
        f'have an account on <a href="{_e(context["site_url"])}">Follow-up</a> as '
        f"{_e(owner.email)}, and reminder emails are switched on. Each reminder comes from "
        "the follow-up plan of an application you logged.</p>\n"
        f'<p style="{_GREY} font-size: .9rem; margin: 0;"><a '
        f'href="{_e(context["unsubscribe_url"])}">Stop all reminder emails</a> (you can '
        f'switch them back on) · <a href="{_e(context["settings_url"])}">Choose when and '
        "which reminders you get</a></p>\n</body></html>\n"
    )
    return "".join(parts)
