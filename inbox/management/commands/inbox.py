"""Operator commands of the Inbox.

    manage.py inbox reparse [--id N ...] [--owner EMAIL]   parse stored raw messages again
    manage.py inbox poll [--id N ...]                      read the connected mailboxes now
    manage.py inbox receive FILE --owner EMAIL             take one .eml as if forwarded
    manage.py inbox rotate-keys                            re-encrypt passwords with the first key
                                                           (and the reminders' notification URLs)
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from inbox import crypto, mailbox, services, signals
from inbox.models import MailboxConnection, ReceivedMessage, Source
from interviews.models import Candidate


class Command(BaseCommand):
    help = "Inbox operations: reparse, poll, receive, rotate-keys."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        reparse = sub.add_parser("reparse", help="Parse stored messages again.")
        reparse.add_argument("--id", type=int, nargs="*", default=[])
        reparse.add_argument("--owner", default="")
        poll = sub.add_parser("poll", help="Read the connected mailboxes now.")
        poll.add_argument("--id", type=int, nargs="*", default=[])
        receive = sub.add_parser("receive", help="Take one raw message from a file.")
        receive.add_argument("file")
        receive.add_argument("--owner", required=True)
        sub.add_parser("rotate-keys", help="Re-encrypt mailbox passwords with the first key.")

    def handle(self, *args, action: str, **options) -> None:
        getattr(self, "_" + action.replace("-", "_"))(**options)

    def _reparse(self, *, id: list[int], owner: str, **_) -> None:
        rows = ReceivedMessage.objects.all()
        if id:
            rows = rows.filter(pk__in=id)
        if owner:
            rows = rows.filter(owner__email__iexact=owner)
        done = 0
        for pk in rows.order_by("pk").values_list("pk", flat=True).iterator():
            services.ingest_one(message=ReceivedMessage.objects.select_related("owner").get(pk=pk))
            done += 1
        self.stdout.write(f"Parsed {done} messages again.")

    def _poll(self, *, id: list[int], **_) -> None:
        ids = id or mailbox.due_connection_ids()
        for pk in ids:
            stored = mailbox.poll_one(pk)
            connection = MailboxConnection.objects.get(pk=pk)
            problem = f" ({connection.last_error})" if connection.last_error else ""
            self.stdout.write(f"{connection}: {stored if stored is not None else 'busy'}{problem}")

    def _receive(self, *, file: str, owner: str, **_) -> None:
        candidate = Candidate.objects.filter(email__iexact=owner).first()
        if candidate is None:
            raise CommandError(f"No account {owner}.")
        try:
            result = services.receive(
                owner=candidate, raw=Path(file).read_bytes(), source=Source.UPLOAD
            )
        except services.Refused as error:
            raise CommandError(error.reason) from error
        state = "received" if result.created else "already there"
        if result.message.unreadable:
            state += f", kept unread: {result.message.unreadable}"
        self.stdout.write(f"Message {result.message.pk}: {state}.")

    def _rotate_keys(self, **_) -> None:
        done = 0
        for connection in MailboxConnection.objects.all():
            try:
                connection.password_encrypted = crypto.rotate(connection.password_encrypted)
            except crypto.SecretUnreadable as error:
                self.stderr.write(f"{connection}: {error}")
                continue
            connection.save(update_fields=["password_encrypted"])
            done += 1
        self.stdout.write(f"Re-encrypted {done} mailbox passwords with the first key.")
        # The other secrets under these keys (the reminders' notification URLs).
        for _receiver, said in signals.keys_rotated.send(sender=self.__class__):
            if said:
                self.stdout.write(str(said))
