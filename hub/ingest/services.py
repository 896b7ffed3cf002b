"""Ingest a node's signed payload: check it in a fixed order, then replace state.

Contract (DESIGN.md, "What crosses the node -> hub boundary"; STYLE.md, "Node
-> hub protocol"):

- Nothing from the body is trusted before the signature is checked with the
  registered key of the node the document names. Until then only the contract
  version and the node id are read, to choose the key.
- A refused submission writes one thing: a ``Submission`` row with outcome
  ``rejected`` and a reason code, and no payload content. It never touches the
  node row (the sender is not proven).
- Idempotent: the node's row is locked (``select_for_update``) while a payload
  is stored, so two pushes of one node are serialised; a sequence at or below
  the last accepted one is answered as a duplicate and changes nothing. Each
  (node, table, month) and (node, year, kind) carried is *replaced*, never
  merged, so a lost, repeated or reordered push cannot corrupt the hub.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from hub.ingest import metrics
from hub.ingest.models import Cell, Outcome, Submission, TableMonthState, Token, TokenSet
from hub.registry.models import Node
from hub.registry.selectors import node_get
from shared.payload import (
    SUPPORTED_CONTRACT_VERSIONS,
    Payload,
    PayloadError,
    TableMonth,
    parse_payload,
)
from shared.payload import TokenSet as PayloadTokenSet
from shared.signing import BadSignature, StaleDocument, load_public_key, verify_document

_BATCH = 5000
Errors = list[dict[str, str]]


class SubmissionRejected(Exception):
    """A submission the hub refuses: an HTTP status, a reason code, the fields at fault."""

    def __init__(self, status: int, reason: str, errors: Errors) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.errors = errors


def _reject(status: int, reason: str, field_name: str, message: str) -> SubmissionRejected:
    return SubmissionRejected(status, reason, [{"field": field_name, "message": message}])


@dataclass(frozen=True)
class IngestResult:
    """What an authentic submission did: ``accepted`` (stored) or ``duplicate`` (nothing)."""

    outcome: str
    sequence: int
    last_sequence: int
    table_months: int = 0
    cells: int = 0


@dataclass
class _Attempt:
    """What the rejection record may say about a submission: sizes and, once named, its node."""

    size: int
    started: float = field(default_factory=time.perf_counter)
    node: Node | None = None

    def elapsed_ms(self) -> int:
        return int((time.perf_counter() - self.started) * 1000)


def submission_ingest(*, body: bytes, content_encoding: str | None, now: datetime) -> IngestResult:
    """Check and store one submission; raises SubmissionRejected (after recording it)."""
    attempt = _Attempt(size=len(body))
    try:
        result = _ingest(attempt, body, content_encoding, now)
    except SubmissionRejected as exc:
        _record_rejection(attempt, exc.reason, now)
        raise
    _observe(attempt, result.outcome, "none")
    return result


def _ingest(attempt: _Attempt, body: bytes, encoding: str | None, now: datetime) -> IngestResult:
    envelope = _envelope(_decoded_body(body, encoding))
    document = envelope["document"]
    _check_contract(document)
    attempt.node = node = _active_node(document.get("node_id"))
    payload = _payload(_verified(envelope, node, now))
    _check_identity(payload, node)
    return _store(attempt, payload, node.pk, now)


# --- reading the body --------------------------------------------------------


def _max_bytes() -> int:
    return int(settings.SYSTRAITE_SUBMISSION_MAX_BYTES)


def _decoded_body(body: bytes, encoding: str | None) -> bytes:
    limit = _max_bytes()
    if len(body) > limit:
        raise _reject(413, "too_large", "body", f"larger than {limit} bytes")
    name = (encoding or "identity").strip().lower()
    if name == "identity":
        return body
    if name == "gzip":
        return _gunzip(body, limit)
    raise _reject(415, "unsupported_encoding", "Content-Encoding", "only gzip is accepted")


def _gunzip(body: bytes, limit: int) -> bytes:
    """Decompress at most ``limit`` bytes: a gzip bomb stops there, never in memory."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        raw = inflater.decompress(body, limit + 1)
    except zlib.error as exc:
        raise _reject(400, "malformed", "body", f"not gzip: {exc}") from None
    if len(raw) > limit:
        raise _reject(413, "too_large", "body", f"decompresses to more than {limit} bytes")
    if not inflater.eof or inflater.unused_data:
        raise _reject(400, "malformed", "body", "gzip stream is truncated or has trailing data")
    return raw


def _envelope(raw: bytes) -> dict[str, Any]:
    try:
        envelope = json.loads(raw)
    except (ValueError, RecursionError):  # bad JSON, bad UTF-8, absurd nesting or digits
        raise _reject(400, "malformed", "body", "not a JSON document") from None
    if not isinstance(envelope, dict) or set(envelope) != {"document", "signature"}:
        raise _reject(
            400, "envelope", "body", "must be an object with exactly 'document' and 'signature'"
        )
    if not isinstance(envelope["document"], dict):
        raise _reject(400, "envelope", "document", "must be an object")
    if not isinstance(envelope["signature"], dict):
        raise _reject(400, "envelope", "signature", "must be an object")
    return envelope


# --- the checks, in order ----------------------------------------------------


def _check_contract(document: Mapping[str, Any]) -> None:
    version = document.get("contract")
    if not isinstance(version, str) or version not in SUPPORTED_CONTRACT_VERSIONS:
        supported = ", ".join(sorted(SUPPORTED_CONTRACT_VERSIONS))
        raise _reject(
            400, "unknown_contract", "contract", f"unknown contract version; supported: {supported}"
        )


def _active_node(node_id: object) -> Node:
    node = node_get(node_id=node_id)
    if node is None:
        raise _reject(403, "unknown_node", "node_id", "no such registered node")
    if not node.is_active:
        raise _reject(403, "suspended_node", "node_id", "this node is suspended")
    return node


def _verified(envelope: Mapping[str, Any], node: Node, now: datetime) -> Mapping[str, Any]:
    max_age = timedelta(seconds=settings.SYSTRAITE_PAYLOAD_MAX_AGE_SECONDS)
    public_key = load_public_key(node.public_key_pem.encode("ascii"))
    try:
        return verify_document(envelope, public_key, now=now, max_age=max_age)
    except BadSignature as exc:
        raise _reject(403, exc.reason, "signature", exc.message) from None
    except StaleDocument as exc:
        raise _reject(400, exc.reason, "built_at", exc.message) from None
    except RecursionError:
        raise _reject(403, "bad_signature", "signature", "document too deeply nested") from None


def _payload(document: Mapping[str, Any]) -> Payload:
    try:
        return parse_payload(document)
    except PayloadError as exc:
        raise SubmissionRejected(400, exc.reason, exc.errors) from None


def _check_identity(payload: Payload, node: Node) -> None:
    if payload.jurisdiction != node.jurisdiction:
        raise _reject(
            403,
            "wrong_jurisdiction",
            "jurisdiction",
            f"node {node.node_id} is registered for {node.jurisdiction}",
        )
    if payload.key_id != node.key_id:
        raise _reject(403, "bad_signature", "key_id", "not the node's registered key")


# --- storing -----------------------------------------------------------------


def _store(attempt: _Attempt, payload: Payload, node_pk: int, now: datetime) -> IngestResult:
    """Replace the node's state with the payload's, under a lock on the node's row.

    The lock serialises pushes of one node, so the sequence check and the
    replacement see the same ``last_sequence`` (Zulip zilencer's pattern).
    """
    with transaction.atomic():
        node = Node.objects.select_for_update().get(pk=node_pk)
        _recheck_locked(payload, node)
        node.last_submission_at = now
        if payload.sequence <= node.last_sequence:
            node.save(update_fields=["last_submission_at"])
            _record(attempt, node, payload.sequence, Outcome.DUPLICATE, now)
            return IngestResult("duplicate", payload.sequence, node.last_sequence)
        cells = _replace_table_months(node, payload.tables, payload.sequence)
        for token_set in payload.tokens:
            _replace_token_set(node, token_set, payload.sequence)
        node.last_sequence, node.last_success_at = payload.sequence, now
        node.save(update_fields=["last_sequence", "last_success_at", "last_submission_at"])
        _record(attempt, node, payload.sequence, Outcome.ACCEPTED, now, cells=cells)
    return IngestResult("accepted", payload.sequence, payload.sequence, len(payload.tables), cells)


def _recheck_locked(payload: Payload, node: Node) -> None:
    """The node may have been suspended or re-keyed while its payload was being checked."""
    if not node.is_active:
        raise _reject(403, "suspended_node", "node_id", "this node is suspended")
    if payload.key_id != node.key_id:
        raise _reject(403, "bad_signature", "key_id", "not the node's registered key")


def month_start(month: str) -> date:
    """'YYYY-MM' (already validated by the payload schema) as the first day of the month."""
    year, number = month.split("-")
    return date(int(year), int(number), 1)


def _replace_table_months(node: Node, parts: list[TableMonth], sequence: int) -> int:
    """Replace the cells of every (table, month) carried: a delete per table, one insert.

    A constant number of statements per table of the catalogue, whatever the
    number of months carried, so a full payload costs about what its rows cost.
    """
    by_table: dict[str, list[date]] = {}
    rows: list[tuple[object, ...]] = []
    states: list[TableMonthState] = []
    for part in parts:
        month = month_start(part.month)
        by_table.setdefault(part.table, []).append(month)
        rows.extend((node.pk, part.table, month, *_dims(key).values(), count)
                    for key, count in part.decoded().items())
        states.append(TableMonthState(node=node, table=part.table, month=month,
                                      sequence=sequence))
    for table, months in by_table.items():
        Cell.objects.filter(node=node, table=table, month__in=months).delete()
    _insert_cells(rows)
    TableMonthState.objects.bulk_create(
        states, batch_size=_BATCH, update_conflicts=True,
        unique_fields=["node", "table", "month"], update_fields=["sequence"])
    return len(rows)


_CELL_COLUMNS = ("node_id", "table", "month", "d1", "d2", "d3", "count")


def _insert_cells(rows: list[tuple[object, ...]]) -> None:
    """COPY on PostgreSQL (the bulk path the ingest is measured against), else the ORM."""
    if connection.vendor == "postgresql":
        columns = ", ".join(f'"{c}"' for c in _CELL_COLUMNS)
        with connection.cursor() as cursor, cursor.cursor.copy(
                f"COPY {Cell._meta.db_table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    Cell.objects.bulk_create(
        (Cell(**dict(zip(_CELL_COLUMNS, row, strict=True))) for row in rows), batch_size=_BATCH)


def _dims(key: tuple[str, ...]) -> dict[str, str]:
    padded = (*key, "", "", "")
    return {"d1": padded[0], "d2": padded[1], "d3": padded[2]}


def _replace_token_set(node: Node, carried: PayloadTokenSet, sequence: int) -> None:
    token_set, _ = TokenSet.objects.update_or_create(
        node=node,
        year=carried.year,
        kind=carried.kind,
        defaults={"key_id": carried.key_id, "sequence": sequence},
    )
    Token.objects.filter(token_set=token_set).delete()
    Token.objects.bulk_create(
        (Token(token_set=token_set, token=t) for t in carried.tokens), batch_size=_BATCH
    )


# --- the log -----------------------------------------------------------------


def _record(
    attempt: _Attempt,
    node: Node | None,
    sequence: int | None,
    outcome: str,
    now: datetime,
    *,
    reason: str = "",
    cells: int = 0,
) -> None:
    Submission.objects.create(
        node=node,
        sequence=sequence,
        received_at=now,
        outcome=outcome,
        reason=reason,
        bytes=attempt.size,
        cells=cells,
        duration_ms=attempt.elapsed_ms(),
    )


def _record_rejection(attempt: _Attempt, reason: str, now: datetime) -> None:
    """The one write a refused submission causes; it carries no payload content."""
    _record(attempt, attempt.node, None, Outcome.REJECTED, now, reason=reason)
    _observe(attempt, Outcome.REJECTED, reason)


def _observe(attempt: _Attempt, outcome: str, reason: str) -> None:
    metrics.SUBMISSIONS.labels(outcome, reason).inc()
    metrics.INGEST_DURATION.observe(time.perf_counter() - attempt.started)


# --- status requests ---------------------------------------------------------

STATUS_PURPOSE = "status"
STATUS_MAX_AGE = timedelta(seconds=300)
_STATUS_HEADER_MAX = 4096


def status_request_verify(*, header: str | None, node_id: str | None, now: datetime) -> Node:
    """The node that signed a status request, or SubmissionRejected (403).

    The header is base64url(JSON signing envelope) of ``{"node_id", "built_at",
    "purpose": "status"}``. Short ``max_age``: a captured header is useless
    after five minutes, and it only ever reveals the node's own status.
    """
    envelope = _status_envelope(header)
    document = envelope["document"]
    if document.get("node_id") != node_id:
        raise _reject(403, "bad_signature", "node_id", "the signed node id is not the one asked")
    node = _active_node(node_id)
    public_key = load_public_key(node.public_key_pem.encode("ascii"))
    try:
        verify_document(envelope, public_key, now=now, max_age=STATUS_MAX_AGE)
    except (BadSignature, StaleDocument) as exc:
        raise _reject(403, exc.reason, "X-Systraite-Signature", exc.message) from None
    if document.get("purpose") != STATUS_PURPOSE:
        raise _reject(403, "bad_signature", "purpose", f"must be {STATUS_PURPOSE!r}")
    return node


def _status_envelope(header: str | None) -> dict[str, Any]:
    if not header or len(header) > _STATUS_HEADER_MAX or not header.isascii():
        raise _reject(403, "bad_signature", "X-Systraite-Signature", "missing or too long")
    try:
        raw = base64.urlsafe_b64decode(header + "=" * (-len(header) % 4))
    except (binascii.Error, ValueError):
        raise _reject(403, "bad_signature", "X-Systraite-Signature", "not base64url") from None
    try:
        return _envelope(raw)
    except SubmissionRejected as exc:
        message = exc.errors[0]["message"]
        raise _reject(403, "bad_signature", "X-Systraite-Signature", message) from None
