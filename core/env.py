"""Strict parsers that turn environment variables into Django settings.

Kept apart from settings.py so they can be unit-tested without loading Django. Every parser
raises ImproperlyConfigured with the variable's name: a typo in production fails at start-up,
not at the first email.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

# Options of django.core.mail.backends.smtp.EmailBackend, keyed by django-environ's names.
_SMTP_OPTIONS = {
    "EMAIL_HOST": "host",
    "EMAIL_PORT": "port",
    "EMAIL_HOST_USER": "username",
    "EMAIL_HOST_PASSWORD": "password",
    "EMAIL_USE_TLS": "use_tls",
    "EMAIL_USE_SSL": "use_ssl",
    "EMAIL_TIMEOUT": "timeout",
}


def mailers_from_url(url: str, *, file_path: Path | None = None) -> dict:
    """Translate an EMAIL_URL into Django 6.1's MAILERS setting.

    Schemes are django-environ's: ``consolemail://``, ``smtp://user:pass@host:587``,
    ``smtp+tls://`` (STARTTLS), ``smtps://`` or ``smtp+ssl://`` (implicit TLS), ``filemail://``, ``memorymail://``,
    ``dummymail://``. ``?timeout=10`` sets the SMTP timeout in seconds.
    """
    try:
        config = environ.Env.email_url_config(url)
    except ImproperlyConfigured as error:
        raise ImproperlyConfigured(f"EMAIL_URL: {error}") from error
    backend = config["EMAIL_BACKEND"]
    options: dict = {}
    if backend.endswith("smtp.EmailBackend"):
        if not config.get("EMAIL_HOST"):
            raise ImproperlyConfigured("EMAIL_URL: an SMTP URL needs a host.")
        for env_name, option in _SMTP_OPTIONS.items():
            value = config.get(env_name)
            if value not in (None, ""):
                options[option] = value
        query = dict(part.split("=", 1) for part in urlsplit(url).query.split("&") if "=" in part)
        if "timeout" in query:
            try:
                options["timeout"] = float(query["timeout"])
            except ValueError as error:
                raise ImproperlyConfigured("EMAIL_URL: timeout must be a number.") from error
        if urlsplit(url).scheme == "smtps":
            # django-environ reads smtps:// as STARTTLS; by convention (port 465) it means
            # implicit TLS, which Django calls use_ssl.
            options.pop("use_tls", None)
            options["use_ssl"] = True
        if options.get("username"):
            options["username"] = unquote(options["username"])
        if options.get("password"):
            options["password"] = unquote(options["password"])
    elif backend.endswith("filebased.EmailBackend"):
        options["file_path"] = str(config.get("EMAIL_FILE_PATH") or file_path or "")
        if not options["file_path"]:
            raise ImproperlyConfigured("EMAIL_URL: filemail:// needs a path.")
    return {"default": {"BACKEND": backend, "OPTIONS": options}}


def filesystem_broker_options(folder: Path) -> dict:
    """Transport options for kombu's ``filesystem://`` broker, creating its folders.

    The transport does not create folders and keeps its broadcast (control) messages in a
    folder of its own, which must be named explicitly or ``celery inspect`` fails.
    """
    paths = {
        "data_folder_in": folder / "out",
        "data_folder_out": folder / "out",
        "processed_folder": folder / "processed",
        "control_folder": folder / "control",
    }
    for path in paths.values():
        path.mkdir(parents=True, exist_ok=True)
    return {key: str(path) for key, path in paths.items()} | {"store_processed": False}


def broker_transport_options(url: str, data_dir: Path) -> dict:
    """Celery's transport options for the broker at ``url``.

    ``filesystem://`` (the default of ``make run``) gets its folders under ``data_dir``.
    Redis gets options with which publishing (a view's on-commit fast path, beat's ticks)
    gives up on a broker that is down within a fraction of a second instead of ~6 s of
    retries: the database outbox (``reminders.models.PlanRequest``) keeps the work. Workers
    reconnect on their own terms (``CELERY_BROKER_CONNECTION_RETRY…``).
    """
    if url.startswith("filesystem://"):
        return filesystem_broker_options(data_dir / "broker")
    if url.startswith(("redis://", "rediss://")):
        return {
            "max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2,
            "socket_connect_timeout": 1, "socket_timeout": 5,
        }
    return {}
