"""The reminder email's own SMTP bytes (``ReminderEmail.smtp_bytes``) say what Django's
message says: the same headers, the same text and HTML bodies, links signed as before.

Over Django's SMTP backend the dispatcher sends those bytes instead of Django's
modern-policy message (its cost, bench/dispatch.py); every other backend, a subclass of the
SMTP backend that changes how it sends, and an address the writer does not handle get
Django's message. Messages are compared after parsing both with the email library, and at a
real SMTP server (aiosmtpd, ``smtp_sink``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.utils import parsedate_to_datetime

import pytest
from django.core import mail
from django.core.mail.backends.smtp import EmailBackend
from django.urls import set_script_prefix

from interviews.models import Candidate
from reminders import emails, links, services
from reminders.emails import ReminderEmail, build_reminder_email, send_reminder_email
from reminders.models import FollowUp
from tests.reminders.conftest import log_interview

CURRENT_TIME = datetime(2026, 11, 18, 15, 30, tzinfo=UTC)
EVENING = datetime(2026, 11, 18, 18, 5, tzinfo=UTC)
SITE = "https://followup.example"
# Django writes these itself each time (random or the clock): compared for form only.
OWN_EACH_TIME = {"date", "message-id"}


@pytest.fixture(autouse=True)
def _frozen_time(time_machine, settings):
    time_machine.move_to(CURRENT_TIME, tick=False)
    settings.SITE_URL = SITE


def _message(owner: Candidate, *, company: str = "Acme Analytics") -> ReminderEmail:
    logged = log_interview(owner, company=company)
    logged.ada.name = "Zoë Ångström-Łukasiewicz"
    logged.ada.save(update_fields=["name"])
    services.plan_application(application_id=logged.application.pk)
    rows = list(FollowUp.objects.due(EVENING).filter(owner=owner).select_related(
        "owner", "application", "interview", "interviewer"
    ))
    assert len(rows) > 1
    return build_reminder_email(owner=owner, followups=rows, now=EVENING)


def _parsed(raw: bytes):
    message = message_from_bytes(raw, policy=policy.default)
    assert not message.defects
    assert all(not part.defects for part in message.walk())
    return message


def _assert_same(fast, django, *, subject: str, django_decodes_it: bool = True) -> None:
    """The two parsed messages carry the same headers and the same two bodies."""
    names = {name.lower() for name in django}
    assert {name.lower() for name in fast} == names
    for name in names - OWN_EACH_TIME - {"subject", "content-type"}:
        assert str(fast[name]) == str(django[name]), name
    # The subject exactly as written (Django's folding may add spaces between the encoded
    # words of a long unicode subject; the words are the same).
    assert str(fast["Subject"]) == subject
    if django_decodes_it:
        assert str(django["Subject"]).split() == subject.split()
    assert fast.get_content_type() == django.get_content_type() == "multipart/alternative"
    assert parsedate_to_datetime(str(fast["Date"])).tzinfo is not None
    assert str(fast["Message-ID"]).startswith("<") and "@" in str(fast["Message-ID"])
    for kind in ("plain", "html"):
        ours, theirs = fast.get_body((kind,)), django.get_body((kind,))
        assert ours.get_content_type() == theirs.get_content_type() == f"text/{kind}"
        assert ours.get_content_charset() == theirs.get_content_charset() == "utf-8"
        assert ours.get_content() == theirs.get_content()
    assert [p.get_content_type() for p in fast.walk()] == [
        p.get_content_type() for p in django.walk()
    ]


def test_fast_path_parses_to_the_same_headers_and_bodies_as_djangos_message(owner):
    message = _message(owner, company="Société Générale — R&D <Paris>")
    message.subject = "Send a thank-you email — Zoë Ångström (Société Générale — R&D <Paris>)"

    fast = _parsed(message.smtp_bytes())
    django = _parsed(message.message(policy=policy.SMTP).as_bytes())

    _assert_same(fast, django, subject=message.subject)
    assert fast["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert fast["Auto-Submitted"] == "auto-generated"
    text = fast.get_body(("plain",)).get_content()
    html = fast.get_body(("html",)).get_content()
    assert "Zoë Ångström-Łukasiewicz" in text and "Zoë Ångström-Łukasiewicz" in html
    assert "Société Générale — R&D <Paris>" in text
    assert "Société Générale — R&amp;D &lt;Paris&gt;" in html


@pytest.mark.parametrize("subject", [
    "Short and plain",
    "A plain ASCII subject that is long enough to need folding over more than one line",
    "Merci — Zoë Ångström: a long unicode subject with an emoji 😀 to fold, 😀😀😀 and more",
    "=?utf-8?q?looks_encoded?= but is not",
])
def test_fast_path_subject_is_encoded_and_folded_as_written(owner, subject):
    message = _message(owner)
    message.subject = subject

    raw = message.smtp_bytes()

    head = raw.split(b"\r\n\r\n")[0]
    assert all(len(line) <= 78 for line in head.split(b"\r\n") if line.startswith(b"Subject"))
    assert head.isascii()
    # Django leaves text that looks like an encoded word as it is, so that a mail client
    # decodes it; here it is encoded, and reads as written.
    _assert_same(_parsed(raw), _parsed(message.message(policy=policy.SMTP).as_bytes()),
                 subject=subject, django_decodes_it="=?" not in subject)


def test_fast_path_bodies_keep_long_lines_trailing_spaces_and_blank_lines(owner):
    message = _message(owner)
    text = "Line one   \n\n" + "word " * 80 + "\n.leading dot\nlast line with trailing space \n\n"
    message.body = text
    message.alternatives = [type(message.alternatives[0])(f"<p>{text}</p>", "text/html")]

    raw = message.smtp_bytes()

    body = raw.split(b"\r\n\r\n", 1)[1]
    assert all(len(line) <= 78 for line in body.split(b"\r\n"))
    fast = _parsed(raw)
    # Lines end in CRLF on the wire; the text itself is as written.
    assert fast.get_body(("plain",)).get_content().replace("\r\n", "\n") == text
    _assert_same(fast, _parsed(message.message(policy=policy.SMTP).as_bytes()),
                 subject=message.subject)


@pytest.mark.parametrize("to", ["zoë@example.com", "owner@bücher.example", "a b@example.com",
                                "owner@example.com\r\nBcc: victim@example.com"])
def test_an_address_the_writer_does_not_handle_gets_djangos_message(owner, to):
    message = _message(owner)
    message.to = [to]
    assert message.smtp_bytes() is None


def test_a_header_with_a_line_break_gets_djangos_message(owner):
    message = _message(owner)
    message.extra_headers["X-Note"] = "one\r\nBcc: victim@example.com"
    assert message.smtp_bytes() is None


def test_action_links_are_the_signed_links_of_links_action_path(owner):
    message = _message(owner)
    rows = FollowUp.objects.due(EVENING).filter(owner=owner)
    for row in rows:
        made = emails._action_links(row.pk, owner.pk)
        for action, url in made.items():
            path = links.action_path(followup_id=row.pk, owner_id=owner.pk, action=action)
            assert url == f"{SITE}{path}"
            assert url in message.body
            token = url.rstrip("/").rsplit("/", 1)[1]
            assert links.read_token(token, action=action) == links.LinkPayload(row.pk, owner.pk)
    # The reversed prefix follows the script prefix of the thread (a deployment under /app/).
    set_script_prefix("/app/")
    try:
        url = emails._action_links(rows[0].pk, owner.pk)["done"]
        assert url.startswith(f"{SITE}/app/r/done/")
    finally:
        set_script_prefix("/")


# --- At a real SMTP server -----------------------------------------------------------------


def test_dispatch_over_the_smtp_backend_sends_the_bytes_not_djangos_message(
    owner, smtp_sink, monkeypatch
):
    logged = log_interview(owner, company="Zoë's Café")
    services.plan_application(application_id=logged.application.pk)

    def not_used(self, *args, **kwargs):
        raise AssertionError("Django's message() is not built on the SMTP fast path")

    monkeypatch.setattr(ReminderEmail, "message", not_used)

    assert services.dispatch_due(now=EVENING) == 1

    (received,) = smtp_sink.messages
    assert received["X-Envelope-To"] == "owner@example.com"
    assert received["To"] == "owner@example.com"
    assert received["Auto-Submitted"] == "auto-generated"
    assert "Zoë's Café" in received.get_body(("plain",)).get_content()
    assert "[Late]" in str(received["Subject"])
    # The unsubscribe URL is written as it is, not as RFC 2047 encoded words (a mail client
    # reads List-Unsubscribe as a URL).
    url = str(received["List-Unsubscribe"])[1:-1]
    assert url.startswith(f"{SITE}/r/unsubscribe/") and "=?" not in url
    assert url in received.get_body(("plain",)).get_content()
    assert FollowUp.objects.filter(owner=owner, status="reminded").exists()


class Recording(EmailBackend):
    """The SMTP backend with its own send_messages: it gets Django's messages."""

    sent: list = []

    def send_messages(self, email_messages):
        type(self).sent.extend(email_messages)
        return super().send_messages(email_messages)


def test_a_subclass_of_the_smtp_backend_and_an_idn_address_get_djangos_message(
    owner, smtp_sink, settings
):
    settings.MAILERS = {"default": {**smtp_sink.mailers()["default"],
                                    "BACKEND": "tests.reminders.test_emails_fast_path.Recording"}}
    Recording.sent = []
    message = _message(owner)
    from django.core.mail import mailers

    send_reminder_email(message, mailers.default)
    assert Recording.sent == [message]

    settings.MAILERS = smtp_sink.mailers()
    message.to = ["owner@bücher.example"]
    send_reminder_email(message, None)  # the default mailer, as dispatch_one without one

    first, second = smtp_sink.messages
    assert first["X-Envelope-To"] == "owner@example.com"
    assert second["X-Envelope-To"] == "owner@xn--bcher-kva.example"  # Django's IDNA encoding


def test_other_backends_get_djangos_message(owner, mailoutbox):
    message = _message(owner)
    send_reminder_email(message, None)
    (sent,) = mail.outbox
    assert isinstance(sent, ReminderEmail)
    assert (sent.subject, sent.to, sent.body) == (message.subject, message.to, message.body)
