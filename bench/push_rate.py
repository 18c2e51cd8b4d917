"""Benchmark of push delivery: pushes per second to the local Web Push receiver, one worker.

PostgreSQL only. The script creates the database named in DATABASE_URL (dropping a leftover
one of that name first), migrates it, and drops it at the end (``--keep`` keeps it):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_push \\
        .venv/bin/python bench/push_rate.py --devices 200

1. Seed ``--devices`` candidates with one interview each that afternoon, planned for real
   (``services.plan_all``), and one push device each, subscribed to the receiver of the
   tests (``tests/reminders/push_receiver.py``, on 127.0.0.1 in this process: it checks
   every VAPID header and decrypts every push).
2. Time the real dispatcher in one process: ``notify.make_digests`` (a digest and a
   delivery per device) and ``notify.dispatch_deliveries`` (claim, re-check against fresh
   facts, token bucket, encrypt and sign each push with pywebpush, record with one UPDATE).
3. Against the ceiling of any dispatcher: the same number of pushes sent with
   ``senders.send_push`` alone, no database.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "followup_site.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("OUTBOUND_ALLOW_PRIVATE", "true")

INTERVIEW_START = datetime(2026, 11, 18, 14, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 18, 18, 5, tzinfo=UTC)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="Do not drop the database.")
    return parser.parse_args()


def _server_connection():
    import psycopg

    url = urlsplit(os.environ["DATABASE_URL"])
    return psycopg.connect(host=url.hostname or "127.0.0.1", port=url.port or 5432,
                           user=url.username or "postgres", password=url.password,
                           dbname="postgres", autocommit=True)


def _database(name: str, *, create: bool) -> None:
    from psycopg import sql

    with _server_connection() as server:
        server.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                       .format(sql.Identifier(name)))
        if create:
            server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _seed(devices: int, receiver) -> None:
    from interviews.models import Application, Attendance, Candidate, Interview, Interviewer
    from reminders import services
    from reminders.models import PushDevice

    candidates = Candidate.objects.bulk_create(
        Candidate(email=f"push{n}@example.com", time_zone="Europe/London", country="GB",
                  email_verified=True)
        for n in range(devices)
    )
    applications = Application.objects.bulk_create(
        Application(owner=c, company=f"Company {n}", role_title="Engineer",
                    status="interviewing")
        for n, c in enumerate(candidates)
    )
    interviews = Interview.objects.bulk_create(
        Interview(application=a, round_number=1, starts_at=INTERVIEW_START,
                  ends_at=INTERVIEW_START + timedelta(hours=1))
        for a in applications
    )
    people = Interviewer.objects.bulk_create(
        Interviewer(application=i.application, name=f"Person {n}", title="Engineer")
        for n, i in enumerate(interviews)
    )
    Attendance.objects.bulk_create(
        Attendance(interview=i, interviewer=p) for i, p in zip(interviews, people, strict=True)
    )
    services.plan_all(now=NOW)
    rows = []
    for candidate in candidates:
        subscription = receiver.subscribe()
        rows.append(PushDevice(owner=candidate, endpoint=subscription.endpoint,
                               p256dh=subscription.p256dh, auth=subscription.auth,
                               created_at=NOW - timedelta(days=7)))
    PushDevice.objects.bulk_create(rows)


def main() -> None:
    args = _arguments()
    url = os.environ.get("DATABASE_URL", "")
    if urlsplit(url).scheme not in ("postgres", "postgresql", "pgsql"):
        sys.exit("Set DATABASE_URL=postgres://…/<a database name to create>; see the docstring.")
    name = urlsplit(url).path.lstrip("/")
    _database(name, create=True)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from core.vapid import generate
    from reminders import notify, senders
    from reminders.models import Delivery
    from tests.reminders.push_receiver import PushReceiver

    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = generate()
    settings.VAPID_SUBJECT = "mailto:bench@example.com"
    settings.OUTBOUND_ALLOW_PRIVATE = True
    try:
        call_command("migrate", verbosity=0)
        receiver = PushReceiver(vapid_public_key=settings.VAPID_PUBLIC_KEY,
                                vapid_subject=settings.VAPID_SUBJECT).start()
        started = time.perf_counter()
        _seed(args.devices, receiver)
        print(f"seeded {args.devices} candidates and devices in "
              f"{time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        digests = notify.make_digests(now=NOW)
        digest_time = time.perf_counter() - started
        started = time.perf_counter()
        handled = notify.dispatch_deliveries(now=NOW)
        dispatch_time = time.perf_counter() - started
        received = len(receiver.pushes())
        assert not receiver.errors, receiver.errors[:3]
        assert received == args.devices == handled, (received, handled)
        assert not Delivery.objects.exclude(status="sent").exists()
        print(f"make_digests: {digests} digests in {digest_time:.2f} s")
        print(f"dispatch_deliveries, one worker: {received} pushes in {dispatch_time:.2f} s "
              f"= {received / dispatch_time:.0f} pushes/s "
              f"({1000 * dispatch_time / received:.1f} ms a push)")

        # The ceiling: the same pushes, encrypted, signed and posted, no database.
        subscriptions = [receiver.subscribe() for _ in range(args.devices)]
        payload = {"title": "3 follow-ups to do", "body": "Debrief, Engineer at Company 1",
                   "url": "/", "tag": "bench", "actions": [], "tokens": {}, "act": "/r/push/"}
        started = time.perf_counter()
        for s in subscriptions:
            senders.send_push({"endpoint": s.endpoint,
                               "keys": {"p256dh": s.p256dh, "auth": s.auth}}, payload)
        raw_time = time.perf_counter() - started
        print(f"send_push alone, no database: {args.devices} pushes in {raw_time:.2f} s "
              f"= {args.devices / raw_time:.0f} pushes/s")
        receiver.stop()
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            _database(name, create=False)


if __name__ == "__main__":
    main()
