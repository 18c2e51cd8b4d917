"""Benchmark of the dashboard over HTTP: its throughput against a bare signed-in page.

    .venv/bin/python bench/http_load.py                       # SQLite in a temporary folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_http .venv/bin/python bench/http_load.py

Options: ``--applications 1000 --duration 10 --connections 4 --workers 3 --keep``.

1. A database: a fresh SQLite file in a temporary folder, or the PostgreSQL database named
   in DATABASE_URL (dropped first if left over, dropped at the end unless ``--keep``).
   Migrated, then ``seed_demo --users 1 --applications N`` (one candidate with N
   applications, their interviews, people, notes and planned follow-ups);
   ``collectstatic`` for the production static files storage. PostgreSQL's statistics
   are refreshed (``ANALYZE``), as autovacuum would after such a load.
2. gunicorn with the production settings (``DEBUG=false``, plain HTTP) on a free loopback
   port, and a session of the seeded candidate.
3. The load tool in a second process: ``wrk`` (Debian: ``apt-get install -y wrk``) with
   keep-alive connections, or, without it, a Python load generator in a subprocess
   (``--tool python``). Each URL is first checked to answer 200 with its page (not a
   redirect to sign in), warmed up, then loaded for ``--duration`` seconds; the URLs take
   turns for ``--rounds`` rounds and the best round of each counts.
4. Prints requests per second of the dashboard (``/``) and of the bare page (``/ping/``,
   the same middleware, sign-in and layout, no content), and their ratio. Target: the
   dashboard reaches 60 % of the bare page.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
TARGET = 0.60
PAGES = (("dashboard", "/", "Next actions"), ("bare page", "/ping/", "You are signed in."))
BENCH_EMAIL = "bench-0@example.com"


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applications", type=int, default=1_000)
    parser.add_argument("--duration", type=int, default=10, help="Seconds per measurement.")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=3,
                        help="gunicorn worker processes (3, as in the Dockerfile).")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--tool", choices=("auto", "wrk", "python"), default="auto")
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


def _prepare(env: dict[str, str], applications: int) -> str:
    """Migrate, seed and collect static files; returns a session cookie of the bench user."""
    started = time.perf_counter()
    _manage(env, "migrate", "--no-input", "-v", "0")
    _manage(env, "seed_demo", "--users", "1", "--applications", str(applications))
    seeded = time.perf_counter() - started
    _manage(env, "collectstatic", "--no-input", "-v", "0")
    code = (
        "import django, json; django.setup()\n"
        "from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY\n"
        "from django.contrib.sessions.backends.db import SessionStore\n"
        "from interviews.models import Candidate\n"
        f"user = Candidate.objects.get(email={BENCH_EMAIL!r})\n"
        "s = SessionStore()\n"
        "s[SESSION_KEY] = str(user.pk)\n"
        "s[BACKEND_SESSION_KEY] = 'django.contrib.auth.backends.ModelBackend'\n"
        "s[HASH_SESSION_KEY] = user.get_session_auth_hash()\n"
        "s.create()\n"
        "print(json.dumps({'key': s.session_key, 'apps': user.applications.count()}))\n"
    )
    out = subprocess.run(
        [PYTHON, "-c", code], cwd=BASE_DIR, env=env, check=True, capture_output=True, text=True
    ).stdout
    session = json.loads(out.strip().splitlines()[-1])
    print(f"seeded {session['apps']} applications for {BENCH_EMAIL} in {seeded:.1f} s")
    return session["key"]


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
    with opener.open(request, timeout=30) as response:
        body = response.read().decode()
        if response.status != 200 or expected not in body:
            sys.exit(f"{url} answered {response.status} without {expected!r}.")


# --- Load ---------------------------------------------------------------------------------

PYTHON_LOAD = r"""
import http.client, sys, threading, time
host, port, path, cookie, seconds, connections = sys.argv[1:7]
port, seconds, connections = int(port), float(seconds), int(connections)
counts, errors = [0] * connections, [0] * connections
deadline = time.perf_counter() + seconds
def run(n):
    conn = http.client.HTTPConnection(host, port, timeout=30)
    while time.perf_counter() < deadline:
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


def _load(tool: str, url: str, cookie: str, seconds: int, connections: int) -> float:
    if tool == "wrk":
        command = ["wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds}s",
                   "-H", f"Cookie: sessionid={cookie}", url]
    else:
        parts = urlsplit(url)
        command = [PYTHON, "-c", PYTHON_LOAD, parts.hostname, str(parts.port), parts.path,
                   cookie, str(seconds), str(connections)]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors and int(errors.group(1)):
        sys.exit(f"{url}: {errors.group(1)} responses were not 2xx/3xx:\n{out}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not match:
        sys.exit(f"Could not read the load tool's output:\n{out}")
    return float(match.group(1))


def main() -> None:
    args = _arguments()
    tool = args.tool
    if tool == "auto":
        tool = "wrk" if shutil.which("wrk") else "python"
    database_url = os.environ.get("DATABASE_URL", "")
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
            cookie = _prepare(env, args.applications)
            if postgres:
                _postgres(database_url, "ANALYZE", database="bench")
            port = _free_port()
            server = _start_gunicorn(env, port, args.workers)
            base = f"http://127.0.0.1:{port}"
            for _, path, expected in PAGES:
                _check(base + path, cookie, expected)
            print(f"database: {'PostgreSQL' if postgres else 'SQLite'}; gunicorn: "
                  f"{args.workers} sync workers; load: {tool}, {args.connections} "
                  f"connections, {args.duration} s per run, best of {args.rounds}")
            for _, path, _ in PAGES:  # warm up: imports, template and connection caches
                _load(tool, base + path, cookie, 2, args.connections)
            best = {name: 0.0 for name, _, _ in PAGES}
            for _ in range(args.rounds):
                for name, path, _ in PAGES:
                    rate = _load(tool, base + path, cookie, args.duration, args.connections)
                    best[name] = max(best[name], rate)
        finally:
            if server is not None:
                server.terminate()
                server.wait(timeout=30)
            if postgres and not args.keep:
                _postgres(database_url, "DROP DATABASE IF EXISTS {} WITH (FORCE)")
    dashboard, bare = best["dashboard"], best["bare page"]
    ratio = dashboard / bare if bare else 0.0
    print(f"dashboard ({args.applications} applications): {dashboard:8.1f} req/s")
    print(f"bare signed-in page:        {bare:8.1f} req/s")
    verdict = "meets" if ratio >= TARGET else "misses"
    print(f"ratio: {ratio:.0%} ({verdict} the {TARGET:.0%} target)")
    sys.exit(0 if ratio >= TARGET else 1)


if __name__ == "__main__":
    main()
