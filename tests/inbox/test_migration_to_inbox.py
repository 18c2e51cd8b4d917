"""The Inbox's models leave the notes app for their own (notes 0007, inbox 0001): no row is
lost, the tables keep their names, and admin history still points at the same content type."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = ("notes", "0006_received_message_kind_labels")
WRITTEN = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)


def _before(executor: MigrationExecutor) -> list[tuple[str, str]]:
    # Every app but notes and the inbox (which comes after notes 0007) stays where it is.
    others = [
        node for node in executor.loader.graph.leaf_nodes() if node[0] not in {"notes", "inbox"}
    ]
    return [*others, BEFORE]


def _fill_old_state(apps) -> dict[str, int]:
    candidate = apps.get_model("interviews", "Candidate").objects.create(
        email="old@example.com", password="!"
    )
    application = apps.get_model("interviews", "Application").objects.create(
        owner_id=candidate.pk, company="Acme", role_title="Engineer"
    )
    address = apps.get_model("notes", "InboundAddress").objects.create(
        owner_id=candidate.pk, token="oldtoken"
    )
    mailbox = apps.get_model("notes", "MailboxConnection").objects.create(
        owner_id=candidate.pk, host="imap.example.com", username="me", password_encrypted=b"x"
    )
    message = apps.get_model("notes", "ReceivedMessage").objects.create(
        owner_id=candidate.pk,
        source="imap",
        mailbox_id=mailbox.pk,
        application_id=application.pk,
        message_id="<m1@acme.example>",
        subject="Next steps",
        written_at=WRITTEN,
    )
    invite = apps.get_model("notes", "CalendarInvite").objects.create(
        owner_id=candidate.pk,
        message_id=message.pk,
        uid="u1",
        method="REQUEST",
        starts_at=WRITTEN,
        ends_at=WRITTEN,
    )
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _ = ContentType.objects.get_or_create(app_label="notes", model="receivedmessage")
    apps.get_model("admin", "LogEntry").objects.create(
        user_id=candidate.pk,
        content_type_id=content_type.pk,
        object_id=str(message.pk),
        object_repr="Next steps",
        action_flag=2,
        action_time=WRITTEN,
    )
    return {
        "candidate": candidate.pk,
        "address": address.pk,
        "mailbox": mailbox.pk,
        "message": message.pk,
        "invite": invite.pk,
        "content_type": content_type.pk,
    }


@pytest.mark.django_db(transaction=True)
def test_the_inbox_rows_survive_the_move_to_the_inbox_app():
    executor = MigrationExecutor(connection)
    before = _before(executor)
    executor.migrate(before)
    old = _fill_old_state(executor.loader.project_state(before).apps)
    try:
        executor = MigrationExecutor(connection)
        after = executor.loader.graph.leaf_nodes()
        executor.migrate(after)
        new = executor.loader.project_state(after).apps

        message = new.get_model("inbox", "ReceivedMessage").objects.get(pk=old["message"])
        assert (message.subject, message.owner_id, message.mailbox_id) == (
            "Next steps",
            old["candidate"],
            old["mailbox"],
        )
        invite = new.get_model("inbox", "CalendarInvite").objects.get(pk=old["invite"])
        assert invite.message_id == message.pk
        address = new.get_model("inbox", "InboundAddress").objects.get(pk=old["address"])
        assert address.token == "oldtoken"
        mailboxes = new.get_model("inbox", "MailboxConnection").objects
        assert mailboxes.filter(pk=old["mailbox"]).exists()
        assert new.get_model("inbox", "ReceivedMessage")._meta.db_table == "notes_receivedmessage"

        content_types = new.get_model("contenttypes", "ContentType").objects
        content_type = content_types.get(pk=old["content_type"])
        assert (content_type.app_label, content_type.model) == ("inbox", "receivedmessage")
        entry = new.get_model("admin", "LogEntry").objects.get(object_id=str(message.pk))
        assert entry.content_type_id == content_type.pk
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
