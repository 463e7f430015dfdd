"""Settings, read once from the environment.

DEBUG is off unless the environment turns it on: a forgotten variable must never give production Django's
debug pages. With DEBUG=false the app refuses to start without SECRET_KEY and ALLOWED_HOSTS, or with the
development secret, rather than guessing (a fail-open secret breaks sessions and signs links anyone can
forge). A local copy runs with DEBUG=true (`make run` and the Makefile's other targets set it; or put
DEBUG=true in `.env`): SQLite in the project folder, Celery running tasks inline, the development secret.
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from pathway import standards  # pure Python: the clinical standards, e.g. the worklist horizon's default

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG: bool = env.bool("DEBUG", default=False)

DEV_SECRET = "dev-only-secret-key-never-used-in-production"
SECRET_KEY: str = env.str("SECRET_KEY", default=DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false (the default). For a local "
                               "development copy set DEBUG=true (make run does)")
if not DEBUG and SECRET_KEY == DEV_SECRET:
    raise ImproperlyConfigured("SECRET_KEY is the development secret, which is public: set a random secret "
                               "of 50 or more characters from the secrets store when DEBUG is false")

ALLOWED_HOSTS: list[str] = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is false")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "django_htmx",
    "core",
    "units",
    "pathway",
    "kpis",
    "reporting",
    "training",
    "families",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "api",
    "pop",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "accounts",
    "improvement",
]

MIDDLEWARE = [
    "core.middleware.RealClientAddressMiddleware",  # first: every rate limit counts the real client
    "django.middleware.security.SecurityMiddleware",
    "core.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.BadInputMiddleware",  # a NUL byte in the path, query or form: 400, before any query
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "api.middleware.JsonErrorsMiddleware",  # /api/v1/ answers JSON even before or after its views
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.IdleSignOutMiddleware",
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last (stack.md pitfall 4)
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded set-up: the background KPI drain (kpis.background) writes while requests save. WAL lets pages
    # read during a write; IMMEDIATE takes the write lock at BEGIN, so a save waits its turn (up to `timeout`
    # seconds) instead of failing at once with "database is locked" when a read turns into a write.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        transaction_mode="IMMEDIATE", timeout=20, init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "pathway:case_list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
# Every clinical time is entered and shown in UK local time; intervals are computed on UTC instants.
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = ["nhsuk"]
CRISPY_TEMPLATE_PACK = "nhsuk"

# Celery: Redis when REDIS_URL is set, otherwise every task runs inline so a bare machine still works.
REDIS_URL: str = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
# Cache: a Redis database of its own (CACHE_URL, e.g. redis://127.0.0.1:6379/1, never the broker's) shared by
# every web and worker process; without it, a per-process memory cache. Either way it only holds what can be
# worked out again (core.cache: an unreachable Redis is a miss, not an error).
CACHE_URL: str = env.str("CACHE_URL", default="")
CACHES = {"default": {"BACKEND": "core.cache.TolerantRedisCache", "LOCATION": CACHE_URL,
                      "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}
          if CACHE_URL else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                             # Django's default of 300 entries evicted one network's prepared pages and charts
                             # as soon as several networks were warmed (bench.kpis --networks 10).
                             "OPTIONS": {"MAX_ENTRIES": env.int("LOCAL_CACHE_MAX_ENTRIES", default=5000)}}}
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Periodic tasks, run by `celery -A config beat`; times are CELERY_TIMEZONE (Europe/London).
CELERY_BEAT_SCHEDULE = {
    # Full HIE KPI recompute, daily at 02:00 UK time (crontab.guru/#0_2_*_*_*), after the day's data entry.
    # The KPI tasks take the producer (kpis.producers): "hie", "pop" or "training".
    "kpis-recompute-all-nightly": {
        "task": "kpis.tasks.recompute_all",
        "schedule": crontab(hour="2", minute="0"),
        "kwargs": {"producer": "hie"},
    },
    # Periods left pending when a save could not reach the broker (kpis.models.PendingRecompute).
    "kpis-recompute-pending": {
        "task": "kpis.tasks.recompute_pending",
        "schedule": crontab(minute="*/5"),
        "kwargs": {"producer": "hie"},
    },
}
# Queues: everything goes to Celery's default queue ("celery") unless these name others, so one worker
# serves all. To keep long exports and the nightly runs from delaying case-save recomputes, name queues
# here and run a worker for each (docs/deployment.md, "Scaling out").
CELERY_EXPORTS_QUEUE = env.str("CELERY_EXPORTS_QUEUE", default="celery")
CELERY_NIGHTLY_QUEUE = env.str("CELERY_NIGHTLY_QUEUE", default="celery")
CELERY_TASK_ROUTES = {
    "reporting.tasks.run_export_job": {"queue": CELERY_EXPORTS_QUEUE},
    "reporting.tasks.send_monthly_report": {"queue": CELERY_EXPORTS_QUEUE},
    "kpis.tasks.recompute_all": {"queue": CELERY_NIGHTLY_QUEUE},  # every producer's nightly full run
    "kpis.tasks.recompute_run": {"queue": CELERY_NIGHTLY_QUEUE},  # "Recompute now": a full run too
}
# The KPI jobs draw the overview chart as they finish, so the first visitor does not wait (kpis.overview).
KPIS_WARM_CHARTS = env.bool("KPIS_WARM_CHARTS", default=True)
# A record save's recompute waits this long, so that saves in a burst share one run (kpis.pending.schedule_drain).
KPIS_RECOMPUTE_DELAY_SECONDS = env.int("KPIS_RECOMPUTE_DELAY_SECONDS", default=10)
# Without Redis, a save's recompute runs in the process's background thread after the response, this long
# after the save, never inside the request (kpis.background); false runs it inline as before.
KPIS_DRAIN_AFTER_RESPONSE = env.bool("KPIS_DRAIN_AFTER_RESPONSE", default=True)
KPIS_BACKGROUND_DRAIN_DELAY_SECONDS = env.float("KPIS_BACKGROUND_DRAIN_DELAY_SECONDS", default=2.0)
# ... at a moment with no request for this long, but never later than the longest wait after the save.
KPIS_BACKGROUND_QUIET_SECONDS = env.float("KPIS_BACKGROUND_QUIET_SECONDS", default=1.0)
KPIS_BACKGROUND_DRAIN_MAX_WAIT_SECONDS = env.float("KPIS_BACKGROUND_DRAIN_MAX_WAIT_SECONDS", default=10.0)
# SQLite has one write lock for the whole database: there a KPI run writes in short transactions of at most
# this many rows, each KPI-period and each case whole, so a save never waits for a whole run (kpis.engine).
KPIS_SHORT_WRITE_TRANSACTIONS = env.bool(
    "KPIS_SHORT_WRITE_TRANSACTIONS", default=DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
)
KPIS_WRITE_CHUNK_ROWS = env.int("KPIS_WRITE_CHUNK_ROWS", default=100)
# After each of those transactions the background drain lets a request being served go first, up to this long.
KPIS_BACKGROUND_YIELD_SECONDS = env.float("KPIS_BACKGROUND_YIELD_SECONDS", default=0.3)
# true: the drain runs in a child process (`manage.py drain_kpis`) rather than the thread. Off by default: on a
# busy machine the child's start-up and its hold on SQLite's write lock cost the saves more than the thread.
KPIS_BACKGROUND_DRAIN_PROCESS = env.bool("KPIS_BACKGROUND_DRAIN_PROCESS", default=False)

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="pathway@localhost")

# Case list paging; the nurse's list must stay short enough to scan on a tablet.
CASES_PER_PAGE = env.int("CASES_PER_PAGE", default=25)

if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # Probes of /health/ (core.health) from the proxy or the monitoring may come straight to gunicorn in plain
    # HTTP; the answer is ok/fail per check, nothing to protect in transit.
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# --- families ---
# Anonymous feedback on the family website: at most this many per visitor (salted IP hash) per hour, counted
# in the Django cache (per process unless CACHES names a shared cache), and never sent faster than a person
# can type (seconds from showing the form to sending it).
FAMILIES_FEEDBACK_PER_HOUR = env.int("FAMILIES_FEEDBACK_PER_HOUR", default=5)
FAMILIES_FEEDBACK_MIN_SECONDS = env.int("FAMILIES_FEEDBACK_MIN_SECONDS", default=3)
# The privacy notice (/families/privacy/, linked from every staff and family page): who is responsible for the
# data and how to reach them. Set them for each installation; an empty contact is left out of the page.
PRIVACY_CONTROLLER = env.str("PRIVACY_CONTROLLER", default="the East of England Neonatal Operational Delivery "
                                                            "Network, on behalf of the NHS trusts whose units "
                                                            "care for the babies")
PRIVACY_CONTACT_EMAIL = env.str("PRIVACY_CONTACT_EMAIL", default="")
PRIVACY_CONTACT_PHONE = env.str("PRIVACY_CONTACT_PHONE", default="")
PRIVACY_DPO_EMAIL = env.str("PRIVACY_DPO_EMAIL", default="")

# --- reporting ---
# Export files (reports, large case CSVs) live under MEDIA_ROOT/exports and are only served through the
# download view, which checks who asked for them; beat's hourly purge deletes them once EXPORT_RETENTION_HOURS
# have passed since the export was asked for.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# What storage saves (published report PDFs, the family booklet) is the service user's only, like the export
# files (core.files): owner-only files in owner-only directories.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
EXPORT_RETENTION_HOURS = env.int("EXPORT_RETENTION_HOURS", default=24)
# Reports for sharing outside the network hide counts from 1 to SMALL_NUMBER_THRESHOLD - 1 (shown as "[c]").
SMALL_NUMBER_THRESHOLD = env.int("SMALL_NUMBER_THRESHOLD", default=5)
if SMALL_NUMBER_THRESHOLD < 1:
    raise ImproperlyConfigured("SMALL_NUMBER_THRESHOLD must be at least 1")
# The network's own threshold (0: network figures are never hidden) and rounding of unit counts to the
# nearest N (0: exact). The policy and its sources: reporting/policy.py.
SMALL_NUMBER_NETWORK_THRESHOLD = env.int("SMALL_NUMBER_NETWORK_THRESHOLD", default=0)
SMALL_NUMBER_ROUNDING = env.int("SMALL_NUMBER_ROUNDING", default=0)
CELERY_BEAT_SCHEDULE["reporting-monthly-report"] = {
    # The network report to network leads, 07:00 UK time on the 1st of each month (crontab.guru/#0_7_1_*_*).
    "task": "reporting.tasks.send_monthly_report",
    "schedule": crontab(hour="7", minute="0", day_of_month="1"),
}
CELERY_BEAT_SCHEDULE["reporting-purge-expired-exports"] = {
    # Delete export files past their expiry, hourly at :15 (crontab.guru/#15_*_*_*_*).
    "task": "reporting.tasks.purge_expired_exports",
    "schedule": crontab(minute="15"),
}

# --- retention ---
# `python manage.py apply_retention` deletes cases whose baby was born more than this many years ago, with their
# history, family support log and stored exports, and rewrites what names them elsewhere (pathway.retention;
# docs/deployment.md "Retention"). 25: the NHS Records Management Code of Practice keeps a child's records to the
# 25th birthday; follow the trust's policy.
CASE_RETENTION_YEARS = env.int("CASE_RETENTION_YEARS", default=25)
if CASE_RETENTION_YEARS < 1:
    raise ImproperlyConfigured("CASE_RETENTION_YEARS must be at least 1")
# POP records (pop/) are the same neonatal record of a child, so by default they follow the same figure; a trust
# with another policy for them sets this.
POP_RETENTION_YEARS = env.int("POP_RETENTION_YEARS", default=CASE_RETENTION_YEARS)
if POP_RETENTION_YEARS < 1:
    raise ImproperlyConfigured("POP_RETENTION_YEARS must be at least 1")

# --- background imports ---
# The upload page imports a file of more rows than this in a Celery worker with a progress page
# (pathway.import_jobs), on the exports queue; a smaller one in the request. The result is the same.
# 1000: a region's yearly file (a few hundred rows) stays in the request, well inside gunicorn's 60 s.
IMPORT_BACKGROUND_ROWS = env.int("IMPORT_BACKGROUND_ROWS", default=1000)
# The largest upload the import page takes (MB); deploy/nginx.conf's client_max_body_size must be a little more.
IMPORT_MAX_UPLOAD_MB = env.int("IMPORT_MAX_UPLOAD_MB", default=50)
CELERY_TASK_ROUTES["pathway.tasks.run_import_job"] = {"queue": CELERY_EXPORTS_QUEUE}

# --- worklist ---
# A worklist item closes itself this many years after the baby's birth (issue 13): the 2-year follow-up is
# due by 30 months, so by 3 years an open item is history, not work.
WORKLIST_HORIZON_YEARS = env.int("WORKLIST_HORIZON_YEARS", default=standards.WORKLIST_HORIZON_YEARS)
if WORKLIST_HORIZON_YEARS < 1:
    raise ImproperlyConfigured("WORKLIST_HORIZON_YEARS must be at least 1")
WORKLIST_PER_PAGE = 50

# --- training ---
# A unit (and each key message at a unit) is due a refresher this many days after its last session.
TRAINING_REFRESHER_DAYS = env.int("TRAINING_REFRESHER_DAYS", default=180)
if TRAINING_REFRESHER_DAYS < 1:
    raise ImproperlyConfigured("TRAINING_REFRESHER_DAYS must be at least 1")
CELERY_BEAT_SCHEDULE["training-coverage-kpis-nightly"] = {
    # Training coverage KPI rows, daily at 02:30 UK time, after the HIE recompute (crontab.guru/#30_2_*_*_*).
    "task": "kpis.tasks.recompute_all",
    "schedule": crontab(hour="2", minute="30"),
    "kwargs": {"producer": "training"},
}
CELERY_BEAT_SCHEDULE["training-recompute-pending"] = {
    # A training change whose recompute could not reach the broker (kpis.pending).
    "task": "kpis.tasks.recompute_pending",
    "schedule": crontab(minute="*/5"),
    "kwargs": {"producer": "training"},
}
CELERY_BEAT_SCHEDULE["training-refresher-reminders"] = {
    # Email the nurse specialists the units due a refresher, daily at 07:30 UK time (crontab.guru/#30_7_*_*_*).
    "task": "training.tasks.send_training_reminders_task",
    "schedule": crontab(hour="7", minute="30"),
}

# --- api ---
# REST API (/api/v1/): personal bearer tokens (hashed), or the session for the browsable docs.
# A token stops working this many days after it is made (the tokens page shows the date); make a new one.
API_TOKEN_DAYS = env.int("API_TOKEN_DAYS", default=90)
if not 1 <= API_TOKEN_DAYS <= 366:
    raise ImproperlyConfigured("API_TOKEN_DAYS must be between 1 and 366")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiTokenAuthentication",  # first: its challenge makes "no token" a 401
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated", "api.scopes.TokenScopes"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.SafeJSONParser"],  # JSON bodies only
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Neuroprotection pathway tracker API",
    "DESCRIPTION": "HIE cases (dataset columns, v1 and v2), units and KPI figures. Access is at most that of the "
                   "token's user on the screens, narrowed by the token's scopes (read:pseudonymised, "
                   "read:identifiable, write). Errors: {\"errors\": [{\"field\", \"rule\", \"message\"}]}.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Swagger UI from api/static (no CDN: the app must work offline and on NHS networks that block them).
    "SWAGGER_UI_DIST": f"{STATIC_URL}api/swagger-ui",
    "SWAGGER_UI_FAVICON_HREF": f"{STATIC_URL}api/swagger-ui/favicon-32x32.png",
    "ENUM_NAME_OVERRIDES": {"YesNoEnum": "pathway.choices.YesNo", "YesNoUnknownEnum": "pathway.choices.YesNoUnknown",
                            "MriInjuryPatternEnum": "pathway.choices.MriInjuryPattern"},
}

# --- pop ---
# POP (preterm optimisation) KPIs: full recompute nightly at 02:30 UK time (crontab.guru/#30_2_*_*_*), after the
# HIE run at 02:00; each POP record save also recomputes its own periods after commit.
CELERY_BEAT_SCHEDULE["pop-kpis-nightly"] = {
    "task": "kpis.tasks.recompute_all",
    "schedule": crontab(hour="2", minute="30"),
    "kwargs": {"producer": "pop"},
}
CELERY_BEAT_SCHEDULE["pop-recompute-pending"] = {
    # POP periods left pending when a save could not reach the broker (kpis.pending).
    "task": "kpis.tasks.recompute_pending",
    "schedule": crontab(minute="*/5"),
    "kwargs": {"producer": "pop"},
}

# --- security ---
# How many reverse proxies stand in front of gunicorn, each appending to X-Forwarded-For (deploy/nginx.conf:
# one). The client address every rate limit counts is the header's entry that many places from the right
# (core.middleware); 0 (the default, no proxy) uses the connection's own address and ignores the header,
# which a client can write.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more")
# Content-Security-Policy, Permissions-Policy and Cross-Origin-Opener-Policy come from
# core.security.SecurityHeadersMiddleware (in MIDDLEWARE above); Django sends the rest.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# A connection kept across requests (CONN_MAX_AGE > 0) is checked before reuse, so a PostgreSQL restart
# costs one reconnect instead of errors until the workers are restarted.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# No NHS number reaches a log line or a mailed traceback: every handler redacts Modulus 11-valid numbers.
LOGGING.setdefault("filters", {})["redact_nhs_numbers"] = {"()": "core.security.RedactNhsNumbersFilter"}
for _handler in LOGGING["handlers"].values():
    _handler.setdefault("filters", []).append("redact_nhs_numbers")
# Failed Celery tasks (the nightly KPI recompute above all) are emailed to administrators (core/alerts.py).
ALERT_EMAILS_ENABLED = env.bool("ALERT_EMAILS_ENABLED", default=True)

# --- accounts ---
# Sign-in: password, then a TOTP code (django-otp) for every user; README "Sign-in and security".
# OTP_REQUIRED=false only for local demos and the test suite (config/test_settings.py).
OTP_REQUIRED: bool = env.bool("OTP_REQUIRED", default=True)
OTP_TOTP_ISSUER = "Neuroprotection pathway tracker"
# A session unused this long is signed out (shared ward computers); the sign-in page says why.
IDLE_TIMEOUT_MINUTES = env.int("IDLE_TIMEOUT_MINUTES", default=30)
if IDLE_TIMEOUT_MINUTES < 1:
    raise ImproperlyConfigured("IDLE_TIMEOUT_MINUTES must be at least 1")
# A session ends this long after sign-in however active it is (a whole shift): accounts.middleware checks
# the sign-in time, because Django's cookie age restarts whenever the session is saved.
SESSION_MAX_HOURS = env.int("SESSION_MAX_HOURS", default=12)
if SESSION_MAX_HOURS < 1:
    raise ImproperlyConfigured("SESSION_MAX_HOURS must be at least 1")
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 60 * 60
PASSWORD_RESET_TIMEOUT = 60 * 60  # an emailed reset link lasts an hour and works once (accounts.views)
# Lockout (django-axes): AxesStandaloneBackend must come first.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
# By username, not address: a whole trust sits behind one NHS gateway address, and one mistyping nurse must
# not lock out the ward.
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 warns that username-only lockout lets an attacker rotate user agents; the count is per username
# whatever the agent or address, so the warning does not apply here.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_ENABLE_ACCESS_FAILURE_LOG = True

# --- improvement ---
CELERY_BEAT_SCHEDULE["improvement-overdue-reminders"] = {
    # Email each owner their overdue improvement actions, daily at 07:45 UK time (crontab.guru/#45_7_*_*_*).
    "task": "improvement.tasks.send_improvement_reminders_task",
    "schedule": crontab(hour="7", minute="45"),
}
