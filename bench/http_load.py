"""Benchmark of every main page over HTTP, at 20 and at 1,000 applications.

    .venv/bin/python bench/http_load.py                       # SQLite in a temporary folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_http .venv/bin/python bench/http_load.py

Options: ``--sizes 20,1000 --duration 3 --rounds 3 --connections 4 --workers 3
--pages dashboard,board --keep``.

Each page is measured as a person meets it: the first view after a change. Before every
request the load generator changes a row the page shows (it sets the ``updated_at`` of the
candidate's seeded highlight application, which the busy pages show), and the server runs
without a cache (``CACHE_URL=dummycache://``), so no request can be served from anything
computed by an earlier one.

1. A database: a fresh SQLite file in a temporary folder, or the PostgreSQL database named
   in DATABASE_URL (dropped first if left over, dropped at the end unless ``--keep``).
   Migrated, then for each size N ``seed_demo --users 1 --applications N --email
   bench<N>-{n}@example.com`` (a candidate with N applications, their interviews, people,
   notes and planned follow-ups); ``collectstatic`` for the production static files
   storage. PostgreSQL's statistics are refreshed (``ANALYZE``), as autovacuum would after
   such a load. The per-object pages use each candidate's seeded "highlight": the
   interview that ended yesterday, with a thank-you drafted and no debrief yet, and its
   application.
2. gunicorn with the production settings (``DEBUG=false``, plain HTTP) on a free loopback
   port, and a session of each candidate.
3. The load generator in a second process: ``--connections`` threads, each with a
   keep-alive HTTP connection and a database connection, each request preceded by the
   change above (the bare page's too, so both carry the same write). Each URL is first
   checked to answer 200 with its page (not a redirect to sign in) and loaded once (the
   workers import and compile on first use). Then, for ``--rounds`` rounds, page after page: the
   bare signed-in page (``/ping/``: the same middleware, sign-in and layout, no content),
   the page at each size, the bare page again, each for ``--duration`` seconds. A page's
   share is its rate over the mean of the two bare pages around it, so a machine that gets
   busier during the run (other jobs on a shared machine) weighs on both alike.

Prints each page's requests per second, its share of the bare page (median of the rounds,
and their range) and the 1,000 ÷ 20 ratio: the median over the rounds of the largest
size's share over the smallest size's. Targets: every page reaches 30 % of the bare
page, and none falls below 80 % of its own smallest-size figure at the largest size (its
cost is constant in the number of applications). Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SHARE_TARGET = 0.30  # of the bare page
GROWTH_TARGET = 0.80  # largest size ÷ smallest size
BENCH_EMAIL = "bench{size}-0@example.com"
BARE = "bare page"

# (name, URL template, text the page must contain). {app}, {interview} and {note} are the
# seeded highlight's ids (see _prepare).
PAGES = (
    ("dashboard", "/", "<title>Next actions"),
    ("applications list", "/applications/", "<title>Your applications"),
    ("board", "/board/", "<title>Board"),
    ("compare", "/compare/", "<title>Compare"),
    ("insights", "/insights/", "<title>Insights"),
    ("timeline", "/applications/{app}/timeline/", "<title>Timeline"),
    ("application page", "/applications/{app}/", "Follow-up plan"),
    ("interview page", "/interviews/{interview}/", "<title>Round"),
    ("note editor", "/notes/{note}/", "<title>Thank-you note to"),
    ("debrief step", "/interviews/{interview}/debrief/", "<title>Debrief"),
    ("your data", "/data/", "<title>Your data"),
    (BARE, "/ping/", "You are signed in."),
)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="20,1000",
                        help="Numbers of applications, comma-separated (default 20,1000).")
    parser.add_argument("--duration", type=int, default=3, help="Seconds per measurement.")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=3,
                        help="gunicorn worker processes (3, as in the Dockerfile).")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pages", default="",
                        help="Only these pages (comma-separated names); the bare page always.")
    parser.add_argument("--keep", action="store_true", help="Keep the PostgreSQL database.")
    return parser.parse_args()


# --- Environment and database --------------------------------------------------------------


def _environment(database_url: str, static_root: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "followup_site.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "HTTPS": "false",  # production settings over plain HTTP on loopback
        "SECRET_KEY": "bench-only-not-a-secret-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "STATIC_ROOT": str(static_root),
        "LOG_LEVEL": "WARNING",
        "EMAIL_URL": "dummymail://",
        "PYTHONPATH": str(BASE_DIR),
        "CACHE_URL": "dummycache://",  # nothing computed by one request serves another
    }
    env.pop("CONN_MAX_AGE", None)
    return env


def _is_postgres(url: str) -> bool:
    return urlsplit(url).scheme in ("postgres", "postgresql", "pgsql")


def _postgres(url: str, statement: str, *, database: str = "postgres") -> None:
    """Run a statement on the server (``{}`` is the bench database's quoted name)."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(
        host=parts.hostname or "127.0.0.1", port=parts.port or 5432, user=parts.username,
        password=parts.password, dbname=name if database == "bench" else database,
        autocommit=True,
    ) as server:
        server.execute(sql.SQL(statement).format(sql.Identifier(name)))


def _manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=BASE_DIR, env=env, check=True,
        capture_output=True, text=True,
    )
    return result.stdout


# Signs in the candidate seeded with a size (bench<size>-0@example.com) and finds their
# seeded highlight: the draft thank-you note, its interview (ended yesterday, not
# debriefed) and its application.
SESSION_CODE = """
import django, json, sys; django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from interviews.models import Candidate
from notes.models import Note
user = Candidate.objects.get(email=sys.argv[1])
s = SessionStore()
s[SESSION_KEY] = str(user.pk)
s[BACKEND_SESSION_KEY] = 'django.contrib.auth.backends.ModelBackend'
s[HASH_SESSION_KEY] = user.get_session_auth_hash()
s.create()
note = Note.objects.filter(application__owner=user).first()
print(json.dumps({'key': s.session_key, 'apps': user.applications.count(),
                  'app': note.application_id, 'interview': note.interview_id,
                  'note': note.pk}))
"""


def _prepare(env: dict[str, str], sizes: list[int]) -> dict[int, dict]:
    """Migrate, seed one candidate per size, collect static files.

    Returns, per size, a session of its candidate and the ids of its highlight.
    """
    _manage(env, "migrate", "--no-input", "-v", "0")
    sessions = {}
    for size in sizes:
        started = time.perf_counter()
        email = BENCH_EMAIL.format(size=size)
        _manage(env, "seed_demo", "--users", "1", "--applications", str(size), "--email",
                email.replace("-0@", "-{n}@"))
        seeded = time.perf_counter() - started
        found = subprocess.run(
            [PYTHON, "-c", SESSION_CODE, email], cwd=BASE_DIR,
            env=env, capture_output=True, text=True,
        )
        if found.returncode:
            sys.exit(f"Could not sign the bench candidate in:\n{found.stderr}")
        sessions[size] = json.loads(found.stdout.strip().splitlines()[-1])
        print(f"seeded {email} with {sessions[size]['apps']} applications "
              f"in {seeded:.1f} s", flush=True)
    _manage(env, "collectstatic", "--no-input", "-v", "0")
    return sessions


# --- Server -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_gunicorn(env: dict[str, str], port: int, workers: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [str(Path(PYTHON).parent / "gunicorn"), "followup_site.wsgi", "--bind",
         f"127.0.0.1:{port}", "--workers", str(workers), "--worker-class", "sync",
         "--log-level", "warning", "--no-control-socket",
         "--access-logfile", os.devnull],  # formatted like production's, not kept
        cwd=BASE_DIR, env=env,
    )
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            if server.poll() is not None:
                sys.exit("gunicorn exited; see its output above.")
            time.sleep(0.1)
    server.terminate()
    sys.exit("gunicorn did not start listening.")


def _check(url: str, cookie: str, expected: str) -> None:
    """The page answers 200 with its own content (a redirect to sign in would be fast)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    # A loopback http:// URL this script built.
    request = urllib.request.Request(url, headers={"Cookie": f"sessionid={cookie}"})  # noqa: S310
    try:
        with opener.open(request, timeout=30) as response:
            status, body = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, body = error.code, ""
    if status != 200 or expected not in body:
        sys.exit(f"{url} answered {status} without {expected!r}.")


# --- Load ---------------------------------------------------------------------------------

# Each request is preceded by a change to a row the page shows (the highlight application's
# updated_at), on the thread's own database connection.
PYTHON_LOAD = r"""
import http.client, sys, threading, time
host, port, path, cookie, seconds, connections, database, app = sys.argv[1:9]
port, seconds, connections, app = int(port), float(seconds), int(connections), int(app)
TOUCH = "UPDATE interviews_application SET updated_at = CURRENT_TIMESTAMP WHERE id = {}"
if database.startswith("sqlite:///"):
    import sqlite3
    def connect():
        db = sqlite3.connect(database.removeprefix("sqlite:///"), timeout=30,
                             isolation_level=None)
        return lambda: db.execute(TOUCH.format(app))
else:
    import psycopg
    def connect():
        db = psycopg.connect(database, autocommit=True)
        return lambda: db.execute(TOUCH.format(app))
counts, errors = [0] * connections, [0] * connections
deadline = time.perf_counter() + seconds
def run(n):
    touch = connect()
    conn = http.client.HTTPConnection(host, port, timeout=30)
    while time.perf_counter() < deadline:
        touch()
        conn.request("GET", path, headers={"Cookie": "sessionid=" + cookie})
        response = conn.getresponse()
        response.read()
        if response.status == 200:
            counts[n] += 1
        else:
            errors[n] += 1
threads = [threading.Thread(target=run, args=(n,)) for n in range(connections)]
start = time.perf_counter()
for t in threads: t.start()
for t in threads: t.join()
elapsed = time.perf_counter() - start
print(f"Requests/sec: {sum(counts) / elapsed:.2f}")
print(f"Non-2xx or 3xx responses: {sum(errors)}")
"""


def _load(url: str, cookie: str, seconds: int, connections: int, database_url: str,
          app: int) -> float:
    parts = urlsplit(url)
    command = [PYTHON, "-c", PYTHON_LOAD, parts.hostname, str(parts.port), parts.path,
               cookie, str(seconds), str(connections), database_url, str(app)]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors and int(errors.group(1)):
        sys.exit(f"{url}: {errors.group(1)} responses were not 2xx/3xx:\n{out}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not match:
        sys.exit(f"Could not read the load generator's output:\n{out}")
    return float(match.group(1))


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def _measure(args, sizes: list[int], pages, database_url: str) -> dict:
    """Seed each size, serve them all from one server, and measure every page.

    On a shared machine the throughput of the same page moves by half between two runs a
    minute apart, so a page is never compared with a bare page measured at another time:
    each round loads the bare page, then each size of one page, then the bare page again,
    and a page's share is its rate over the mean of the bare pages around it. Returns, per
    size and page, the rates and the shares of every round.
    """
    with tempfile.TemporaryDirectory(prefix="bench-http-") as folder:
        if not database_url:
            database_url = f"sqlite:///{folder}/bench.sqlite3"
        postgres = _is_postgres(database_url)
        if postgres:
            _postgres(database_url, "DROP DATABASE IF EXISTS {} WITH (FORCE)")
            _postgres(database_url, "CREATE DATABASE {}")
        env = _environment(database_url, Path(folder) / "static")
        server = None
        try:
            sessions = _prepare(env, sizes)
            if postgres:
                _postgres(database_url, "ANALYZE", database="bench")
            port = _free_port()
            server = _start_gunicorn(env, port, args.workers)
            base = f"http://127.0.0.1:{port}"
            expected = {name: text for name, _, text in pages}
            urls = {
                (size, name): base + path.format(**sessions[size])
                for name, path, _ in pages for size in sizes
            }
            cookie = {size: sessions[size]["key"] for size in sizes}

            def load(size: int, name: str, seconds: int) -> float:
                return _load(urls[(size, name)], cookie[size], seconds, args.connections,
                             database_url, sessions[size]["app"])

            for size, name in urls:
                _check(urls[(size, name)], cookie[size], expected[name])
                load(size, name, 1)  # the workers' first use: imports, compiled templates
            results = {size: {name: {"rates": [], "shares": []} for name in expected}
                       for size in sizes}

            def bare() -> float:
                rate = load(sizes[0], BARE, args.duration)
                for size in sizes:
                    results[size][BARE]["rates"].append(rate)
                    results[size][BARE]["shares"].append(1.0)
                return rate

            for _ in range(args.rounds):
                before = bare()
                for name in expected:
                    if name == BARE:
                        continue
                    rates = {size: load(size, name, args.duration) for size in sizes}
                    after = bare()
                    for size, rate in rates.items():
                        results[size][name]["rates"].append(rate)
                        results[size][name]["shares"].append(rate / ((before + after) / 2))
                    before = after
        finally:
            if server is not None:
                server.terminate()
                server.wait(timeout=30)
            if postgres and not args.keep:
                _postgres(database_url, "DROP DATABASE IF EXISTS {} WITH (FORCE)")
    return results


def _report(sizes: list[int], results: dict) -> bool:
    """Print the table (medians over the rounds); returns whether every target is met.

    The growth is the median, over the rounds, of the largest size's share over the
    smallest size's share in the same round: both measured against the same bare pages.
    """
    small, large = sizes[0], sizes[-1]
    head = "".join(f"{f'{n:,} apps req/s':>17}{'share':>7}{'(range)':>11}" for n in sizes)
    ratio_head = f"{f'{large:,}÷{small:,}':>11}" if len(sizes) > 1 else ""
    print(f"\n{'page':<19}{head}{ratio_head}")
    ok = True
    for name in results[small]:
        row, misses = f"{name:<19}", []
        for n in sizes:
            rates, shares = results[n][name]["rates"], results[n][name]["shares"]
            share = _median(shares)
            spread = f"{min(shares):.0%}–{max(shares):.0%}" if shares else ""
            row += f"{_median(rates):17.1f}{share:7.0%}{spread:>11}"
            if name != BARE and share < SHARE_TARGET:
                misses.append(f"{share:.0%} of bare at {n:,}")
        if len(sizes) > 1:
            pairs = zip(results[large][name]["shares"], results[small][name]["shares"],
                        strict=True)
            growth = _median([big / little for big, little in pairs if little])
            row += f"{growth:11.0%}"
            if name != BARE and growth < GROWTH_TARGET:
                misses.append(f"{growth:.0%} of its {small:,} figure")
        ok = ok and not misses
        print(row + (f"   MISSES: {'; '.join(misses)}" if misses else ""))
    print(f"targets: every page ≥ {SHARE_TARGET:.0%} of the bare page; at {large:,} "
          f"applications ≥ {GROWTH_TARGET:.0%} of its own {small:,} figure: "
          f"{'met' if ok else 'MISSED'}")
    return ok


def main() -> None:
    args = _arguments()
    sizes = sorted(int(n) for n in args.sizes.split(","))
    wanted = {n.strip() for n in args.pages.split(",") if n.strip()}
    unknown = wanted - {name for name, _, _ in PAGES}
    if unknown:
        sys.exit(f"Unknown pages: {', '.join(sorted(unknown))}")
    pages = [p for p in PAGES if not wanted or p[0] in wanted or p[0] == BARE]
    database_url = os.environ.get("DATABASE_URL", "")
    print(f"database: {'PostgreSQL' if _is_postgres(database_url) else 'SQLite'}; gunicorn: "
          f"{args.workers} sync workers, no cache; load: {args.connections} connections, "
          f"a change before each request, {args.duration} s per measurement, median of "
          f"{args.rounds} rounds", flush=True)
    results = _measure(args, sizes, pages, database_url)
    sys.exit(0 if _report(sizes, results) else 1)


if __name__ == "__main__":
    main()
