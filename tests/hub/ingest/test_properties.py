"""Hypothesis: garbage never causes a 500, and a malformed payload signed with the
right key is refused with the field named and nothing written."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from shared.payload import PayloadError, parse_payload
from tests.hub.ingest.support import SigningNode, post, stored_state, table_month, token_set

pytestmark = pytest.mark.django_db
FIXTURES_OK = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=10,
)
# Fields past the signature check; contract, node_id, built_at and key_id have
# their own earlier refusals (tested in test_rejections.py).
PATHS: list[tuple[str | int, ...]] = [
    ("sequence",),
    ("full",),
    ("jurisdiction",),
    ("tables",),
    ("tables", 0),
    ("tables", 0, "table"),
    ("tables", 0, "month"),
    ("tables", 0, "values"),
    ("tables", 0, "values", 0),
    ("tables", 0, "cells"),
    ("tables", 0, "cells", 0),
    ("tokens",),
    ("tokens", 0),
    ("tokens", 0, "year"),
    ("tokens", 0, "kind"),
    ("tokens", 0, "key_id"),
    ("tokens", 0, "tokens"),
    ("surplus",),
    ("tables", 0, "surplus"),
]


def _valid(node: SigningNode) -> dict[str, Any]:
    cells = {("Male", "9-17", "begging"): 12, ("Female", "0-8", "forced_labour"): 3}
    return node.document(
        9,
        [table_month("survivors_sex_age_form", "2026-03", cells)],
        [token_set(2026, "survivor", ["a" * 64])],
    )


def _swap(document: dict[str, Any], path: tuple[str | int, ...], value: Any) -> None:
    parent: Any = document
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = value


@FIXTURES_OK
@given(path=st.sampled_from(PATHS), value=json_values)
def test_a_malformed_payload_is_refused_with_the_field_named(
    anonymous: Client, ked: SigningNode, path: tuple[str | int, ...], value: Any
) -> None:
    document = _valid(ked)
    _swap(document, path, value)
    try:
        parse_payload(document)
    except PayloadError as exc:
        expected = exc
    else:
        assume(False)  # the swap happened to keep the payload valid
    before = stored_state()
    response = ked.push(anonymous, document)
    assert response.status_code == 400, response.content
    assert response.json() == {"reason": "schema", "errors": expected.errors}
    assert all(e["field"] for e in expected.errors)
    assert stored_state() == before


def _garbage_envelope(document: Any, signature: Any) -> bytes:
    return json.dumps({"document": document, "signature": signature}).encode()


bodies = st.one_of(
    st.binary(max_size=200),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.builds(_garbage_envelope, json_values, json_values),
    st.builds(
        _garbage_envelope,
        st.dictionaries(
            st.sampled_from(["contract", "node_id", "sequence", "built_at"]), json_values
        ).map(lambda d: {**d, "contract": "1", "node_id": "sn-tgi-ked"}),
        st.fixed_dictionaries(
            {"alg": st.just("Ed25519"), "key_id": json_values, "value": json_values}
        ),
    ),
)


@FIXTURES_OK
@given(body=bodies, gzipped=st.booleans())
def test_garbage_is_refused_with_a_4xx_never_a_500(
    anonymous: Client, ked: SigningNode, body: bytes, gzipped: bool
) -> None:
    before = stored_state()
    response = post(anonymous, body, gzipped=gzipped)
    assert 400 <= response.status_code < 500, response.content
    assert response.json()["reason"]
    assert stored_state() == before
