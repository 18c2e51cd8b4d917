"""Thin Celery tasks of the Inbox: the beat fans out one poll per connected mailbox."""

from __future__ import annotations

from celery import shared_task

from notes.inbox import mailbox


@shared_task
def poll_mailbox_task(connection_id: int) -> int | None:
    return mailbox.poll_one(connection_id)


@shared_task
def poll_all_task() -> int:
    ids = mailbox.due_connection_ids()
    for connection_id in ids:
        poll_mailbox_task.delay(connection_id)
    return len(ids)
