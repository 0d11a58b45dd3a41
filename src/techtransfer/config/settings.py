"""Django settings. Operators configure the platform only through TECHTRANSFER_* environment variables
(see docs/configuration.md); the defaults are safe for a single-machine installation."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

from techtransfer.config import env
from techtransfer.subsidies.setting import parse_rates

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = env.data_dir()
SECRET_KEY = env.secret_key(DATA_DIR)
DEBUG = env.flag("TECHTRANSFER_DEBUG")
PROVINCE_CODE = env.province_code()
# Layout of technology-contract registration numbers (contracts.services.numbering): `national` = the
# model-contract instructions' 14 digits (2-digit year, province, city, point, 6-digit sequence); `full-year` =
# 4-digit year + the point's code + 6-digit sequence (the layout used before).
CONTRACTS_NUMBER_FORMAT = os.environ.get("TECHTRANSFER_REGISTRATION_NUMBER_FORMAT", "national").strip().lower()
if CONTRACTS_NUMBER_FORMAT not in ("national", "full-year"):
    raise ValueError("TECHTRANSFER_REGISTRATION_NUMBER_FORMAT must be 'national' or 'full-year'")

# Subsidy rates a policy's rules leave to the operator (「一定比例」), e.g. "tj-institution=0.05,gx-county:450102=0.1"
# (docs/subsidies.md, "Rates as settings"); a malformed value stops start-up with a message naming the entry.
SUBSIDY_RATES = parse_rates(os.environ.get("TECHTRANSFER_SUBSIDY_RATES", ""))

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("TECHTRANSFER_ALLOWED_HOSTS", "*").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("TECHTRANSFER_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "huey.contrib.djhuey",
    "ninja",  # serves Swagger UI from local static files instead of a CDN
    # Shared kernels first: every domain app may import these, never the reverse.
    "techtransfer.core",
    "techtransfer.outbox",  # follow-ups and the change log, written in the writer's transaction: any app may publish
    "techtransfer.regions",
    "techtransfer.taxonomy",
    "techtransfer.accounts",
    "techtransfer.audit",
    "techtransfer.backoffice",  # admin bases and the kernel tables' pages: above the kernels, below the domains
    "techtransfer.notifications",  # any domain app may notify users
    # Domain areas.
    "techtransfer.orgs",
    "techtransfer.people",
    "techtransfer.catalog",
    "techtransfer.matching",
    "techtransfer.contracts",
    "techtransfer.stats",
    "techtransfer.trading",
    "techtransfer.subsidies",  # subsidy policies computed from registered contracts
    "techtransfer.reports",  # annual transformation reports (年度报告汇交) and credit records that follow them
    "techtransfer.evaluation",  # yearly evaluation of technology-transfer institutions and plan supervision
    "techtransfer.exchange",  # open exchange between platforms: signed change feed, peers, federated records
    "techtransfer.demo",  # last: its loader walks the apps above in this order
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "techtransfer.core.middleware.RequestIdMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "techtransfer.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "techtransfer.core.middleware.TextInputMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "techtransfer.config.urls"
WSGI_APPLICATION = "techtransfer.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "core" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "techtransfer.regions.context_processors.platform",
            ],
        },
    }
]

_default_db = f"sqlite:///{DATA_DIR / 'techtransfer.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("TECHTRANSFER_DATABASE_URL", _default_db), conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers proceed while one writer commits; IMMEDIATE avoids lock-upgrade deadlocks.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["TEST"] = {"NAME": None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

REDIS_URL = os.environ.get("TECHTRANSFER_REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    # Several web hosts: a session is read from the shared Redis cache and written through to the database, so a
    # restarted or flushed Redis (or an evicted key) signs nobody out; the database stays the record
    # (docs/operations.md, "Several application hosts").
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background tasks (index updates, notifications, closing auctions and notices) run on Huey: a Redis queue
# when TECHTRANSFER_REDIS_URL is set, otherwise an SQLite queue file in the data folder. `techtransfer worker`
# consumes it (`techtransfer demo` starts one itself). TECHTRANSFER_TASKS=immediate runs tasks inline instead.
TASKS_MODE = os.environ.get("TECHTRANSFER_TASKS", "queue").strip().lower()
if TASKS_MODE not in ("queue", "immediate"):
    raise ValueError("TECHTRANSFER_TASKS must be 'queue' or 'immediate'")
HUEY = {
    "name": "techtransfer",
    "immediate": TASKS_MODE == "immediate",
    "utc": True,
    "consumer": {
        "workers": 2, "worker_type": "thread", "periodic": True, "check_worker_health": True,
        # Poll the queue at least every second: a published record must be searchable within 2 s.
        "initial_delay": 0.1, "backoff": 1.15, "max_delay": 1.0,
    },
}
if REDIS_URL:
    # Short timeouts: a request's post-commit relay must not hang on an unreachable Redis (the outbox keeps the
    # job and the worker relays it later); the consumer's blocking reads wait 1 s, well within socket_timeout.
    # Values given in the URL itself come first and win.
    _timeouts = "socket_connect_timeout=2&socket_timeout=10"
    # One periodic-task schedule across hosts: each minute's periodic tasks are enqueued by the one worker that
    # claims that minute in Redis (core/scheduler.py); every worker runs tasks.
    HUEY.update({"huey_class": "techtransfer.core.scheduler.SingleScheduleRedisHuey",
                 "url": f"{REDIS_URL}{'&' if '?' in REDIS_URL else '?'}{_timeouts}"})
else:
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": str(DATA_DIR / "tasks.sqlite3")})

# This host's name among the application hosts that share one database: each keeps its own search index in its data
# folder and follows the change log under this name (docs/operations.md, "Several application hosts"). Default:
# the machine's name and a digest of the data folder, stable across restarts.
HOST_ID = os.environ.get("TECHTRANSFER_HOST_ID", "").strip() or env.default_host_id(DATA_DIR)

# Outgoing e-mail (deadline reminders of the annual reports): an SMTP server when TECHTRANSFER_EMAIL_HOST is set;
# otherwise every message is written as a file under <data dir>/mail (Django's file backend), so that nothing is
# lost or sent by surprise on an unconfigured installation and the operator can read what would have gone out.
EMAIL_HOST = os.environ.get("TECHTRANSFER_EMAIL_HOST", "").strip()
DEFAULT_FROM_EMAIL = os.environ.get("TECHTRANSFER_EMAIL_FROM", "").strip() or "techtransfer@localhost"
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    _port = os.environ.get("TECHTRANSFER_EMAIL_PORT", "").strip() or "587"
    if not (_port.isdigit() and 0 < int(_port) < 65536):
        raise ValueError(f"TECHTRANSFER_EMAIL_PORT must be a port number (1-65535), got {_port!r}")
    EMAIL_PORT = int(_port)
    EMAIL_HOST_USER = os.environ.get("TECHTRANSFER_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("TECHTRANSFER_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = env.flag("TECHTRANSFER_EMAIL_TLS", default=True)
    EMAIL_TIMEOUT = 20
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(DATA_DIR / "mail")

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"

# Login throttling (django-axes): lock a username+address pair after repeated failures.
AXES_FAILURE_LIMIT = int(os.environ.get("TECHTRANSFER_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Failed attempts and lockouts are rows in the shared database (axes' default handler, named here on purpose): a
# lockout holds on every web host, not only on the one that counted the failures.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "techtransfer_language"

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Uploads (contract scans, ...) go through Django's default storage only: a folder that every web host mounts
# (TECHTRANSFER_MEDIA_DIR, e.g. an NFS share; default <data dir>/uploads), or with TECHTRANSFER_STORAGE=s3 an
# S3-compatible object store through django-storages (`pip install techtransfer[s3]`; docs/operations.md).
MEDIA_ROOT = Path(os.environ.get("TECHTRANSFER_MEDIA_DIR", "").strip() or DATA_DIR / "uploads").expanduser()
MEDIA_URL = "/media/"
STORAGE_KIND = os.environ.get("TECHTRANSFER_STORAGE", "").strip().lower() or "filesystem"
if STORAGE_KIND == "filesystem":
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif STORAGE_KIND == "s3":
    _default_storage = env.s3_storage()
else:
    raise ValueError("TECHTRANSFER_STORAGE must be 'filesystem' or 's3'")
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Secure defaults; HTTPS-only cookies and HSTS when the operator says the site is served over HTTPS.
HTTPS = env.flag("TECHTRANSFER_HTTPS")
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    SECURE_HSTS_SECONDS = 31536000
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Production deployment checks (`techtransfer check --deploy`) this layout answers on purpose; docs/operations.md
# says the same to operators:
# - W008 (SECURE_SSL_REDIRECT off): TLS ends at the reverse proxy, which redirects http:// to https://; the
#   application itself is reached over plain HTTP on the loopback (by the proxy and by local health probes), so
#   redirecting there would only loop or break the probes.
# - W005 (HSTS includeSubDomains) and W021 (HSTS preload): both commit hosts the platform does not run (every
#   subdomain, and through the browsers' preload list the domain for years); that is the domain owner's decision,
#   taken at the proxy, not a default of the application.
SILENCED_SYSTEM_CHECKS = ["security.W008", "security.W005", "security.W021"]

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
PAGE_SIZE = 20
MAX_PAGE_SIZE = 200

# TECHTRANSFER_LOG_FORMAT=json: one JSON object a line (time, level, logger, message, and the request's id when
# the line was written while serving one) for a log collector; `plain` (default) for people.
LOG_FORMAT = os.environ.get("TECHTRANSFER_LOG_FORMAT", "plain").strip().lower() or "plain"
if LOG_FORMAT not in ("plain", "json"):
    raise ValueError("TECHTRANSFER_LOG_FORMAT must be 'plain' or 'json'")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "techtransfer.core.logs.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",
            "json_ensure_ascii": False,
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("TECHTRANSFER_LOG_LEVEL", "WARNING")},
}

# Prometheus metrics at /metrics (TECHTRANSFER_METRICS=1): request latency by view (django-prometheus), task queue
# depth, outbox backlog, index lag. Never public: answered only to the addresses in TECHTRANSFER_METRICS_ALLOW
# (default the loopback) on a direct connection, or to `Authorization: Bearer <TECHTRANSFER_METRICS_TOKEN>`.
# The web server's processes share their figures through PROMETHEUS_MULTIPROC_DIR (default <data dir>/metrics,
# emptied by the operator when `serve` starts; docs/operations.md, "Metrics").
METRICS_ENABLED = env.flag("TECHTRANSFER_METRICS")
METRICS_TOKEN = os.environ.get("TECHTRANSFER_METRICS_TOKEN", "").strip()
METRICS_ALLOW = [a.strip() for a in os.environ.get("TECHTRANSFER_METRICS_ALLOW", "127.0.0.1,::1").split(",")
                 if a.strip()]
if METRICS_ENABLED:
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(DATA_DIR / "metrics")
    Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).mkdir(parents=True, exist_ok=True)
    MIDDLEWARE = [
        "django_prometheus.middleware.PrometheusBeforeMiddleware",
        *MIDDLEWARE,
        "django_prometheus.middleware.PrometheusAfterMiddleware",
    ]
