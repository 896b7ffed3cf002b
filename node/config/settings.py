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
            ],
        },
    }
]

PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
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
SYSTRAITE_PUSH_INTERVAL_SECONDS = env_int("SYSTRAITE_PUSH_INTERVAL_SECONDS", 900, minimum=10)
SYSTRAITE_PUSH_ENABLED = env_bool("SYSTRAITE_PUSH_ENABLED", True)

SYSTRAITE_HEALTH_EXTRA = {"jurisdiction": SYSTRAITE_JURISDICTION}
