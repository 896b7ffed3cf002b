"""Fixtures of the audit tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from node.audit.models import AuditEntry
from node.audit.services import audit_record
from tests.node.audit.flush import audit_log_flushable  # noqa: F401  (autouse, session)


@pytest.fixture
def append() -> Callable[..., AuditEntry]:
    """Append an entry about a case, with defaults a test can override."""

    def _append(**overrides: object) -> AuditEntry:
        arguments: dict[str, object] = {
            "actor": None,
            "action": "read",
            "target_type": "case",
            "target_id": "1",
        }
        return audit_record(**{**arguments, **overrides})  # type: ignore[arg-type]

    return _append


@pytest.fixture
def tamper() -> Callable[[str, list[Any]], None]:
    """Run SQL on the audit table with its triggers off, as a superuser could."""

    def _tamper(sql: str, params: list[Any]) -> None:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER ALL")
            cursor.execute(sql, params)
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER ALL")

    return _tamper
