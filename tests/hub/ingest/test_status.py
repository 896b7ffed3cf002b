"""GET /api/v1/submissions/status: what the hub holds, for a node that signs its request."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from hub.registry.services import node_suspend
from shared.payload import set_digest
from tests.hub.ingest.support import STATUS, SigningNode, now_z, table_month, token_set

pytestmark = pytest.mark.django_db


def _status(client: Client, node_id: str, header: str | None) -> object:
    headers = {"X-Systraite-Signature": header} if header is not None else {}
    return client.get(STATUS, {"node_id": node_id}, headers=headers)


def test_a_node_reads_what_the_hub_holds_of_it(anonymous: Client, ked: SigningNode) -> None:
    cells = {("Male", "9-17", "begging"): 1}
    ked.push(
        anonymous,
        ked.document(
            4,
            [
                table_month("survivors_sex_age_form", "2026-03", cells),
                table_month("survivors_sex_age_form", "2026-01", {}),
                table_month("procedure_events_step", "2026-02", {("signalement",): 2}),
            ],
            [token_set(2026, "survivor", ["a" * 64]), token_set(2025, "trafficker", [])],
        ),
    )
    response = _status(anonymous, ked.node_id, ked.status_header())
    assert response.status_code == 200
    body = response.json()
    assert body["node_id"] == "sn-tgi-ked" and body["last_sequence"] == 4
    assert body["last_success_at"]
    assert body["months"] == {
        "procedure_events_step": ["2026-02"],
        "survivors_sex_age_form": ["2026-01", "2026-03"],
    }
    assert body["token_years"] == [2025, 2026]
    assert body["token_sets"] == [
        {"year": 2025, "kind": "trafficker", "digest": set_digest([])},
        {"year": 2026, "kind": "survivor", "digest": set_digest(["a" * 64])},
    ]


def test_a_new_node_reads_an_empty_status(anonymous: Client, ked: SigningNode) -> None:
    body = _status(anonymous, ked.node_id, ked.status_header()).json()
    assert body == {
        "node_id": "sn-tgi-ked",
        "last_sequence": 0,
        "last_success_at": None,
        "months": {},
        "token_years": [],
        "token_sets": [],
    }


@pytest.mark.parametrize("case", ["missing", "garbage", "stale", "purpose", "other_node_key"])
def test_a_status_request_without_a_valid_signature_is_refused(
    anonymous: Client, ked: SigningNode, stl: SigningNode, case: str
) -> None:
    header = {
        "missing": None,
        "garbage": "not-base64-json!",
        "stale": ked.status_header(built_at=now_z(-timedelta(minutes=10))),
        "purpose": ked.status_header(purpose="submit"),
        "other_node_key": stl.status_header(node_id=ked.node_id),
    }[case]
    response = _status(anonymous, ked.node_id, header)
    assert response.status_code == 403
    assert response.json()["reason"] in {"bad_signature", "stale"}


def test_a_signed_request_for_another_node_is_refused(
    anonymous: Client, ked: SigningNode, stl: SigningNode
) -> None:
    assert _status(anonymous, stl.node_id, ked.status_header()).status_code == 403


def test_a_suspended_node_cannot_read_its_status(anonymous: Client, ked: SigningNode) -> None:
    node_suspend(node_id=ked.node_id)
    response = _status(anonymous, ked.node_id, ked.status_header())
    assert response.status_code == 403 and response.json()["reason"] == "suspended_node"
