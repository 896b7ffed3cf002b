"""A test node: an Ed25519 key, its registration, and signed payloads it can send.

Used by the fixtures of tests/hub/conftest.py; builds payloads with
shared.payload.encode_table_month exactly as a real node does.
"""

from __future__ import annotations

import base64
import copy
import gzip
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.apps import apps
from django.test import Client

from hub.ingest.models import Cell, Outcome, Submission
from hub.registry.models import Node
from hub.registry.services import node_register
from shared.payload import CONTRACT_VERSION, encode_table_month, set_digest
from shared.signing import (
    generate_private_key,
    key_id,
    public_key_to_pem,
    sign_document,
)

SUBMISSIONS = "/api/v1/submissions/"
STATUS = "/api/v1/submissions/status"
Cells = Mapping[tuple[str, ...], int]


def now_z(delta: timedelta = timedelta(0)) -> str:
    return (datetime.now(UTC) + delta).isoformat().replace("+00:00", "Z")


def table_month(table: str, month: str, cells: Cells) -> dict[str, Any]:
    return encode_table_month(table, month, cells).model_dump()


def token_set(year: int, kind: str, tokens: list[str]) -> dict[str, Any]:
    return {
        "year": year,
        "kind": kind,
        "key_id": f"lk:{year}:abcdef012345",
        "tokens": sorted(tokens),
    }


def token_delta(year: int, kind: str, base: set[str], after: set[str]) -> dict[str, Any]:
    """The delta that turns the set ``base`` into ``after``, as a node builds it."""
    return {
        "year": year,
        "kind": kind,
        "key_id": f"lk:{year}:abcdef012345",
        "base_digest": set_digest(base),
        "added": sorted(after - base),
        "removed": sorted(base - after),
        "digest": set_digest(after),
    }


@dataclass
class SigningNode:
    """A registered node and its private key."""

    key: Ed25519PrivateKey
    node_id: str
    jurisdiction: str

    @classmethod
    def register(cls, jurisdiction: str, node_id: str | None = None) -> SigningNode:
        key = generate_private_key()
        node = node_register(
            jurisdiction=jurisdiction,
            node_id=node_id,
            public_key_pem=public_key_to_pem(key.public_key()),
        ).node
        return cls(key, node.node_id, jurisdiction)

    @property
    def node(self) -> Node:
        return Node.objects.get(node_id=self.node_id)

    def document(
        self,
        sequence: int,
        tables: list[dict[str, Any]] | None = None,
        tokens: list[dict[str, Any]] | None = None,
        **overrides: Any,
    ) -> dict[str, Any]:
        document = {
            "contract": CONTRACT_VERSION,
            "node_id": self.node_id,
            "jurisdiction": self.jurisdiction,
            "sequence": sequence,
            "built_at": now_z(),
            "key_id": key_id(self.key.public_key()),
            "full": False,
            "tables": tables or [],
            "tokens": tokens or [],
        }
        document.update(overrides)
        return copy.deepcopy(document)  # tests mutate it; shared constants must not change

    def sign(self, document: Mapping[str, Any]) -> dict[str, Any]:
        return sign_document(document, self.key)

    def push(self, client: Client, document: Mapping[str, Any], *, gzipped: bool = False) -> Any:
        return post(client, json.dumps(self.sign(document)).encode(), gzipped=gzipped)

    def status_header(
        self, *, purpose: str = "status", built_at: str | None = None, node_id: str | None = None
    ) -> str:
        document = {
            "node_id": node_id or self.node_id,
            "built_at": built_at or now_z(),
            "purpose": purpose,
        }
        raw = json.dumps(self.sign(document)).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def post(client: Client, body: bytes, *, gzipped: bool = False) -> Any:
    headers = {"Content-Encoding": "gzip"} if gzipped else {}
    data = gzip.compress(body) if gzipped else body
    return client.post(SUBMISSIONS, data=data, content_type="application/json", headers=headers)


def cell_dump() -> list[tuple[Any, ...]]:
    """Every stored cell, for before/after comparisons."""
    return sorted(
        Cell.objects.values_list("node__node_id", "table", "month", "d1", "d2", "d3", "count")
    )


def stored_state() -> dict[str, Any]:
    """Row counts of every ingest table and every node row, minus the rejection log.

    A refused submission may add exactly one rejected Submission and change
    nothing else, so this dict must be equal before and after it.
    """
    models = apps.get_app_config("ingest").get_models()
    state: dict[str, Any] = {model.__name__: model.objects.count() for model in models}
    state["Submission"] = Submission.objects.exclude(outcome=Outcome.REJECTED).count()
    state["cells"] = cell_dump()
    state["nodes"] = list(Node.objects.order_by("pk").values())
    return state


def rejections(reason: str) -> int:
    return Submission.objects.filter(outcome=Outcome.REJECTED, reason=reason).count()
