"""Token-set deltas: applied only on the set they start from, else 409 and nothing written."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from hub.ingest.models import Outcome, Submission, TokenSet
from shared.payload import digest_moved, set_digest
from tests.hub.ingest.support import (
    SigningNode,
    rejections,
    stored_state,
    table_month,
    token_delta,
    token_set,
)

pytestmark = pytest.mark.django_db

A, B, C, D = ("a" * 64, "b" * 64, "c" * 64, "d" * 64)
MARCH = [table_month("survivors_sex_age_form", "2026-03", {("Male", "9-17", "begging"): 12})]


def held(node: SigningNode) -> dict[tuple[int, str], set[str]]:
    sets = TokenSet.objects.filter(node__node_id=node.node_id)
    return {(s.year, s.kind): set(s.tokens.values_list("token", flat=True)) for s in sets}


def stored_digest(year: int, kind: str) -> str:
    return TokenSet.objects.get(year=year, kind=kind).digest


@pytest.fixture
def holding_ab(anonymous: Client, ked: SigningNode) -> SigningNode:
    """The hub holds {A, B} as ked's 2026 survivors, from sequence 1."""
    response = ked.push(anonymous, ked.document(1, tokens=[token_set(2026, "survivor", [A, B])]))
    assert response.status_code == 201
    return ked


def _mismatch(response: Any, field: str) -> None:
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["reason"] == "token_base_mismatch"
    assert [e["field"] for e in body["errors"]] == [field]
    assert rejections("token_base_mismatch") == 1


def test_a_full_set_stores_its_digest(holding_ab: SigningNode) -> None:
    assert stored_digest(2026, "survivor") == set_digest([A, B])


def test_a_delta_on_the_set_held_is_applied(anonymous: Client, holding_ab: SigningNode) -> None:
    delta = token_delta(2026, "survivor", {A, B}, {B, C, D})
    response = holding_ab.push(anonymous, holding_ab.document(2, tokens=[delta]))
    assert response.status_code == 201, response.content
    assert held(holding_ab) == {(2026, "survivor"): {B, C, D}}
    assert stored_digest(2026, "survivor") == set_digest([B, C, D])
    assert TokenSet.objects.get().sequence == 2


def test_a_delta_for_a_set_never_sent_starts_from_the_empty_set(
    anonymous: Client, ked: SigningNode
) -> None:
    delta = token_delta(2025, "trafficker", set(), {C})
    assert ked.push(anonymous, ked.document(1, tokens=[delta])).status_code == 201
    assert held(ked) == {(2025, "trafficker"): {C}}


def test_a_delta_on_another_base_is_refused_with_409_and_writes_nothing(
    anonymous: Client, holding_ab: SigningNode
) -> None:
    before = stored_state()
    delta = token_delta(2026, "survivor", {A}, {A, C})  # the node thinks the hub holds {A}
    response = holding_ab.push(anonymous, holding_ab.document(2, MARCH, [delta]))
    _mismatch(response, "tokens[0].base_digest")
    assert stored_state() == before  # no cell of MARCH either: the whole payload is refused
    assert holding_ab.node.last_sequence == 1


def test_removing_a_token_the_set_does_not_hold_is_refused(
    anonymous: Client, holding_ab: SigningNode
) -> None:
    # Right base digest, but C was never there: the digest would move by a token not held.
    delta = {**token_delta(2026, "survivor", {A, B}, {A, B}), "removed": [C]}
    delta["digest"] = digest_moved(set_digest([A, B]), removed=[C])
    before = stored_state()
    _mismatch(
        holding_ab.push(anonymous, holding_ab.document(2, tokens=[delta])), "tokens[0].removed[0]"
    )
    assert stored_state() == before


def test_adding_a_token_the_set_already_holds_is_refused(
    anonymous: Client, holding_ab: SigningNode
) -> None:
    # Right base digest, but B is already there: adding it again would count it twice.
    delta = {**token_delta(2026, "survivor", {A, B}, {A, B}), "added": [B]}
    delta["digest"] = digest_moved(set_digest([A, B]), added=[B])
    before = stored_state()
    _mismatch(
        holding_ab.push(anonymous, holding_ab.document(2, tokens=[delta])), "tokens[0].added[0]"
    )
    assert stored_state() == before


def test_a_delta_under_another_linkage_key_is_refused(
    anonymous: Client, holding_ab: SigningNode
) -> None:
    delta = {**token_delta(2026, "survivor", {A, B}, {A}), "key_id": "lk:2026:rotated"}
    _mismatch(
        holding_ab.push(anonymous, holding_ab.document(2, tokens=[delta])), "tokens[0].key_id"
    )


def test_one_wrong_delta_refuses_the_others_of_the_payload(
    anonymous: Client, holding_ab: SigningNode
) -> None:
    good = token_delta(2025, "trafficker", set(), {D})
    wrong = token_delta(2026, "survivor", {C}, {A})
    before = stored_state()
    _mismatch(
        holding_ab.push(anonymous, holding_ab.document(2, tokens=[good, wrong])),
        "tokens[1].base_digest",
    )
    assert stored_state() == before


def test_a_replayed_delta_is_a_duplicate_and_applies_once(
    anonymous: Client, holding_ab: SigningNode
) -> None:
    document = holding_ab.document(2, tokens=[token_delta(2026, "survivor", {A, B}, {A, C})])
    assert holding_ab.push(anonymous, document).status_code == 201
    response = holding_ab.push(anonymous, document)
    # The sequence is checked first: the base no longer matches, but a replay is a success.
    assert response.status_code == 200
    assert response.json() == {"outcome": "duplicate", "last_sequence": 2}
    assert held(holding_ab) == {(2026, "survivor"): {A, C}}
    assert Submission.objects.filter(outcome=Outcome.DUPLICATE).count() == 1


def test_a_full_set_after_a_mismatch_brings_the_hub_back_in_step(
    anonymous: Client, holding_ab: SigningNode
) -> None:
    wrong = token_delta(2026, "survivor", {A}, {A, C})
    assert holding_ab.push(anonymous, holding_ab.document(2, tokens=[wrong])).status_code == 409
    full = token_set(2026, "survivor", [A, C])
    assert holding_ab.push(anonymous, holding_ab.document(3, tokens=[full])).status_code == 201
    delta = token_delta(2026, "survivor", {A, C}, {C})
    assert holding_ab.push(anonymous, holding_ab.document(4, tokens=[delta])).status_code == 201
    assert held(holding_ab) == {(2026, "survivor"): {C}}
