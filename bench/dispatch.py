"""Benchmark of reminder dispatch: the claim-and-mark pass, and emails per second.

PostgreSQL only. The script creates the database named in DATABASE_URL (dropping a leftover
one of that name first), migrates it, and drops it at the end (``--keep`` keeps it):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_followup \\
        .venv/bin/python bench/dispatch.py

Options: ``--rows 1000000 --due 10000 --users 200,1000,10000 --emails 500 --workers 1,2
--runs 3 --keep``. Each measurement is taken ``--runs`` times; each run is printed, then the
spread.

1. Seed ``--rows`` follow-ups with one INSERT … SELECT generate_series: ``--due`` of them
   pending and due, a fifth pending in the future, the rest closed history.
2. Time the claim-and-mark pass: ``claim_batch`` until nothing is due, marking each claim's
   rows reminded with ``record_sent``. No SMTP, no rendering. A claim takes up to
   ``CANDIDATES_PER_CLAIM`` candidates (one email each); the pass is run once per
   ``--users`` count, the due rows spread over that many candidates.
3. What a killed dispatcher sends twice: a claim whose first half of emails were accepted
   and recorded (``record_sent``, as ``dispatch_one`` does straight after each email) is
   abandoned; after the lease, lease recovery and the next claims take the rest. Counted:
   accepted emails claimed again (0 by design); the only email that can go twice is the one
   in flight, accepted by the server but not yet recorded.
4. Emails per second to a local SMTP sink (aiosmtpd, in its own process): ``dispatch_due``
   over really planned follow-ups of ``--emails`` candidates (claim, re-check against fresh
   facts, re-read before each email, render the three templates, sign every link, send with
   Django's SMTP backend on one connection, record with one UPDATE), in one process and in
   as many dispatcher processes at once as each ``--workers`` count says; against raw
   ``smtplib`` sending the same number of already-rendered messages over one connection.
   And, as the ceiling of any dispatcher that renders each email and sends it with Django's
   mail API, rendering and sending with no database at all. Between runs the emailed rows
   are made due again.
"""

from __future__ import annotations

import argparse
import email.policy
import os
import smtplib
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

# A benchmark is not a development server: no query log, no debug toolbar of any kind.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "followup_site.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("LOG_LEVEL", "WARNING")

# The fixed "now" of the benchmark: a Wednesday evening, after an afternoon of interviews.
NOW = datetime(2026, 11, 18, 18, 5, tzinfo=UTC)
INTERVIEW_START = datetime(2026, 11, 18, 14, 0, tzinfo=UTC)
UNUSABLE = "!"  # an unusable password hash: nobody signs in as a bench candidate


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument(
        "--users", default="200,1000,10000",
        type=lambda text: [int(part) for part in text.split(",")],
        help="Comma-separated counts of candidates to spread the due rows over, one pass each.",
    )
    parser.add_argument("--emails", type=int, default=500)
    parser.add_argument(
        "--workers", default="1,2",
        type=lambda text: [int(part) for part in text.split(",")],
        help="Comma-separated counts of dispatcher processes to run at once, one rate each.",
    )
    parser.add_argument("--runs", type=int, default=3, help="Runs of each measurement.")
    parser.add_argument("--keep", action="store_true", help="Do not drop the database.")
    return parser.parse_args()


# --- The database -------------------------------------------------------------------------


def _server_connection():
    import psycopg

    url = urlsplit(os.environ["DATABASE_URL"])
    return psycopg.connect(
        host=url.hostname or "127.0.0.1", port=url.port or 5432, user=url.username,
        password=url.password, dbname="postgres", autocommit=True,
    )


def _database_name() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if urlsplit(url).scheme not in ("postgres", "postgresql", "pgsql"):
        sys.exit("Set DATABASE_URL=postgres://…/<a database name to create>; see the docstring.")
    return urlsplit(url).path.lstrip("/")


def _create_database(name: str) -> None:
    from psycopg import sql

    with _server_connection() as server:
        server.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _drop_database(name: str) -> None:
    from django.db import connections
    from psycopg import sql

    connections.close_all()
    with _server_connection() as server:
        server.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


# --- Seeding ------------------------------------------------------------------------------

# Each bench application, numbered from 0, with its one interview and one interviewer.
APPLICATIONS = """
    app AS (
        SELECT a.id, a.owner_id, row_number() OVER (ORDER BY a.id) - 1 AS n,
               (SELECT min(v.id) FROM interviews_interview v WHERE v.application_id = a.id)
                   AS interview_id,
               (SELECT min(p.id) FROM interviews_interviewer p WHERE p.application_id = a.id)
                   AS interviewer_id
        FROM interviews_application a
    )
"""


def _subjects(i: str) -> tuple[str, str]:
    """SQL for the interview and the interviewer of follow-up number ``i``, as the rules
    make them (its rule is R<1 + i % 13>): R1–R7 and R12 are about an interview; R2, R3
    (thank-you notes) and R13 (contact details) are about an interviewer; the others are
    about the application as a whole."""
    return (
        f"CASE WHEN 1 + {i} %% 13 IN (1, 2, 3, 4, 5, 6, 7, 12) THEN app.interview_id END",
        f"CASE WHEN 1 + {i} %% 13 IN (2, 3, 13) THEN app.interviewer_id END",
    )


def _seed_followups(*, rows: int, due: int, users: int) -> None:
    """Candidates and applications with the ORM; the follow-ups in one INSERT … SELECT.

    The follow-up ``bench:<i>`` belongs to candidate number ``i % users``; rows 1 to ``due``
    are the due ones (see ``_spread_due``).
    """
    from django.db import connection

    from interviews.models import Application, Candidate, Interview, Interviewer

    candidates = Candidate.objects.bulk_create(
        Candidate(email=f"bench{n}@example.com", password=UNUSABLE, time_zone="Europe/London",
                  email_verified=True)
        for n in range(users)
    )
    applications = Application.objects.bulk_create(
        Application(owner=c, company=f"Company {n}", role_title="Engineer", status="interviewing")
        for n, c in enumerate(candidates)
    )
    Interview.objects.bulk_create(
        Interview(application=a, starts_at=INTERVIEW_START,
                  ends_at=INTERVIEW_START + timedelta(hours=1))
        for a in applications
    )
    Interviewer.objects.bulk_create(
        Interviewer(application=a, name="Ada Lovelace", title="Engineer") for a in applications
    )
    future = (rows - due) // 5
    interview, interviewer = _subjects("i")
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH {APPLICATIONS}
            INSERT INTO reminders_followup (
                owner_id, application_id, interview_id, interviewer_id, rule, key, due_at,
                status, status_note, snoozed, attempts, last_error, created_at, sent_at,
                closed_at
            )
            SELECT
                app.owner_id, app.id, {interview}, {interviewer}, 'R' || (1 + i %% 13),
                'bench:' || i,
                CASE WHEN i <= %(due)s THEN %(now)s - (i %% 600) * interval '1 minute'
                     WHEN i <= %(due)s + %(future)s
                         THEN %(now)s + interval '1 hour' + (i %% 60) * interval '1 day'
                     ELSE %(now)s - (i %% 365) * interval '1 day' END,
                CASE WHEN i <= %(due)s + %(future)s THEN 'pending'
                     ELSE (ARRAY['reminded', 'done', 'skipped', 'dismissed'])[1 + i %% 4] END,
                '', false, 0, '', %(now)s - interval '400 days',
                CASE WHEN i > %(due)s + %(future)s THEN %(now)s - (i %% 365) * interval '1 day' END,
                CASE WHEN i > %(due)s + %(future)s THEN %(now)s - (i %% 365) * interval '1 day' END
            FROM generate_series(1, %(rows)s) AS i
            JOIN app ON app.n = i %% %(users)s
            """,  # noqa: S608 (the fragments are this file's constants, not input)
            {"rows": rows, "due": due, "future": future, "users": users, "now": NOW},
        )
        # What autovacuum would have done by the time these rows were due.
        cursor.execute("VACUUM ANALYZE")


def _spread_due(*, due: int, users: int) -> None:
    """Make rows 1 to ``due`` pending and due again, spread over ``users`` candidates."""
    from django.db import connection

    interview, interviewer = _subjects("bench.i")
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH {APPLICATIONS}, bench AS (
                SELECT id, split_part(key, ':', 2)::int AS i FROM reminders_followup
                WHERE key LIKE 'bench:%%'
            )
            UPDATE reminders_followup f
            SET owner_id = app.owner_id, application_id = app.id,
                interview_id = {interview}, interviewer_id = {interviewer},
                status = 'pending', sent_at = NULL, attempts = 0, claim_token = NULL,
                claimed_until = NULL
            FROM bench JOIN app ON app.n = bench.i %% %(users)s
            WHERE f.id = bench.id AND bench.i <= %(due)s
            """,  # noqa: S608 (the fragments are this file's constants, not input)
            {"due": due, "users": users},
        )
        cursor.execute("VACUUM ANALYZE reminders_followup")


def _seed_planned(count: int) -> None:
    """``count`` candidates, each with an interview this afternoon and one interviewer
    without an email, planned by the real planner: four reminders each are due at NOW."""
    from interviews.models import Application, Attendance, Candidate, Interview, Interviewer
    from reminders import services

    candidates = Candidate.objects.bulk_create(
        Candidate(email=f"mail{n}@example.com", password=UNUSABLE, time_zone="Europe/London",
                  country="GB", email_verified=True)
        for n in range(count)
    )
    applications = Application.objects.bulk_create(
        Application(owner=c, company=f"Mail Co {n}", role_title="Engineer",
                    status="interviewing")
        for n, c in enumerate(candidates)
    )
    interviews = Interview.objects.bulk_create(
        Interview(application=a, starts_at=INTERVIEW_START,
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
    for application in applications:
        services.plan_application(application_id=application.pk, now=NOW)


# --- The measurements ---------------------------------------------------------------------


def claim_and_mark(now: datetime) -> tuple[float, int, int]:
    """Claim every due row and mark it reminded; returns (seconds, claims, rows)."""
    from reminders import services

    claims = rows = 0
    started = time.perf_counter()
    while (batch := services.claim_batch(now=now)) is not None:
        rows += services.record_sent(token=batch.token, ids=batch.ids, now=now)
        claims += 1
    return time.perf_counter() - started, claims, rows


def kill_drill(now: datetime) -> tuple[int, int, int]:
    """(emails accepted before the kill, of them claimed again, emails left to send)."""
    from reminders import services

    batch = services.claim_batch(now=now)
    accepted_owners = batch.owner_ids[: len(batch.owner_ids) // 2]
    accepted = [pk for owner in accepted_owners for pk in batch.owners[owner]]
    services.record_sent(token=batch.token, ids=accepted, now=now)  # as each email is sent
    # The dispatcher is killed here. After its lease: recovery, then every claim again.
    later = now + services.LEASE + timedelta(seconds=1)
    services.release_expired_leases(now=later)
    again: set[int] = set()
    while (retry := services.claim_batch(now=later)) is not None:
        again.update(retry.owner_ids)
        services.record_sent(token=retry.token, ids=retry.ids, now=later)
    return len(accepted_owners), len(again & set(accepted_owners)), len(again)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_sink(port: int) -> subprocess.Popen:
    sink = subprocess.Popen(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
         "-c", "aiosmtpd.handlers.Sink"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            smtplib.SMTP("127.0.0.1", port, timeout=1).quit()
            return sink
        except OSError:
            time.sleep(0.1)
    sink.kill()
    sys.exit("The SMTP sink did not start.")


def _spread(values: list[float], fmt: str = "{:,.0f}") -> str:
    """``min–max (median m)`` of a measurement over the runs."""
    if len(values) == 1:
        return fmt.format(values[0])
    return (f"{fmt.format(min(values))}–{fmt.format(max(values))} "
            f"(median {fmt.format(statistics.median(values))})")


def _due_again() -> int:
    """Make the planned candidates' emailed rows due again, for the next run."""
    from reminders.models import FollowUp, Status

    return FollowUp.objects.filter(
        owner__email__startswith="mail", due_at__lte=NOW, status=Status.REMINDED
    ).update(status=Status.PENDING, sent_at=None, claim_token=None,
             claimed_until=None, attempts=0, closed_at=None)


# One dispatcher process: set up, say it is ready, wait for the word, then run the minute
# tick's dispatch_due and print how many candidates it emailed and when it started and ended.
DISPATCHER = """
import sys, time
from datetime import datetime
import django
django.setup()
from reminders import services
print("ready", flush=True)
sys.stdin.readline()
started = time.time()
emailed = services.dispatch_due(now=datetime.fromisoformat(sys.argv[1]))
print(emailed, started, time.time(), flush=True)
"""


def _dispatch_in_processes(workers: int, port: int) -> tuple[int, float]:
    """Run ``workers`` dispatcher processes at once; (emails sent, seconds from the first
    start to the last end), their start-up (Django, imports) not counted."""
    env = {**os.environ, "EMAIL_URL": f"smtp://127.0.0.1:{port}"}
    processes = [
        subprocess.Popen(  # noqa: S603 (our own interpreter, fixed arguments)
            [sys.executable, "-c", DISPATCHER, NOW.isoformat()], cwd=BASE_DIR, env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        for _ in range(workers)
    ]
    for process in processes:
        assert process.stdout.readline().strip() == "ready"
    for process in processes:
        process.stdin.write("go\n")
        process.stdin.flush()
    results = []
    for process in processes:
        out, _ = process.communicate(timeout=600)
        emailed, started, ended = out.split()
        results.append((int(emailed), float(started), float(ended)))
    sent = sum(r[0] for r in results)
    return sent, max(r[2] for r in results) - min(r[1] for r in results)


def emails_per_second(count: int, runs: int, workers: list[int]) -> list[dict]:
    """Per run: emails per second through ``dispatch_due`` in each count of dispatcher
    processes, through raw smtplib, and rendering and sending without a database."""
    from django.conf import settings
    from django.core.mail import mailers

    from reminders.emails import build_reminder_email
    from reminders.models import FollowUp, Status

    port = _free_port()
    sink = _start_sink(port)
    results = []
    try:
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
            }
        }
        # One rendered email, for raw smtplib to send over and over.
        sample = list(FollowUp.objects.filter(owner__email="mail0@example.com")
                      .filter(due_at__lte=NOW, status=Status.PENDING)
                      .select_related("owner", "application", "interview", "interviewer"))
        message = build_reminder_email(owner=sample[0].owner, followups=sample, now=NOW)
        raw = message.message(policy=email.policy.SMTP).as_bytes()

        for run in range(runs):
            result: dict = {}
            for n in workers:
                _due_again()
                emailed, seconds = _dispatch_in_processes(n, port)
                assert emailed == count, (emailed, count)
                result[n] = emailed / seconds

            started = time.perf_counter()
            with smtplib.SMTP("127.0.0.1", port) as smtp:
                for n in range(count):
                    smtp.sendmail(settings.DEFAULT_FROM_EMAIL, [f"mail{n}@example.com"], raw)
            result["raw"] = plain = count / (time.perf_counter() - started)

            # The ceiling: render and send each email, with no database at all.
            with mailers.default as backend:
                started = time.perf_counter()
                for _ in range(count):
                    backend.send_messages([build_reminder_email(
                        owner=sample[0].owner, followups=sample, now=NOW, drafts=[])])
                result["ceiling"] = count / (time.perf_counter() - started)
            rates = "; ".join(f"{n} worker{'s' if n > 1 else ''}: {result[n]:,.0f}/s "
                              f"({result[n] / plain:.0%})" for n in workers)
            print(f"  run {run + 1}: through dispatch_due, {rates}; raw smtplib "
                  f"{plain:,.0f}/s; no database: {result['ceiling']:,.0f}/s "
                  f"({result['ceiling'] / plain:.0%})")
            results.append(result)
        return results
    finally:
        sink.terminate()
        sink.wait(timeout=10)


def main() -> None:
    options = _arguments()
    name = _database_name()
    _create_database(name)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from reminders.models import FollowUp, Status

    try:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        _seed_followups(rows=options.rows, due=options.due, users=max(options.users))
        print(f"Seeded {options.rows:,} follow-ups ({options.due:,} due) for "
              f"{max(options.users):,} candidates in {time.perf_counter() - started:.1f} s "
              f"on PostgreSQL {connection.pg_version // 10000}.")

        for users in options.users:
            passes = []
            for _ in range(options.runs):
                _spread_due(due=options.due, users=users)
                seconds, claims, rows = claim_and_mark(NOW)
                left = FollowUp.objects.filter(status=Status.PENDING, due_at__lte=NOW).count()
                assert rows == options.due and left == 0, (rows, left)
                passes.append(seconds)
            verdict = "within" if max(passes) <= 2 else "over"
            print(f"Claim-and-mark pass, {rows:,} due rows of {users:,} candidates: "
                  f"{claims:,} claims in {_spread(passes, '{:.2f}')} s over {options.runs} "
                  f"runs ({rows / max(passes):,.0f} rows/s at the slowest, "
                  f"{max(passes) / claims * 1000:.1f} ms a claim and its mark) — {verdict} "
                  f"the 2 s target.")

        _spread_due(due=options.due, users=max(options.users))
        accepted, again, rest = kill_drill(NOW)
        print(f"A dispatcher killed mid-claim after {accepted} accepted emails: {again} of "
              f"them claimed again after the lease ({rest} candidates' emails were still "
              f"to send). A kill sends at most 1 email twice: the one in flight, accepted "
              f"by the server before its record (the next statement) was written.")

        started = time.perf_counter()
        _seed_planned(options.emails)
        print(f"Planned {options.emails:,} candidates' interviews in "
              f"{time.perf_counter() - started:.1f} s.")
        print(f"Emails to a local SMTP sink, {options.runs} runs:")
        results = emails_per_second(options.emails, options.runs, options.workers)
        plain = [run["raw"] for run in results]
        for n in options.workers:
            ours = [run[n] for run in results]
            shares = [o / p for o, p in zip(ours, plain, strict=True)]
            verdict = "meets" if min(shares) >= 0.1 else "misses"
            print(f"Through dispatch_due in {n} process{'es' if n > 1 else ''} (claim, "
                  f"re-check, render, sign, send, record): {_spread(ours)}/s, "
                  f"{_spread(shares, '{:.0%}')} of raw smtplib — {verdict} the 10 % target.")
        ceiling = [run["ceiling"] for run in results]
        print(f"Raw smtplib over one connection: {_spread(plain)}/s. Rendering and sending "
              f"alone, with no database: {_spread(ceiling)}/s "
              f"({_spread([c / p for c, p in zip(ceiling, plain, strict=True)], '{:.0%}')}).")
    finally:
        if options.keep:
            print(f"Kept the database {name}.")
        else:
            _drop_database(name)


if __name__ == "__main__":
    main()
