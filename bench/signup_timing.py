"""Sign-up timing: does the answer's time tell whether an address has an account?

    .venv/bin/python bench/signup_timing.py [--signups 30]

Uses the database of the settings (DATABASE_URL, or SQLite under DATA_DIR) through a
throwaway test database, created and dropped here, and the production password hashers
(the settings' own; the test suite's fast hasher is not used). Mail goes to memory; the
sign-up rate limit is off so that every sign-up does its full work.

For each of ``--signups`` rounds, a fresh client signs up a new address (the account is
created, its password hashed, the verification email sent), then another fresh client signs
up the same address again (taken: no account, the "you already have an account" email).
The two kinds alternate so that a busy machine slows both alike. Printed: each path's
median, quartiles and range in milliseconds of wall time, and how far the ranges overlap.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "followup_site.settings")
os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="followup-signup-bench-"))
os.environ["EMAIL_URL"] = "memorymail://"

PASSWORD = "a long enough passphrase 2026"  # noqa: S105 (a throwaway account's)


def _summary(name: str, times: list[float]) -> str:
    q1, median, q3 = statistics.quantiles(times, n=4)
    return (f"{name:<14} median {median:7.1f} ms   quartiles {q1:7.1f} – {q3:7.1f} ms   "
            f"range {min(times):7.1f} – {max(times):7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--signups", type=int, default=30)
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth.hashers import get_hasher
    from django.core import mail
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse

    hasher = get_hasher("default")
    print(f"password hasher: {hasher.algorithm}, {getattr(hasher, 'iterations', '-')} "
          f"iterations; database: {connection.vendor}; {args.signups} sign-ups of each kind")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        with override_settings(ACCOUNT_RATE_LIMITS=False, ALLOWED_HOSTS=["testserver"]):
            url = reverse("account_signup")
            new: list[float] = []
            taken: list[float] = []
            for n in range(args.signups + 1):
                data = {"email": f"bench-{n}@example.com", "password1": PASSWORD,
                        "password2": PASSWORD}
                for times in (new, taken):
                    client = Client()
                    mail.outbox = []
                    started = time.perf_counter()
                    response = client.post(url, data)
                    elapsed = (time.perf_counter() - started) * 1000
                    if response.status_code != 302 or len(mail.outbox) != 1:
                        sys.exit(f"sign-up {n} answered {response.status_code} with "
                                 f"{len(mail.outbox)} emails")
                    if n:  # the first round warms up imports, templates and connections
                        times.append(elapsed)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    print(_summary("new address", new))
    print(_summary("taken address", taken))
    overlap = min(max(new), max(taken)) - max(min(new), min(taken))
    print(f"difference of medians: {statistics.median(new) - statistics.median(taken):+.1f} ms; "
          + (f"the ranges overlap over {overlap:.1f} ms" if overlap > 0
             else f"the ranges do not overlap (a gap of {-overlap:.1f} ms)"))


if __name__ == "__main__":
    main()
