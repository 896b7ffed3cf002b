"""Let Django's test flush empty the append-only audit table.

Transactional tests (``django_db(transaction=True)``) end with a flush, which
on PostgreSQL is one TRUNCATE of every table, and the audit table refuses
TRUNCATE. This wraps the flush so that, in the same transaction, the
truncate trigger is disabled, the tables emptied and the trigger enabled
again: no other session ever sees the table unguarded. Tests only.

Any conftest whose tests flush (a ``transaction=True`` test anywhere under
tests/node) activates it by importing the fixture::

    from tests.node.audit.flush import audit_log_flushable  # noqa: F401
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db.backends.postgresql.operations import DatabaseOperations

TABLE = "audit_auditentry"
TRIGGER = f"{TABLE}_no_truncate"


def _flushable(flush: Any) -> Any:
    def execute_sql_flush(self: DatabaseOperations, sql_list: list[str]) -> None:
        if any(TABLE in statement for statement in sql_list):
            sql_list = [
                f"ALTER TABLE {TABLE} DISABLE TRIGGER {TRIGGER}",
                *sql_list,
                f"ALTER TABLE {TABLE} ENABLE TRIGGER {TRIGGER}",
            ]
        flush(self, sql_list)

    execute_sql_flush.audit_flushable = True  # type: ignore[attr-defined]
    return execute_sql_flush


@pytest.fixture(autouse=True, scope="session")
def audit_log_flushable() -> Iterator[None]:
    original = DatabaseOperations.execute_sql_flush
    if getattr(original, "audit_flushable", False):  # already wrapped by another conftest
        yield
        return
    DatabaseOperations.execute_sql_flush = _flushable(original)  # type: ignore[method-assign]
    yield
    DatabaseOperations.execute_sql_flush = original  # type: ignore[method-assign]
