"""The one-statement append (``audit_append``, migration 0003) hashes as ``entry_hash`` does."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from node.audit.models import AuditEntry
from node.audit.services import (
    AUDIT_CHAIN_LOCK,
    audit_chain_verify,
    audit_record,
    entry_hash,
    hash_pieces,
)
from shared.signing import canonical_json

# Text a hostile value could use to move a cut found by searching: quotes,
# braces, commas and the names of the holes themselves.
_tricky = st.text(alphabet=st.sampled_from(list('"{},:\\at id\u00e9\u2028x')), max_size=30)
_values = st.one_of(st.none(), st.booleans(), st.integers(-(2**62), 2**62), _tricky)
_detail = st.dictionaries(
    st.from_regex(r"k[a-z0-9_]{0,10}", fullmatch=True), _values, max_size=6
)


def _fields(detail: dict[str, Any], text: str) -> dict[str, Any]:
    return {
        "actor_id": 7,
        "actor_username": text,
        "actor_role": "clerk",
        "action": "read",
        "target_type": "case",
        "target_id": text or None,
        "target_ids": text,
        "ip": "2001:db8::1",
        "request_id": text,
        "detail": detail,
    }


@settings(max_examples=300)
@given(detail=_detail, text=_tricky, entry_id=st.integers(1, 2**62))
def test_the_pieces_with_at_and_id_put_in_are_the_canonical_json(
    detail: dict[str, Any], text: str, entry_id: int
) -> None:
    fields = _fields(detail, text)
    at = datetime(2026, 12, 4, 12, 0, 0, 123, tzinfo=UTC)
    before_at, before_id, after_id = hash_pieces(fields)
    document = {**fields, "id": entry_id, "at": at.isoformat(timespec="microseconds")}
    rebuilt = (
        before_at + canonical_json(document["at"]) + before_id + str(entry_id).encode() + after_id
    )
    assert rebuilt == canonical_json(document)


@pytest.mark.django_db
@settings(
    max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
@given(detail=_detail)
def test_entries_appended_by_the_server_verify_in_python(detail: dict[str, Any]) -> None:
    entry = audit_record(
        actor=None, action="read", target_type="case", target_id="1", detail=detail
    )
    stored = AuditEntry.objects.get(pk=entry.pk)
    fields = {
        name: getattr(stored, name)
        for name in (
            "id",
            "at",
            "actor_id",
            "actor_username",
            "actor_role",
            "action",
            "target_type",
            "target_id",
            "target_ids",
            "ip",
            "request_id",
            "detail",
        )
    }
    assert stored.hash == entry_hash(prev_hash=stored.prev_hash, fields=fields) == entry.hash
    assert (stored.at, stored.prev_hash) == (entry.at, entry.prev_hash)
    assert audit_chain_verify().intact


def test_the_function_takes_the_lock_the_python_side_names() -> None:
    migration = importlib.import_module("node.audit.migrations.0003_append_function")
    assert migration.LOCK == AUDIT_CHAIN_LOCK
    assert f"pg_advisory_xact_lock({AUDIT_CHAIN_LOCK:d})" in migration.INSTALL
