"""The env-driven settings: EMAIL_URL → MAILERS, the broker folders, production safety."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from core import vapid
from core.env import filesystem_broker_options, mailers_from_url

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 60 + "-a-long-random-production-secret-for-tests",
    "ALLOWED_HOSTS": "followup.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://followup.example.com",
    "EMAIL_URL": "smtp+tls://mailer:s%40cret@smtp.example.com:587",
    # The deploy checks reminders.W001 and inbox.W001 (tests/site/test_deploy_checks.py).
    "SITE_URL": "https://followup.example.com",
    "INBOX_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    # reminders.W002-W004: push needs a VAPID pair and a contact.
    **dict(zip(("VAPID_PUBLIC_KEY", "VAPID_PRIVATE_KEY"), vapid.generate(), strict=True)),
    "VAPID_SUBJECT": "mailto:ops@followup.example.com",
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # The test conftest sets DJANGO_ALLOW_ASYNC_UNSAFE for Playwright; a deployment must not.
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in PRODUCTION_ENV and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_console_email_is_the_default_mailer():
    assert mailers_from_url("consolemail://") == {
        "default": {"BACKEND": "django.core.mail.backends.console.EmailBackend", "OPTIONS": {}}
    }


def test_smtp_url_becomes_smtp_mailer_options():
    mailers = mailers_from_url("smtp+tls://mailer:s%40cret@smtp.example.com:587?timeout=7")
    assert mailers["default"]["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert mailers["default"]["OPTIONS"] == {
        "host": "smtp.example.com",
        "port": 587,
        "username": "mailer",
        "password": "s@cret",
        "use_tls": True,
        "timeout": 7.0,
    }


def test_smtps_url_uses_implicit_tls():
    options = mailers_from_url("smtps://smtp.example.com:465")["default"]["OPTIONS"]
    assert options["use_ssl"] is True
    assert "use_tls" not in options


@pytest.mark.parametrize(
    "url", ["gopher://mail.example.com", "smtp://", "smtp://host:25?timeout=soon"]
)
def test_bad_email_url_is_refused_at_start_up(url):
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        mailers_from_url(url)


def test_filesystem_broker_folders_are_created_with_an_explicit_control_folder(tmp_path):
    options = filesystem_broker_options(tmp_path / "broker")
    for key in ("data_folder_in", "data_folder_out", "control_folder", "processed_folder"):
        assert Path(options[key]).is_dir()
    assert options["data_folder_in"] == options["data_folder_out"]
    assert options["control_folder"] != options["data_folder_in"]


def test_production_without_secret_key_refuses_to_start():
    env = PRODUCTION_ENV | {"SECRET_KEY": ""}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY is required when DEBUG is off" in result.stderr


def test_production_settings_pass_deploy_checks_at_warning_level():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_with_console_email_fails_deploy_checks():
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING",
        env=PRODUCTION_ENV | {"EMAIL_URL": "consolemail://"},
    )
    assert result.returncode != 0
    assert "mail.E001" in result.stderr


def test_csp_forbids_inline_scripts_and_nonces_the_ones_we_ship(client, db):
    response = client.get("/accounts/login/")
    policy = response.headers["Content-Security-Policy"]
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src
    assert "'nonce-" in script_src
    nonce = script_src.split("'nonce-")[1].split("'")[0]
    # htmx is loaded through django-htmx's tag with the request's nonce; no inline script.
    html = response.content.decode()
    assert f'nonce="{nonce}"' in html
    assert "<script>" not in html


def test_a_redis_cache_fails_as_a_miss_and_smtp_gives_up_well_inside_the_lease():
    # Issue 10: a Redis cache that is down must cost a page a miss, not a 500 (nor seconds
    # of waiting), and a stalled mail server must not outlive a dispatcher's claim.
    from reminders.services import LEASE

    script = (
        "import json; from django.conf import settings as s; print(json.dumps("
        "[s.CACHES['default']['BACKEND'], s.CACHES['default']['OPTIONS'],"
        " s.MAILERS['default']['OPTIONS']]))"
    )
    result = _manage(
        "shell", "-c", script,
        env={"CACHE_URL": "redis://127.0.0.1:6379/1", "EMAIL_URL": "smtp://mail.example.com:25"},
    )
    assert result.returncode == 0, result.stderr
    backend, cache_options, mail_options = json.loads(result.stdout.strip().splitlines()[-1])

    assert backend == "core.cache.SafeRedisCache"
    assert cache_options["socket_connect_timeout"] <= 1
    assert cache_options["socket_timeout"] <= 1
    assert 0 < mail_options["timeout"] <= LEASE.total_seconds() / 10


def test_every_beat_entry_names_a_task_the_worker_registers():
    # Task names follow their modules (core.tasks, inbox.tasks): a move renames them.
    from django.conf import settings

    from followup_site.celery import app

    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "core.tasks.clear_expired_sessions" in scheduled
    assert scheduled - set(app.tasks) == set()
