"""Token sets as deltas against what the hub acknowledged; a refused base means full sets.

The hub here is a stand-in on an httpx transport that keeps token sets the way
hub/ingest does (a delta applies only on its base digest, with every removed
token present and no added one, else 409 ``token_base_mismatch``), so each test
can check that the hub ends up holding exactly the node's sets. The real hub
is exercised by tests/hub/ingest/test_token_deltas.py and, end to end, by
tests/e2e/test_push.py.
"""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from typing import Any

import httpx
import pytest
from rest_framework.test import APIClient

from node.people.models import LinkageToken
from node.sync import tokens
from node.sync.build import payload_build
from node.sync.models import AckedTokenSet, OutboxPayload
from node.sync.push import TokenBaseMismatch, outbox_send
from shared.payload import TokenSet, TokenSetDelta, parse_payload, set_digest
from tests.node.cases.test_case_flow import a_case
from tests.node.sync.test_build import a_survivor_in

pytestmark = pytest.mark.django_db

SetKey = tuple[int, str]


class Hub:
    """Holds token sets and answers pushes as the real hub's ingest does."""

    def __init__(self) -> None:
        self.sets: dict[SetKey, set[str]] = defaultdict(set)
        self.last_sequence = 0
        self.received: list[Any] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        document = json.loads(gzip.decompress(request.content))["document"]
        payload = parse_payload(document)
        self.received.append(payload)
        if payload.sequence <= self.last_sequence:
            return httpx.Response(200, json={"outcome": "duplicate"})
        for index, entry in enumerate(payload.tokens):
            if isinstance(entry, TokenSetDelta) and not self._applies(entry):
                return httpx.Response(
                    409,
                    json={
                        "reason": "token_base_mismatch",
                        "errors": [
                            {"field": f"tokens[{index}].base_digest", "message": "not the set held"}
                        ],
                    },
                )
        for entry in payload.tokens:
            key = (entry.year, entry.kind)
            if isinstance(entry, TokenSet):
                self.sets[key] = set(entry.tokens)
            else:
                self.sets[key] = (self.sets[key] - set(entry.removed)) | set(entry.added)
        self.last_sequence = payload.sequence
        return httpx.Response(201, json={"outcome": "accepted"})

    def _applies(self, delta: TokenSetDelta) -> bool:
        held = self.sets[(delta.year, delta.kind)]
        return (
            set_digest(held) == delta.base_digest
            and set(delta.removed) <= held
            and not set(delta.added) & held
        )

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self.handle))


@pytest.fixture
def hub() -> Hub:
    return Hub()


def node_sets() -> dict[SetKey, set[str]]:
    sets: dict[SetKey, set[str]] = defaultdict(set)
    for row in LinkageToken.objects.values("year", "token", "survivor_id"):
        sets[(row["year"], "survivor" if row["survivor_id"] else "trafficker")].add(row["token"])
    return dict(sets)


def held_sets(hub: Hub) -> dict[SetKey, set[str]]:
    return {key: tokens for key, tokens in hub.sets.items() if tokens}


def build_and_send(hub: Hub) -> Any:
    outbox = payload_build().outbox
    with hub.client() as client:
        outbox_send(client=client)
    return parse_payload(_document(outbox)) if outbox else None


def _document(outbox: OutboxPayload) -> dict[str, Any]:
    return dict(json.loads(gzip.decompress(bytes(outbox.body)))["document"])


def entries(payload: Any) -> dict[SetKey, TokenSet | TokenSetDelta]:
    return {(entry.year, entry.kind): entry for entry in payload.tokens}


def test_a_set_the_hub_never_acknowledged_goes_in_full(clerk: APIClient, hub: Hub) -> None:
    a_survivor_in(clerk, a_case(clerk))
    payload = build_and_send(hub)
    assert isinstance(entries(payload)[(2025, "survivor")], TokenSet)
    assert held_sets(hub) == node_sets()
    assert AckedTokenSet.objects.get(year=2025, kind="survivor").digest == set_digest(
        node_sets()[(2025, "survivor")]
    )


def test_a_new_survivor_after_an_acknowledgement_travels_as_one_added_token(
    clerk: APIClient, hub: Hub
) -> None:
    case = a_case(clerk)
    a_survivor_in(clerk, case)
    build_and_send(hub)
    before = node_sets()[(2025, "survivor")]
    a_survivor_in(clerk, case, family_name="Sow", sex="Male")
    delta = entries(build_and_send(hub))[(2025, "survivor")]
    assert isinstance(delta, TokenSetDelta)
    assert delta.base_digest == set_digest(before) and delta.removed == []
    assert set(delta.added) == node_sets()[(2025, "survivor")] - before
    assert held_sets(hub) == node_sets()


def test_a_deleted_survivor_link_travels_as_a_removed_token(clerk: APIClient, hub: Hub) -> None:
    case = a_case(clerk)
    a_survivor_in(clerk, case)
    link = a_survivor_in(clerk, case, family_name="Sow")
    build_and_send(hub)
    before = node_sets()[(2025, "survivor")]
    assert clerk.delete(f"/api/v1/case-survivors/{link['id']}/").status_code == 204
    delta = entries(build_and_send(hub))[(2025, "survivor")]
    assert isinstance(delta, TokenSetDelta) and delta.added == []
    assert set(delta.removed) == before - node_sets()[(2025, "survivor")]
    assert held_sets(hub) == node_sets()


def test_an_unchanged_set_is_not_sent_again(clerk: APIClient, hub: Hub) -> None:
    case = a_case(clerk)
    a_survivor_in(clerk, case)
    build_and_send(hub)
    assert (
        clerk.patch(
            f"/api/v1/cases/{case['id']}/", {"cross_border": False}, format="json"
        ).status_code
        == 200
    )
    payload = build_and_send(hub)
    assert payload is not None and payload.tokens == []


def test_a_full_push_checks_every_known_base_with_a_delta_even_an_empty_one(
    clerk: APIClient, hub: Hub
) -> None:
    a_survivor_in(clerk, a_case(clerk))
    build_and_send(hub)
    acked = {(s.year, s.kind): s.digest for s in AckedTokenSet.objects.all()}
    assert (2025, "survivor") in acked
    payload = build_and_send_full(hub)
    assert set(entries(payload)) == set(acked)
    for key, entry in entries(payload).items():
        assert isinstance(entry, TokenSetDelta)
        assert entry.base_digest == entry.digest == acked[key]
        assert entry.added == entry.removed == []
    assert held_sets(hub) == node_sets()


def test_a_full_push_to_a_hub_that_lost_a_set_is_refused_then_sends_the_sets_whole(
    clerk: APIClient, hub: Hub
) -> None:
    case = a_case(clerk)
    a_survivor_in(clerk, case)
    a_survivor_in(clerk, case, family_name="Sow")
    build_and_send(hub)
    hub.sets[(2025, "survivor")].pop()  # the hub restored from a backup missing a survivor
    full = payload_build(full=True).outbox
    with hub.client() as client, pytest.raises(TokenBaseMismatch):
        outbox_send(client=client)
    full.refresh_from_db()
    assert full.status == "failed"
    mended = build_and_send(hub)
    assert isinstance(entries(mended)[(2025, "survivor")], TokenSet)
    carried = {(t.table, t.month) for t in mended.tables}
    sent_before = {(t.table, t.month) for t in parse_payload(_document(full)).tables}
    assert sent_before <= carried, "the refused full payload's months must travel again"
    assert held_sets(hub) == node_sets()


def build_and_send_full(hub: Hub) -> Any:
    outbox = payload_build(full=True).outbox
    with hub.client() as client:
        outbox_send(client=client)
    return parse_payload(_document(outbox))


def test_a_build_superseding_an_unsent_one_starts_from_the_acknowledged_base(
    clerk: APIClient, hub: Hub
) -> None:
    case = a_case(clerk)
    a_survivor_in(clerk, case)
    build_and_send(hub)
    acked = node_sets()[(2025, "survivor")]
    a_survivor_in(clerk, case, family_name="Sow")
    unsent = payload_build().outbox  # the hub is down: never sent
    a_survivor_in(clerk, case, family_name="Ndiaye")
    delta = entries(build_and_send(hub))[(2025, "survivor")]
    unsent.refresh_from_db()
    assert unsent.status == "superseded"
    assert isinstance(delta, TokenSetDelta) and delta.base_digest == set_digest(acked)
    assert len(delta.added) == 2
    assert held_sets(hub) == node_sets()


def test_a_lost_acknowledgement_is_caught_by_the_base_check_and_mended_by_full_sets(
    clerk: APIClient, hub: Hub
) -> None:
    case = a_case(clerk)
    a_survivor_in(clerk, case)
    build_and_send(hub)
    link = a_survivor_in(clerk, case, family_name="Sow")
    lost = payload_build().outbox
    hub.handle(httpx.Request("POST", "http://hub", content=bytes(lost.body)))  # ack lost
    assert clerk.delete(f"/api/v1/case-survivors/{link['id']}/").status_code == 204
    # Back to the acknowledged set: the year goes again as an empty delta, which the
    # hub (now one survivor ahead) refuses.
    refused = payload_build().outbox
    with hub.client() as client, pytest.raises(TokenBaseMismatch):
        outbox_send(client=client)
    refused.refresh_from_db()
    assert refused.status == "failed"
    assert not AckedTokenSet.objects.filter(year=2025).exists()
    mended = build_and_send(hub)
    assert isinstance(entries(mended)[(2025, "survivor")], TokenSet)
    assert held_sets(hub) == node_sets()


def test_a_payload_the_hub_already_applied_moves_the_base_when_it_answers_duplicate(
    clerk: APIClient, hub: Hub
) -> None:
    case = a_case(clerk)
    a_survivor_in(clerk, case)
    build_and_send(hub)
    a_survivor_in(clerk, case, family_name="Sow")
    outbox = payload_build().outbox
    hub.handle(httpx.Request("POST", "http://hub", content=bytes(outbox.body)))  # ack lost
    with hub.client() as client:
        outbox_send(client=client)  # sent again: a duplicate, which is an acknowledgement
    acked = AckedTokenSet.objects.get(year=2025, kind="survivor")
    assert set(acked.tokens.values_list("token", flat=True)) == node_sets()[(2025, "survivor")]
    assert acked.digest == set_digest(node_sets()[(2025, "survivor")])
    a_survivor_in(clerk, case, family_name="Ndiaye")
    assert isinstance(entries(build_and_send(hub))[(2025, "survivor")], TokenSetDelta)
    assert held_sets(hub) == node_sets()


def test_a_delta_after_an_acknowledgement_costs_the_change_not_a_comparison(
    clerk: APIClient, hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = a_case(clerk)
    a_survivor_in(clerk, case)
    build_and_send(hub)

    def compared(*args: Any) -> None:
        raise AssertionError("the year's whole set was compared")

    monkeypatch.setattr(tokens, "token_delta_compared", compared)
    a_survivor_in(clerk, case, family_name="Sow", sex="Male")
    assert isinstance(entries(build_and_send(hub))[(2025, "survivor")], TokenSetDelta)
    assert held_sets(hub) == node_sets()


def test_a_token_moved_by_a_write_that_marked_nothing_is_caught_and_compared_in_full(
    clerk: APIClient, hub: Hub
) -> None:
    case = a_case(clerk)
    a_survivor_in(clerk, case)
    build_and_send(hub)
    # A write path that forgot its mark: the survivor's token changes, nothing is dirty.
    LinkageToken.objects.filter(year=2025, survivor__isnull=False).update(token="ab" * 32)
    # A marked change in the same year, in another case: the first survivor stays clean.
    a_survivor_in(clerk, a_case(clerk, "RP 13/2025"), family_name="Sow")
    build_and_send(hub)
    assert held_sets(hub) == node_sets()
    assert (2025, "survivor") not in tokens.copies_drifted({2025})  # the copy was mended
