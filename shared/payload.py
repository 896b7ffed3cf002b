"""The payload a node sends to the hub: its schema, encoding and validation.

A payload is a node's *state* for the months it carries: for each (table,
month) the full set of non-zero cells, which the hub replaces what it holds
with, so a lost, repeated or reordered payload cannot corrupt anything.

Linkage tokens travel per (year, kind) either as the full set (``TokenSet``)
or, since contract 2, as a ``TokenSetDelta``: the tokens added and removed
since a set the hub must hold, named by its digest. A delta is state-checked,
not blind: the hub applies it only if its stored set has ``base_digest``, every
removed token is there and no added one is, and refuses the whole payload
otherwise (409), after which the node sends the full set. So a delta is as safe
as a full set, and a month's push carries a few tokens instead of the year's
tens of thousands. The set digest (``set_digest``) is order-independent and
additive, so both ends update it from the delta alone.

Cells travel in a compact columnar form: per (table, month), ``values`` lists
for each dimension the codes used that month (a small dictionary), and
``cells`` is a flat list of integers, one row after another: an index into each
dimension's dictionary, then the count. A month carried with no cells means
"this month is now empty" (after a deletion or a correction).

Nothing in a payload can hold free text: every string is a catalogue table
name, a code from a code list, a month, an identifier of a fixed pattern, or a
64-hex linkage token. Unknown fields are errors (``extra="forbid"``).

``python -m shared.payload`` prints the JSON Schema kept in
``shared/schema/payload.schema.json``; a test fails when that file is stale.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    Tag,
    ValidationError,
    field_serializer,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonValue

from shared.catalogue import Table, catalogue
from shared.codes import CodeList, code_list

# 2: token sets may travel as state-checked deltas. A contract-1 payload (full
# sets only) means the same under contract 2, so a hub accepts both while its
# nodes are upgraded one at a time; a delta under contract 1 is refused.
CONTRACT_VERSION = "2"
SUPPORTED_CONTRACT_VERSIONS = frozenset({"1", CONTRACT_VERSION})

MAX_CELLS_PER_TABLE_MONTH = 50_000
MAX_COUNT = 2**31 - 1  # the hub stores a count as a PostgreSQL integer
MAX_TABLE_MONTHS = 20_000
MAX_TOKENS_PER_SET = 2_000_000

Month = Annotated[str, StringConstraints(pattern=r"^(19[89]\d|20\d\d)-(0[1-9]|1[0-2])$")]
NodeId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]
KeyId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+:[A-Za-z0-9:._-]{1,80}$")]
Token = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Digest = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9a-f]{64}$"),
    Field(
        description="digest of a token set: the sum modulo 2**256 of the SHA-256 of each "
        "token's 32 bytes, as 64 lowercase hex digits (the empty set is 64 zeros)"
    ),
]
Key = tuple[str, ...]

# Numbers and booleans are strict (True is not a sequence number, "3" is not a count).
_STRICT = ConfigDict(extra="forbid", frozen=True)


class PayloadError(ValueError):
    """A payload the hub must refuse; ``errors`` name each field and what is wrong."""

    def __init__(self, reason: str, errors: list[dict[str, str]]) -> None:
        self.reason = reason
        self.errors = errors
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))


def _table_names() -> list[JsonValue]:
    return [*sorted(catalogue())]


class TableMonth(BaseModel):
    """The full set of non-zero cells of one table for one month."""

    model_config = _STRICT

    table: str = Field(json_schema_extra={"enum": _table_names()})
    month: Month
    values: list[list[str]]
    cells: list[Annotated[StrictInt, Field(ge=0)]] = Field(max_length=MAX_CELLS_PER_TABLE_MONTH * 5)

    @field_validator("table")
    @classmethod
    def _known_table(cls, name: str) -> str:
        if name not in catalogue():
            raise ValueError(f"unknown table {name!r}")
        return name

    @model_validator(mode="after")
    def _consistent(self) -> TableMonth:
        spec = catalogue()[self.table]
        _check_values(spec, self.values)
        _check_cells(spec, self.values, self.cells)
        return self

    def decoded(self) -> dict[Key, int]:
        """The cells as {(code, code, ...): count}."""
        width = len(self.values) + 1
        rows = (self.cells[i : i + width] for i in range(0, len(self.cells), width))
        return {tuple(self.values[d][row[d]] for d in range(width - 1)): row[-1] for row in rows}


@cache
def _codes_of(codes: CodeList) -> frozenset[str]:
    # Keyed by the (immutable) list object, so a reloaded code list gets its own set.
    return frozenset(code.code for code in codes)


def _check_values(spec: Table, values: list[list[str]]) -> None:
    if len(values) != len(spec.dimensions):
        raise ValueError(
            f"values: table {spec.name} has {len(spec.dimensions)} dimensions "
            f"({', '.join(spec.dimension_names)}), got {len(values)}"
        )
    for dimension, codes in zip(spec.dimensions, values, strict=True):
        known = _codes_of(dimension.codes())
        if not known.issuperset(codes):
            unknown = next(c for c in codes if c not in known)
            raise ValueError(f"values.{dimension.name}: unknown code {unknown!r}")
        if len(set(codes)) != len(codes):
            raise ValueError(f"values.{dimension.name}: a code is listed twice")


def _check_cells(spec: Table, values: list[list[str]], cells: list[int]) -> None:
    width = len(values) + 1
    if len(cells) % width:
        raise ValueError(f"cells: length {len(cells)} is not a multiple of {width}")
    if len(cells) // width > MAX_CELLS_PER_TABLE_MONTH:
        raise ValueError(f"cells: more than {MAX_CELLS_PER_TABLE_MONTH} cells")
    if not _cells_sound(values, cells, width):
        _explain_cells(spec, values, cells, width)


def _cells_sound(values: list[list[str]], cells: list[int], width: int) -> bool:
    """Whether every index is inside its dictionary, every count is between 1 and
    ``MAX_COUNT`` and no cell repeats, checked a whole column at a time (the loops run in C).

    A hub ingests tens of thousands of cells per payload; this is the common,
    valid case. When it says no, ``_explain_cells`` finds the first fault.
    """
    counts = cells[width - 1 :: width]
    if not counts:
        return True
    if min(counts) < 1 or max(counts) > MAX_COUNT:
        return False
    columns = []
    for d, codes in enumerate(values):
        column = cells[d::width]
        if max(column) >= len(codes):
            return False
        columns.append(column)
    return len(set(zip(*columns, strict=True))) == len(counts)


def _explain_cells(spec: Table, values: list[list[str]], cells: list[int], width: int) -> None:
    """Raise the error of the first faulty cell, in cell order."""
    seen: set[tuple[int, ...]] = set()
    for start in range(0, len(cells), width):
        row = tuple(cells[start : start + width])
        for d, index in enumerate(row[:-1]):
            if index >= len(values[d]):
                raise ValueError(
                    f"cells[{start + d}]: index {index} is outside values.{spec.dimension_names[d]}"
                )
        if row[-1] < 1:
            raise ValueError(f"cells[{start + width - 1}]: a count must be at least 1")
        if row[-1] > MAX_COUNT:
            raise ValueError(f"cells[{start + width - 1}]: a count must be at most {MAX_COUNT}")
        if row[:-1] in seen:
            raise ValueError(f"cells[{start}]: the same cell appears twice")
        seen.add(row[:-1])


class TokenSet(BaseModel):
    """The bare, sorted set of linkage tokens of one kind of person for one year."""

    model_config = _STRICT

    year: StrictInt = Field(ge=1980, le=2099)
    kind: Literal["survivor", "trafficker"]
    key_id: KeyId
    tokens: list[Token] = Field(max_length=MAX_TOKENS_PER_SET)

    @field_validator("tokens")
    @classmethod
    def _sorted_and_unique(cls, tokens: list[str]) -> list[str]:
        # Sorted, so that the order of a set cannot betray the order of the records.
        if any(a >= b for a, b in itertools.pairwise(tokens)):
            raise ValueError("tokens must be sorted and unique")
        return tokens


# --- the set digest ------------------------------------------------------------
#
# The sum, modulo 2**256, of the SHA-256 of each token's 32 bytes, as 64 hex
# digits. Order-independent, and additive: adding or removing a token moves the
# sum by that token's hash, so the hub checks a delta's base and result against
# one stored number without reading its set (a hash of the sorted set would
# need the whole set on every change). It detects accidental divergence, which
# is its job: a forger would need the node's signing key first.

_DIGEST_MODULUS = 2**256
EMPTY_SET_DIGEST = "0" * 64


def _token_value(token: str) -> int:
    return int.from_bytes(hashlib.sha256(bytes.fromhex(token)).digest(), "big")


def _digest_text(value: int) -> str:
    return f"{value % _DIGEST_MODULUS:064x}"


def set_digest(tokens: Iterable[str]) -> str:
    """The digest of a set of tokens (each counted once: pass a set, not a list with repeats)."""
    return _digest_text(sum(_token_value(t) for t in tokens))


def digest_moved(digest: str, *, added: Iterable[str] = (), removed: Iterable[str] = ()) -> str:
    """The digest of a set after adding tokens it lacks and removing tokens it holds."""
    moved = sum(_token_value(t) for t in added) - sum(_token_value(t) for t in removed)
    return _digest_text(int(digest, 16) + moved)


class TokenSetDelta(BaseModel):
    """How one (year, kind) token set changed since the set the hub holds.

    Bare sorted tokens only, as in a full set. ``base_digest`` is the digest of
    the set the hub must hold for the delta to apply, ``digest`` the digest of
    the result; the two must differ by exactly the tokens added and removed.
    """

    model_config = _STRICT

    year: StrictInt = Field(ge=1980, le=2099)
    kind: Literal["survivor", "trafficker"]
    key_id: KeyId
    base_digest: Digest
    added: list[Token] = Field(max_length=MAX_TOKENS_PER_SET)
    removed: list[Token] = Field(max_length=MAX_TOKENS_PER_SET)
    digest: Digest

    @field_validator("added", "removed")
    @classmethod
    def _sorted_and_unique(cls, tokens: list[str]) -> list[str]:
        if any(a >= b for a, b in itertools.pairwise(tokens)):
            raise ValueError("tokens must be sorted and unique")
        return tokens

    @model_validator(mode="after")
    def _consistent(self) -> TokenSetDelta:
        if set(self.added) & set(self.removed):
            raise ValueError("added, removed: a token is both added and removed")
        if digest_moved(self.base_digest, added=self.added, removed=self.removed) != self.digest:
            raise ValueError("digest: is not base_digest moved by the tokens added and removed")
        return self


def _token_entry_form(value: object) -> str:
    # A delta is recognised by any of its own fields; anything else is read as a
    # full set, so garbage gets that model's precise errors.
    if isinstance(value, TokenSetDelta):
        return "delta"
    if isinstance(value, Mapping) and {"base_digest", "added", "removed", "digest"} & set(value):
        return "delta"
    return "full"


TokenEntry = Annotated[
    Annotated[TokenSet, Tag("full")] | Annotated[TokenSetDelta, Tag("delta")],
    Discriminator(_token_entry_form),
]
_ENTRY_TAGS = frozenset({"full", "delta"})


class Payload(BaseModel):
    """What one push carries: the node's state for the months and years that changed."""

    model_config = _STRICT

    contract: str
    node_id: NodeId
    jurisdiction: str
    sequence: StrictInt = Field(ge=1, le=2**62)
    built_at: AwareDatetime
    key_id: KeyId
    full: StrictBool = False
    tables: list[TableMonth] = Field(default_factory=list, max_length=MAX_TABLE_MONTHS)
    tokens: list[TokenEntry] = Field(default_factory=list, max_length=400)

    @field_validator("contract")
    @classmethod
    def _supported(cls, version: str) -> str:
        if version not in SUPPORTED_CONTRACT_VERSIONS:
            raise ValueError(f"unknown contract version {version!r}")
        return version

    @field_validator("jurisdiction")
    @classmethod
    def _a_tgi(cls, code: str) -> str:
        courts = code_list("court")
        if code not in courts or courts.get(code).attrs.get("kind") != "tgi":
            raise ValueError(f"{code!r} is not a tribunal de grande instance")
        return code

    @field_validator("built_at", mode="before")
    @classmethod
    def _iso_text(cls, value: object) -> object:
        # A number, or a string of digits, would be read as a Unix time: only ISO 8601
        # text is a time here.
        if isinstance(value, datetime):
            return value
        if not isinstance(value, str) or not _is_iso_8601(value):
            raise ValueError("must be an ISO 8601 date-time with a time zone")
        return value

    @field_serializer("built_at")
    def _utc_z(self, value: datetime) -> str:
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")

    @model_validator(mode="after")
    def _unique_parts(self) -> Payload:
        parts = [(t.table, t.month) for t in self.tables]
        if len(set(parts)) != len(parts):
            raise ValueError("tables: a (table, month) appears twice")
        sets = [(s.year, s.kind) for s in self.tokens]
        if len(set(sets)) != len(sets):
            raise ValueError("tokens: a (year, kind) appears twice")
        if self.contract == "1" and any(isinstance(s, TokenSetDelta) for s in self.tokens):
            raise ValueError("tokens: a token-set delta needs contract 2")
        return self

    def document(self) -> dict[str, Any]:
        """The JSON-ready dict that is signed and sent."""
        return self.model_dump(mode="json")


def _is_iso_8601(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def encode_table_month(table_name: str, month: str, cells: Mapping[Key, int]) -> TableMonth:
    """Build the columnar form of one (table, month), deterministically (sorted codes)."""
    spec = catalogue()[table_name]
    live = {key: n for key, n in cells.items() if n}
    values = [sorted({key[d] for key in live}) for d in range(len(spec.dimensions))]
    index = [{code: i for i, code in enumerate(codes)} for codes in values]
    flat: list[int] = []
    for key in sorted(live):
        flat.extend(index[d][code] for d, code in enumerate(key))
        flat.append(live[key])
    return TableMonth(table=table_name, month=month, values=values, cells=flat)


def parse_payload(document: Mapping[str, Any]) -> Payload:
    """Validate a received document; PayloadError names every wrong field."""
    if not isinstance(document, Mapping):
        raise PayloadError("schema", [{"field": "document", "message": "must be an object"}])
    version = document.get("contract")
    if not isinstance(version, str) or version not in SUPPORTED_CONTRACT_VERSIONS:
        raise PayloadError(
            "unknown_contract",
            [
                {
                    "field": "contract",
                    "message": f"unknown contract version {version!r}; "
                    f"supported: {', '.join(sorted(SUPPORTED_CONTRACT_VERSIONS))}",
                }
            ],
        )
    try:
        return Payload.model_validate(document)
    except ValidationError as exc:
        raise PayloadError("schema", _errors(exc)) from None


def _errors(exc: ValidationError) -> list[dict[str, str]]:
    return [
        {"field": _dotted(error["loc"]), "message": error["msg"].removeprefix("Value error, ")}
        for error in exc.errors(include_url=False)
    ]


def _dotted(loc: Iterable[int | str]) -> str:
    out = ""
    for index, part in enumerate(loc):
        if index == 2 and part in _ENTRY_TAGS:
            continue  # tokens[i].delta.added -> tokens[i].added: the tag is not a field
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "document"


def json_schema() -> dict[str, Any]:
    schema = Payload.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://systraite.justice.gouv.sn/schema/payload-v{CONTRACT_VERSION}.json"
    return schema


def json_schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


if __name__ == "__main__":
    print(json_schema_text(), end="")
