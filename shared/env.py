"""Strict readers of settings from environment variables.

Both projects read every setting through these helpers so that a wrong value
stops start-up with a message naming the variable, instead of surfacing later
as a confusing failure (or, worse, as a silently wrong behaviour). A secret may
be given directly (``NAME``) or as a path in ``NAME_FILE`` so that deployment
can keep it in a file readable only by the service user; the file wins.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar
from urllib.parse import parse_qs, unquote, urlsplit

T = TypeVar("T")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable."""


def _raw(name: str, environ: Mapping[str, str] | None) -> str | None:
    env = os.environ if environ is None else environ
    value = env.get(name)
    return None if value is None or value.strip() == "" else value.strip()


def _parse(name: str, raw: str, parse: Callable[[str], T], expected: str) -> T:
    try:
        return parse(raw)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{name}={raw!r} is not valid: expected {expected}") from exc


def env_str(
    name: str,
    default: str | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    choices: tuple[str, ...] | None = None,
) -> str:
    """A required string (``default`` None) or an optional one."""
    raw = _raw(name, environ)
    if raw is None:
        if default is None:
            raise ConfigError(f"{name} is required but not set")
        raw = default
    if choices is not None and raw not in choices:
        raise ConfigError(f"{name}={raw!r} is not valid: expected one of {', '.join(choices)}")
    return raw


def env_int(
    name: str,
    default: int,
    *,
    environ: Mapping[str, str] | None = None,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int:
    raw = _raw(name, environ)
    value = default if raw is None else _parse(name, raw, int, "an integer")
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ConfigError(f"{name}={value} is out of range [{minimum}, {maximum}]")
    return value


def env_bool(name: str, default: bool, *, environ: Mapping[str, str] | None = None) -> bool:
    raw = _raw(name, environ)
    if raw is None:
        return default
    if raw.lower() in _TRUE:
        return True
    if raw.lower() in _FALSE:
        return False
    raise ConfigError(f"{name}={raw!r} is not valid: expected true or false")


def env_list(
    name: str, default: tuple[str, ...] = (), *, environ: Mapping[str, str] | None = None
) -> list[str]:
    """A comma-separated list; blanks are dropped."""
    raw = _raw(name, environ)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_path(
    name: str, default: str | None = None, *, environ: Mapping[str, str] | None = None
) -> Path:
    return Path(env_str(name, default, environ=environ)).expanduser()


def env_secret(
    name: str, default: str | None = None, *, environ: Mapping[str, str] | None = None
) -> str:
    """A secret from ``NAME_FILE`` (preferred) or ``NAME``."""
    file_name = _raw(f"{name}_FILE", environ)
    if file_name is not None:
        try:
            value = Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"{name}_FILE={file_name!r} cannot be read: {exc.strerror}") from exc
        if not value:
            raise ConfigError(f"{name}_FILE={file_name!r} is empty")
        return value
    return env_str(name, default, environ=environ)


def env_database(
    name: str,
    default: str,
    *,
    environ: Mapping[str, str] | None = None,
) -> dict[str, object]:
    """A Django ``DATABASES`` entry from a URL (postgres://, postgresql://, sqlite:///)."""
    url = env_str(name, default, environ=environ)
    try:
        return parse_database_url(url)
    except ValueError as exc:
        raise ConfigError(f"{name} is not valid: {exc}") from exc


def parse_database_url(url: str) -> dict[str, object]:
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = unquote(parts.path)
        if not path or path == "/":
            raise ValueError("a sqlite URL needs a path, e.g. sqlite:///var/node.sqlite3")
        # sqlite:///relative/file and sqlite:////absolute/file, as dj-database-url reads them.
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": path[1:]}
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ValueError(f"unsupported scheme {parts.scheme!r} (postgres:// or sqlite:///)")
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise ValueError("a postgres URL needs a database name")
    options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "OPTIONS": options,
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }
