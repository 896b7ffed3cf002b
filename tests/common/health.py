"""Health and metrics behaviours both services share; imported by tests/node and tests/hub."""

import pytest
from django.test import Client


@pytest.mark.django_db
def test_metrics_are_prometheus_text(client: Client) -> None:
    client.get("/healthz")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert b'systraite_http_requests_total{method="GET",status="2xx"}' in response.content


@pytest.mark.django_db
def test_a_request_id_is_kept_when_sane_and_replaced_when_not(client: Client) -> None:
    assert client.get("/healthz", HTTP_X_REQUEST_ID="abc-123")["X-Request-ID"] == "abc-123"
    replaced = client.get("/healthz", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"]
    assert replaced != "<script>" and len(replaced) == 32


@pytest.mark.django_db
def test_metrics_require_the_token_when_one_is_configured(client: Client, settings) -> None:
    settings.SYSTRAITE_METRICS_TOKEN = "s3cret-token"
    assert client.get("/metrics").status_code == 403
    ok = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert ok.status_code == 200
