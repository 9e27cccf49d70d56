"""Diligence settings: one file, every value from the environment.

Each helper below is strict: a value that is present but wrong fails start-up with
ImproperlyConfigured naming the variable, because a typo in production must never silently
fall back to a default (a mistyped DATABASE_URL quietly using SQLite would lose data).
"""

from __future__ import annotations

import ipaddress
import os
import warnings
from pathlib import Path
from urllib.parse import urlparse

import environ
from celery.schedules import crontab
from csp.constants import NONCE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.crypto import salted_hmac

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("DILIGENCE_VAR_DIR", BASE_DIR / "var"))

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}: expected true or false, got {raw!r}")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}: expected a whole number, got {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}: must be at least {minimum}, got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


_DB_SCHEMES = {"postgres", "postgresql", "pgsql", "sqlite"}


def env_database(name: str, default: str) -> dict:
    raw = os.environ.get(name) or default
    scheme = urlparse(raw).scheme
    if scheme not in _DB_SCHEMES:
        raise ImproperlyConfigured(
            f"{name}: unsupported or malformed database URL {raw!r}; expected "
            "postgres://user:password@host:port/name or sqlite:///path"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        config = environ.Env.db_url_config(raw)
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"{name}: the URL {raw!r} names no database")
    if scheme != "sqlite":
        config["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)
        config["CONN_HEALTH_CHECKS"] = True
        # A request must fail fast, not hang, when the database is unreachable. JIT off: on
        # the dashboard's latest-per-vendor queries it cost more than it saved (bench/).
        config["OPTIONS"] = {"connect_timeout": 3, "options": "-c jit=off"}
    else:
        Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        config["OPTIONS"] = {"timeout": 20}
    return config


def env_redis(name: str) -> str | None:
    raw = os.environ.get(name)
    if not raw:
        return None
    if urlparse(raw).scheme not in {"redis", "rediss"}:
        raise ImproperlyConfigured(f"{name}: expected redis://host:port/db, got {raw!r}")
    return raw


def env_networks(name: str) -> list:
    """A comma-separated list of addresses or CIDR blocks (10.0.0.0/8, ::1)."""
    networks = []
    for item in env_list(name, []):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: {item!r} is not an IP address or CIDR block (e.g. 10.0.0.0/8)"
            ) from None
    return networks


def env_url(name: str, default: str) -> str:
    raw = os.environ.get(name) or default
    parsed = urlparse(raw)
    if parsed.scheme not in {"http", "https"} or not parsed.netloc:
        raise ImproperlyConfigured(f"{name}: expected an absolute http(s) URL, got {raw!r}")
    return raw.rstrip("/")


# --- Core -----------------------------------------------------------------------------------
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY: required when DEBUG is off")
    SECRET_KEY = "insecure-development-key-only-for-DEBUG"  # noqa: S105 - refused unless DEBUG
# The key of the audit trail's HMAC chain and of its checkpoints. It is not in the database,
# so whoever can write the database still cannot recompute a chain after editing an event.
# Unset, it is derived from SECRET_KEY with a salt of its own (Django's salted_hmac), so it is
# never SECRET_KEY itself; set it explicitly in production, or rotating SECRET_KEY makes every
# keyed event of the trail fail verification. It must never change once events are written.
AUDIT_HMAC_KEY = env_str("AUDIT_HMAC_KEY") or salted_hmac(
    "diligence.audit.AUDIT_HMAC_KEY", "the audit chain's HMAC key", secret=SECRET_KEY,
    algorithm="sha256").hexdigest()
if len(AUDIT_HMAC_KEY) < 32:
    raise ImproperlyConfigured(
        f"AUDIT_HMAC_KEY: must be at least 32 characters, got {len(AUDIT_HMAC_KEY)}")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
SITE_URL = env_url("SITE_URL", "http://127.0.0.1:8000")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [SITE_URL])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "django_celery_beat",
    "axes",
    "csp",
    "questionnaires",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads the query, the session cookie or the token (see its module).
    "questionnaires.core.request_checks.RefuseNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # axes must come last: it inspects the response of a failed login.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "diligence.urls"
WSGI_APPLICATION = "diligence.wsgi.application"
ASGI_APPLICATION = "diligence.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "questionnaires.core.context_processors.navigation",
                "questionnaires.core.nav.nav_items",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'diligence.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "workspace:dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Files ----------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Evidence and reports live outside every URL-served folder; only authorised views stream them.
PRIVATE_ROOT = Path(os.environ.get("PRIVATE_ROOT", VAR_DIR / "private"))
# The audit trail's checkpoints are also appended here, outside the database, as JSON lines
# (questionnaires/audit/checkpoint_file.py): someone who can rewrite the database cannot
# rewrite this file too. Best on a volume of its own with append-only or WORM semantics.
AUDIT_CHECKPOINT_DIR = Path(os.environ.get("AUDIT_CHECKPOINT_DIR",
                                           PRIVATE_ROOT / "audit-checkpoints"))
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_ROOT), "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        ),
    },
}
WHITENOISE_USE_FINDERS = DEBUG
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 25 * 1024 * 1024, minimum=1)
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 5 * 1024 * 1024, minimum=1)
# Seconds one questionnaire import may spend reading its file, below gunicorn's 30 s timeout;
# the largest real file (VSAQ's webapp.json) takes well under one.
IMPORT_DEADLINE_SECONDS = env_int("IMPORT_DEADLINE_SECONDS", 15, minimum=1)
# The largest PDF POSTed to /api/v1/reports/verify/: far above any report Diligence renders
# (a 2,000-question report is a few MB); a body over it is refused before it is read.
REPORT_VERIFY_MAX_BYTES = env_int("REPORT_VERIFY_MAX_BYTES", 50 * 1024 * 1024, minimum=1)
# pypdf reads an evidence PDF in a child process with these bounds (uploads/pdf_probe.py):
# a file built to be slow or costly to read is refused instead of holding a web thread.
EVIDENCE_PDF_CHECK_SECONDS = env_int("EVIDENCE_PDF_CHECK_SECONDS", 10, minimum=1)
EVIDENCE_PDF_CHECK_MEMORY_MB = env_int("EVIDENCE_PDF_CHECK_MEMORY_MB", 512, minimum=64)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# FILE_UPLOAD_HANDLERS stay Django's: they bound nothing. Every upload view sets its own
# (questionnaires/uploads/parsers.py), which stop a body at that view's limit: evidence at
# EVIDENCE_MAX_BYTES, imports at IMPORT_MAX_BYTES, report verification at REPORT_VERIFY_MAX_BYTES.

# --- Email ----------------------------------------------------------------------------------
# Only DEBUG defaults to a backend that writes mail out (redacted: an invitation token or a
# choose-a-password link read from a terminal or a log would open the portal or set a
# password). Without DEBUG the default sends by SMTP; `make run` picks the redacting console.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "questionnaires.core.mail.RedactingConsoleBackend"
                        if DEBUG else "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Diligence <diligence@localhost>")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))

# --- Cache, broker, Celery ------------------------------------------------------------------
REDIS_URL = env_redis("REDIS_URL")
# Redis can fail two ways: stopped (a connect is refused at once) or paused - a frozen VM,
# a partition that drops packets, a long-blocking command - where the connect succeeds and
# nothing answers. Then every client waits out its socket timeout, so each is short and a
# request touches Redis at most three times (the invitation limit, two publishes): a
# request stays under 5 s, and whatever could not be queued waits in its outbox.
REDIS_SOCKET_TIMEOUT = 1
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL,
                          "OPTIONS": {"socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
                                      "socket_timeout": REDIS_SOCKET_TIMEOUT}}}
else:
    # Files, not each process's memory: the web processes of one machine share what they
    # count (the invitation limit), as they would in Redis.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                          "LOCATION": str(VAR_DIR / "cache")}}

# Without a broker the embedded default runs tasks in-process, synchronously (and the
# embedded scheduler, manage.py run_scheduler, runs the periodic ones). The host only
# keeps kombu from warning "No hostname was supplied" whenever a connection is made.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
# kombu's Redis transport, but a worker whose acks Redis did not answer (paused) keeps
# fetching afterwards; see diligence/broker.py.
CELERY_BROKER_TRANSPORT = "diligence.broker:Transport" if REDIS_URL else None
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_ALWAYS_EAGER = REDIS_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 120, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 180, minimum=1)
# Redis re-delivers an unacknowledged task (its worker died) after the visibility timeout:
# it must exceed the longest task (the hard time limit) or a slow task would run twice.
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", CELERY_TASK_TIME_LIMIT * 4,
                                    minimum=1)
if CELERY_VISIBILITY_TIMEOUT <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        f"CELERY_VISIBILITY_TIMEOUT: must exceed CELERY_TASK_TIME_LIMIT "
        f"({CELERY_TASK_TIME_LIMIT}), got {CELERY_VISIBILITY_TIMEOUT}; a task still running "
        "would be delivered a second time")
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # How often a worker looks for messages abandoned by a dead one (kombu's default is
    # about 100 s whatever the timeout): a tenth of it, so they return within 1.1x of it.
    "unacked_restore_interval": max(1, CELERY_VISIBILITY_TIMEOUT // 10),
    "unacked_restore_throttle": 1,
    "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
    "socket_timeout": REDIS_SOCKET_TIMEOUT,
}
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_SOCKET_TIMEOUT


def publish_gives_up_on_timeout(exc: BaseException, interval: float) -> None:
    """Called by kombu before each publish retry. A timeout means Redis took the connection
    and answered nothing (paused): every retry would wait out a whole socket timeout again
    (kombu reconnects up to twice for one retry), so give up at once: the outbox has it.
    A refused or reset connection (Redis restarted under a pooled one) fails fast; retry."""
    from redis.exceptions import TimeoutError as RedisTimeoutError

    if isinstance(exc, (TimeoutError, RedisTimeoutError)):
        raise exc


# A request that enqueues must never hang on a dead broker: bounded retries, then the
# outbox row stays pending and the sweeper dispatches it later.
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0.2,
                                    "interval_step": 0.5, "interval_max": 1,
                                    "errback": publish_gives_up_on_timeout}
# The result store (only the heartbeat and ping tasks keep results): Celery's defaults wait
# 120 s on a silent socket and retry a lost connection 20 times, one second apart.
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = REDIS_SOCKET_TIMEOUT
CELERY_REDIS_SOCKET_TIMEOUT = 5
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {"max_retries": 2, "interval_start": 0, "interval_step": 0.5,
                     "interval_max": 1}}
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env_int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", 400_000)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Periodic work; django-celery-beat copies these into its tables at start-up. Task names are
# the stable ones of questionnaires/core/dispatch.py (a test checks they are registered).
CELERY_BEAT_SCHEDULE = {
    # Dispatch scoring jobs the broker missed (Redis was down at submission).
    "scoring-outbox-sweep": {"task": "questionnaires.tasks.scoring.scoring_sweep_task",
                             "schedule": 60.0},
    # Queue again the reports whose render the broker missed; fail the abandoned ones.
    "reports-outbox-sweep": {"task": "questionnaires.tasks.reports.report_sweep_task",
                             "schedule": 60.0},
    # Hourly is safe: a rerun sends nothing twice, and it catches up after downtime.
    "portal-reminders": {"task": "questionnaires.tasks.reminders.send_reminders",
                         "schedule": 3600.0},
    # At most 300 a run and idempotent: never two open reassessments for a vendor.
    "issue-due-reassessments": {
        "task": "questionnaires.tasks.reassessment.issue_due_reassessments",
        "schedule": crontab(minute=20)},
    # Sign each audit chain's head (table and file): verify_audit then finds a chain cut
    # short or deleted since. The period is the window in which a cut goes unnoticed.
    "audit-checkpoint": {"task": "questionnaires.tasks.audit.checkpoint", "schedule": 300.0},
    "warn-expiring-evidence": {
        "task": "questionnaires.tasks.reassessment.warn_expiring_evidence",
        "schedule": crontab(hour=6, minute=30)},
}
CELERY_TIMEZONE = TIME_ZONE
# A pending report is its own outbox. The sweeper queues again one still pending after the
# grace (its render could not be queued, or its message was lost with Redis) and fails one
# still pending after the maximum age, with the reason, rather than leave it pending.
REPORT_DISPATCH_GRACE = env_int("REPORT_DISPATCH_GRACE", 30, minimum=1)
# The bounds of one render (WeasyPrint in a child process): seconds and address space.
REPORT_RENDER_TIMEOUT = env_int("REPORT_RENDER_TIMEOUT", 120, minimum=1)
REPORT_RENDER_MEMORY_MB = env_int("REPORT_RENDER_MEMORY_MB", 1024, minimum=64)
# A scoring job dispatched this long ago and still not done is published again by the
# sweeper (every minute). A worker killed before acknowledging its prefetched message would
# otherwise leave it to Redis, which only delivers it again after the visibility timeout.
# Longer than the hard time limit, so a job still running is rarely published twice (and
# a second delivery still scores once).
SCORING_REDISPATCH_AFTER = env_int("SCORING_REDISPATCH_AFTER", CELERY_TASK_TIME_LIMIT + 60,
                                   minimum=1)
REPORT_PENDING_MAX_AGE = env_int("REPORT_PENDING_MAX_AGE", 3600, minimum=60)
if REPORT_PENDING_MAX_AGE <= REPORT_DISPATCH_GRACE:
    raise ImproperlyConfigured(
        f"REPORT_PENDING_MAX_AGE: must exceed REPORT_DISPATCH_GRACE ({REPORT_DISPATCH_GRACE}), "
        f"got {REPORT_PENDING_MAX_AGE}; reports would fail before being queued again")

# --- DRF and OpenAPI ------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["questionnaires.core.api.permissions.IsMember"],
    "DEFAULT_PARSER_CLASSES": [
        "questionnaires.core.api.parsers.JSONParser",  # bounded nesting, no NUL (see there)
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "questionnaires.core.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Diligence API",
    "DESCRIPTION": "Vendor neutrality and data-security due diligence.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from our own static files: no CDN, works offline and under the CSP.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "questionnaires.core.api.schema.document_refused_input",
    ],
    # Several models have a "status": name each enum after its model, not after a hash.
    "ENUM_NAME_OVERRIDES": {
        "TemplateStatusEnum": "questionnaires.authoring.models.Template.Status",
        "AssessmentStatusEnum": "questionnaires.assessments.models.Assessment.Status",
    },
}

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
# strict-origin: a Referer carries at most our origin, never a path (so never an invitation
# token, not even in our own access log), while a form post keeps its Origin (no-referrer
# makes Chromium send "Origin: null", which fails Django's CSRF check).
SECURE_REFERRER_POLICY = "strict-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool(
    "BEHIND_TLS_PROXY", False) else None

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": [SELF],
    },
}

AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = True

INVITE_BAD_TRIES_LIMIT = env_int("INVITE_BAD_TRIES_LIMIT", 10, minimum=1)
INVITE_BAD_TRIES_WINDOW = 15 * 60
# Colleagues one invitation link may bring in per 24 hours (each gets an email from us).
COLLEAGUE_INVITES_PER_DAY = env_int("COLLEAGUE_INVITES_PER_DAY", 5, minimum=1)
# The proxies (addresses or CIDR blocks) whose X-Forwarded-For is believed: the TLS proxy in
# front of gunicorn. Anyone else's X-Forwarded-For is ignored (they could write anything).
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES")
# Load and update the built-in questionnaires at the end of every `migrate` (post_migrate).
LIBRARY_LOAD_ON_MIGRATE = env_bool("LIBRARY_LOAD_ON_MIGRATE", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "questionnaires.core.logging.RedactInviteTokens"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.server": {"handlers": ["console"], "level": "INFO",
                                  "propagate": False},
                # WeasyPrint narrates every layout step at INFO.
                "weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"},
                # django-axes announces its version in every process it starts in.
                "axes": {"level": "WARNING"}},
}
