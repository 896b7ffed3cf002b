"""Settings of a jurisdiction node; every value comes from the environment.

One codebase serves every jurisdiction: which one this node is comes from
``SYSTRAITE_JURISDICTION`` alone. With no environment at all the node starts
on embedded development defaults (SQLite under ``var/``, generated dev keys).
"""

from __future__ import annotations

from pathlib import Path

from shared.codes import code_list
from shared.env import ConfigError, env_bool, env_int, env_str
from shared.web import base_settings, env_path_default

BASE_DIR = Path(__file__).resolve().parents[2]

SYSTRAITE_JURISDICTION = env_str("SYSTRAITE_JURISDICTION", "SN-TGI-DKR")
_courts = code_list("court")
if SYSTRAITE_JURISDICTION not in _courts or _courts.get(SYSTRAITE_JURISDICTION).attrs.get(
    "kind"
) != "tgi":
    raise ConfigError(
        f"SYSTRAITE_JURISDICTION={SYSTRAITE_JURISDICTION!r} is not a tribunal de grande instance "
        "of the judicial map (shared/data/codes/court.json)"
    )

_slug = SYSTRAITE_JURISDICTION.lower()
VAR_DIR = env_path_default("SYSTRAITE_VAR_DIR", BASE_DIR / "var" / _slug)
VAR_DIR.mkdir(parents=True, exist_ok=True)

globals().update(
    base_settings(service="node", base_dir=BASE_DIR, default_db=f"sqlite:///{VAR_DIR}/node.sqlite3")
)
# Set just above by base_settings; declared for type checkers (django-stubs reads
# the names of this module, not what globals().update puts in it).
SYSTRAITE_SERVICE: str
SYSTRAITE_ENV: str
SYSTRAITE_METRICS_TOKEN: str

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "node.accounts",
    "node.audit",
    "node.people",
    "node.cases",
    "node.sync",
    "node.web",
]

AUTH_USER_MODEL = "accounts.User"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "shared.web.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Right after the sessions: ends idle sessions, slides the others once a minute.
    "node.accounts.middleware.IdleSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, taking the user from the session's own statement (node/accounts/sessions.py).
    "node.accounts.middleware.AuthenticationMiddleware",
    "node.accounts.middleware.OTPMiddleware",  # django-otp's, one query less
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "node.config.urls"
WSGI_APPLICATION = "node.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "node.accounts.context_processors.security_notice",
            ],
        },
    }
]

# The web interface writes its msgids in French; English lives in node/locale.
LOCALE_PATHS = [BASE_DIR / "node" / "locale"]

PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "EXCEPTION_HANDLER": "node.api.exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Systraite node API",
    "DESCRIPTION": f"Case registry of the jurisdiction {SYSTRAITE_JURISDICTION}.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# The national hub this node pushes to, and how often.
SYSTRAITE_HUB_URL = env_str("SYSTRAITE_HUB_URL", "http://127.0.0.1:8000")
SYSTRAITE_PUSH_INTERVAL_SECONDS = env_int("SYSTRAITE_PUSH_INTERVAL_SECONDS", 900, minimum=1)
SYSTRAITE_PUSH_ENABLED = env_bool("SYSTRAITE_PUSH_ENABLED", True)
SYSTRAITE_NODE_ID = env_str("SYSTRAITE_NODE_ID", SYSTRAITE_JURISDICTION.lower())

# Celery: the broker is Redis in production; development defaults to an
# in-process broker (tasks then run when called from `systraite-node push`).
CELERY_BROKER_URL = env_str("SYSTRAITE_BROKER_URL", "memory://")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BEAT_SCHEDULE = (
    {"sync-cycle": {"task": "node.sync.tasks.sync_cycle",
                    "schedule": float(SYSTRAITE_PUSH_INTERVAL_SECONDS),
                    # A cycle still queued when the next is due is dropped, not piled up.
                    "options": {"expires": float(SYSTRAITE_PUSH_INTERVAL_SECONDS)}}}
    if SYSTRAITE_PUSH_ENABLED else {}
) | {
    # Expired sessions and forgotten log-in counters (node/accounts/services.py).
    "accounts-housekeeping": {"task": "node.accounts.tasks.housekeeping",
                              "schedule": 24 * 3600.0, "options": {"expires": 3600.0}},
}
SYSTRAITE_METRICS_REFRESHERS = ("node.sync.metrics.refresh",)

# Key files (node/keys.py); in development, missing files are generated under VAR_DIR/keys.
SYSTRAITE_FIELD_KEY_FILE = env_str("SYSTRAITE_FIELD_KEY_FILE", "")
SYSTRAITE_SIGNING_KEY_FILE = env_str("SYSTRAITE_SIGNING_KEY_FILE", "")
SYSTRAITE_LINKAGE_SECRET_FILE = env_str("SYSTRAITE_LINKAGE_SECRET_FILE", "")

SYSTRAITE_HEALTH_EXTRA = {"jurisdiction": SYSTRAITE_JURISDICTION}

# --- accounts (owned by node/accounts) ---
# Users are this node's staff; the backend refuses other jurisdictions and unknown roles.
AUTHENTICATION_BACKENDS = ["node.accounts.backends.JurisdictionBackend"]

# OWASP ASVS 4.0.3 §2.1: 12 to 128 characters, any Unicode, no composition rule,
# refused if common or too close to the user's own name or username.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "node.accounts.validators.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Sessions live in the database (never in a cookie) and end after inactivity:
# IdleSessionMiddleware slides the expiry, saving a session at most once a minute
# rather than on every request (node/accounts/middleware.py).
SESSION_ENGINE = "node.accounts.sessions"  # Django's db sessions, read with their user
SESSION_COOKIE_AGE = 60 * env_int("SYSTRAITE_SESSION_IDLE_MINUTES", 30, minimum=1, maximum=720)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Second factor (TOTP) for every role; may be relaxed for a demo, never in production.
SYSTRAITE_REQUIRE_OTP = env_bool("SYSTRAITE_REQUIRE_OTP", True)
if not SYSTRAITE_REQUIRE_OTP and globals()["SYSTRAITE_ENV"] == "production":
    raise ConfigError("SYSTRAITE_REQUIRE_OTP=false is refused when SYSTRAITE_ENV=production")
OTP_TOTP_ISSUER = f"Systraite {SYSTRAITE_JURISDICTION}"

# Temporary lock-out of log-ins (node/accounts/throttle.py explains the choices).
SYSTRAITE_LOGIN_MAX_FAILURES_PER_USERNAME = env_int(
    "SYSTRAITE_LOGIN_MAX_FAILURES_PER_USERNAME", 5, minimum=1)
SYSTRAITE_LOGIN_MAX_FAILURES_PER_ADDRESS = env_int(
    "SYSTRAITE_LOGIN_MAX_FAILURES_PER_ADDRESS", 30, minimum=1)
SYSTRAITE_LOGIN_LOCKOUT_BASE_SECONDS = env_int(
    "SYSTRAITE_LOGIN_LOCKOUT_BASE_SECONDS", 60, minimum=1, maximum=3600)
SYSTRAITE_LOGIN_LOCKOUT_MAX_SECONDS = env_int(
    "SYSTRAITE_LOGIN_LOCKOUT_MAX_SECONDS", 900, minimum=1, maximum=3600)
SYSTRAITE_LOGIN_FAILURE_WINDOW_HOURS = env_int(
    "SYSTRAITE_LOGIN_FAILURE_WINDOW_HOURS", 24, minimum=1)
# The address counter uses the client address of node.audit (SYSTRAITE_TRUSTED_PROXIES).

REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] = [
    "node.accounts.authentication.SessionAuthentication401",
]
# A view that forgets its permission still demands a verified user of this node.
REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"] = ["node.accounts.permissions.IsVerifiedUser"]

# First, so that every response (even a redirect or a CSRF refusal) carries the notice.
MIDDLEWARE = ["node.accounts.middleware.SecurityNoticeMiddleware", *MIDDLEWARE]
# --- end accounts ---

# --- audit (owned by node/audit) ---
# Reverse proxies (addresses or networks, comma-separated) whose X-Forwarded-For
# the audit log believes when recording a client's address. Empty: REMOTE_ADDR
# only, so that a client cannot write any address it likes into the log.
SYSTRAITE_TRUSTED_PROXIES = [
    proxy.strip() for proxy in env_str("SYSTRAITE_TRUSTED_PROXIES", "").split(",") if proxy.strip()
]
# --- end audit ---
