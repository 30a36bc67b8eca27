"""Settings for the one-window portal.

Everything is read from the environment (see ``.env.example``) with defaults that run on a fresh
machine without any server: a SQLite file and Celery on kombu's filesystem transport.
Production sets ``DATABASE_URL`` (PostgreSQL) and ``CELERY_BROKER_URL`` (Redis).
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("PORTAL_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env(
    DEBUG=(bool, False),
    ALLOWED_HOSTS=(list, ["localhost", "127.0.0.1", "[::1]", "testserver"]),
)
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env("DEBUG")
# The fallback key is only for development; production must set SECRET_KEY (checked by check --deploy).
SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-dev-only-change-me-0123456789abcdefghijklmnop")
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
# Master secret for personal data (resident ID numbers encrypted + keyed look-up hash, portal/pii.py).
# Development falls back to one derived from SECRET_KEY; production must set it (check --deploy).
PII_ENCRYPTION_KEY = env.str("PII_ENCRYPTION_KEY", default="")
# Former master secrets, only while `manage.py rotate_pii_key` moves the rows to PII_ENCRYPTION_KEY.
PII_ENCRYPTION_OLD_KEYS = env.list("PII_ENCRYPTION_OLD_KEYS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The public address, for links in SMS and e-mail (rating invitations); empty in development.
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="")
# The CJK font embedded in the licence PDFs (电子证照, licences/pdf.py): Debian's fonts-wqy-microhei.
LICENCE_FONT = env.str("LICENCE_FONT", default="/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",  # its serializer checks the password; its tokens are no longer accepted
    "knox",  # API tokens: hashed, expiring, revocable, one per device (portal/accounts/services.py)
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "import_export",
    "csp",
    "crispy_forms",  # Django forms rendered as GOV.UK Frontend components (crispy-forms-gds)
    "crispy_forms_gds",
    "django_fsm",  # for its graph_transitions command (docs/case-lifecycle.md)
    "django_prometheus",  # request, database and cache metrics at /metrics (portal/ops.py)
    # shared kernel
    "portal.accounts",
    "portal.workcalendar",
    "portal.notifications",
    # domain apps
    "intake",
    "approvals",
    "supervision",
    "complaints",
    "licences",
    "hall",
]
# Bare endpoints for the load benchmark (bench/intake_load.py, portal/benchmarks/): off unless asked for,
# and `check --deploy` fails when they are on.
BENCH_ENDPOINTS = env.bool("BENCH_ENDPOINTS", default=False)
if BENCH_ENDPOINTS:
    INSTALLED_APPS.append("portal.benchmarks")

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # /healthz, /readyz, /metrics: answered before the host check and the HTTPS redirect (portal/ops.py)
    "portal.ops.OpsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.input_guard.InputGuardMiddleware",  # NUL/control characters, JSON depth and size (issue 17)
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.privacy.PrivateNoStoreMiddleware",  # Cache-Control: private, no-store on personal answers
    "portal.middleware.PageMessageMiddleware",  # django.contrib.messages, not for /api/
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.middleware.CachedCSPMiddleware",  # django-csp's, the policy string built once
    "simple_history.middleware.HistoryRequestMiddleware",
    # django-prometheus' own, each labelled metric looked up once (portal/middleware.py)
    "portal.middleware.PrometheusAfterMiddleware",
]
# --- operations (portal/ops.py, docs/scaling.md#operations) ---
# /metrics is not public: only from these peer addresses/networks (never through a proxy), or with
# "Authorization: Bearer <METRICS_TOKEN>" when that is set.
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1", "::1"])
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
READYZ_BROKER_TIMEOUT = env.float("READYZ_BROKER_TIMEOUT", default=2.0)
# django-prometheus would query the migrations table when the app loads: no database work at start-up.
PROMETHEUS_EXPORT_MIGRATIONS = False

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Database connections (docs/scaling.md#database-connections). Opening a PostgreSQL connection per request
# costs 2.5-3x the throughput of every endpoint, so production keeps each process's connection for
# CONN_MAX_AGE seconds and checks it is alive before reusing it after a request (CONN_HEALTH_CHECKS): a
# restarted or failed-over server costs one reconnect, never a 500. Not psycopg's pool: gunicorn's sync
# workers and Celery's prefork children run one request/task at a time, so a per-process pool would hold
# connections it never uses in parallel; one persistent connection per process is the same win with
# fewer server connections, and PgBouncer (below) shares them between machines.
# DATABASE_PGBOUNCER=1: the URL points at PgBouncer in transaction pooling mode (docker-compose.yml).
# Then a client connection may land on a different server connection for every transaction, so nothing
# may live in the session: no server-side (named) cursors for .iterator(), no prepared statements, and
# Django's connection to PgBouncer is closed after each request (PgBouncer keeps the server ones warm).
DATABASE_PGBOUNCER = env.bool("DATABASE_PGBOUNCER", default=False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault(
        "CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0 if DATABASE_PGBOUNCER else 60)
    )
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
    if DATABASE_PGBOUNCER:
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
        # psycopg 3 prepares a statement after 5 executions on one connection; PgBouncer's transaction
        # mode would hand the prepared name to another server connection.
        DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = None
    else:
        # Prepared statements only where the code asks for them (portal.compiled_sql.bound_cursor: the
        # statements it keeps compiled, issue 19). Django turns psycopg's automatic preparing off
        # (None), which also refuses an explicit request; a threshold no statement reaches keeps the
        # automatic preparing off and lets the asked ones through. Django's own queries bind their values
        # client-side and are never prepared.
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", 2**31 - 1)
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let the web process and the worker share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise serves from here (collectstatic fills it)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploaded materials (applications, complaints' attachments, the catalogue's blank forms) live outside
# the web root and are served only through permission-checked views. Default: the local filesystem
# (MEDIA_ROOT). With AWS_STORAGE_BUCKET_NAME set, on S3-compatible object storage (django-storages; MinIO
# in docker-compose.yml), so that web nodes share nothing: a private bucket, no public URL; the views
# stream the object after their permission check (docs/scaling.md#uploaded-materials).
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    from portal.storage import s3_storage  # noqa: E402

    STORAGES["default"] = s3_storage(
        bucket=AWS_STORAGE_BUCKET_NAME,
        endpoint_url=env.str("AWS_S3_ENDPOINT_URL", default=""),
        access_key=env.str("AWS_ACCESS_KEY_ID", default=""),
        secret_key=env.str("AWS_SECRET_ACCESS_KEY", default=""),
        region=env.str("AWS_S3_REGION_NAME", default=""),
        addressing_style=env.str("AWS_S3_ADDRESSING_STYLE", default="path"),
    )
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "private")))
MEDIA_URL = None  # never served directly
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
# Virus-scan hook: a callable(upload) that raises portal.exceptions.ApplicationError on an infected file.
UPLOAD_SCANNER = env.str("UPLOAD_SCANNER", default="intake.services.uploads.no_scan")
# ClamAV (portal/clamav.py): tcp://host:3310 or unix:///path of clamd; set, it scans every upload (and
# refuses uploads while clamd is down). `check --deploy` warns while no scanner is configured.
CLAMD_URL = env.str("CLAMD_URL", default="")
CLAMD_TIMEOUT = env.float("CLAMD_TIMEOUT", default=30.0)
FILE_UPLOAD_PERMISSIONS = 0o640
DATA_UPLOAD_MAX_MEMORY_SIZE = 60 * 1024 * 1024
# JSON bodies (portal/input_guard.py): larger ones get a 413, deeper nesting a 400.
API_JSON_MAX_BYTES = env.int("API_JSON_MAX_BYTES", default=1024 * 1024)
API_JSON_MAX_DEPTH = 32

# --- security (production turns DEBUG off; check --deploy is clean then) ---
# The TLS-terminating proxy in front of gunicorn (Caddy in docker-compose.yml) says the client spoke HTTPS
# with X-Forwarded-Proto; gunicorn is reachable by that proxy only, so no client can claim it itself.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
# Plain HTTP is redirected to HTTPS whenever DEBUG is off. Opt out (SECURE_SSL_REDIRECT=0) only when the
# proxy itself redirects HTTP and is the only way in; `check --deploy` then warns (security.W008) as a
# reminder. docs/security.md#production.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Forms: GOV.UK Frontend's components through crispy-forms-gds (static/vendor/govuk-frontend is 5.8.0).
CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"
CRISPY_GDS_FRONTEND_VERSION = "5.8.0"

# Content-Security-Policy (django-csp): no inline scripts or handlers anywhere, every script and style
# from our own origin. The Redoc page alone relaxes style-src (portal/api_docs.py says why).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}
SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=[])

# --- the service hall (hall app) ---
# A business type whose longest waiting number has waited longer than this raises a waiting-time alert.
HALL_WAIT_ALERT_MINUTES = env.int("HALL_WAIT_ALERT_MINUTES", default=30)

# --- cache (rate limits and throttles share it; Redis in production) ---
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://portal")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # reads miss and writes are skipped while Redis is down (portal/cache.py), with short timeouts
    CACHES["default"]["BACKEND"] = "portal.cache.FailSafeRedisCache"

# --- REST API ---
# Per-address rate limits read the client's address like DRF's throttles (API_NUM_PROXIES behind a proxy).
RATELIMIT_IP_META_KEY = "portal.ratelimits.client_ip"
REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes "not signed in" a 401 (session first would say 403).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # knox's, checking the presented token's expiry without reading the user's other tokens on every
        # request; expired tokens are deleted by a periodic task (portal/accounts/auth.py)
        "portal.accounts.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "portal.api.PortalAutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "portal.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon": "60/min", "user": "600/min", "complaint": "5/min"},
    # Behind N reverse proxies, throttles and the per-address rate limits (portal/ratelimits.py) key
    # anonymous clients by the X-Forwarded-For address the proxies add (unset: by the peer address). The
    # load benchmark sets 1 to give each simulated citizen its own address.
    "NUM_PROXIES": env("API_NUM_PROXIES", cast=int, default=None),
}
# API tokens (django-rest-knox): "Authorization: Token <token>" as before, but stored as a hash, one per
# device, expiring after API_TOKEN_TTL_HOURS and revoked by logout and by a password change.
KNOX_TOKEN_MODEL = "knox.AuthToken"  # noqa: S105 - a model name; knox's migrations read this setting
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env.int("API_TOKEN_TTL_HOURS", default=24 * 14)),
    "AUTO_REFRESH": False,
    "AUTH_HEADER_PREFIX": "Token",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "一窗受理 One-window portal API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "CaseStateEnum": "approvals.constants.CaseState",
        "ScoreEnum": "complaints.constants.Score",
        "RatingChannelEnum": "complaints.constants.RatingChannel",
        "ComplaintChannelEnum": "complaints.constants.ComplaintChannel",
        "ApplicationChannelEnum": "intake.constants.Channel",
        "DeliveryMethodEnum": "approvals.constants.DeliveryMethod",
        "SuspensionKindEnum": "approvals.constants.SuspensionKind",
        "FieldKindEnum": "intake.constants.FieldKind",
    },
}

# --- Celery ---
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    # Redis redelivers an unacknowledged message after the visibility timeout; no task runs or is
    # delayed longer than this (periodic work is done by beat scans, never by long ETAs).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
    }
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
from portal.schedule import BEAT_SCHEDULE as CELERY_BEAT_SCHEDULE  # noqa: E402, F401  (a setting)

# --- e-mail and SMS ---
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noreply@zwfw.example.gov.cn")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)  # a hand-off never outlasts the sending lease
# Only for EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend (one file per message).
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
SMS_BACKEND = env.str("SMS_BACKEND", default="portal.sms.FileSmsGateway")
SMS_FILE_DIR = Path(env.str("SMS_FILE_DIR", default=str(VAR_DIR / "sms")))
SMS_HTTP_URL = env.str("SMS_HTTP_URL", default="")
SMS_HTTP_TOKEN = env.str("SMS_HTTP_TOKEN", default="")

# Every handler masks resident ID numbers (portal/pii.py); Django's own handlers are redefined here so
# that theirs do too (Celery's get the filter from portal/celery.py).
# Production (DEBUG off) logs one JSON object a line (python-json-logger) for a log collector; the
# masking filter runs first and the JSON formatter masks its whole output again (extra fields too).
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "mask_pii": {"()": "portal.pii.MaskResidentIdFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "json": {"()": "portal.pii.json_formatter"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["mask_pii"],
            **({"formatter": "json"} if LOG_FORMAT == "json" else {}),
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "django.server",
            "filters": ["mask_pii"],
        },
        "mail_admins": {
            "class": "portal.pii.MaskingAdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false", "mask_pii"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
    },
}
