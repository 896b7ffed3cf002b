"""Ingest metrics on /metrics, including the node-age gauge refreshed at scrape time."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.hub.ingest.support import SigningNode

pytestmark = pytest.mark.django_db


def _value(text: str, series: str) -> float:
    match = re.search(rf"^{re.escape(series)} (\S+)$", text, re.MULTILINE)
    assert match, f"{series} not exposed"
    return float(match.group(1))


def test_submissions_are_counted_by_outcome_and_reason(anonymous: Client, ked: SigningNode) -> None:
    series = 'systraite_hub_submissions_total{outcome="rejected",reason="unknown_node"}'
    text = anonymous.get("/metrics").content.decode()
    before = _value(text, series) if series in text else 0.0
    ked.push(anonymous, ked.document(1, node_id="sn-nobody"))
    after = _value(anonymous.get("/metrics").content.decode(), series)
    assert after == before + 1


def test_the_age_of_each_node_s_last_submission_is_exposed(
    anonymous: Client, ked: SigningNode, stl: SigningNode
) -> None:
    ked.push(anonymous, ked.document(1))
    text = anonymous.get("/metrics").content.decode()
    age = _value(text, 'systraite_hub_node_last_submission_age_seconds{node="sn-tgi-ked"}')
    assert 0 <= age < 60
    assert 'node="sn-tgi-stl"' not in text  # never submitted: no age to report
