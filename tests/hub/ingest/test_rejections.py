"""Every refusal: its status, its reason, the field named, and nothing written
but the rejection record."""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from hub.ingest.models import Outcome, Submission
from hub.registry.services import node_suspend
from shared.signing import generate_private_key, sign_document
from tests.hub.ingest.support import (
    SigningNode,
    now_z,
    post,
    rejections,
    stored_state,
    table_month,
)

pytestmark = pytest.mark.django_db

MARCH = [table_month("survivors_sex_age_form", "2026-03", {("Male", "9-17", "begging"): 12})]


@pytest.fixture
def unchanged(ked: SigningNode) -> Iterator[None]:
    """Asserts, after the test, that no ingest table and no node row changed."""
    before = stored_state()
    yield
    assert stored_state() == before


def _refused(response: Any, status: int, reason: str, field: str) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["reason"] == reason
    assert field in [e["field"] for e in body["errors"]]
    assert rejections(reason) == 1


def test_a_changed_byte_is_a_bad_signature_and_writes_nothing(
    anonymous: Client, ked: SigningNode, unchanged: None
) -> None:
    envelope = ked.sign(ked.document(1, MARCH))
    envelope["document"]["tables"][0]["cells"][-1] = 13  # 12 survivors become 13
    _refused(post(anonymous, json.dumps(envelope).encode()), 403, "bad_signature", "signature")


def _signed_as_sent(node: SigningNode, document: dict[str, Any]) -> bytes:
    """An envelope signed with the node's own key over the document's bytes as
    sent, sorted and compact: what a node whose encoder skipped the canonical
    checks would send."""
    envelope = node.sign(node.document(1, MARCH))
    signed = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    signature = node.key.sign(signed.encode())
    envelope["document"] = document
    envelope["signature"]["value"] = base64.urlsafe_b64encode(signature).rstrip(b"=").decode()
    return json.dumps(envelope).encode()


def test_a_float_signed_by_the_node_itself_is_a_bad_signature(
    anonymous: Client, ked: SigningNode, unchanged: None
) -> None:
    document = ked.document(1, MARCH)
    document["tables"][0]["cells"][-1] = 12.0  # a float has no single text form
    _refused(post(anonymous, _signed_as_sent(ked, document)), 403, "bad_signature", "signature")


def test_a_count_too_large_to_store_is_a_schema_error(
    anonymous: Client, ked: SigningNode, unchanged: None
) -> None:
    document = ked.document(1, MARCH)
    document["tables"][0]["cells"][-1] = 2**31  # beyond the hub's integer column
    response = ked.push(anonymous, document)
    _refused(response, 400, "schema", "tables[0]")
    assert "a count must be at most 2147483647" in response.json()["errors"][0]["message"]


def test_a_payload_signed_with_another_key_is_refused(
    anonymous: Client, ked: SigningNode, unchanged: None
) -> None:
    envelope = sign_document(ked.document(1, MARCH), generate_private_key())
    _refused(post(anonymous, json.dumps(envelope).encode()), 403, "bad_signature", "signature")


def test_a_payload_naming_another_key_id_is_refused(
    anonymous: Client, ked: SigningNode, unchanged: None
) -> None:
    document = ked.document(1, MARCH, key_id="ed25519:0000000000000000")
    _refused(ked.push(anonymous, document), 403, "bad_signature", "key_id")


def test_an_unknown_node_is_refused(anonymous: Client, ked: SigningNode, unchanged: None) -> None:
    document = ked.document(1, MARCH, node_id="sn-tgi-nowhere")
    _refused(ked.push(anonymous, document), 403, "unknown_node", "node_id")
    assert Submission.objects.get().node is None


def test_a_suspended_node_is_refused(anonymous: Client, ked: SigningNode) -> None:
    node_suspend(node_id=ked.node_id)
    before = stored_state()
    _refused(ked.push(anonymous, ked.document(1, MARCH)), 403, "suspended_node", "node_id")
    assert stored_state() == before


def test_a_payload_for_another_jurisdiction_is_refused(
    anonymous: Client, ked: SigningNode, unchanged: None
) -> None:
    document = ked.document(1, MARCH, jurisdiction="SN-TGI-STL")
    _refused(ked.push(anonymous, document), 403, "wrong_jurisdiction", "jurisdiction")


def test_an_unknown_contract_version_is_refused_before_anything_else(
    anonymous: Client, ked: SigningNode, unchanged: None
) -> None:
    envelope = ked.sign(ked.document(1, MARCH, contract="99"))
    envelope["signature"]["value"] = "garbage"  # the version is checked before the signature
    _refused(post(anonymous, json.dumps(envelope).encode()), 400, "unknown_contract", "contract")


def test_a_stale_payload_is_refused(anonymous: Client, ked: SigningNode, unchanged: None) -> None:
    document = ked.document(1, MARCH, built_at=now_z(-timedelta(days=8)))
    _refused(ked.push(anonymous, document), 400, "stale", "built_at")


def test_a_payload_from_the_future_is_refused(
    anonymous: Client, ked: SigningNode, unchanged: None
) -> None:
    document = ked.document(1, MARCH, built_at=now_z(timedelta(hours=1)))
    _refused(ked.push(anonymous, document), 400, "stale", "built_at")


def test_a_schema_error_names_the_field(
    anonymous: Client, ked: SigningNode, unchanged: None
) -> None:
    document = ked.document(1, MARCH)
    document["tables"][0]["month"] = "2026-13"
    _refused(ked.push(anonymous, document), 400, "schema", "tables[0].month")


def test_malformed_json_is_refused(anonymous: Client, ked: SigningNode, unchanged: None) -> None:
    _refused(post(anonymous, b'{"document": '), 400, "malformed", "body")


def test_an_envelope_without_a_signature_is_refused(
    anonymous: Client, ked: SigningNode, unchanged: None
) -> None:
    body = json.dumps({"document": ked.document(1, MARCH)}).encode()
    _refused(post(anonymous, body), 400, "envelope", "body")


def test_an_oversize_body_is_refused(
    anonymous: Client, ked: SigningNode, unchanged: None, settings: Any
) -> None:
    settings.SYSTRAITE_SUBMISSION_MAX_BYTES = 2048
    document = ked.document(1, MARCH, tokens=[])
    body = json.dumps(ked.sign(document)).encode() + b" " * 4096
    _refused(post(anonymous, body), 413, "too_large", "body")


def test_a_gzip_bomb_is_refused_without_inflating_it(
    anonymous: Client, ked: SigningNode, unchanged: None, settings: Any
) -> None:
    settings.SYSTRAITE_SUBMISSION_MAX_BYTES = 64 * 1024
    bomb = gzip.compress(b" " * (64 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 64 * 1024  # small on the wire, 64 MiB inflated
    response = anonymous.post(
        "/api/v1/submissions/",
        data=bomb,
        content_type="application/json",
        headers={"Content-Encoding": "gzip"},
    )
    _refused(response, 413, "too_large", "body")


def test_a_truncated_gzip_body_is_refused(
    anonymous: Client, ked: SigningNode, unchanged: None
) -> None:
    body = gzip.compress(json.dumps(ked.sign(ked.document(1, MARCH))).encode())[:-12]
    response = anonymous.post(
        "/api/v1/submissions/",
        data=body,
        content_type="application/json",
        headers={"Content-Encoding": "gzip"},
    )
    _refused(response, 400, "malformed", "body")


def test_another_content_encoding_is_refused(
    anonymous: Client, ked: SigningNode, unchanged: None
) -> None:
    response = anonymous.post(
        "/api/v1/submissions/",
        data=b"{}",
        content_type="application/json",
        headers={"Content-Encoding": "br"},
    )
    _refused(response, 415, "unsupported_encoding", "Content-Encoding")


def test_a_rejection_record_holds_no_payload_content(anonymous: Client, ked: SigningNode) -> None:
    ked.push(anonymous, ked.document(1, MARCH, jurisdiction="SN-TGI-STL"))
    record = Submission.objects.get()
    assert (record.outcome, record.reason, record.sequence) == (
        Outcome.REJECTED,
        "wrong_jurisdiction",
        None,
    )
    assert record.cells == 0
