"""Deployment checks (``manage.py check --deploy``): an https SITE_URL for the one-click
unsubscribe (RFC 8058) and INBOX_ENCRYPTION_KEYS for the Inbox, and .ci/run's deploy step,
which must pass with both set and fails without either."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core import checks
from django.test import override_settings

from inbox.checks import encryption_keys_configured
from reminders.checks import site_url_is_https

ROOT = Path(__file__).resolve().parents[2]


# Running every check, as ``manage.py check --deploy`` does, reads the database on SQLite:
# Django's model checks ask it whether it supports JSON fields (PostgreSQL's answer is known
# without asking, so a PostgreSQL-only run never noticed). The tests that run every check
# therefore have database access, as the command has.
def _deploy_ids() -> set[str]:
    return {message.id for message in checks.run_checks(include_deployment_checks=True)}


@pytest.mark.django_db
@override_settings(DEBUG=False, SITE_URL="http://followup.example.com")
def test_production_with_an_http_site_url_warns():
    [warning] = site_url_is_https()
    assert (warning.id, warning.level) == ("reminders.W001", checks.WARNING)
    assert "RFC 8058" in warning.msg and "https://" in warning.hint
    assert "reminders.W001" in _deploy_ids()


@pytest.mark.django_db
@override_settings(DEBUG=False, SITE_URL="https://followup.example.com")
def test_production_with_an_https_site_url_is_fine():
    assert site_url_is_https() == []
    assert "reminders.W001" not in _deploy_ids()


@override_settings(DEBUG=True, SITE_URL="http://127.0.0.1:8000", INBOX_ENCRYPTION_KEYS=[])
def test_development_warns_of_neither():
    assert site_url_is_https() == [] and encryption_keys_configured() == []


@pytest.mark.django_db
def test_the_checks_run_only_with_deploy():
    with override_settings(DEBUG=False, SITE_URL="http://x.example", INBOX_ENCRYPTION_KEYS=[]):
        ordinary = {message.id for message in checks.run_checks()}
        tagged = {message.id for message in checks.run_checks(
            tags=["deploy"], include_deployment_checks=True)}
    assert not ordinary & {"reminders.W001", "inbox.W001"}
    assert {"reminders.W001", "inbox.W001"} <= tagged


@pytest.mark.django_db
@override_settings(DEBUG=False, INBOX_ENCRYPTION_KEYS=[])
def test_production_without_inbox_keys_warns():
    [warning] = encryption_keys_configured()
    assert (warning.id, warning.level) == ("inbox.W001", checks.WARNING)
    assert "INBOX_ENCRYPTION_KEYS" in warning.msg and "mailbox" in warning.msg
    assert "inbox.W001" in _deploy_ids()


@override_settings(DEBUG=False, INBOX_ENCRYPTION_KEYS=["not-a-key"])
def test_production_with_an_unusable_inbox_key_warns():
    [warning] = encryption_keys_configured()
    assert warning.id == "inbox.W001" and "32 url-safe base64" in warning.msg


@override_settings(DEBUG=False, INBOX_ENCRYPTION_KEYS=[Fernet.generate_key().decode()])
def test_production_with_an_inbox_key_is_fine():
    assert encryption_keys_configured() == []


def _ci_deploy_step() -> str:
    script = (ROOT / ".ci" / "run").read_text()
    found = re.search(r'step "Deploy checks[^\n]*\n(.*?--fail-level WARNING)\n', script, re.S)
    assert found, ".ci/run has no deploy-check step"
    return found.group(1)


def _run(step: str) -> subprocess.CompletedProcess:
    # As in CI: none of the test run's own switches (the browser tests allow async-unsafe
    # calls, which a deploy check rightly refuses).
    unset = {"SITE_URL", "INBOX_ENCRYPTION_KEYS", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE",
             "VAPID_PUBLIC_KEY", "VAPID_PRIVATE_KEY", "VAPID_SUBJECT"}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    step = step.replace(".venv/bin/python", sys.executable)
    return subprocess.run(["/bin/bash", "-c", step], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def test_the_ci_deploy_step_passes_and_fails_without_site_url_or_inbox_key():
    step = _ci_deploy_step()
    passed = _run(step)
    assert passed.returncode == 0, passed.stdout + passed.stderr

    without_site_url = _run(re.sub(r"^SITE_URL=\S+ \\\n", "", step, flags=re.M))
    assert without_site_url.returncode != 0
    assert "reminders.W001" in without_site_url.stderr + without_site_url.stdout

    without_key = _run(re.sub(r"^INBOX_ENCRYPTION_KEYS=.*\\\n", "", step, flags=re.M))
    assert without_key.returncode != 0
    assert "inbox.W001" in without_key.stderr + without_key.stdout

    without_vapid = _run(re.sub(r"^VAPID_PUBLIC_KEY=.*\\\n", "", step, flags=re.M))
    assert without_vapid.returncode != 0
    assert "reminders.W002" in without_vapid.stderr + without_vapid.stdout
