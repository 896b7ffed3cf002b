"""The hash chain: intact when untouched, broken exactly where someone changed it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from node.audit.models import GENESIS_PREV_HASH, AuditEntry
from node.audit.services import audit_chain_verify, entry_hash
from shared.signing import canonical_json

pytestmark = pytest.mark.django_db

Append = Callable[..., AuditEntry]
Tamper = Callable[[str, list[Any]], None]


def _chain(append: Append, length: int) -> list[AuditEntry]:
    return [append(target_id=str(n), detail={"n": n}) for n in range(length)]


def test_an_empty_log_is_intact() -> None:
    report = audit_chain_verify()
    assert (report.intact, report.entries, report.head_hash) == (True, 0, None)


def test_a_chain_of_entries_verifies(append: Append) -> None:
    entries = _chain(append, 25)
    report = audit_chain_verify(chunk_size=7)  # several chunks
    assert report.intact
    assert report.entries == 25
    assert (report.head_id, report.head_hash) == (entries[-1].id, entries[-1].hash)
    assert report.describe() == "chaîne intacte: 25 entrées"


def test_each_entry_links_to_the_previous_and_the_first_to_zeros(append: Append) -> None:
    first, second = _chain(append, 2)
    assert first.prev_hash == GENESIS_PREV_HASH
    assert second.prev_hash == first.hash


def test_the_hash_is_sha256_over_prev_hash_and_canonical_json_of_the_other_columns(
    append: Append,
) -> None:
    entry = append(target_id="42", detail={"why": "test"})
    entry.refresh_from_db()
    document = {
        "id": entry.id,
        "at": entry.at.isoformat(timespec="microseconds"),
        "actor_id": None,
        "actor_username": "",
        "actor_role": "",
        "action": "read",
        "target_type": "case",
        "target_id": "42",
        "target_ids": "",
        "ip": None,
        "request_id": "",
        "detail": {"why": "test"},
    }
    expected = hashlib.sha256(entry.prev_hash.encode() + canonical_json(document)).hexdigest()
    assert entry.hash == expected
    assert entry_hash(prev_hash=entry.prev_hash, fields={**document, "at": entry.at}) == expected


def test_a_changed_field_is_detected_at_that_entry(append: Append, tamper: Tamper) -> None:
    entries = _chain(append, 9)
    middle = entries[4]
    tamper("UPDATE audit_auditentry SET actor_username = %s WHERE id = %s", ["x", middle.id])
    report = audit_chain_verify()
    assert not report.intact
    assert (report.first_bad_id, report.reason) == (middle.id, "hash_mismatch")
    assert report.head_id == entries[3].id


def test_a_changed_detail_is_detected_at_that_entry(append: Append, tamper: Tamper) -> None:
    entries = _chain(append, 5)
    tamper("UPDATE audit_auditentry SET detail = %s WHERE id = %s", ['{"n": 99}', entries[2].id])
    report = audit_chain_verify()
    assert (report.first_bad_id, report.reason) == (entries[2].id, "hash_mismatch")


def test_a_deleted_entry_is_detected_at_the_next_one(append: Append, tamper: Tamper) -> None:
    entries = _chain(append, 9)
    tamper("DELETE FROM audit_auditentry WHERE id = %s", [entries[4].id])
    report = audit_chain_verify()
    assert (report.first_bad_id, report.reason) == (entries[5].id, "prev_hash_mismatch")
    assert f"#{entries[5].id}" in report.describe()


def test_a_deleted_first_entry_is_detected(append: Append, tamper: Tamper) -> None:
    entries = _chain(append, 3)
    tamper("DELETE FROM audit_auditentry WHERE id = %s", [entries[0].id])
    report = audit_chain_verify()
    assert (report.first_bad_id, report.reason) == (entries[1].id, "prev_hash_mismatch")


def test_a_rewritten_entry_with_a_recomputed_hash_breaks_the_next_link(
    append: Append, tamper: Tamper
) -> None:
    entries = _chain(append, 4)
    tamper("UPDATE audit_auditentry SET hash = %s WHERE id = %s", ["f" * 64, entries[1].id])
    report = audit_chain_verify()
    assert (report.first_bad_id, report.reason) == (entries[1].id, "hash_mismatch")


def test_a_rolled_back_append_leaves_no_trace_and_the_next_one_takes_its_place(
    append: Append,
) -> None:
    first = append()
    with pytest.raises(RuntimeError), transaction.atomic():
        append()
        raise RuntimeError("the audited change failed")
    second = append()
    assert second.id == first.id + 1
    assert second.prev_hash == first.hash
    assert audit_chain_verify().intact


def test_a_gap_between_ids_is_not_a_break(append: Append) -> None:
    # Ids once came from a sequence, which skipped a value at every rolled-back
    # append: chains written then have gaps, and stay valid.
    first = append()
    fields = {
        "id": first.id + 5,
        "at": timezone.now(),
        "actor_id": None,
        "actor_username": "",
        "actor_role": "",
        "action": "read",
        "target_type": "case",
        "target_id": "2",
        "target_ids": "",
        "ip": None,
        "request_id": "",
        "detail": {},
    }
    AuditEntry.objects.create(
        **fields, prev_hash=first.hash, hash=entry_hash(prev_hash=first.hash, fields=fields)
    )
    assert append().id == first.id + 6
    report = audit_chain_verify()
    assert (report.intact, report.entries) == (True, 3)
