"""Writing the audit log, and checking that nobody rewrote it.

Callers pass ids and codes, never an identity: ``target_id`` is a record id,
``detail`` a flat mapping of short values (a name search records the
blind-index hash of the term, never the term). The log is read by auditors,
who may not read identities, so an identity written here is a leak.

Transactions: an append joins the caller's transaction. An audited change and
its entry therefore commit or roll back together: there is never an entry for
a change that did not happen, nor a change without its entry. An audited read
(a GET) has no surrounding transaction; the append then commits on its own.
While the caller's transaction is open it holds the log's lock (below), so
audited writes must keep their transactions short.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone
from psycopg import ClientCursor

from node.audit.conf import trusted_proxies
from node.audit.inflight import InFlight
from node.audit.models import CODE_PATTERN, GENESIS_PREV_HASH, AuditEntry
from node.columns import concrete_field
from shared.signing import canonical_json

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser
    from rest_framework.request import Request


DetailValue = str | int | bool | None

# pg_advisory_xact_lock key of the audit chain: the bytes "SYSTAUDT" as an integer.
AUDIT_CHAIN_LOCK = 0x5359_5354_4155_4454

DETAIL_KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
DETAIL_MAX_KEYS = 20
DETAIL_MAX_VALUE_LENGTH = 200
ID_MAX_LENGTH = 64
# A tripwire, not a guarantee: keys that say their value is an identity.
_IDENTITY_KEYS = frozenset(
    {
        "name",
        "first_name",
        "last_name",
        "full_name",
        "surname",
        "alias",
        "term",
        "query",
        "q",
        "search",
        "phone",
        "address",
        "email",
        "birth_date",
        "date_of_birth",
        "document_number",
    }
)

# The columns the hash covers, in the order verification reads them.
_HASHED = (
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


class AuditInputError(ValueError):
    """A caller passed something the audit log refuses (a programming error)."""


# --- appending ----------------------------------------------------------------


def audit_record(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    target_type: str,
    target_id: str | None = None,
    request: HttpRequest | Request | None = None,
    detail: Mapping[str, DetailValue] | None = None,
) -> AuditEntry:
    """Append one entry about one record (or none: a log-in, a failed log-in).

    Joins the caller's transaction (see the module docstring). Appends are
    serialised node-wide, so the chain never forks; raises AuditInputError
    for an invalid action, target or detail.
    """
    if target_id is not None:
        target_id = _checked_id(target_id, "target_id")
    return _append(
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_ids="",
        request=request,
        detail=detail,
    )


def audit_records(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    target_type: str,
    target_ids: Sequence[str],
    request: HttpRequest | Request | None,
    detail: Mapping[str, DetailValue] | None = None,
) -> AuditEntry:
    """Append ONE entry for a request that returned many records (list, search, export).

    The entry's ``target_id`` is None, ``target_ids`` lists every returned id
    (comma-separated, no length limit: an export of 10,000 records names all
    10,000) and ``detail["count"]`` their number. Same transaction and
    serialisation contract as ``audit_record``.
    """
    return _append(
        **_records_fields(
            action=action, target_type=target_type, target_ids=target_ids, detail=detail
        ),
        actor=actor,
        request=request,
    )


def audit_records_send(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    target_type: str,
    target_ids: Sequence[str],
    request: HttpRequest | Request | None,
    detail: Mapping[str, DetailValue] | None = None,
) -> PendingEntry:
    """``audit_records``, returning before the entry is written: ``.entry()`` waits for it.

    For an audited read, which may not answer before its entry is durable but
    has other work to do meanwhile (serialising the page): on PostgreSQL
    outside a transaction the append is sent at once and commits while the
    caller works. The caller MUST call ``.entry()`` before the response leaves;
    any statement sent on the connection before that first waits for the
    append and fails if it failed. Elsewhere (SQLite, inside a transaction)
    the append is made here, as ``audit_records`` does. Invalid input raises
    AuditInputError here, before anything is sent.
    """
    fields = _entry_fields(
        **_records_fields(
            action=action, target_type=target_type, target_ids=target_ids, detail=detail
        ),
        actor=actor,
        request=request,
    )
    if connection.vendor == "postgresql" and connection.get_autocommit():
        return PendingEntry(fields=fields, sent=InFlight(connection, _append_sql(fields)))
    return PendingEntry(fields=fields, sent=None, written=_write(fields))


def _records_fields(
    *,
    action: str,
    target_type: str,
    target_ids: Sequence[str],
    detail: Mapping[str, DetailValue] | None,
) -> dict[str, Any]:
    ids = [_checked_id(target_id, "target_ids") for target_id in target_ids]
    if any("," in target_id for target_id in ids):
        raise AuditInputError("target_ids: an id may not contain a comma")
    return {
        "action": action,
        "target_type": target_type,
        "target_id": None,
        "target_ids": ",".join(ids),
        "detail": {**(detail or {}), "count": len(ids)},
    }


@dataclass
class PendingEntry:
    """An entry sent to the server (``sent``) or already written (``written``)."""

    fields: dict[str, Any]
    sent: InFlight | None
    written: AuditEntry | None = None

    def entry(self) -> AuditEntry:
        """The appended entry, once durable; raises DatabaseError if the append failed."""
        if self.written is None:
            assert self.sent is not None  # one of the two is always set
            self.written = _entry_of(self.fields, self.sent.row())
        return self.written


def _append(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    target_type: str,
    target_id: str | None,
    target_ids: str,
    request: HttpRequest | Request | None,
    detail: Mapping[str, DetailValue] | None,
) -> AuditEntry:
    return _write(
        _entry_fields(
            actor=actor,
            action=action,
            target_type=target_type,
            target_id=target_id,
            target_ids=target_ids,
            request=request,
            detail=detail,
        )
    )


def _entry_fields(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    target_type: str,
    target_id: str | None,
    target_ids: str,
    request: HttpRequest | Request | None,
    detail: Mapping[str, DetailValue] | None,
) -> dict[str, Any]:
    """The columns of a new entry but its place in the chain; AuditInputError if invalid."""
    return {
        **_actor_fields(actor),
        "action": _checked_code(action, "action"),
        "target_type": _checked_code(target_type, "target_type"),
        "target_id": target_id,
        "target_ids": target_ids,
        "ip": client_ip(request) if request is not None else None,
        "request_id": _request_id(request),
        "detail": validate_detail(detail or {}),
    }


def _write(fields: dict[str, Any]) -> AuditEntry:
    if connection.vendor == "postgresql":
        return _append_in_server(fields)
    with transaction.atomic():
        entry = _chained(fields, head=_lock_chain_head())
        entry.save(force_insert=True)
    return entry


# --- PostgreSQL: one statement (migration 0003, ``audit_append``) ---------------

# The arguments of audit_append after the three pieces, in its order.
_ARGUMENTS = (
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
_APPEND_SQL = (
    "SELECT new_id, new_at, new_prev_hash, new_hash FROM audit_append("  # noqa: S608  (constant)
    f"{', '.join(['%s'] * (3 + len(_ARGUMENTS)))})"
)
_HOLES = ("at", "id")  # the values audit_append puts into the hashed document


def _append_in_server(fields: dict[str, Any]) -> AuditEntry:
    """Append in one round trip: the server takes the lock, reads the head, hashes, inserts.

    Inside the caller's transaction the chain's lock (a transaction-level
    advisory lock) is held until that transaction ends. Outside any (every
    audited read: a GET has none) the connection is in autocommit mode and the
    statement is a transaction of its own: it commits, which releases the
    lock, or fails and leaves nothing. The primary key and the unique
    ``prev_hash`` turn any append that escaped serialisation into an error
    rather than a fork.
    """
    with connection.cursor() as cursor:
        cursor.execute(_APPEND_SQL, _append_params(fields))
        return _entry_of(fields, cursor.fetchone())


def _append_params(fields: dict[str, Any]) -> list[Any]:
    return [*hash_pieces(fields), *(_prepared(name, fields[name]) for name in _ARGUMENTS)]


def _append_sql(fields: dict[str, Any]) -> str:
    """The append with its values in it, as Django's client-side binding sends it."""
    return ClientCursor(connection.connection).mogrify(_APPEND_SQL, _append_params(fields))


def _entry_of(fields: dict[str, Any], row: Sequence[Any]) -> AuditEntry:
    """The entry that ``audit_append`` wrote, from its fields and the row it returned."""
    new_id, at, prev_hash, hash_ = row
    entry = AuditEntry(**fields, id=new_id, at=at, prev_hash=prev_hash, hash=hash_)
    entry._state.adding, entry._state.db = False, connection.alias
    return entry


def _prepared(name: str, value: Any) -> Any:
    # Each value prepared by its model field, as the ORM would.
    return concrete_field(AuditEntry, name).get_db_prep_save(value, connection)


def hash_pieces(fields: Mapping[str, Any]) -> tuple[bytes, bytes, bytes]:
    """The canonical JSON of an entry's hashed document, in three pieces around ``at`` and ``id``.

    Piece 1, then the JSON of ``at``, piece 2, the JSON of ``id``, piece 3 is
    ``canonical_json`` of the document ``entry_hash`` hashes. The cuts are
    made by structure, never by searching the text, so no value can move a
    cut: the members whose keys sort before ``at``, between ``at`` and ``id``,
    and after ``id`` are encoded as three objects, whose members are, braces
    off, exactly the text ``canonical_json`` makes of them in the whole
    (sorted keys, no whitespace). ``audit_append`` puts the two values in.
    """
    document = {name: fields[name] for name in _HASHED if name not in _HOLES}
    if document["ip"] is not None:
        document["ip"] = _ip(document["ip"])
    at, id_ = _HOLES
    groups: tuple[dict[str, Any], ...] = ({}, {}, {})
    for key, value in document.items():
        groups[(key > at) + (key > id_)][key] = value
    first, between, last = (canonical_json(group)[1:-1] for group in groups)
    return (
        b"{" + first + (b"," if first else b"") + b'"at":',
        (b"," + between if between else b"") + b',"id":',
        (b"," + last if last else b"") + b"}",
    )


# --- SQLite (development): the chain built in Python ----------------------------


def _chained(fields: dict[str, Any], *, head: tuple[int, str]) -> AuditEntry:
    """The entry that follows ``head`` (its id and hash), with its own hash.

    Called under the chain's lock: the id is the head's plus one (no gaps),
    and the time is taken here, so that time order is chain order.
    """
    last_id, prev_hash = head
    fields = {**fields, "id": last_id + 1, "at": timezone.now()}
    return AuditEntry(
        **fields, prev_hash=prev_hash, hash=entry_hash(prev_hash=prev_hash, fields=fields)
    )


def _lock_chain_head() -> tuple[int, str]:
    """The id and hash of the last entry (SQLite has one writer at a time already)."""
    head = AuditEntry.objects.order_by("-id").values_list("id", "hash").first()
    return head if head is not None else (0, GENESIS_PREV_HASH)


def _actor_fields(actor: AbstractBaseUser | AnonymousUser | None) -> dict[str, Any]:
    if actor is None or not actor.is_authenticated:
        return {"actor_id": None, "actor_username": "", "actor_role": ""}
    return {
        "actor_id": actor.pk,
        "actor_username": actor.get_username(),
        "actor_role": getattr(actor, "role", "") or "",
    }


# --- validation -----------------------------------------------------------------


def validate_detail(detail: Mapping[str, DetailValue]) -> dict[str, DetailValue]:
    """A copy of ``detail`` if it is flat, short and typed; AuditInputError otherwise.

    Keys are short identifiers (``^[a-z][a-z0-9_]{0,39}$``); values are str (at most 200
    characters), int, bool or None. Nested structures and floats are refused.
    """
    if not isinstance(detail, Mapping):
        raise AuditInputError("detail must be a mapping")
    if len(detail) > DETAIL_MAX_KEYS:
        raise AuditInputError(f"detail has more than {DETAIL_MAX_KEYS} keys")
    clean: dict[str, DetailValue] = {}
    for key, value in detail.items():
        if not isinstance(key, str) or not DETAIL_KEY_PATTERN.fullmatch(key):
            raise AuditInputError(f"detail key must match {DETAIL_KEY_PATTERN.pattern}: {key!r}")
        if key in _IDENTITY_KEYS:
            raise AuditInputError(
                f"detail[{key!r}]: the audit log never holds an identity; "
                "record an id or a blind-index hash under another key"
            )
        clean[key] = _checked_detail_value(key, value)
    return clean


def _checked_detail_value(key: str, value: object) -> DetailValue:
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str):
        if len(value) > DETAIL_MAX_VALUE_LENGTH:
            hint = " (record many ids with audit_records(target_ids=...))" if key == "ids" else ""
            raise AuditInputError(
                f"detail[{key!r}] is longer than {DETAIL_MAX_VALUE_LENGTH} characters{hint}"
            )
        return value
    raise AuditInputError(
        f"detail[{key!r}] must be a str, int, bool or None, not {type(value).__name__}"
    )


def _checked_code(value: object, what: str) -> str:
    if not isinstance(value, str) or not CODE_PATTERN.fullmatch(value):
        raise AuditInputError(f"{what} must match {CODE_PATTERN.pattern}: {value!r}")
    return value


def _checked_id(value: object, what: str) -> str:
    if not isinstance(value, str) or not 0 < len(value) <= ID_MAX_LENGTH:
        raise AuditInputError(
            f"{what}: an id is a non-empty str of at most {ID_MAX_LENGTH} characters, got {value!r}"
        )
    return value


# --- the request: client address and request id ------------------------------


def client_ip(request: HttpRequest | Request) -> str | None:
    """The client's address: REMOTE_ADDR, unless it is a trusted proxy.

    Only when REMOTE_ADDR is listed in ``SYSTRAITE_TRUSTED_PROXIES`` is
    X-Forwarded-For read, right to left, skipping trusted proxies: the first
    other address is the client (entries left of it could be forged by the
    client). Anything unparsable yields the last trustworthy address.
    """
    remote = _ip(request.META.get("REMOTE_ADDR", ""))
    proxies = trusted_proxies(settings.SYSTRAITE_TRUSTED_PROXIES)
    if remote is None or not _is_trusted(remote, proxies):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    client = remote
    for hop in reversed([part.strip() for part in forwarded.split(",") if part.strip()]):
        address = _ip(hop)
        if address is None:
            break
        client = address
        if not _is_trusted(address, proxies):
            break
    return client


def _ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.split("%", 1)[0]))
    except ValueError:
        return None


def _is_trusted(
    address: str,
    proxies: Iterable[ipaddress.IPv4Network | ipaddress.IPv6Network],
) -> bool:
    parsed = ipaddress.ip_address(address)
    return any(parsed.version == net.version and parsed in net for net in proxies)


def _request_id(request: HttpRequest | Request | None) -> str:
    request_id = getattr(request, "request_id", "") if request is not None else ""
    return request_id[:ID_MAX_LENGTH] if isinstance(request_id, str) else ""


# --- the chain --------------------------------------------------------------------


def entry_hash(*, prev_hash: str, fields: Mapping[str, Any]) -> str:
    """SHA-256 (hex) over ``prev_hash`` then the canonical JSON of the hashed columns.

    Values are normalised the same way when appending and when verifying
    (datetime as UTC ISO 8601 with microseconds, ip in Python's text form), so
    that how the database renders them does not matter.
    """
    document = {name: fields[name] for name in _HASHED}
    document["at"] = _utc_iso(document["at"])
    document["ip"] = _ip(document["ip"]) if document["ip"] is not None else None
    return hashlib.sha256(prev_hash.encode("ascii") + canonical_json(document)).hexdigest()


def _utc_iso(value: datetime) -> str:
    if timezone.is_naive(value):
        raise AuditInputError("audit timestamps must be timezone-aware")
    return value.astimezone(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class ChainReport:
    """The outcome of a verification: intact, or where and why it broke.

    ``entries`` counts the entries read (up to and including the first bad
    one). ``head_hash`` is the last good entry's hash: keep it somewhere else
    and compare later, because the chain alone cannot reveal that its newest
    entries were cut off.
    """

    intact: bool
    entries: int
    head_id: int | None
    head_hash: str | None
    first_bad_id: int | None = None
    reason: str | None = None  # "hash_mismatch" | "prev_hash_mismatch"

    def describe(self) -> str:
        if self.intact:
            return f"chaîne intacte: {self.entries} entrées"
        why = {
            "hash_mismatch": "son contenu ne correspond plus à son empreinte (entrée modifiée)",
            "prev_hash_mismatch": "elle ne suit pas l'entrée précédente "
            "(entrée supprimée, insérée ou déplacée)",
        }[self.reason or ""]
        return f"chaîne rompue à l'entrée #{self.first_bad_id}: {why} ({self.reason})"


def audit_chain_verify(*, chunk_size: int = 2000) -> ChainReport:
    """Recompute the whole chain in id order, in constant memory; stop at the first break.

    An entry breaks the chain when its stored hash is not the hash of its own
    content (it was modified: ``hash_mismatch``) or when its ``prev_hash`` is
    not the previous entry's hash (an entry before it was deleted, inserted or
    moved: ``prev_hash_mismatch``). Gaps between ids are not breaks: ids
    once came from a sequence, which skipped a value whenever an append was
    rolled back, and what links entries is ``prev_hash``.
    """
    rows = AuditEntry.objects.order_by("id").values_list(*_HASHED, "prev_hash", "hash")
    expected_prev, head_id, count = GENESIS_PREV_HASH, None, 0
    for row in rows.iterator(chunk_size=chunk_size):
        fields = dict(zip(_HASHED, row[:-2], strict=True))
        prev_hash, stored_hash = row[-2:]
        count += 1
        reason = _break_reason(fields, prev_hash, stored_hash, expected_prev)
        if reason is not None:
            return ChainReport(
                intact=False,
                entries=count,
                head_id=head_id,
                head_hash=None if head_id is None else expected_prev,
                first_bad_id=fields["id"],
                reason=reason,
            )
        expected_prev, head_id = stored_hash, fields["id"]
    return ChainReport(
        intact=True,
        entries=count,
        head_id=head_id,
        head_hash=None if head_id is None else expected_prev,
    )


def _break_reason(
    fields: Mapping[str, Any], prev_hash: str, stored_hash: str, expected_prev: str
) -> str | None:
    if prev_hash != expected_prev:
        return "prev_hash_mismatch"
    if entry_hash(prev_hash=prev_hash, fields=fields) != stored_hash:
        return "hash_mismatch"
    return None


def fields_detail(names: Iterable[str]) -> str:
    """The names of changed fields for ``detail["fields"]``, within the value limit."""
    joined = ",".join(sorted(names))
    if len(joined) <= DETAIL_MAX_VALUE_LENGTH:
        return joined
    return joined[: DETAIL_MAX_VALUE_LENGTH - 2].rsplit(",", 1)[0] + ",…"
