"""Mail that cannot be read within the parse budget is kept, and says why (issue 16, 2).

Each way in answers at once with a reason a job seeker can read: the upload page with the
reason, the forwarding server with 250 (tests/inbox/test_smtpd.py); the row is kept as
"could not be read", with the reason on its page and in the list. The worker's unit
(``services.parse_one``) claims a row so two workers never read it at once.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from inbox import budget, services, tasks
from inbox.models import ReceivedMessage, Source
from tests.inbox import hostile
from tests.inbox.conftest import make_email

pytestmark = pytest.mark.django_db


def upload(client, name: str, raw: bytes):
    files = [SimpleUploadedFile(name, raw, content_type="application/octet-stream")]
    return client.post(reverse("inbox_upload"), {"files": files}, follow=True)


@pytest.mark.parametrize(
    ("name", "raw", "reason"),
    [
        ("long.eml", hostile.long_content_type(), "Content-Type header is over 8 KB"),
        ("split.eml", hostile.split_boundary(), "over 1000 parts"),
        ("hello.eml", b"hello, this is not an email", "does not look like an email"),
    ],
)
def test_an_unreadable_upload_is_kept_with_its_reason(owner_client, owner, name, raw, reason):
    page = upload(owner_client, name, raw)
    assert page.status_code == 200
    message = ReceivedMessage.objects.get(owner=owner)
    assert reason in message.unreadable
    assert message.parsed_at is not None and message.problems == [message.unreadable]
    assert f"{name}: {escape(message.unreadable)}".encode() in page.content  # the answer
    assert b"This message could not be read." in page.content  # its page
    listing = owner_client.get(reverse("inbox"))
    assert f"Could not be read: {escape(message.unreadable)}".encode() in listing.content
    if raw.startswith(hostile.HEAD):  # which message it is, from its header block alone
        assert (message.subject, message.sender_email) == (
            "Interview",
            "priya.raman@northwind.io",
        )
        assert b"Interview" in listing.content and b"Priya Raman" in listing.content


def test_a_time_zone_bomb_upload_is_answered_with_a_reason(owner_client, owner):
    page = upload(owner_client, "invite.ics", hostile.time_zone_bomb_ics())
    assert page.status_code == 200
    message = ReceivedMessage.objects.get(owner=owner)
    said = message.unreadable or " ".join(message.problems)
    assert "time zone" in said
    # Its page says there is no text, rather than showing an empty box.
    assert message.unreadable
    shown = owner_client.get(message.get_absolute_url()).content.decode()
    assert "No text could be read from it." in shown
    assert escape(said.split(";")[0]).encode() in page.content


def test_a_reading_over_the_budget_is_kept_with_the_reason(owner, settings):
    settings.INBOX_PARSE_SECONDS = 0.4  # 8 MB of empty lines take over a second to read
    message = services.receive(owner=owner, raw=hostile.newlines(), source=Source.UPLOAD).message
    assert message.unreadable == budget.TOO_SLOW.format(seconds=0.4)
    assert message.parsed_at is not None
    settings.INBOX_PARSE_SECONDS = 30
    services.ingest_one(message=message)  # inbox reparse, with a larger budget
    message.refresh_from_db()
    assert message.unreadable == "" and message.problems == []


def test_a_reading_that_met_a_busy_machine_is_read_again_later_not_kept_unreadable(owner):
    # budget.Busy (tests/inbox/test_budget.py): the deadline passed while the reader had
    # hardly run. A genuine email waits a minute for the sweep instead of being condemned.
    message = services.store(owner=owner, raw=make_email(), source=Source.SMTP).message
    now = timezone.now()
    services._after_busy(message)
    message.refresh_from_db()
    assert message.parsed_at is None and message.unreadable == ""
    assert now + timedelta(seconds=50) < message.parse_claimed_until < now + timedelta(minutes=2)
    assert services.parse_one(now=now) is False  # not taken again at once
    assert services.parse_one(now=now + timedelta(minutes=2)) is True
    message.refresh_from_db()
    assert message.parsed_at is not None and message.unreadable == "" and message.subject


def test_a_reading_that_met_a_busy_machine_for_an_hour_is_kept_as_too_slow(owner):
    message = services.store(
        owner=owner, raw=make_email(), source=Source.SMTP, at=timezone.now() - timedelta(hours=2)
    ).message
    services._after_busy(message)
    message.refresh_from_db()
    assert message.unreadable.startswith("The message took too long to read")
    assert message.parsed_at is not None


def test_a_busy_machine_never_undoes_an_earlier_reading(owner):
    message = services.receive(owner=owner, raw=make_email(), source=Source.UPLOAD).message
    kind, read_at = message.kind, message.parsed_at
    services._after_busy(message)
    message.refresh_from_db()
    assert (message.kind, message.parsed_at, message.unreadable) == (kind, read_at, "")


def test_the_same_message_stored_unread_twice_is_kept_once(owner):
    raw = make_email()
    first = services.store(owner=owner, raw=raw, source=Source.SMTP)
    second = services.store(owner=owner, raw=raw, source=Source.SMTP)
    assert first.created and not second.created
    again = services.receive(owner=owner, raw=raw, source=Source.UPLOAD)  # another way in
    assert not again.created and again.message.pk == first.message.pk
    assert ReceivedMessage.objects.count() == 1


def test_a_claimed_message_is_not_read_by_another_worker_until_its_claim_ends(owner):
    message = services.store(owner=owner, raw=make_email(), source=Source.SMTP).message
    now = timezone.now()
    ReceivedMessage.objects.filter(pk=message.pk).update(
        parse_claimed_until=now + timedelta(minutes=1)
    )
    assert services.parse_one(now=now) is False  # another worker holds it
    assert tasks.parse_pending_task() == 0
    later = now + services.PARSE_CLAIM
    assert services.parse_one(now=later) is True  # that worker died: taken again
    message.refresh_from_db()
    assert message.parsed_at is not None and message.parse_claimed_until is None
    assert message.subject == "Your application"
    assert services.parse_one(now=later) is False


def test_the_task_reads_only_its_message_and_the_sweep_the_rest(owner):
    ids = [
        services.store(
            owner=owner, raw=make_email(message_id=f"<s{n}@x>"), source="smtp"
        ).message.pk
        for n in range(3)
    ]
    assert tasks.parse_message_task(ids[1]) is True
    assert list(
        ReceivedMessage.objects.filter(parsed_at__isnull=False).values_list("pk", flat=True)
    ) == [ids[1]]
    assert tasks.parse_pending_task() == 2
    assert tasks.parse_message_task(ids[1]) is False  # read already
    assert not ReceivedMessage.objects.filter(parsed_at__isnull=True).exists()


def test_a_message_imported_from_an_export_is_never_swept(owner):
    ReceivedMessage.objects.create(owner=owner, source="upload", message_id="<imported@x>")
    assert tasks.parse_pending_task() == 0
