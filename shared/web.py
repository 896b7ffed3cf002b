"""Django plumbing that node and hub share: health, metrics, request ids, base settings.

This is the one Django-aware module of ``shared``; it holds no model and no
business rule, only what both services need to be operated the same way.
"""

from __future__ import annotations

import hmac
import logging
import os
import re
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client import REGISTRY as DEFAULT_REGISTRY

from shared.env import env_bool, env_database, env_int, env_list, env_secret, env_str

log = logging.getLogger(__name__)

HTTP_REQUESTS = Counter(
    "systraite_http_requests_total",
    "HTTP requests by method and status class",
    ["method", "status"],
)
HTTP_LATENCY = Histogram(
    "systraite_http_request_duration_seconds",
    "HTTP request duration",
    ["method"],
)

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and readiness: the service runs and its database answers."""
    body: dict[str, Any] = {"service": settings.SYSTRAITE_SERVICE, "database": "ok"}
    status = 200
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means "not ready"
        log.warning("health check: database unavailable: %s", type(exc).__name__)
        body["database"] = "unavailable"
        status = 503
    body["status"] = "ok" if status == 200 else "error"
    body.update(getattr(settings, "SYSTRAITE_HEALTH_EXTRA", {}))
    return JsonResponse(body, status=status)


def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text format; guarded by a bearer token when one is configured."""
    token = settings.SYSTRAITE_METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            return HttpResponse("forbidden\n", status=403, content_type="text/plain")
    for refresh in getattr(settings, "SYSTRAITE_METRICS_REFRESHERS", ()):
        try:
            _import_string(refresh)()
        except DatabaseError:
            # A database that is down or not migrated must not take /metrics down
            # with it: the gauges keep their last values, /healthz says the rest.
            log.warning("metrics refresher %s: database unavailable", refresh)
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)


def _registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return DEFAULT_REGISTRY


def _import_string(path: str) -> Callable[[], None]:
    from django.utils.module_loading import import_string

    return import_string(path)


class RequestIdMiddleware:
    """Gives every request an id (kept from a sane X-Request-ID header) for logs and audit."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-ID", "")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        started = time.perf_counter()
        response = self.get_response(request)
        HTTP_LATENCY.labels(request.method).observe(time.perf_counter() - started)
        HTTP_REQUESTS.labels(request.method, f"{response.status_code // 100}xx").inc()
        response["X-Request-ID"] = request_id
        return response


def base_settings(*, service: str, base_dir: Path, default_db: str) -> dict[str, Any]:
    """The settings both projects share, read strictly from the environment.

    ``SYSTRAITE_ENV=production`` makes every secret mandatory; the default,
    ``development``, runs on embedded defaults (SQLite, generated dev secrets).
    """
    env = env_str("SYSTRAITE_ENV", "development", choices=("development", "production", "test"))
    production = env == "production"
    secret = env_secret("SYSTRAITE_SECRET_KEY", None if production else f"dev-only-{service}-key")
    if production and secret.startswith("dev-only"):
        raise_config("SYSTRAITE_SECRET_KEY", "must be set to a real secret in production")
    return {
        "SYSTRAITE_SERVICE": service,
        "SYSTRAITE_ENV": env,
        "SECRET_KEY": secret,
        "DEBUG": env_bool("SYSTRAITE_DEBUG", env == "development"),
        "ALLOWED_HOSTS": env_list("SYSTRAITE_ALLOWED_HOSTS", ("localhost", "127.0.0.1", "[::1]")),
        "CSRF_TRUSTED_ORIGINS": env_list("SYSTRAITE_CSRF_TRUSTED_ORIGINS"),
        "DATABASES": {"default": env_database("DATABASE_URL", default_db)},
        "DEFAULT_AUTO_FIELD": "django.db.models.BigAutoField",
        "USE_TZ": True,
        "TIME_ZONE": "Africa/Dakar",
        "USE_I18N": True,
        "LANGUAGE_CODE": "fr",
        "LANGUAGES": [("fr", "Français"), ("en", "English")],
        "STATIC_URL": "/static/",
        "STATIC_ROOT": _static_root(service, base_dir),
        "SYSTRAITE_METRICS_TOKEN": env_secret("SYSTRAITE_METRICS_TOKEN", ""),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Strict",
        "SESSION_COOKIE_SECURE": production,
        "CSRF_COOKIE_SECURE": production,
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https") if production else None,
        "DATA_UPLOAD_MAX_MEMORY_SIZE": env_int(
            "SYSTRAITE_MAX_UPLOAD_BYTES", 5 * 1024 * 1024, minimum=1024
        ),
        "LOGGING": _logging(service),
    }


def env_path_default(name: str, default: Path) -> Path:
    return Path(env_str(name, str(default))).expanduser()


def _static_root(service: str, base_dir: Path) -> str:
    root = env_path_default("SYSTRAITE_STATIC_ROOT", base_dir / "var" / "static" / service)
    root.mkdir(parents=True, exist_ok=True)
    return str(root)


def raise_config(name: str, message: str) -> None:
    from shared.env import ConfigError

    raise ConfigError(f"{name} {message}")


def _logging(service: str) -> dict[str, Any]:
    level = env_str("SYSTRAITE_LOG_LEVEL", "INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR"))
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "plain": {"format": f"%(asctime)s {service} %(levelname)s %(name)s %(message)s"}
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
        "root": {"handlers": ["console"], "level": level},
        # Request logs would carry URLs with query strings (search terms may be names).
        "loggers": {"django.request": {"level": "ERROR"}, "django.server": {"level": "WARNING"}},
    }
