"""Settings of the national hub; every value comes from the environment.

The hub holds aggregates only. With no environment at all it starts on
embedded development defaults (SQLite under ``var/hub``).
"""

from __future__ import annotations

from pathlib import Path

from shared.env import env_int
from shared.web import base_settings, env_path_default

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = env_path_default("SYSTRAITE_VAR_DIR", BASE_DIR / "var" / "hub")
VAR_DIR.mkdir(parents=True, exist_ok=True)

globals().update(
    base_settings(service="hub", base_dir=BASE_DIR, default_db=f"sqlite:///{VAR_DIR}/hub.sqlite3")
)

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
    "hub.registry",
    "hub.ingest",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "shared.web.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
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
