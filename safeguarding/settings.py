"""Settings for Safeguarding Hub: one module, driven by environment variables.

Development defaults are safe for a laptop (SQLite, DEBUG on, console email). With
`DJANGO_ENV=production` every secret must be set, or start-up stops with ImproperlyConfigured.
`.env.example` documents every variable.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF

from safeguarding.env import env_bool, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DJANGO_ENV = env_str("DJANGO_ENV", "development")
PRODUCTION = DJANGO_ENV == "production"

if PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
    if not ALLOWED_HOSTS:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("Set ALLOWED_HOSTS in production.")
else:
    SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-not-for-production-use-0123456789abcdef")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])

DEBUG = env_bool("DEBUG", not PRODUCTION)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "rules.apps.AutodiscoverRulesConfig",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Our apps: core first; imports run core <- feature apps <- api.
    "safeguarding.core",
    # After core, so that core's `db_worker` (theirs, with a heartbeat) is the one `manage.py` runs.
    "django_tasks",
    "django_tasks_db",
    "safeguarding.agencies",
    "safeguarding.accounts",
    "safeguarding.children",
    "safeguarding.linking",
    "safeguarding.chronology",
    "safeguarding.census",
    "safeguarding.escalations",
    "safeguarding.reviews",
    "safeguarding.plans",
    "safeguarding.assessments",
    "safeguarding.concerns",
    "safeguarding.actionplans",
    "safeguarding.audits",
    "safeguarding.learning",
    "safeguarding.publishing",
    "safeguarding.dashboards",
    "safeguarding.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside everything that makes a response, so lockouts and redirects get it too.
    "safeguarding.core.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "safeguarding.core.middleware.IdleSessionRenewalMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "safeguarding.accounts.middleware.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "safeguarding.core.middleware.RequestContextMiddleware",
    # Reads of the dashboards and reports go to the read replica, when there is one (REPLICA_READ_VIEWS).
    "safeguarding.core.replica.ReplicaReadsMiddleware",
    # Axes must be last: it turns a lockout into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "safeguarding.urls"
WSGI_APPLICATION = "safeguarding.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "safeguarding" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "safeguarding.core.context_processors.service",
            ],
        },
    },
]
FORM_RENDERER = "safeguarding.core.forms.GovUKFormRenderer"

# Database: SQLite next to the code unless DATABASE_URL names another (PostgreSQL in production/CI).
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60 if PRODUCTION else 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the task worker read while the web process writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
# Behind PgBouncer in transaction pooling mode (docs/scaling.md): a server-side cursor cannot outlive
# the transaction PgBouncer gives the connection for, so set DATABASE_DISABLE_SERVER_SIDE_CURSORS=true
# (Django then fetches .iterator() results in chunks client-side), and DATABASE_CONN_MAX_AGE=0 if
# PgBouncer, not Django, should hold the connections.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("DATABASE_DISABLE_SERVER_SIDE_CURSORS", False)
# A read replica for dashboards, reports and scans (safeguarding/core/replica.py): reads on the views
# in REPLICA_READ_VIEWS go to it, writes and everything else to default. In tests it mirrors default.
if env_str("DATABASE_REPLICA_URL", ""):
    DATABASES["replica"] = {
        **dj_database_url.parse(
            env_str("DATABASE_REPLICA_URL", ""),
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60 if PRODUCTION else 0),
            conn_health_checks=True,
        ),
        "TEST": {"MIRROR": "default"},
    }
    DATABASES["replica"]["DISABLE_SERVER_SIDE_CURSORS"] = DATABASES["default"].get("DISABLE_SERVER_SIDE_CURSORS", False)
DATABASE_ROUTERS = ["safeguarding.core.replica.ReplicaRouter"]
REPLICA_READ_VIEWS = [
    "dashboards:*",
    "escalations:report",
    "escalations:report-csv",
    "escalations:report-pdf",
    "learning:report",
    "audits:summary",
    "audits:summary-pdf",
]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "agencies.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:sign-in"

# Sessions end after inactivity: each request renews the expiry.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_TIMEOUT_SECONDS", 30 * 60)
# The idle timeout is renewed at most once a SESSION_RENEW_SECONDS by
# core.middleware.IdleSessionRenewalMiddleware, not by a session write on every request.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_RENEW_SECONDS = env_int("SESSION_RENEW_SECONDS", 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Lockout: django-axes locks the username + IP address pair after repeated failures.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
# How many reverse proxies (load balancer, ingress) stand in front of the application and append to
# X-Forwarded-For: the client address axes locks on is the entry that many from the right. 0 (the
# development default) uses the connection's own address; production behind one load balancer: 1.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "safeguarding.accounts.client_ip.client_ip"

# Two-factor authentication with an authenticator app (TOTP).
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Safeguarding Hub")
# The Django admin never shows an authenticator secret or its QR code (issue 16).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = BASE_DIR / "var" / "media"
# Where `manage.py backup` writes its files when no --output is given (docs/operations.md, "Backup and
# restore"); keep copies off this machine too.
BACKUP_DIR = Path(env_str("BACKUP_DIR", str(BASE_DIR / "var" / "backups")))

# Security headers; the production block switches on HTTPS-only behaviour.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # A load balancer checks health over plain HTTP, without X-Forwarded-Proto: answer it, not 301.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# A strict, nonce-based Content Security Policy: nothing from other origins, no inline code
# without the per-request nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "safeguarding-hub@localhost")

# Cache (dashboard figures and the home page's count of the children an agency works with, counted at
# most every few minutes): in-process memory unless CACHE_URL
# names a Redis server, e.g. redis://127.0.0.1:6379/1, which every web process then shares. Only
# aggregate figures are cached: no personal data.
CACHE_URL = env_str("CACHE_URL", "")
if CACHE_URL:
    if not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("CACHE_URL must be a Redis address: redis://, rediss:// or unix://.")
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "safeguarding",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background work: django-tasks with its database backend (`manage.py db_worker`).
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
# Recovery (docs/operations.md, "When the worker stops"). The worker (`db_worker`) says it is alive
# every WORKER_HEARTBEAT_SECONDS; silent for WORKER_STALE_AFTER seconds, it is shown as down on /healthz
# and on pages that wait for it. A running import says it is alive every IMPORT_HEARTBEAT_SECONDS;
# silent for IMPORT_STALE_AFTER seconds, `recover_imports` (or the import's page) marks it failed.
# On SQLite no heartbeat can be written while an import saves (one writer at a time), so
# IMPORT_STALE_AFTER must be longer than the longest save.
WORKER_HEARTBEAT_SECONDS = env_int("WORKER_HEARTBEAT_SECONDS", 15)
WORKER_STALE_AFTER = env_int("WORKER_STALE_AFTER", 60)
IMPORT_HEARTBEAT_SECONDS = env_int("IMPORT_HEARTBEAT_SECONDS", 10)
IMPORT_STALE_AFTER = env_int("IMPORT_STALE_AFTER", 300)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "safeguarding.api.authentication.AgencyTokenAuthentication",
        "safeguarding.api.authentication.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "safeguarding.api.exceptions.Pagination",
    "EXCEPTION_HANDLER": "safeguarding.api.exceptions.api_exception_handler",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Safeguarding Hub API",
    "DESCRIPTION": (
        "REST API for agency systems in a local child safeguarding partnership. "
        "Authenticate with an agency system token: `Authorization: Token <key>`. "
        "A token acts as its agency: it sees only children its agency is involved with; "
        "anything else answers 404, exactly like something that does not exist."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "safeguarding.api.schema.add_links",
    ],
}

# Application logs carry no personal data: query strings (which can hold names and dates of
# birth typed into a search) are stripped from request log lines.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"strip_query": {"()": "safeguarding.core.logging.StripQueryStringFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["strip_query"]},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # WeasyPrint logs each rendering step at INFO: only its warnings (e.g. unsupported CSS) matter.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# How long an access grant may last at most (days).
ACCESS_GRANT_MAX_DAYS = env_int("ACCESS_GRANT_MAX_DAYS", 30)
# Linking child records (docs/linking.md): a pair of records whose match probability reaches
# LINKAGE_LINK_AT is linked automatically (never twins, namesakes or different NHS numbers);
# from LINKAGE_POSSIBLE_AT it goes to the data stewards' queue of possible matches; below, a new child.
LINKAGE_LINK_AT = env_float("LINKAGE_LINK_AT", 0.99)
LINKAGE_POSSIBLE_AT = env_float("LINKAGE_POSSIBLE_AT", 0.80)
if not 0 < LINKAGE_POSSIBLE_AT < LINKAGE_LINK_AT <= 1:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("LINKAGE_POSSIBLE_AT must be above 0 and below LINKAGE_LINK_AT, which is at most 1.")
# Case reviews (docs/reviews.md "Regime by date"): the day this partnership's safeguarding arrangements
# began (ISO date, between 29 June 2018 and 29 September 2019). Empty: the national dates are used —
# local child safeguarding practice reviews from 29 June 2018, serious case reviews until 29 September 2019.
_arrangements = env_str("PARTNERSHIP_ARRANGEMENTS_BEGAN_ON", "")
try:
    PARTNERSHIP_ARRANGEMENTS_BEGAN_ON = date.fromisoformat(_arrangements) if _arrangements else None
except ValueError as _exc:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("PARTNERSHIP_ARRANGEMENTS_BEGAN_ON must be a date such as 2019-06-29.") from _exc
_began = PARTNERSHIP_ARRANGEMENTS_BEGAN_ON
if _began and not date(2018, 6, 29) <= _began <= date(2019, 9, 29):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("PARTNERSHIP_ARRANGEMENTS_BEGAN_ON must be between 2018-06-29 and 2019-09-29.")
# Committee reports (docs/publishing.md): the RAG an overdue action is shown with in the report, whatever
# its own RAG — "red" (the default), "amber", or "own" (keep the action's own RAG, marked overdue).
COMMITTEE_REPORT_OVERDUE_RAG = env_str("COMMITTEE_REPORT_OVERDUE_RAG", "red")
if COMMITTEE_REPORT_OVERDUE_RAG not in ("red", "amber", "own"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("COMMITTEE_REPORT_OVERDUE_RAG must be red, amber or own.")
# Statutory clocks (docs/reviews.md). RAPID_REVIEW_CLOCK_FROM: "awareness" (default; Working Together
# 2018 ch. 4 / 2023 ch. 5: 15 working days from the day the partners became aware of the incident) or
# "notification" (where the partnership's own procedure counts from the notification to the panel).
RAPID_REVIEW_CLOCK_FROM = env_str("RAPID_REVIEW_CLOCK_FROM", "awareness")
if RAPID_REVIEW_CLOCK_FROM not in ("awareness", "notification"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured('RAPID_REVIEW_CLOCK_FROM must be "awareness" or "notification".')
# The last day the working-day calendar is trusted for a statutory deadline (YYYY-MM-DD); empty = the
# end of the year after the current one. Beyond it a deadline is refused (core.calendar.CalendarOutOfRange).
try:
    CALENDAR_KNOWN_UNTIL = date.fromisoformat(_known) if (_known := env_str("CALENDAR_KNOWN_UNTIL", "")) else None
except ValueError as _exc:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("CALENDAR_KNOWN_UNTIL must be a date written YYYY-MM-DD, or empty.") from _exc
# The activity log's hash chain (docs/operations.md, "The activity log: verification and anchor").
# ACTIVITY_LOG_ANCHOR: where `manage.py anchor_activity_log` appends the chain's latest link — a file
# path (JSON lines; best on another machine's mount or a write-once store), "syslog" or
# "syslog:<facility>" (e.g. syslog:local0); empty = not anchored. ACTIVITY_LOG_SEAL_GRACE_MINUTES: how
# long a committed log row may stay unsealed before verify_activity_log reports it.
ACTIVITY_LOG_ANCHOR = env_str("ACTIVITY_LOG_ANCHOR", "")
if ACTIVITY_LOG_ANCHOR.startswith("syslog:"):
    from logging.handlers import SysLogHandler

    if ACTIVITY_LOG_ANCHOR.partition(":")[2] not in SysLogHandler.facility_names:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("ACTIVITY_LOG_ANCHOR: unknown syslog facility (use e.g. syslog:local0).")
ACTIVITY_LOG_SEAL_GRACE_MINUTES = env_int("ACTIVITY_LOG_SEAL_GRACE_MINUTES", 5)
# The Children in Need census validator (docs/cin-census.md): the Python of the virtual environment that
# holds csc-validator-be-cin (`make .venv-cin/.installed`); relative paths are from the project directory.
CIN_VALIDATOR_PYTHON = env_str("CIN_VALIDATOR_PYTHON", ".venv-cin/bin/python")
# The local authority's three-digit code in the census file's header (Header/Source/LEA).
CIN_LA_CODE = env_str("CIN_LA_CODE", "201")
if not (len(CIN_LA_CODE) == 3 and CIN_LA_CODE.isdigit()):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("CIN_LA_CODE must be the local authority's three-digit code, e.g. 201.")
SERVICE_NAME = "Safeguarding Hub"
# The address people use to reach the service, for links in emails.
SITE_URL = env_str("SITE_URL") if PRODUCTION else env_str("SITE_URL", "http://127.0.0.1:8000")
PHASE_BANNER_TEXT = env_str(
    "PHASE_BANNER_TEXT", "This is a new service. Outside production it holds synthetic demo data only."
)
