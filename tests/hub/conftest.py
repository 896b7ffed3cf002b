"""Shared fixtures of hub tests: registered nodes that sign what they push.

``ked`` is the node of Kédougou (SN-TGI-KED), ``stl`` the node of
Saint-Louis; each holds its Ed25519 private key and builds, signs and posts
payloads (tests/hub/ingest/support.py). ``anonymous`` is a client with no
credentials: on the ingest API the signature is the only authentication.
"""

from __future__ import annotations

import pytest
from django.test import Client

from tests.hub.ingest.support import SigningNode


@pytest.fixture
def anonymous() -> Client:
    return Client()


@pytest.fixture
def ked(db: None) -> SigningNode:
    return SigningNode.register("SN-TGI-KED")


@pytest.fixture
def stl(db: None) -> SigningNode:
    return SigningNode.register("SN-TGI-STL")
