"""Neither the ORM nor raw SQL can change or remove an audit entry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import DatabaseError, connection, models, transaction

from node.audit.models import AuditEntry, AuditLogIsAppendOnly

pytestmark = pytest.mark.django_db

Append = Callable[..., AuditEntry]
REFUSED = "append-only"


@pytest.fixture
def entry(append: Append) -> AuditEntry:
    append()
    return append(target_id="2")


def _refused_by_the_database(sql: str, params: list[Any]) -> None:
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def test_saving_an_existing_entry_is_refused(entry: AuditEntry) -> None:
    entry.target_id = "3"
    with pytest.raises(AuditLogIsAppendOnly):
        entry.save()


def test_deleting_an_entry_is_refused(entry: AuditEntry) -> None:
    with pytest.raises(AuditLogIsAppendOnly):
        entry.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).delete()


def test_bulk_writes_are_refused(entry: AuditEntry) -> None:
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(target_id="3")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.bulk_create([AuditEntry()])


def test_an_orm_update_that_bypasses_the_model_is_refused_by_the_database(
    entry: AuditEntry,
) -> None:
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
        models.QuerySet.update(AuditEntry.objects.filter(pk=entry.pk), target_id="3")
    entry.refresh_from_db()
    assert entry.target_id == "2"


def test_an_orm_delete_that_bypasses_the_model_is_refused_by_the_database(
    entry: AuditEntry,
) -> None:
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
        models.QuerySet.delete(AuditEntry.objects.filter(pk=entry.pk))
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_a_raw_sql_update_is_refused(entry: AuditEntry) -> None:
    _refused_by_the_database(
        "UPDATE audit_auditentry SET target_id = %s WHERE id = %s", ["3", entry.pk]
    )


def test_a_raw_sql_delete_is_refused(entry: AuditEntry) -> None:
    _refused_by_the_database("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.count() == 2


def test_truncate_is_refused(entry: AuditEntry) -> None:
    _refused_by_the_database("TRUNCATE audit_auditentry", [])
    assert AuditEntry.objects.count() == 2
