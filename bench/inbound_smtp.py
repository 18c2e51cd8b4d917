"""Benchmark of the forwarding server: concurrent SMTP connections on loopback.

PostgreSQL only. The script creates the database named in DATABASE_URL (dropping a leftover
one of that name first), migrates it, and drops it at the end (``--keep`` keeps it):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_inbound \\
        .venv/bin/python bench/inbound_smtp.py

Options: ``--connections 50 --messages 4 --keep``.

1. ``--connections`` candidates, each with an inbound address, and one application whose
   interviewer sends the mail (so each message is matched and filed, as in real use).
2. The server ``manage.py inbound_smtpd`` runs (``notes.inbox.smtpd.make_controller``), on a
   free loopback port, in this process.
3. ``--connections`` threads connect at once (a barrier), and each sends ``--messages``
   messages over its connection, one with a calendar invitation: every valid message must
   be accepted (target: 50 concurrent connections, none refused), stored once and filed.
Printed: connections opened and refused, messages accepted, deferred and refused, the wall
time, messages per second, and the latency of each message (median, 95th percentile).
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
    from interviews.models import Application, Candidate, Interviewer, StatusChange
    from notes.inbox import services

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

    from notes.inbox.models import CalendarInvite, ReceivedMessage
    from notes.inbox.smtpd import make_controller, stop

    try:
        call_command("migrate", verbosity=0)
        settings.INBOUND_RATE_PER_HOUR = max(settings.INBOUND_RATE_PER_HOUR, args.messages)
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

        threads = [threading.Thread(target=client, args=(n,)) for n in range(args.connections)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
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
        if latencies:
            p95 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))]
            print(f"latency per message: median {statistics.median(latencies) * 1000:.0f} ms, "
                  f"95th percentile {p95 * 1000:.0f} ms")
        ok = counts["opened"] == args.connections and counts["accepted"] == sent == stored
        print("target (every connection opened, every valid message accepted and stored once):",
              "met" if ok else "NOT met")
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            _recreate(name, drop_only=True)


if __name__ == "__main__":
    main()
