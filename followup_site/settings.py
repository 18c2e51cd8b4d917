"""Settings for Follow-up: one module, driven by environment variables.

Every variable is listed in README.md. Without any of them the app runs on embedded
defaults (SQLite, kombu's filesystem broker, console email) in DEBUG mode; with DEBUG off,
SECRET_KEY is required and the security settings pass ``check --deploy``.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from core.env import broker_transport_options, mailers_from_url

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)
DATA_DIR = Path(env.str("DATA_DIR", default=str(BASE_DIR / "data")))
DATA_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The site's public address, for links in reminder emails (no request to take it from).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_countries",
    "formtools",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "interviews",
    "notes",
    "inbox",
    "reminders",
    "tracking",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "interviews.middleware.CandidateTimezoneMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "followup_site.urls"
WSGI_APPLICATION = "followup_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'followup.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one SQLite file: take the write lock up front and wait for
    # it rather than failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
    # Tests on a file rather than in memory: the browser tests' live server writes from
    # another thread, and a shared in-memory database fails at once ("table is locked")
    # where a file waits for the lock.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-followup.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------
# Holds allauth's rate-limit counters; web processes must share it so that a limit holds
# across them: by default files in DATA_DIR (one machine); redis://host:6379/1 across
# machines (docker-compose). No page is cached.
CACHES = {
    "default": env.cache_url(
        "CACHE_URL", default=f"filecache://{DATA_DIR / 'cache'}?max_entries=10000"
    ),
}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # A Redis that is down is a cache miss, never an error (core/cache.py), and
    # costs a request at most these timeouts, in seconds.
    CACHES["default"]["BACKEND"] = "core.cache.SafeRedisCache"
    CACHES["default"].setdefault("OPTIONS", {})
    CACHES["default"]["OPTIONS"].setdefault("socket_connect_timeout", 0.5)
    CACHES["default"]["OPTIONS"].setdefault("socket_timeout", 0.5)
# Two databases sharing one cache (a bench, a second checkout) never read each other's keys.
CACHES["default"].setdefault(
    "KEY_PREFIX",
    hashlib.sha256(
        f"{DATABASES['default'].get('HOST', '')}/{DATABASES['default']['NAME']}".encode()
    ).hexdigest()[:12],
)

# --- Accounts -------------------------------------------------------------------------
# django-allauth runs sign-up, sign-in (email and password, then TOTP when the candidate
# turned it on), email verification, password change and reset. README, "Accounts".
AUTH_USER_MODEL = "interviews.Candidate"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_ADAPTER = "interviews.auth.AccountAdapter"
# Each form is allauth's with every field bounded (interviews/forms.py).
ACCOUNT_FORMS = {
    "login": "interviews.forms.SignInForm",
    "signup": "interviews.forms.SignUpForm",
    "reset_password": "interviews.forms.PasswordResetForm",
    "reset_password_from_key": "interviews.forms.PasswordResetKeyForm",
    "change_password": "interviews.forms.PasswordChangeForm",
    "set_password": "interviews.forms.PasswordSetForm",
    "add_email": "interviews.forms.AddEmailForm",
    "reauthenticate": "interviews.forms.ReauthenticateForm",
}
MFA_FORMS = {
    "authenticate": "interviews.forms.MfaAuthenticateForm",
    "reauthenticate": "interviews.forms.MfaReauthenticateForm",
    "activate_totp": "interviews.forms.ActivateTotpForm",
}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
# "mandatory" is what lets sign-up hide whether an email has an account: a new sign-up is
# not signed in but sent a link, exactly as a sign-up with a taken email (whose owner is sent
# an "you already have an account" email instead). Sign-in itself does not wait for
# verification (interviews.forms.SignInForm): an unverified candidate signs in, sees a
# banner, and no reminder is emailed until they open the signed link sent to the address.
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_CONFIRMATION_HMAC = True
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = env.int("EMAIL_CONFIRMATION_EXPIRE_DAYS", default=3)
# The link asks for a click (a POST): a mail scanner fetching it verifies nothing.
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# One address per account; a new one replaces the old only once it is verified.
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_PREVENT_ENUMERATION = True
# Changing the address, the password or the second factor asks for the password (or the
# second factor) again; no emailed codes, the flows stay the ones the app tests.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_METHODS = ("password", "mfa")
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Follow-up: "
# Links in account emails use the scheme of the public address (SITE_URL).
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https://") else "http"
# Throttling by allauth (counters in the default cache): failed sign-ins per IP and per
# email, sign-ups, reset and verification emails. See README for why not django-axes.
# Only the changed limits are listed; allauth keeps its defaults for the others.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,{}/{}m/key".format(
        env.int("LOGIN_FAILURE_LIMIT", default=5), env.int("LOGIN_COOLOFF_MINUTES", default=15)
    ),
    # A resent verification email at most once a minute per address.
    "confirm_email": "1/m/key",
}
# Behind a proxy you trust, allauth reads the client IP from X-Forwarded-For: set
# ALLAUTH_TRUSTED_PROXY_COUNT to the number of proxies in front of the app.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("ALLAUTH_TRUSTED_PROXY_COUNT", default=0)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Follow-up"
# A code from the 30-second step just ended is still accepted: a person who types the code
# as their app turns it over is not refused (RFC 6238 allows one step of drift).
MFA_TOTP_TOLERANCE = 1

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Email ----------------------------------------------------------------------------
MAILERS = mailers_from_url(
    env.str("EMAIL_URL", default="consolemail://"), file_path=DATA_DIR / "mail"
)
if MAILERS["default"]["BACKEND"].endswith("smtp.EmailBackend"):
    # Well inside the dispatcher's 5-minute lease (reminders.services.LEASE): a stalled mail
    # server fails the email, to be retried, instead of outliving the claim. ?timeout=… in
    # EMAIL_URL overrides it.
    MAILERS["default"]["OPTIONS"].setdefault("timeout", 20)
elif DEBUG and MAILERS["default"]["BACKEND"] == "django.core.mail.backends.console.EmailBackend":
    # `make run` shows each email decoded, every link whole on one line (Django's console
    # prints quoted-printable, which cuts a long link in two): core/console_mail.py.
    # Not with DEBUG off, where Django's deploy check (mail.E001) refuses a console mailer.
    MAILERS["default"]["BACKEND"] = "core.console_mail.EmailBackend"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Follow-up <followup@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Inbox (inbox/) -------------------------------------------------------------------
# A received message larger than this is refused (SMTP 552, upload error); each account
# keeps at most INBOX_QUOTA_BYTES of raw mail.
INBOX_MAX_BYTES = env.int("INBOX_MAX_BYTES", default=10 * 1024 * 1024)
INBOX_QUOTA_BYTES = env.int("INBOX_QUOTA_BYTES", default=200 * 1024 * 1024)
# Each reading of a message runs in a child process (inbox/budget.py) killed after
# this many seconds, with at most this much address space: past either the message is kept
# as "could not be read", with the reason. A real email is read in a few milliseconds.
INBOX_PARSE_SECONDS = env.float("INBOX_PARSE_SECONDS", default=1.5)
INBOX_PARSE_MEMORY_MB = env.int("INBOX_PARSE_MEMORY_MB", default=512)
# Fernet keys for mailbox passwords, comma-separated: the first encrypts, all decrypt
# (rotation: put a new key first, keep the old ones until `manage.py inbox rotate-keys`).
INBOX_ENCRYPTION_KEYS = env.list("INBOX_ENCRYPTION_KEYS", default=[])
if not INBOX_ENCRYPTION_KEYS and DEBUG:
    import base64

    INBOX_ENCRYPTION_KEYS = [
        base64.urlsafe_b64encode(hashlib.sha256(f"inbox:{SECRET_KEY}".encode()).digest()).decode()
    ]
# Mailboxes on private, loopback or link-local addresses (a mail server on this machine or
# network): off in production, so a user's "Test connection" cannot probe the servers
# behind the app. Unencrypted IMAP is only ever allowed to a loopback address.
INBOX_IMAP_ALLOW_PRIVATE = env.bool("INBOX_IMAP_ALLOW_PRIVATE", default=DEBUG)
# Seconds one IMAP connection may last in all (a server that answers a byte at a time is
# cut off there): a poll by the worker, and "Test connection" / "Read now" in a web
# request, which must end well before gunicorn's 30-second worker timeout.
INBOX_IMAP_DEADLINE = env.int("INBOX_IMAP_DEADLINE", default=60)
INBOX_IMAP_WEB_DEADLINE = env.int("INBOX_IMAP_WEB_DEADLINE", default=20)
# The forwarding server (manage.py inbound_smtpd): addresses in+<token>@INBOUND_DOMAIN.
INBOUND_DOMAIN = env.str("INBOUND_DOMAIN", default="inbound.localhost")
INBOUND_SMTP_HOST = env.str("INBOUND_SMTP_HOST", default="127.0.0.1")
INBOUND_SMTP_PORT = env.int("INBOUND_SMTP_PORT", default=2525)
# Messages accepted per address per hour; more are deferred (451), never lost.
INBOUND_RATE_PER_HOUR = env.int("INBOUND_RATE_PER_HOUR", default=120)

# --- Reminders on other channels (reminders/notify.py) ---------------------------------
# Web Push (VAPID, RFC 8292): generate a pair with `python manage.py vapid_keys`. Without
# them push is off (check --deploy warns); in development a pair is derived from SECRET_KEY.
VAPID_PUBLIC_KEY = env.str("VAPID_PUBLIC_KEY", default="")
VAPID_PRIVATE_KEY = env.str("VAPID_PRIVATE_KEY", default="")
VAPID_SUBJECT = env.str("VAPID_SUBJECT", default="")
if DEBUG and not (VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY):
    from core.vapid import derived

    VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY = derived(SECRET_KEY)
if DEBUG and not VAPID_SUBJECT:
    VAPID_SUBJECT = "mailto:followup@localhost"
# Push endpoints and Apprise URLs on private, loopback or link-local addresses: off in
# production (core/outbound.py), like the IMAP host.
OUTBOUND_ALLOW_PRIVATE = env.bool("OUTBOUND_ALLOW_PRIVATE", default=DEBUG)
# Pushes per device: a bucket of this many, refilled one every PUSH_REFILL_SECONDS.
PUSH_BURST = env.int("PUSH_BURST", default=6)
PUSH_REFILL_SECONDS = env.int("PUSH_REFILL_SECONDS", default=600)

# --- Celery ---------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = broker_transport_options(CELERY_BROKER_URL, DATA_DIR)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_IMPORTS = ["core.tasks", "inbox.tasks"]
# Beat only ticks; the schedule of reminders lives in database rows, never in beat.
CELERY_BEAT_SCHEDULE = {
    "dispatch-due-followups": {
        "task": "reminders.tasks.dispatch_due_task",
        "schedule": timedelta(minutes=1),
    },
    # Push and Apprise deliveries (reminders.notify), independent of the mail server.
    "notify-followups": {
        "task": "reminders.tasks.notify_task",
        "schedule": timedelta(minutes=1),
    },
    "replan-followups": {
        "task": "reminders.tasks.plan_all_task",
        "schedule": timedelta(hours=1),
    },
    "poll-mailboxes": {
        "task": "inbox.tasks.poll_all_task",
        "schedule": timedelta(minutes=5),
    },
    # The safety net of forwarded mail: messages stored and not read yet (a lost task).
    "parse-received-mail": {
        "task": "inbox.tasks.parse_pending_task",
        "schedule": timedelta(minutes=1),
    },
    "clear-expired-sessions": {
        "task": "core.tasks.clear_expired_sessions",
        "schedule": timedelta(hours=24),
    },
}

# --- Security -------------------------------------------------------------------------
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    # The service worker and the web app manifest (core/pwa.py); said outright, since
    # worker-src would otherwise fall back to script-src and its nonce.
    "worker-src": [CSP.SELF],
    "manifest-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    # HTTPS=false serves production settings over plain HTTP (the local docker stack);
    # anything public keeps the default.
    HTTPS = env.bool("HTTPS", default=True)
    SECURE_SSL_REDIRECT = HTTPS and env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = HTTPS
    CSRF_COOKIE_SECURE = HTTPS
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365) if HTTPS else 0
    SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
    SECURE_HSTS_PRELOAD = HTTPS
    if env.bool("BEHIND_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
CSRF_FAILURE_VIEW = "core.views.csrf_failure"
