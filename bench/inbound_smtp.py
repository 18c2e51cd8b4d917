"""Benchmark of the forwarding server: concurrent SMTP connections on loopback.

PostgreSQL only. The script creates the database named in DATABASE_URL (dropping a leftover
one of that name first), migrates it, and drops it at the end (``--keep`` keeps it):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_inbound \\
        .venv/bin/python bench/inbound_smtp.py

Options: ``--connections 50 --messages 4 --keep``.

1. ``--connections`` candidates, each with an inbound address, and one application whose
   interviewer sends the mail (so each message is matched and filed, as in real use).
2. The server ``manage.py inbound_smtpd`` runs (``inbox.smtpd.make_controller``), on a
   free loopback port, in this process.
3. ``--connections`` threads connect at once (a barrier), and each sends ``--messages``
   messages over its connection, one with a calendar invitation: every valid message must
   be accepted (target: 50 concurrent connections, none refused), stored once and filed.
4. At the same time (issue 16): an attacker's connection delivers the hostile messages of
   tests/inbox/hostile.py (a part's Content-Type over 200,000 parameters, a 10 MB split
   boundary, a time-zone bomb) first, and the senders start once the first is in; a worker
   thread reads what the server stored (``services.parse_one``, as the Celery worker
   does), within the parse budget, while they send. ``--no-hostile`` leaves this out.
Printed: connections opened and refused, messages accepted, deferred and refused, the wall
time, messages per second, and the latency of each message (median, 95th percentile); the
server's answer to each hostile message, when the worker had read it and how it ended; and
the upload path (``services.receive``, what the upload page runs) on each hostile input.
"""

from __future__ import annotations

import argparse
import os
import smtplib
import socket
import statistics
import sys
import threading
import time
from email import policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "followup_site.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("CACHE_URL", "locmemcache://")
os.environ.setdefault("INBOUND_DOMAIN", "in.bench.test")

UNUSABLE = "!"  # not a password: an unusable hash, no password matches it
ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Bench//EN\r\nMETHOD:REQUEST\r\n"
    "BEGIN:VEVENT\r\nUID:bench-{n}@acme.example\r\nSEQUENCE:0\r\nDTSTAMP:20261201T170000Z\r\n"
    "DTSTART:20261208T150000Z\r\nDTEND:20261208T160000Z\r\nSUMMARY:Interview\r\n"
    "LOCATION:https://acme.zoom.us/j/123\r\n"
    "ORGANIZER;CN=Priya:mailto:priya{n}@acme.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--messages", type=int, default=4, help="per connection")
    parser.add_argument("--keep", action="store_true", help="Do not drop the database.")
    parser.add_argument("--no-hostile", dest="hostile", action="store_false",
                        help="No hostile messages and no worker during the run.")
    return parser.parse_args()


def _server_connection():
    import psycopg

    url = urlsplit(os.environ["DATABASE_URL"])
    return psycopg.connect(
        host=url.hostname or "127.0.0.1", port=url.port or 5432, user=url.username,
        password=url.password, dbname="postgres", autocommit=True,
    )


def _recreate(name: str, *, drop_only: bool = False) -> None:
    from psycopg import sql

    with _server_connection() as server:
        server.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        if not drop_only:
            server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _message(n: int, m: int) -> bytes:
    mail = EmailMessage()
    mail["From"] = f"Priya <priya{n}@acme.example>"
    mail["To"] = f"candidate{n}@example.com"
    mail["Subject"] = f"Next steps {m}"
    mail["Message-ID"] = f"<bench-{n}-{m}@acme.example>"
    mail.set_content("Thank you for your time. We will get back to you by Friday.\n" * 20)
    if m == 0:
        mail.add_alternative(ICS.format(n=n).encode(), maintype="text", subtype="calendar",
                             params={"method": "REQUEST"})
    return mail.as_bytes(policy=policy.SMTP)


def _seed(count: int) -> list[str]:
    from inbox import services
    from interviews.models import Application, Candidate, Interviewer, StatusChange

    addresses = []
    for n in range(count):
        # An unusable password hash: nobody signs in as a bench candidate.
        owner = Candidate.objects.create(email=f"candidate{n}@example.com", password=UNUSABLE)
        application = Application.objects.create(owner=owner, company="Acme", role_title="PM")
        StatusChange.objects.create(application=application, to_status="applied")
        Interviewer.objects.create(application=application, name="Priya",
                                   email=f"priya{n}@acme.example")
        addresses.append(services.full_address(services.inbound_address_for(owner)))
    return addresses


HOSTILE = ("Content-Type over 200,000 parameters", "split boundary, 10 MB", "time-zone bomb")


class _Attack:
    """One connection delivering the hostile messages, and a worker thread reading them."""

    def __init__(self, port: int, rcpt: str) -> None:
        from tests.inbox import hostile

        self.port, self.rcpt = port, rcpt
        self.messages = [hostile.long_content_type(), hostile.split_boundary(),
                         hostile.time_zone_bomb()]
        self.first_delivered = threading.Event()
        self.done = threading.Event()
        self.replies: list[tuple[int, float]] = []
        self.read_at: dict[int, float] = {}
        self.threads = [threading.Thread(target=self._send), threading.Thread(target=self._read)]

    def start(self) -> None:
        self.began = time.perf_counter()
        for thread in self.threads:
            thread.start()

    def finish(self) -> None:
        self.threads[0].join()
        self.done.set()
        self.threads[1].join()

    def _send(self) -> None:
        with smtplib.SMTP("127.0.0.1", self.port, timeout=120) as smtp:
            smtp.ehlo("attacker.example")
            for raw in self.messages:
                smtp.mail("a@attacker.example")
                smtp.rcpt(self.rcpt)
                smtp.docmd("DATA")
                smtp.send(raw + b".\r\n")  # the builders end every line with CRLF
                sent = time.perf_counter()
                self.first_delivered.set()
                self.replies.append((smtp.getreply()[0], time.perf_counter() - sent))

    def _read(self) -> None:
        from django.db import connections

        from inbox import services
        from inbox.models import ReceivedMessage

        try:
            while not self.done.is_set() or ReceivedMessage.objects.filter(
                parsed_at__isnull=True
            ).exists():
                unread = set(
                    ReceivedMessage.objects.filter(parsed_at__isnull=True).values_list(
                        "pk", flat=True
                    )
                )
                if not services.parse_one():
                    time.sleep(0.02)
                    continue
                now = time.perf_counter() - self.began
                for pk in unread - set(
                    ReceivedMessage.objects.filter(parsed_at__isnull=True).values_list(
                        "pk", flat=True
                    )
                ):
                    self.read_at.setdefault(pk, now)
        finally:
            connections.close_all()

    def report(self) -> None:
        from inbox.models import ReceivedMessage

        rows = ReceivedMessage.objects.filter(
            message_id__in=["<long-ct@northwind.io>", "<split@northwind.io>",
                            "<bomb@northwind.io>"]
        ).order_by("id")
        for name, (code, seconds), row in zip(HOSTILE, self.replies, rows, strict=False):
            said = row.unreadable or "; ".join(row.problems) or f"read, kind {row.kind}"
            print(f"hostile over SMTP, {name}: answered {code} in {seconds * 1000:.0f} ms; "
                  f"read by the worker {self.read_at.get(row.pk, float('nan')):.2f} s after "
                  f"the attack began: {said[:110]}")
        unread = ReceivedMessage.objects.filter(parsed_at__isnull=True).count()
        print(f"stored and not read at the end: {unread}")


def _upload_path() -> None:
    """What the upload page runs on each hostile input: store and read within the budget."""
    from inbox import services
    from interviews.models import Candidate
    from tests.inbox import hostile

    owner = Candidate.objects.create(email="uploader@example.com", password=UNUSABLE)
    raws = [hostile.long_content_type(), hostile.split_boundary(), hostile.time_zone_bomb()]
    for name, raw in zip(HOSTILE, raws, strict=True):
        began = time.perf_counter()
        message = services.receive(owner=owner, raw=raw, source="upload").message
        said = message.unreadable or "; ".join(message.problems) or f"read, kind {message.kind}"
        print(f"hostile by upload, {name}: answered in {time.perf_counter() - began:.2f} s: "
              f"{said[:110]}")
    began = time.perf_counter()
    message = services.receive_calendar(
        owner=owner, name="bomb.ics", data=hostile.time_zone_bomb_ics()
    ).message
    said = message.unreadable or "; ".join(message.problems) or f"read, kind {message.kind}"
    print(f"hostile by upload, the bomb as a dropped .ics: answered in "
          f"{time.perf_counter() - began:.2f} s: {said[:110]}")


def main() -> None:
    args = _arguments()
    url = os.environ.get("DATABASE_URL", "")
    if urlsplit(url).scheme not in ("postgres", "postgresql", "pgsql"):
        sys.exit("Set DATABASE_URL=postgres://…/<a database name to create>; see the docstring.")
    name = urlsplit(url).path.lstrip("/")
    _recreate(name)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from inbox.models import CalendarInvite, ReceivedMessage
    from inbox.smtpd import make_controller, stop

    try:
        call_command("migrate", verbosity=0)
        settings.INBOUND_RATE_PER_HOUR = max(settings.INBOUND_RATE_PER_HOUR, args.messages + 10)
        addresses = _seed(args.connections)
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        controller = make_controller(host="127.0.0.1", port=port)
        controller.start()
        counts = {"opened": 0, "refused_connections": 0, "accepted": 0, "deferred": 0,
                  "refused": 0}
        latencies: list[float] = []
        lock = threading.Lock()
        barrier = threading.Barrier(args.connections)

        def client(n: int) -> None:
            barrier.wait()
            try:
                smtp = smtplib.SMTP("127.0.0.1", port, timeout=60)
            except OSError:
                with lock:
                    counts["refused_connections"] += 1
                return
            with lock:
                counts["opened"] += 1
            with smtp:
                for m in range(args.messages):
                    started = time.perf_counter()
                    try:
                        smtp.sendmail(f"priya{n}@acme.example", [addresses[n]], _message(n, m))
                        outcome = "accepted"
                    except smtplib.SMTPResponseException as error:
                        outcome = "deferred" if 400 <= error.smtp_code < 500 else "refused"
                    except smtplib.SMTPRecipientsRefused as error:
                        code = next(iter(error.recipients.values()))[0]
                        outcome = "deferred" if 400 <= code < 500 else "refused"
                    with lock:
                        counts[outcome] += 1
                        latencies.append(time.perf_counter() - started)

        attack = _Attack(port, addresses[0]) if args.hostile else None
        threads = [threading.Thread(target=client, args=(n,)) for n in range(args.connections)]
        if attack:
            attack.start()
            attack.first_delivered.wait(timeout=120)
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        drain = time.perf_counter()
        if attack:
            attack.finish()
        else:
            from inbox import services

            while services.parse_one():  # what the worker does after the server stored
                pass
        drain = time.perf_counter() - drain
        stop(controller)

        stored = ReceivedMessage.objects.count()
        filed = ReceivedMessage.objects.filter(application__isnull=False).count()
        invites = CalendarInvite.objects.count()
        sent = args.connections * args.messages
        latencies.sort()
        print(f"concurrent connections: {args.connections} attempted, {counts['opened']} "
              f"opened, {counts['refused_connections']} refused")
        print(f"messages: {sent} sent, {counts['accepted']} accepted, {counts['deferred']} "
              f"deferred (4xx), {counts['refused']} refused (5xx)")
        print(f"stored: {stored} messages, {filed} filed to their application, "
              f"{invites} invitations")
        print(f"wall time: {elapsed:.2f} s, {counts['accepted'] / elapsed:.0f} messages/s")
        print(f"the worker had read every stored message {drain:.2f} s after the last sender "
              "was answered")
        if latencies:
            p95 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))]
            print(f"latency per message: median {statistics.median(latencies) * 1000:.0f} ms, "
                  f"95th percentile {p95 * 1000:.0f} ms")
        stored -= len(attack.replies) if attack else 0
        ok = counts["opened"] == args.connections and counts["accepted"] == sent == stored
        print("target (every connection opened, every valid message accepted and stored once):",
              "met" if ok else "NOT met")
        if attack:
            attack.report()
            _upload_path()
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            _recreate(name, drop_only=True)


if __name__ == "__main__":
    main()
