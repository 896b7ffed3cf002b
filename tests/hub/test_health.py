import pytest
from django.test import Client

from tests.common.health import (  # noqa: F401  (collected here, for the hub)
    test_a_request_id_is_kept_when_sane_and_replaced_when_not,
    test_metrics_are_prometheus_text,
    test_metrics_require_the_token_when_one_is_configured,
)


@pytest.mark.django_db
def test_healthz_reports_the_database(client: Client) -> None:
    body = client.get("/healthz").json()
    assert body == {"service": "hub", "database": "ok", "status": "ok"}
