"""The message page tells the truth about what was read (issue 16, section 6): a damaged
message shows its text and says why, a pause is offered as On hold and never as Mark
rejected, kinds have plain labels, and a forward's time without a zone is not made UTC."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from inbox import services
from inbox.mime import UNSPLIT
from inbox.models import Kind, ReceivedMessage
from inbox.understanding import KINDS
from interviews.models import ApplicationStatus
from tests.factories import CandidateFactory
from tests.inbox.conftest import make_email

pytestmark = pytest.mark.django_db

BROKEN = (
    b"From: Priya Raman <priya.raman@northwind.io>\r\n"
    b"To: owner@example.com\r\n"
    b"Subject: Your application at Northwind\r\n"
    b"Date: Thu, 03 Dec 2026 17:05:00 +0100\r\n"
    b"Message-ID: <broken-1@northwind.io>\r\n"
    b"MIME-Version: 1.0\r\n"
    b'Content-Type: multipart/mixed; boundary="X"\r\n'
    b"\r\n"
    b"Dear Anna,\r\n\r\nAfter careful consideration we have decided to move forward with\r\n"
    b"other candidates.\r\n"
)


def receive(owner, raw: bytes) -> ReceivedMessage:
    return services.receive(owner=owner, raw=raw, source="upload").message


def test_a_damaged_message_shows_what_could_be_read_and_says_why(owner_client, owner):
    message = receive(owner, BROKEN)
    page = owner_client.get(message.get_absolute_url()).content.decode()
    assert "decided to move forward with" in page
    assert UNSPLIT in page
    assert 'badge text-bg-info">Rejection<' in page


def test_a_pause_after_a_polite_regret_offers_on_hold_not_mark_rejected(
    owner_client, owner, application
):
    raw = make_email(
        body="Hi Anna,\n\nUnfortunately, we regret to inform you that the position is "
        "currently on hold. I will update you as soon as I hear more.\n\nPriya"
    )
    message = receive(owner, raw)
    services.message_file(message=message, application=application)
    page = owner_client.get(message.get_absolute_url()).content.decode()
    assert 'value="on_hold"' in page
    assert 'value="reject"' not in page
    assert ">On hold<" in page  # the badge
    owner_client.post(reverse("inbox_message_act", args=[message.pk]), {"action": "on_hold"})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ON_HOLD


def test_kinds_have_plain_labels_on_the_list_the_page_and_the_admin_filter(
    owner_client, owner, client
):
    message = receive(owner, make_email(body="We will get back to you by Friday."))
    assert message.kind == "decision_date"
    shown = [
        owner_client.get(reverse("inbox")).content.decode(),
        owner_client.get(message.get_absolute_url()).content.decode(),
    ]
    admin = CandidateFactory(email="admin@example.com", is_staff=True, is_superuser=True)
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    shown.append(client.get(reverse("admin:inbox_receivedmessage_changelist")).content.decode())
    for page in shown:
        assert "Decision date" in page
        assert "Decision_date" not in page and "decision_date<" not in page


def hand_forward(outer_date: str | None) -> bytes:
    outer = f"Date: {outer_date}\r\n" if outer_date else ""
    return (
        "From: Owner <owner@example.com>\r\nTo: in+abc@inbound.example\r\n"
        f"Subject: Fwd: Next steps\r\n{outer}Message-ID: <fwd-{outer_date is None}@x>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "FYI\r\n\r\n---------- Forwarded message ---------\r\n"
        "From: Priya Raman <priya.raman@northwind.io>\r\n"
        "Date: Thu, 3 Dec 2026 at 17:05\r\nSubject: Next steps\r\n"
        "To: Owner <owner@example.com>\r\n\r\n\r\n"
        "Hi, we will get back to you by Friday.\r\n"
    ).encode()


def test_a_forwarded_time_without_a_zone_uses_the_forwards_zone_or_says_it_is_unknown(
    owner_client, owner
):
    zoned = receive(owner, hand_forward("Thu, 03 Dec 2026 18:30:00 +0100"))
    assert zoned.written_at == datetime(2026, 12, 3, 16, 5, tzinfo=UTC)
    assert zoned.problems == []
    unzoned = receive(owner, hand_forward(None))
    assert unzoned.written_at is None
    page = owner_client.get(unzoned.get_absolute_url()).content.decode()
    assert "with no time zone" in page and "is not known" in page


def test_every_kind_the_reader_gives_has_a_label():
    assert set(Kind.values) == set(KINDS)
    assert all("_" not in label for label in Kind.labels)
