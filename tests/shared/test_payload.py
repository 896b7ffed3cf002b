import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.catalogue import catalogue
from shared.payload import (
    CONTRACT_VERSION,
    EMPTY_SET_DIGEST,
    Payload,
    PayloadError,
    TokenSet,
    TokenSetDelta,
    digest_moved,
    encode_table_month,
    json_schema_text,
    parse_payload,
    set_digest,
)

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "shared" / "schema" / "payload.schema.json"


def cells_strategy(table_name: str) -> st.SearchStrategy[dict[tuple[str, ...], int]]:
    spec = catalogue()[table_name]
    key = st.tuples(*(st.sampled_from(d.codes().codes()) for d in spec.dimensions))
    return st.dictionaries(key, st.integers(min_value=1, max_value=10_000), max_size=30)


tables = st.sampled_from(sorted(catalogue()))
months = st.builds(lambda y, m: f"{y}-{m:02d}", st.integers(1990, 2099), st.integers(1, 12))


def a_payload(**overrides: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "contract": CONTRACT_VERSION,
        "node_id": "sn-tgi-ked",
        "jurisdiction": "SN-TGI-KED",
        "sequence": 7,
        "built_at": "2026-12-03T10:00:00Z",
        "key_id": "ed25519:0123456789abcdef",
        "full": False,
        "tables": [
            encode_table_month(
                "survivors_sex_age_form", "2026-03", {("Male", "9-17", "begging"): 12}
            ).model_dump()
        ],
        "tokens": [
            {
                "year": 2026,
                "kind": "survivor",
                "key_id": "lk:2026:abcdef012345",
                "tokens": ["0" * 64, "a" * 64],
            }
        ],
    }
    document.update(overrides)
    return document


@given(table_name=tables, month=months, data=st.data())
def test_cells_round_trip_through_the_columnar_form(
    table_name: str, month: str, data: st.DataObject
) -> None:
    cells = data.draw(cells_strategy(table_name))
    encoded = encode_table_month(table_name, month, cells)
    assert encoded.decoded() == cells
    document = json.loads(json.dumps(a_payload(tables=[encoded.model_dump()])))
    assert parse_payload(document).tables[0].decoded() == cells


def test_a_valid_payload_round_trips_through_json() -> None:
    payload = parse_payload(a_payload())
    assert payload.document()["built_at"] == "2026-12-03T10:00:00Z"
    assert parse_payload(json.loads(json.dumps(payload.document()))) == payload


def test_zero_cells_are_not_sent_and_an_empty_month_is_allowed() -> None:
    encoded = encode_table_month("case_closure_lag", "2025-01", {("open",): 0})
    assert encoded.cells == [] and encoded.values == [[]]
    assert parse_payload(a_payload(tables=[encoded.model_dump()])).tables[0].decoded() == {}


def refused(document: dict[str, Any]) -> PayloadError:
    with pytest.raises(PayloadError) as caught:
        parse_payload(document)
    return caught.value


def test_an_unknown_contract_version_is_refused_before_anything_else() -> None:
    error = refused(a_payload(contract="99", tables="garbage"))
    assert error.reason == "unknown_contract"
    assert error.errors[0]["field"] == "contract"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"surname": "Diallo"}, "surname", "Extra inputs are not permitted"),
        ({"sequence": 0}, "sequence", "greater than or equal to 1"),
        ({"node_id": "Node With Spaces"}, "node_id", "pattern"),
        ({"jurisdiction": "SN-CA-DKR"}, "jurisdiction", "not a tribunal de grande instance"),
        ({"built_at": "2026-12-03T10:00:00"}, "built_at", "timezone"),
        ({"built_at": "0"}, "built_at", "ISO 8601"),  # not a Unix time
        ({"built_at": "1764756000"}, "built_at", "ISO 8601"),
        ({"key_id": "free text here"}, "key_id", "pattern"),
    ],
)
def test_a_wrong_top_level_field_is_named(change: dict[str, Any], field: str, message: str) -> None:
    error = refused(a_payload(**change))
    assert error.reason == "schema"
    assert any(e["field"] == field and message in e["message"] for e in error.errors), error.errors


def test_a_name_in_place_of_a_code_is_refused_naming_the_dimension() -> None:
    document = a_payload()
    document["tables"][0]["values"][1] = ["Mamadou Diallo"]
    error = refused(document)
    assert error.errors[0]["field"] == "tables[0]"
    assert "values.age_band: unknown code 'Mamadou Diallo'" in error.errors[0]["message"]


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ([0, 0, 0], "not a multiple of 4"),
        ([0, 5, 0, 3], "index 5 is outside values.age_band"),
        ([0, 0, 0, 0], "a count must be at least 1"),
        ([0, 0, 0, 2**31], "cells[3]: a count must be at most 2147483647"),
        ([0, 0, 0, 1, 0, 0, 0, 2], "the same cell appears twice"),
        ([0, 0, 0, -1], "greater than or equal to 0"),
    ],
)
def test_malformed_cells_are_refused(cells: list[int], message: str) -> None:
    document = a_payload()
    document["tables"][0]["cells"] = cells
    error = refused(document)
    assert any(message in e["message"] for e in error.errors), error.errors
    assert all(e["field"].startswith("tables[0]") for e in error.errors)


SEX_AGE_FORM_VALUES = [["Female", "Male"], ["0-8", "9-17", "18-20"], ["begging"]]
SEX_AGE_FORM_DIMENSIONS = ("sex", "age_band", "form")


def _first_fault(values: list[list[str]], cells: list[int]) -> str | None:
    """The rule read plainly, one cell after another: the first fault, or None."""
    width = len(values) + 1
    if len(cells) % width:
        return f"cells: length {len(cells)} is not a multiple of {width}"
    seen: set[tuple[int, ...]] = set()
    for start in range(0, len(cells), width):
        *indexes, count = cells[start : start + width]
        for d, index in enumerate(indexes):
            if index >= len(values[d]):
                name = SEX_AGE_FORM_DIMENSIONS[d]
                return f"cells[{start + d}]: index {index} is outside values.{name}"
        if count < 1:
            return f"cells[{start + width - 1}]: a count must be at least 1"
        if count > 2**31 - 1:
            return f"cells[{start + width - 1}]: a count must be at most 2147483647"
        if tuple(indexes) in seen:
            return f"cells[{start}]: the same cell appears twice"
        seen.add(tuple(indexes))
    return None


near_valid_cells = st.lists(
    st.tuples(
        st.integers(0, 2),
        st.integers(0, 3),
        st.integers(0, 1),
        st.integers(0, 9) | st.sampled_from([2**31 - 1, 2**31]),
    ),
    max_size=10,
).map(lambda rows: [n for row in rows for n in row])


@given(cells=near_valid_cells | st.lists(st.integers(0, 3), max_size=17))
@settings(max_examples=400)
def test_the_whole_column_check_agrees_with_a_cell_by_cell_reading(cells: list[int]) -> None:
    document = a_payload()
    document["tables"][0].update(values=SEX_AGE_FORM_VALUES, cells=cells)
    fault = _first_fault(SEX_AGE_FORM_VALUES, cells)
    if fault is None:
        decoded = parse_payload(document).tables[0].decoded()
        assert len(decoded) == len(cells) // 4
    else:
        assert refused(document).errors == [{"field": "tables[0]", "message": fault}]


def test_a_code_of_another_dimension_is_refused() -> None:
    document = a_payload()
    document["tables"][0]["values"][0] = ["9-17"]  # an age band where the sex goes
    error = refused(document)
    assert error.errors == [{"field": "tables[0]", "message": "values.sex: unknown code '9-17'"}]


def test_an_unknown_table_is_refused() -> None:
    document = a_payload()
    document["tables"][0]["table"] = "survivor_names"
    error = refused(document)
    assert error.errors[0] == {
        "field": "tables[0].table",
        "message": "unknown table 'survivor_names'",
    }


def test_a_table_month_sent_twice_is_refused() -> None:
    document = a_payload()
    document["tables"].append(copy.deepcopy(document["tables"][0]))
    assert "appears twice" in refused(document).errors[0]["message"]


@pytest.mark.parametrize(
    "tokens",
    [["a" * 64, "0" * 64], ["a" * 64, "a" * 64], ["A" * 64], ["a" * 63], ["diallo" + "0" * 58]],
)
def test_token_sets_must_be_sorted_unique_lowercase_hex(tokens: list[str]) -> None:
    document = a_payload()
    document["tokens"][0]["tokens"] = tokens
    error = refused(document)
    assert error.errors[0]["field"].startswith("tokens[0].tokens")


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
        ),
        max_leaves=10,
    )
)
@settings(max_examples=200)
def test_any_garbage_in_a_field_is_a_payload_error_never_a_crash(garbage: Any) -> None:
    for field in ("tables", "tokens", "sequence", "built_at", "node_id", "full", "contract"):
        try:
            parse_payload(a_payload(**{field: garbage}))
        except PayloadError as error:  # any other exception fails the test
            assert any(e["field"].startswith(field) for e in error.errors), error.errors
        else:  # accepted only as it is: nothing is coerced into a valid value
            assert parse_payload(a_payload(**{field: garbage})).document()[field] == garbage


def test_the_published_json_schema_is_up_to_date() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == json_schema_text(), (
        "shared/schema/payload.schema.json is stale: run `make schema`"
    )


def test_the_json_schema_forbids_unknown_fields_everywhere() -> None:
    schema = json.loads(json_schema_text())
    assert schema["additionalProperties"] is False
    assert all(d["additionalProperties"] is False for d in schema["$defs"].values())


def test_a_payload_can_only_be_built_with_an_aware_time() -> None:
    with pytest.raises(ValueError):
        Payload(
            contract=CONTRACT_VERSION,
            node_id="sn-tgi-ked",
            jurisdiction="SN-TGI-KED",
            sequence=1,
            built_at=datetime(2026, 1, 1),
            key_id="ed25519:ab",
            tables=[],
            tokens=[],
        )
    ok = Payload(
        contract=CONTRACT_VERSION,
        node_id="sn-tgi-ked",
        jurisdiction="SN-TGI-KED",
        sequence=1,
        built_at=datetime(2026, 1, 1, tzinfo=UTC),
        key_id="ed25519:ab",
    )
    assert ok.document()["tables"] == []
    assert TokenSet(year=2026, kind="trafficker", key_id="lk:x", tokens=[]).tokens == []


# --- token-set deltas and the set digest ---------------------------------------

token_values = st.binary(min_size=32, max_size=32).map(bytes.hex)
token_sets = st.sets(token_values, max_size=40)


@given(tokens=st.lists(token_values, unique=True, max_size=40), data=st.data())
def test_the_set_digest_does_not_depend_on_order(tokens: list[str], data: st.DataObject) -> None:
    assert set_digest(data.draw(st.permutations(tokens))) == set_digest(tokens)


@given(base=token_sets, after=token_sets)
def test_a_digest_moved_by_a_delta_is_the_digest_of_the_resulting_set(
    base: set[str], after: set[str]
) -> None:
    moved = digest_moved(set_digest(base), added=after - base, removed=base - after)
    assert moved == set_digest(after)


@given(tokens=token_sets, extra=token_values)
def test_one_token_more_or_less_changes_the_digest(tokens: set[str], extra: str) -> None:
    assert set_digest(tokens | {extra}) != set_digest(tokens - {extra})


def test_the_empty_set_has_the_zero_digest() -> None:
    assert set_digest([]) == EMPTY_SET_DIGEST == "0" * 64


def a_delta(base: set[str], after: set[str], **overrides: Any) -> dict[str, Any]:
    delta = {
        "year": 2026,
        "kind": "survivor",
        "key_id": "lk:2026:abcdef012345",
        "base_digest": set_digest(base),
        "added": sorted(after - base),
        "removed": sorted(base - after),
        "digest": set_digest(after),
    }
    return {**delta, **overrides}


@given(base=token_sets, after=token_sets)
def test_a_delta_round_trips_through_json(base: set[str], after: set[str]) -> None:
    payload = parse_payload(json.loads(json.dumps(a_payload(tokens=[a_delta(base, after)]))))
    delta = payload.tokens[0]
    assert isinstance(delta, TokenSetDelta)
    assert set(delta.added) == after - base and set(delta.removed) == base - after
    assert set(payload.document()["tokens"][0]) == {
        "year",
        "kind",
        "key_id",
        "base_digest",
        "added",
        "removed",
        "digest",
    }


def test_full_sets_and_deltas_travel_side_by_side() -> None:
    full = a_payload()["tokens"][0]
    delta = a_delta({"1" * 64}, {"2" * 64}, kind="trafficker")
    kinds = [type(t) for t in parse_payload(a_payload(tokens=[full, delta])).tokens]
    assert kinds == [TokenSet, TokenSetDelta]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"added": ["b" * 64, "a" * 64]}, "tokens[0].added", "sorted and unique"),
        ({"removed": ["A" * 64]}, "tokens[0].removed[0]", "pattern"),
        ({"digest": "f" * 64}, "tokens[0]", "digest: is not base_digest moved"),
        ({"base_digest": "xyz"}, "tokens[0].base_digest", "pattern"),
        ({"removed": ["c" * 64]}, "tokens[0]", "a token is both added and removed"),
        ({"name": "Awa Diallo"}, "tokens[0].name", "Extra inputs are not permitted"),
    ],
)
def test_a_wrong_delta_is_refused_naming_its_field(
    change: dict[str, Any], field: str, message: str
) -> None:
    error = refused(a_payload(tokens=[a_delta({"a" * 64}, {"c" * 64}, **change)]))
    assert error.reason == "schema"
    assert any(e["field"] == field and message in e["message"] for e in error.errors), error.errors


def test_a_delta_is_refused_under_contract_1_and_a_full_set_is_not() -> None:
    assert parse_payload(a_payload(contract="1")).contract == "1"
    error = refused(a_payload(contract="1", tokens=[a_delta(set(), {"a" * 64})]))
    assert "needs contract 2" in error.errors[0]["message"]
