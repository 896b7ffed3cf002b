"""Settings of the national hub; every value comes from the environment.

The hub holds aggregates only. With no environment at all it starts on
embedded development defaults (SQLite under ``var/hub``).
"""

from __future__ import annotations

from pathlib import Path

from shared.env import ConfigError, env_bool, env_int, env_str
from shared.web import base_settings, env_path_default

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = env_path_default("SYSTRAITE_VAR_DIR", BASE_DIR / "var" / "hub")
VAR_DIR.mkdir(parents=True, exist_ok=True)

globals().update(
    base_settings(service="hub", base_dir=BASE_DIR, default_db=f"sqlite:///{VAR_DIR}/hub.sqlite3")
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
    "hub.accounts",
    "node.audit",
    "hub.registry",
    "hub.ingest",
    "hub.stats",
    "hub.dashboards",
]

AUTH_USER_MODEL = "accounts.User"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "shared.web.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "hub.config.urls"
WSGI_APPLICATION = "hub.config.wsgi.application"

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
            ],
        },
    }
]

PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Systraite hub API",
    "DESCRIPTION": "National aggregates of trafficking-in-persons cases.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Submissions from nodes: how large a body may be, how old a signed payload may be.
SYSTRAITE_SUBMISSION_MAX_BYTES = env_int(
    "SYSTRAITE_SUBMISSION_MAX_BYTES", 8 * 1024 * 1024, minimum=1024
)
SYSTRAITE_PAYLOAD_MAX_AGE_SECONDS = env_int(
    "SYSTRAITE_PAYLOAD_MAX_AGE_SECONDS", 7 * 24 * 3600, minimum=60
)

# Called by /metrics before rendering (shared.web.metrics).
SYSTRAITE_METRICS_REFRESHERS = ("hub.ingest.metrics.refresh_node_ages",)

# --- accounts (owned by hub/accounts) ---
# The nodes' log-in protections (node/accounts), for the hub's four roles.
AUTHENTICATION_BACKENDS = ["hub.accounts.backends.HubRoleBackend"]

# OWASP ASVS 4.0.3 §2.1: 12 to 128 characters, no composition rule, not common.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "node.accounts.validators.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Sessions live in the database and end after inactivity.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 60 * env_int("SYSTRAITE_SESSION_IDLE_MINUTES", 30, minimum=1, maximum=720)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Second factor (TOTP) for every role; may be relaxed for a demo, never in production.
SYSTRAITE_REQUIRE_OTP = env_bool("SYSTRAITE_REQUIRE_OTP", True)
if not SYSTRAITE_REQUIRE_OTP and globals()["SYSTRAITE_ENV"] == "production":
    raise ConfigError("SYSTRAITE_REQUIRE_OTP=false is refused when SYSTRAITE_ENV=production")
OTP_TOTP_ISSUER = "Systraite hub"

# Temporary lock-out of log-ins (the rules are node/accounts/throttle.py, shared).
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

# Reverse proxies whose X-Forwarded-For the audit log (node.audit) believes.
SYSTRAITE_TRUSTED_PROXIES = [
    proxy.strip() for proxy in env_str("SYSTRAITE_TRUSTED_PROXIES", "").split(",") if proxy.strip()
]

REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] = [
    "node.accounts.authentication.SessionAuthentication401",
]
# A view that forgets its permission still demands a verified hub user.
REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"] = ["hub.accounts.permissions.IsVerifiedUser"]

MIDDLEWARE = ["hub.accounts.middleware.SecurityNoticeMiddleware", *MIDDLEWARE]
# --- end accounts ---

# --- stats (owned by hub/stats) ---
# Disclosure control of every figure that reaches a partner (shared/disclosure.py).
SYSTRAITE_DISCLOSURE_THRESHOLD = env_int("SYSTRAITE_DISCLOSURE_THRESHOLD", 10, minimum=1)
SYSTRAITE_ROUNDING_BASE = env_int("SYSTRAITE_ROUNDING_BASE", 5, minimum=1)
# --- end stats ---

# --- dashboards (owned by hub/dashboards) ---
# The web pages write their msgids in French; English lives in hub/locale.
LOCALE_PATHS = [BASE_DIR / "hub" / "locale"]
LOGIN_URL = "dashboards:login"
# --- end dashboards ---
