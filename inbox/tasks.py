"""Thin Celery tasks of the Inbox: mailbox polls, and reading the mail the server stored.

The beat fans out one poll per connected mailbox, and sweeps the messages stored and not
read yet (the row is the truth; the task published after the store is only the fast path).
"""

from __future__ import annotations

import logging

from celery import current_app, shared_task

from inbox import mailbox, services

logger = logging.getLogger(__name__)

SWEEP_BATCH = 200  # messages read per sweep at most; the next minute takes the rest


@shared_task
def poll_mailbox_task(connection_id: int) -> int | None:
    return mailbox.poll_one(connection_id)


@shared_task
def poll_all_task() -> int:
    ids = mailbox.due_connection_ids()
    for connection_id in ids:
        poll_mailbox_task.delay(connection_id)
    return len(ids)


@shared_task
def parse_message_task(message_id: int) -> bool:
    return services.parse_one(message_id=message_id)


@shared_task
def parse_pending_task() -> int:
    done = 0
    while done < SWEEP_BATCH and services.parse_one():
        done += 1
    return done


def publish_parse(message_id: int) -> None:
    """Ask a worker to read one stored message, through the broker only.

    ``send_task`` never runs the task in this process: the forwarding server must never
    read a message itself. Where tasks run eagerly (the tests) there is no worker to ask,
    and the sweep (``parse_pending_task``) reads it. A broker that is down costs nothing
    but time: the sweep reads the message within a minute.
    """
    if current_app.conf.task_always_eager:
        return
    try:
        current_app.send_task(parse_message_task.name, args=[message_id])
    except Exception:  # the database row is the truth
        logger.warning("Could not publish the reading of message %s; the sweep will.", message_id)
