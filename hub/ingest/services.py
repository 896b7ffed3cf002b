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
  (node, table, month) and each full (node, year, kind) token set carried is
  *replaced*, never merged, so a lost, repeated or reordered push cannot
  corrupt the hub.
- A token-set delta is state-checked: it applies only if the set held has its
  ``base_digest``, holds every token it removes and none it adds. Otherwise
  the whole submission is refused (409 ``token_base_mismatch``, naming the
  field) and nothing is written; the node then sends the full set.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import functools
import gc
import itertools
import time
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from hub.ingest import metrics
from hub.ingest.models import (
    MAX_DIMENSIONS,
    Cell,
    Outcome,
    Submission,
    TableMonthState,
    Token,
    TokenSet,
)
from hub.registry.models import Node
from hub.registry.selectors import node_get
from shared.payload import (
    EMPTY_SET_DIGEST,
    SUPPORTED_CONTRACT_VERSIONS,
    Payload,
    PayloadError,
    TableMonth,
    TokenSetDelta,
    parse_payload,
    set_digest,
)
from shared.payload import TokenSet as PayloadTokenSet
from shared.signing import (
    BadSignature,
    StaleDocument,
    load_public_key,
    loads_checked,
    verify_document,
)

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
        with _collector_paused():
            result = _ingest(attempt, body, content_encoding, now)
    except SubmissionRejected as exc:
        _record_rejection(attempt, exc.reason, now)
        raise
    _observe(attempt, result.outcome, "none")
    return result


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Keep Python's cyclic garbage collector from running while one payload is ingested.

    A full payload is ~17,000 lists, dicts and models (the JSON tree and its
    validated copy) with no reference cycle among them, all freed by reference
    counting when the ingest returns. While they live they only feed the
    collector's allocation counter: its young collections run every 700 new
    objects and promote them, and every few payloads a full collection walks
    the whole process (60-90 ms each in bench/hub_ingest.py, ~12 ms a payload).
    Mercurial's ``util.nogc`` does the same around its large parses. A caller
    that has already disabled the collector keeps it disabled.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _ingest(attempt: _Attempt, body: bytes, encoding: str | None, now: datetime) -> IngestResult:
    envelope, plain = _envelope(_decoded_body(body, encoding))
    document = envelope["document"]
    _check_contract(document)
    attempt.node = node = _active_node(document.get("node_id"))
    payload = _payload(_verified(envelope, node, now, plain=plain))
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


def _envelope(raw: bytes) -> tuple[dict[str, Any], bool]:
    """The envelope, and whether it holds no float, NaN or Infinity (``loads_checked``)."""
    try:
        envelope, plain = loads_checked(raw)
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
    return envelope, plain


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


def _verified(
    envelope: Mapping[str, Any], node: Node, now: datetime, *, plain: bool
) -> Mapping[str, Any]:
    max_age = timedelta(seconds=settings.SYSTRAITE_PAYLOAD_MAX_AGE_SECONDS)
    public_key = load_public_key(node.public_key_pem.encode("ascii"))
    try:
        return verify_document(envelope, public_key, now=now, max_age=max_age, plain=plain)
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
        held = _held_token_sets(node, payload)
        _check_token_deltas(payload, held)  # before any write: a refusal is cheap
        cells = _replace_table_months(node, payload.tables, payload.sequence)
        for entry in payload.tokens:
            _store_token_entry(node, entry, held.get((entry.year, entry.kind)), payload.sequence)
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
    """Replace the cells of every (table, month) carried and note which submission did.

    On PostgreSQL two round trips whatever the payload holds: one statement
    empties the months carried and upserts their states, one COPY loads the
    cells, streamed as text built a whole column at a time (no Python object
    per cell). Elsewhere (SQLite in development) the ORM does the same.
    """
    if not parts:
        return 0
    if connection.vendor != "postgresql":
        return _replace_table_months_orm(node, parts, sequence)
    _empty_months(node.pk, parts, sequence)
    return _copy_cells(node.pk, parts)


_EMPTY_MONTHS = f"""
    WITH carried ("table", month) AS (
        SELECT * FROM unnest(
            string_to_array(%(tables)s, ','), string_to_array(%(months)s, ',')::date[]
        )
    ),
    emptied AS (
        DELETE FROM {Cell._meta.db_table} AS cell USING carried
        WHERE cell.node_id = %(node)s
        AND cell."table" = carried."table" AND cell.month = carried.month
    ),
    updated AS (
        UPDATE {TableMonthState._meta.db_table} AS state SET sequence = %(sequence)s
        FROM carried
        WHERE state.node_id = %(node)s
        AND state."table" = carried."table" AND state.month = carried.month
        RETURNING state."table", state.month
    )
    INSERT INTO {TableMonthState._meta.db_table} (node_id, "table", month, sequence)
    SELECT %(node)s, "table", month, %(sequence)s FROM carried
    WHERE NOT EXISTS (
        SELECT FROM updated
        WHERE updated."table" = carried."table" AND updated.month = carried.month
    )
"""  # noqa: S608 (only our models' table names are rendered; every value is a parameter)


def _empty_months(node_pk: int, parts: list[TableMonth], sequence: int) -> None:
    """Delete the node's cells of the (table, month)s carried and upsert their states.

    One statement: a data-modifying WITH runs to completion even unread. The
    states held are updated through a join and only the missing ones inserted
    (an INSERT ... ON CONFLICT probed the unique index and locked each row
    first, twice the time); the lock on the node's row keeps any other push of
    the node from inserting the same states meanwhile.

    The pairs travel as two comma-separated strings, which PostgreSQL splits:
    psycopg quoting two lists of ~1,200 strings element by element cost more
    than the statement. Table names and months (validated) hold no comma.
    """
    tables = ",".join(part.table for part in parts)
    months = ",".join(f"{part.month}-01" for part in parts)
    with connection.cursor() as cursor:
        cursor.execute(
            _EMPTY_MONTHS,
            {"tables": tables, "months": months, "node": node_pk, "sequence": sequence},
        )


_CELL_COLUMNS = ("node_id", "table", "month", "d1", "d2", "d3", "count")
_COPY_CELLS = "COPY {} ({}) FROM STDIN".format(
    Cell._meta.db_table, ", ".join(f'"{column}"' for column in _CELL_COLUMNS)
)


def _copy_cells(node_pk: int, parts: list[TableMonth]) -> int:
    """Load the cells of the parts with one COPY (PostgreSQL's bulk path); the number loaded."""
    lines: list[str] = []
    for part in parts:
        lines.extend(_copy_lines(node_pk, part))
    if lines:
        with connection.cursor() as cursor, cursor.cursor.copy(_COPY_CELLS) as copy:
            copy.write("\n".join(lines) + "\n")
    return len(lines)


def _copy_lines(node_pk: int, part: TableMonth) -> Iterator[str]:
    """The COPY text lines of one (table, month), one per cell, joined by C loops.

    Each dimension's column is its cell indexes mapped through that month's
    (escaped) dictionary; dimensions the table lacks are "" (see ``Cell``).
    """
    width = len(part.values) + 1
    prefix = f"{node_pk}\t{_copy_escaped(part.table)}\t{part.month}-01"
    columns = [
        map([*map(_copy_escaped, codes)].__getitem__, part.cells[d::width])
        for d, codes in enumerate(part.values)
    ]
    padding = [itertools.repeat("")] * (MAX_DIMENSIONS - len(columns))
    counts = map(str, part.cells[width - 1 :: width])
    return map("\t".join, zip(itertools.repeat(prefix), *columns, *padding, counts))


@functools.cache
def _copy_escaped(text: str) -> str:
    """A value as COPY's text format needs it. Codes never hold these characters
    today; cached, as only catalogue and code-list values (validated) come here."""
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _replace_table_months_orm(node: Node, parts: list[TableMonth], sequence: int) -> int:
    """The same replacement through the ORM: a delete per table, bulk inserts, an upsert."""
    by_table: dict[str, list[date]] = {}
    cells: list[Cell] = []
    for part in parts:
        month = month_start(part.month)
        by_table.setdefault(part.table, []).append(month)
        cells.extend(
            Cell(node=node, table=part.table, month=month, count=count, **_dims(key))
            for key, count in part.decoded().items()
        )
    for table, months in by_table.items():
        Cell.objects.filter(node=node, table=table, month__in=months).delete()
    Cell.objects.bulk_create(cells, batch_size=_BATCH)
    TableMonthState.objects.bulk_create(
        [
            TableMonthState(
                node=node, table=part.table, month=month_start(part.month), sequence=sequence
            )
            for part in parts
        ],
        batch_size=_BATCH,
        update_conflicts=True,
        unique_fields=["node", "table", "month"],
        update_fields=["sequence"],
    )
    return len(cells)


def _dims(key: tuple[str, ...]) -> dict[str, str]:
    padded = (*key, "", "", "")
    return {"d1": padded[0], "d2": padded[1], "d3": padded[2]}


SetKey = tuple[int, str]  # (year, kind)


def _held_token_sets(node: Node, payload: Payload) -> dict[SetKey, TokenSet]:
    """The node's stored sets of the (year, kind)s carried (the node's row lock covers them)."""
    years = {entry.year for entry in payload.tokens}
    return {(s.year, s.kind): s for s in TokenSet.objects.filter(node=node, year__in=years)}


def _check_token_deltas(payload: Payload, held: Mapping[SetKey, TokenSet]) -> None:
    for index, entry in enumerate(payload.tokens):
        if isinstance(entry, TokenSetDelta):
            _check_token_delta(entry, held.get((entry.year, entry.kind)), f"tokens[{index}]")


def _base_mismatch(field_name: str, message: str) -> SubmissionRejected:
    return _reject(409, "token_base_mismatch", field_name, message)


def _check_token_delta(delta: TokenSetDelta, token_set: TokenSet | None, at: str) -> None:
    """Refuse a delta that does not start from the set held (a set never sent counts as empty).

    With the base digest equal and the tokens removed present and the tokens
    added absent, the set after the delta has exactly the delta's ``digest``
    (the payload schema checked that the digests and tokens agree).
    """
    digest = token_set.digest if token_set else EMPTY_SET_DIGEST
    if token_set is not None and token_set.key_id != delta.key_id:
        raise _base_mismatch(f"{at}.key_id", f"the set held is keyed {token_set.key_id}")
    if delta.base_digest != digest:
        raise _base_mismatch(f"{at}.base_digest", f"the set held has digest {digest}")
    present = _present_tokens(token_set, delta.removed)
    for position, token in enumerate(delta.removed):
        if token not in present:
            raise _base_mismatch(f"{at}.removed[{position}]", "not in the set held")
    present = _present_tokens(token_set, delta.added)
    for position, token in enumerate(delta.added):
        if token in present:
            raise _base_mismatch(f"{at}.added[{position}]", "already in the set held")


def _present_tokens(token_set: TokenSet | None, tokens: list[str]) -> set[str]:
    """Which of these tokens the set holds, an index lookup per batch."""
    if token_set is None:
        return set()
    present: set[str] = set()
    for start in range(0, len(tokens), _BATCH):
        batch = tokens[start : start + _BATCH]
        present |= set(
            Token.objects.filter(token_set=token_set, token__in=batch).values_list(
                "token", flat=True
            )
        )
    return present


def _store_token_entry(
    node: Node, entry: PayloadTokenSet | TokenSetDelta, token_set: TokenSet | None, sequence: int
) -> None:
    if isinstance(entry, TokenSetDelta):
        _apply_token_delta(node, entry, token_set, sequence)
    else:
        _replace_token_set(node, entry, sequence)


def _replace_token_set(node: Node, carried: PayloadTokenSet, sequence: int) -> None:
    token_set, _ = TokenSet.objects.update_or_create(
        node=node,
        year=carried.year,
        kind=carried.kind,
        defaults={
            "key_id": carried.key_id,
            "sequence": sequence,
            "digest": set_digest(carried.tokens),
        },
    )
    Token.objects.filter(token_set=token_set).delete()
    Token.objects.bulk_create(
        (Token(token_set=token_set, token=t) for t in carried.tokens), batch_size=_BATCH
    )


def _apply_token_delta(
    node: Node, delta: TokenSetDelta, token_set: TokenSet | None, sequence: int
) -> None:
    """Remove and add the delta's tokens (already checked) and store the new digest."""
    if token_set is None:
        token_set = TokenSet.objects.create(
            node=node,
            year=delta.year,
            kind=delta.kind,
            key_id=delta.key_id,
            sequence=sequence,
            digest=delta.digest,
        )
    else:
        token_set.sequence, token_set.digest = sequence, delta.digest
        token_set.save(update_fields=["sequence", "digest"])
    for start in range(0, len(delta.removed), _BATCH):
        Token.objects.filter(
            token_set=token_set, token__in=delta.removed[start : start + _BATCH]
        ).delete()
    Token.objects.bulk_create(
        (Token(token_set=token_set, token=t) for t in delta.added), batch_size=_BATCH
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
        return _envelope(raw)[0]  # small: the canonical walk costs nothing worth saving
    except SubmissionRejected as exc:
        message = exc.errors[0]["message"]
        raise _reject(403, "bad_signature", "X-Systraite-Signature", message) from None
