"""Shared fixtures: an owner and an outsider, factories, and test-friendly settings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.cache import cache

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run
# inside one unless told it is safe (the loop never touches the database).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from hypothesis import settings as hypothesis_settings

from tests.factories import CandidateFactory

# CI draws the same examples every run (derandomize), so that a landing is never refused
# for a case one run happened to find and the next would not; a laptop's runs explore
# (random examples, remembered in .hypothesis/), and what they find becomes a named test.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

PASSWORD = "correct horse battery staple"

# Debian's Chromium, not Playwright's download: `playwright install` is never run here.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


# FOLLOWUP_TEST_NOW=2026-12-04T23:50:00+00:00 runs every test with Python's clock moved to
# that moment and ticking (time-machine), as if the suite were started then. Much of the
# cadence depends on the hour and the weekday (a same-day thank-you, a Friday, a date
# change), so a test that only holds at some hours shows here, not in a landing at 18:00.
# .ci/run runs the cadence-heavy folders once more at the coming Friday 23:50 UTC. Servers
# in other processes (PostgreSQL, Redis, a Celery worker, Chromium, OpenSSL) keep the
# machine's clock; the suite passes both ways.
TEST_NOW = os.environ.get("FOLLOWUP_TEST_NOW")


@pytest.fixture(autouse=True)
def _moved_clock(request):
    if not TEST_NOW:
        yield
        return
    from datetime import datetime

    request.getfixturevalue("time_machine").move_to(datetime.fromisoformat(TEST_NOW), tick=True)
    yield


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    # The manifest storage needs collectstatic; tests serve static files as they are.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SITE_URL = "http://testserver"
    # One process's memory (a shared file cache would mix up the dashboards of same-id
    # candidates from parallel test databases), emptied for every test.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def owner(db):
    return CandidateFactory(email="owner@example.com", password=PASSWORD)


@pytest.fixture
def outsider(db):
    return CandidateFactory(email="outsider@example.com", password=PASSWORD)


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def outsider_client(client, outsider):
    client.force_login(outsider, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture(scope="session")
def browser_type_launch_args(
    browser_type_launch_args: dict, _close_event_loop_connections
) -> dict:
    """pytest-playwright's launch options (``--headed``, ``--slowmo``) on Debian's Chromium.

    Without Chromium the browser tests skip on a workstation but fail in CI, where a skip
    would hide that they never ran.
    """
    if not CHROMIUM.exists():
        reason = "install Debian's chromium: apt-get install -y chromium"
        if "CI" in os.environ:
            pytest.fail(f"{CHROMIUM} is missing; {reason}", pytrace=False)
        pytest.skip(reason)
    return {
        "headless": True,
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def _close_event_loop_connections(playwright):
    """Close the database connection Django gave the test thread while Playwright ran.

    Playwright's sync API keeps an event loop marked as running in the test thread from its
    first use to the end of the session, and asgiref then keeps Django's connections per
    async context: the queries of every later test and flush use a second connection.
    Torn down before Playwright stops, this closes it while it is still reachable, so
    PostgreSQL can drop the test database at the end of the session.
    """
    yield
    from django.db import connections

    connections.close_all()


@pytest.fixture(autouse=True)
def _celery_eager():
    """Run Celery tasks in-process unless a test starts a real worker (tests/reminders)."""
    from followup_site.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False
