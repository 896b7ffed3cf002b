"""Shared fixtures of hub tests: registered nodes that sign what they push.

``ked`` is the node of Kédougou (SN-TGI-KED), ``stl`` the node of
Saint-Louis; each holds its Ed25519 private key and builds, signs and posts
payloads (tests/hub/ingest/support.py). ``anonymous`` is a client with no
credentials: on the ingest API the signature is the only authentication.

Personas of the statistics API (hub/accounts roles), each a client logged in
with a verified second factor: ``analyst``, ``partner``, ``hub_admin``,
``hub_auditor``.

The hub keeps its audit log with node.audit, whose table refuses TRUNCATE:
``audit_log_flushable`` lets ``transaction=True`` tests flush it.
"""

from __future__ import annotations

import pytest
from django.test import Client

from tests.hub.accounts.support import persona_client
from tests.hub.ingest.support import SigningNode
from tests.node.audit.flush import audit_log_flushable  # noqa: F401  (the hub uses node.audit)


@pytest.fixture
def anonymous() -> Client:
    return Client()


@pytest.fixture
def ked(db: None) -> SigningNode:
    return SigningNode.register("SN-TGI-KED")


@pytest.fixture
def stl(db: None) -> SigningNode:
    return SigningNode.register("SN-TGI-STL")


@pytest.fixture
def analyst(db: None) -> Client:
    return persona_client("ana", "analyst")


@pytest.fixture
def partner(db: None) -> Client:
    return persona_client("pat", "partner")


@pytest.fixture
def hub_admin(db: None) -> Client:
    return persona_client("adm", "hub_admin")


@pytest.fixture
def hub_auditor(db: None) -> Client:
    return persona_client("aud", "auditor")
