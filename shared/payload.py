"""The payload a node sends to the hub: its schema, encoding and validation.

A payload is a node's *state* for the months it carries, never a diff: for each
(table, month) the full set of non-zero cells, and for each (year, kind) the
full set of linkage tokens. The hub replaces what it holds with it, so a lost,
repeated or reordered payload cannot corrupt anything.

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

import itertools
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    ValidationError,
    field_serializer,
    field_validator,
    model_validator,
)

from shared.catalogue import Table, catalogue
from shared.codes import code_list

CONTRACT_VERSION = "1"
SUPPORTED_CONTRACT_VERSIONS = frozenset({CONTRACT_VERSION})

MAX_CELLS_PER_TABLE_MONTH = 50_000
MAX_TABLE_MONTHS = 20_000
MAX_TOKENS_PER_SET = 2_000_000

Month = Annotated[str, StringConstraints(pattern=r"^(19[89]\d|20\d\d)-(0[1-9]|1[0-2])$")]
NodeId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]
KeyId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+:[A-Za-z0-9:._-]{1,80}$")]
Token = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Key = tuple[str, ...]

# Numbers and booleans are strict (True is not a sequence number, "3" is not a count).
_STRICT = ConfigDict(extra="forbid", frozen=True)


class PayloadError(ValueError):
    """A payload the hub must refuse; ``errors`` name each field and what is wrong."""

    def __init__(self, reason: str, errors: list[dict[str, str]]) -> None:
        self.reason = reason
        self.errors = errors
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))


class TableMonth(BaseModel):
    """The full set of non-zero cells of one table for one month."""

    model_config = _STRICT

    table: str = Field(json_schema_extra={"enum": sorted(n for n in catalogue())})
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


def _check_values(spec: Table, values: list[list[str]]) -> None:
    if len(values) != len(spec.dimensions):
        raise ValueError(
            f"values: table {spec.name} has {len(spec.dimensions)} dimensions "
            f"({', '.join(spec.dimension_names)}), got {len(values)}"
        )
    for dimension, codes in zip(spec.dimensions, values, strict=True):
        known = dimension.codes()
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise ValueError(f"values.{dimension.name}: unknown code {unknown[0]!r}")
        if len(set(codes)) != len(codes):
            raise ValueError(f"values.{dimension.name}: a code is listed twice")


def _check_cells(spec: Table, values: list[list[str]], cells: list[int]) -> None:
    width = len(values) + 1
    if len(cells) % width:
        raise ValueError(f"cells: length {len(cells)} is not a multiple of {width}")
    if len(cells) // width > MAX_CELLS_PER_TABLE_MONTH:
        raise ValueError(f"cells: more than {MAX_CELLS_PER_TABLE_MONTH} cells")
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
    tokens: list[TokenSet] = Field(default_factory=list, max_length=400)

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
        # A bare number would be read as a Unix time: only ISO 8601 text is a time here.
        if not isinstance(value, str | datetime):
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
        return self

    def document(self) -> dict[str, Any]:
        """The JSON-ready dict that is signed and sent."""
        return self.model_dump(mode="json")


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
    for part in loc:
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
