"""Contracts of shared.signing: what the hub relies on before it writes anything."""

from __future__ import annotations

import copy
import hashlib
import json
import math
from datetime import UTC, datetime, timedelta, timezone
from enum import IntEnum, StrEnum
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1
from cryptography.hazmat.primitives.asymmetric.ec import generate_private_key as ec_key
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.signing import (
    BadSignature,
    SignatureError,
    StaleDocument,
    canonical_json,
    generate_private_key,
    key_id,
    load_private_key,
    load_public_key,
    loads_checked,
    private_key_to_pem,
    public_key_to_pem,
    sign_document,
    verify_document,
)

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
KEY = generate_private_key()
OTHER_KEY = generate_private_key()

json_leaf = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
json_value = st.recursive(
    json_leaf,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=12,
)
documents = st.dictionaries(st.text(max_size=6), json_value, max_size=5)


def _document(**extra: Any) -> dict[str, Any]:
    return {
        "contract_version": 1,
        "node_id": "tgi-dakar",
        "sequence": 42,
        "built_at": "2025-03-01T11:00:00Z",
        "tables": [{"name": "victims_by_sex", "rows": [["F", 3], ["M", 2]]}],
        **extra,
    }


def _verify(envelope: Any, key: Any = None, **kwargs: Any) -> Any:
    options: dict[str, Any] = {"now": NOW, "max_age": timedelta(days=2), **kwargs}
    return verify_document(envelope, key or KEY.public_key(), **options)


# --- round trip and tampering ------------------------------------------------


def test_it_returns_the_document_of_a_good_envelope() -> None:
    document = _document()
    envelope = sign_document(document, KEY)
    assert envelope["signature"]["alg"] == "Ed25519"
    assert envelope["signature"]["key_id"] == key_id(KEY.public_key())
    assert "=" not in envelope["signature"]["value"]
    assert _verify(envelope) == document


def test_it_still_verifies_after_a_json_round_trip_with_reordered_keys() -> None:
    envelope = sign_document(_document(), KEY)
    reordered = json.loads(json.dumps(envelope, sort_keys=False, indent=2))
    reordered["document"] = dict(reversed(list(reordered["document"].items())))
    assert _verify(reordered) == _document()


def _mutations(document: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    def change_value(key_and_value: tuple[str, Any]) -> dict[str, Any]:
        key, value = key_and_value
        changed = copy.deepcopy(document)
        changed[key] = value
        return changed

    def insert_key(key_and_value: tuple[str, Any]) -> dict[str, Any]:
        key, value = key_and_value
        changed = copy.deepcopy(document)
        changed["x" + key] = value  # "x"-prefix: never one of the existing keys
        return changed

    def drop_key(key: str) -> dict[str, Any]:
        changed = copy.deepcopy(document)
        del changed[key]
        return changed

    keys = st.sampled_from(sorted(document))
    return (
        st.tuples(keys, json_value).map(change_value)
        | st.tuples(st.text(max_size=5), json_value).map(insert_key)
        | keys.map(drop_key)
    )


@settings(max_examples=150)
@given(data=st.data())
def test_it_rejects_any_changed_removed_or_added_field(data: st.DataObject) -> None:
    document = _document()
    envelope = sign_document(document, KEY)
    tampered_document = data.draw(_mutations(document))
    if canonical_json(tampered_document) == canonical_json(document):
        return  # the draw reproduced the original (same value); nothing changed
    tampered = {**envelope, "document": tampered_document}
    with pytest.raises(BadSignature) as caught:
        _verify(tampered)
    assert caught.value.reason == "bad_signature"


@settings(max_examples=100)
@given(position=st.integers(min_value=0), bit=st.integers(min_value=0, max_value=7))
def test_it_rejects_a_single_flipped_bit_of_the_signed_bytes(position: int, bit: int) -> None:
    document = {"built_at": "2025-03-01T11:00:00Z", "note": "Fatou Diop, Kédougou"}
    envelope = sign_document(document, KEY)
    signed = bytearray(canonical_json(document))
    signed[position % len(signed)] ^= 1 << bit
    try:
        tampered_document = json.loads(bytes(signed).decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return  # no longer JSON: a transport layer would refuse it before us
    if not isinstance(tampered_document, dict):
        return
    with pytest.raises(SignatureError):
        _verify({**envelope, "document": tampered_document})


def test_it_rejects_a_document_signed_with_another_key() -> None:
    envelope = sign_document(_document(), OTHER_KEY)
    with pytest.raises(BadSignature, match="another key"):
        _verify(envelope)


def test_it_rejects_another_key_even_if_the_key_id_is_forged() -> None:
    envelope = sign_document(_document(), OTHER_KEY)
    envelope["signature"]["key_id"] = key_id(KEY.public_key())
    with pytest.raises(BadSignature, match="does not match"):
        _verify(envelope)


def test_it_rejects_a_modified_signature_value() -> None:
    envelope = sign_document(_document(), KEY)
    value = envelope["signature"]["value"]
    envelope["signature"]["value"] = ("A" if value[0] != "A" else "B") + value[1:]
    with pytest.raises(BadSignature):
        _verify(envelope)


@pytest.mark.parametrize(
    "breakage",
    [
        lambda e: e.pop("signature"),
        lambda e: e.update(extra=1),
        lambda e: e.update(document=["not", "an", "object"]),
        lambda e: e["signature"].update(alg="HS256"),
        lambda e: e["signature"].update(value=e["signature"]["value"] + "=="),
        lambda e: e["signature"].update(value=e["signature"]["value"][:-4]),
        lambda e: e["signature"].update(value=12),
        lambda e: e["signature"].pop("key_id"),
        lambda e: e["document"].update(ratio=0.5),
    ],
)
def test_it_rejects_a_malformed_envelope(breakage: Any) -> None:
    envelope = sign_document(_document(), KEY)
    breakage(envelope)
    with pytest.raises(BadSignature):
        _verify(envelope)


# --- freshness ---------------------------------------------------------------


def test_it_rejects_a_document_older_than_max_age() -> None:
    envelope = sign_document(_document(built_at="2025-02-27T11:59:59Z"), KEY)
    with pytest.raises(StaleDocument) as caught:
        _verify(envelope)
    assert caught.value.reason == "stale"


def test_it_accepts_a_document_exactly_max_age_old() -> None:
    envelope = sign_document(_document(built_at="2025-02-27T12:00:00+00:00"), KEY)
    assert _verify(envelope)["built_at"] == "2025-02-27T12:00:00+00:00"


def test_it_accepts_a_document_within_the_clock_skew() -> None:
    envelope = sign_document(_document(built_at="2025-03-01T12:04:00Z"), KEY)
    assert _verify(envelope)


def test_it_rejects_a_document_from_beyond_the_clock_skew() -> None:
    envelope = sign_document(_document(built_at="2025-03-01T12:06:00Z"), KEY)
    with pytest.raises(StaleDocument, match="future"):
        _verify(envelope)


@pytest.mark.parametrize(
    "built_at", [None, 1740826800, "2025-03-01T11:00:00", "2025-03-01T11:00:00+01:00", "yesterday"]
)
def test_it_rejects_a_missing_or_non_utc_build_time(built_at: Any) -> None:
    envelope = sign_document(_document(built_at=built_at), KEY)
    with pytest.raises(StaleDocument):
        _verify(envelope)


def test_it_reads_the_build_time_from_the_named_field() -> None:
    envelope = sign_document(_document(made="2020-01-01T00:00:00Z"), KEY)
    assert _verify(envelope)
    with pytest.raises(StaleDocument):
        _verify(envelope, built_at_field="made")


def test_it_checks_the_signature_before_freshness() -> None:
    envelope = sign_document(_document(built_at="2020-01-01T00:00:00Z"), KEY)
    envelope["document"]["sequence"] = 43
    with pytest.raises(BadSignature):
        _verify(envelope)


def test_it_refuses_a_naive_now() -> None:
    envelope = sign_document(_document(), KEY)
    with pytest.raises(TypeError):
        _verify(envelope, now=datetime(2025, 3, 1, 12, 0))


def test_it_refuses_a_now_that_is_not_utc() -> None:
    envelope = sign_document(_document(), KEY)
    with pytest.raises(ValueError, match="UTC"):
        _verify(envelope, now=NOW.astimezone(timezone(timedelta(hours=1))))


# --- canonical JSON ----------------------------------------------------------


@given(documents, st.randoms(use_true_random=False))
def test_canonical_json_ignores_insertion_order(document: dict[str, Any], rng: Any) -> None:
    items = list(document.items())
    rng.shuffle(items)
    assert canonical_json(dict(items)) == canonical_json(document)


def test_canonical_json_is_compact_sorted_utf8() -> None:
    assert canonical_json({"b": [1, True, None], "a": "Kédougou"}) == (
        '{"a":"Kédougou","b":[1,true,null]}'.encode()
    )


@pytest.mark.parametrize(
    "value",
    [
        1.0,
        math.nan,
        math.inf,
        {"a": -math.inf},
        {"a": [0.1]},
        {1: "x"},
        {"a": {(1, 2): 3}},
        {"a": b"x"},
    ],
)
def test_canonical_json_rejects_floats_non_finite_numbers_and_non_string_keys(value: Any) -> None:
    with pytest.raises(TypeError):
        canonical_json(value)


def test_canonical_json_rejects_lone_surrogates() -> None:
    with pytest.raises(ValueError):
        canonical_json({"a": "\ud800"})


def _refused_by_the_rule(value: Any) -> bool:
    """The rule read plainly, recursively: a float anywhere, or a key that is not a string."""
    if isinstance(value, float):
        return True
    if isinstance(value, dict):
        return any(not isinstance(k, str) or _refused_by_the_rule(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_refused_by_the_rule(item) for item in value)
    return False


mixed_value = st.recursive(
    json_leaf | st.floats(),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=3) | st.integers(0, 3), inner, max_size=3)
    ),
    max_leaves=30,
)


@given(mixed_value)
@settings(max_examples=300)
def test_canonical_json_refuses_exactly_floats_and_non_string_keys_wherever_they_are(
    value: Any,
) -> None:
    # The check walks a whole depth of the tree at a time; it must agree with the rule.
    if _refused_by_the_rule(value):
        with pytest.raises(TypeError):
            canonical_json(value)
    else:
        plain = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert canonical_json(value) == plain.encode()


def test_canonical_json_reads_enum_members_and_tuples_as_their_plain_values() -> None:
    class Kind(StrEnum):
        SURVIVOR = "survivor"

    class Count(IntEnum):
        THREE = 3

    document = {"kind": Kind.SURVIVOR, "counts": (Count.THREE, 4), "nested": [{"n": Count.THREE}]}
    plain = {"kind": "survivor", "counts": [3, 4], "nested": [{"n": 3}]}
    assert canonical_json(document) == canonical_json(plain)


def test_canonical_json_refuses_a_list_that_holds_itself_instead_of_looping() -> None:
    loop: list[Any] = [1]
    loop.append(loop)
    with pytest.raises(ValueError, match="nested deeper"):
        canonical_json({"a": loop})


def test_canonical_json_refuses_absurd_nesting_and_keeps_deep_sane_nesting() -> None:
    def nested(depth: int) -> Any:
        value: Any = 1
        for _ in range(depth):
            value = [value]
        return value

    assert canonical_json(nested(200)) == b"[" * 200 + b"1" + b"]" * 200
    with pytest.raises(ValueError, match="nested deeper"):
        canonical_json(nested(600))


# --- keys --------------------------------------------------------------------


def test_key_id_is_stable_and_distinguishes_keys() -> None:
    reloaded = load_public_key(public_key_to_pem(KEY.public_key()))
    assert key_id(reloaded) == key_id(KEY.public_key())
    assert key_id(KEY.public_key()) != key_id(OTHER_KEY.public_key())
    assert key_id(KEY.public_key()).startswith("ed25519:")
    assert len(key_id(KEY.public_key())) == len("ed25519:") + 16


def test_key_id_is_the_sha256_prefix_of_the_raw_key() -> None:
    raw = bytes(range(32))
    public_key = Ed25519PublicKey.from_public_bytes(raw)
    assert key_id(public_key) == "ed25519:" + hashlib.sha256(raw).hexdigest()[:16]


def test_private_key_pem_round_trips_and_still_signs() -> None:
    reloaded = load_private_key(private_key_to_pem(KEY))
    envelope = sign_document(_document(), reloaded)
    assert _verify(envelope) == _document()


def test_public_key_pem_round_trips() -> None:
    pem = public_key_to_pem(KEY.public_key())
    assert pem.startswith(b"-----BEGIN PUBLIC KEY-----")
    assert public_key_to_pem(load_public_key(pem)) == pem


def test_it_refuses_an_encrypted_private_key() -> None:
    pem = KEY.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, BestAvailableEncryption(b"pw"))
    with pytest.raises(ValueError, match="encrypted"):
        load_private_key(pem)


@pytest.mark.parametrize("data", [b"", b"not a key", public_key_to_pem(KEY.public_key())])
def test_it_refuses_what_is_not_a_private_key(data: bytes) -> None:
    with pytest.raises(ValueError):
        load_private_key(data)


def test_it_refuses_a_key_of_another_algorithm() -> None:
    other = ec_key(SECP256R1())
    with pytest.raises(ValueError, match="Ed25519"):
        load_private_key(other.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    with pytest.raises(ValueError, match="Ed25519"):
        load_public_key(
            other.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
        )


@pytest.mark.parametrize(
    "data", [b"", b"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", private_key_to_pem(KEY)]
)
def test_it_refuses_what_is_not_a_pem_public_key(data: bytes) -> None:
    with pytest.raises(ValueError):
        load_public_key(data)


# --- parsed JSON that needs no canonical walk ----------------------------------

received_value = st.recursive(
    json_leaf | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=30,
)


@given(received_value)
@settings(max_examples=300)
def test_loads_checked_calls_a_tree_plain_exactly_when_canonical_json_accepts_it(
    value: Any,
) -> None:
    tree, plain = loads_checked(json.dumps(value).encode())
    assert plain is not _refused_by_the_rule(value)
    if plain:
        assert canonical_json(tree) == canonical_json(value)


@pytest.mark.parametrize("text", ["[1.0]", '{"a": 1e3}', '{"a": NaN}', "[-Infinity]", "2.5"])
def test_loads_checked_notices_every_float_and_constant(text: str) -> None:
    assert loads_checked(text)[1] is False


@given(documents)
def test_a_plain_tree_verifies_as_the_full_check_does(document: dict[str, Any]) -> None:
    envelope = sign_document({**_document(), "extra": document}, KEY)
    received, plain = loads_checked(json.dumps(envelope).encode())
    assert plain
    assert verify_document(
        received, KEY.public_key(), now=NOW, max_age=timedelta(hours=1), plain=True
    ) == verify_document(received, KEY.public_key(), now=NOW, max_age=timedelta(hours=1))


def test_a_plain_tree_with_a_lone_surrogate_is_still_a_bad_signature() -> None:
    envelope = sign_document(_document(), KEY)
    envelope["document"]["node_id"] = "\ud800"
    received, plain = loads_checked(json.dumps(envelope).encode())
    assert plain
    with pytest.raises(BadSignature):
        verify_document(received, KEY.public_key(), now=NOW, max_age=timedelta(hours=1), plain=True)
