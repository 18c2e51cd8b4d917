"""Profile the main pages in-process: where a request's time goes, and its queries.

    DATABASE_URL=postgres://… .venv/bin/python bench/profile_pages.py bench1000-0@example.com \
        [--pages board,compare] [--requests 20] [--top 25] [--sort tottime]

Needs a database seeded as ``bench/http_load.py --keep`` leaves it (or ``seed_demo --users 1
--applications N --email "bench<N>-{n}@example.com"``). Runs with the production settings
(``DEBUG=false``, the cached template loader) through Django's test client, so what it
measures is the view, the middleware and the render, without gunicorn or the network. For
each page: the CPU time per request in this process, the queries per request and the
database's time, and cProfile's functions with the most cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "followup_site.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("HTTPS", "false")
os.environ.setdefault("SECRET_KEY", "profile-only-not-a-secret-" + "x" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("EMAIL_URL", "dummymail://")
os.environ.setdefault("STATIC_ROOT", str(Path(tempfile.gettempdir()) / "followup-profile-static"))


# (label, path fragment, function): the cumulative time of these, as a share of the request.
PARTS = (
    ("template rendering", "django/template/backends/django.py", "render"),
    ("crispy forms", "crispy_forms/templatetags/crispy_forms_filters.py", "as_crispy_form"),
    ("crispy {% crispy %}", "crispy_forms/templatetags/crispy_forms_tags.py", "render"),
    ("form widgets", "django/forms/boundfield.py", "as_widget"),
    ("queries", "django/db/backends/utils.py", "_execute"),
    ("signing", "django/core/signing.py", "unsign"),
    ("signing", "django/core/signing.py", "sign"),
    ("URL reversing", "django/urls/base.py", "reverse"),
)


def _shares(stats: pstats.Stats) -> str:
    """Shares of the requests' time: rendering (which contains the forms' and some queries),
    crispy, widgets, queries (wherever they run), signing and URL reversing."""
    total = max(
        (ct for (path, _, name), (_, _, _, ct, _) in stats.stats.items()
         if path.endswith("django/test/client.py") and name == "request"), default=0.0,
    )
    found: dict[str, float] = {}
    for (path, _, name), (_, _, _, ct, _) in stats.stats.items():
        for label, fragment, function in PARTS:
            if path.endswith(fragment) and name == function:
                found[label] = found.get(label, 0.0) + ct
    return ", ".join(f"{label} {found.get(label, 0.0) / total:.0%}"
                     for label in dict.fromkeys(label for label, _, _ in PARTS)) if total else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("email")
    parser.add_argument("--pages", default="")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="cumulative", choices=("cumulative", "tottime"),
                        help="order of cProfile's functions: with their callees, or alone")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.http_load import PAGES
    from interviews.models import Candidate
    from notes.models import Note

    call_command("collectstatic", interactive=False, verbosity=0)  # the manifest storage
    user = Candidate.objects.get(email=args.email)
    note = Note.objects.filter(application__owner=user).first()
    ids = {"app": note.application_id, "interview": note.interview_id, "note": note.pk}
    client = Client()
    client.force_login(user)
    wanted = {p.strip() for p in args.pages.split(",") if p.strip()}
    for name, path, _ in PAGES:
        if wanted and name not in wanted:
            continue
        url = path.format(**ids)
        client.get(url)  # warm up
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        # Read them now: the next request's request_started signal clears the log.
        query_count = len(queries.captured_queries)
        query_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000
        # CPU time of this process (the view, middleware and render, and the database
        # driver): other processes on a busy machine barely change it, unlike wall time.
        started = time.process_time()
        for _ in range(args.requests):
            client.get(url)
        cpu_ms = (time.process_time() - started) / args.requests * 1000
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.requests):
            client.get(url)
        profiler.disable()
        print(f"\n=== {name} {url}: {cpu_ms:.1f} ms of CPU a request, {query_count} queries, "
              f"{query_ms:.1f} ms in the database")
        print("    where the time goes: " + _shares(pstats.Stats(profiler)))
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.top)
        print("\n".join(line for line in out.getvalue().splitlines()[6:] if line.strip()))


if __name__ == "__main__":
    main()
