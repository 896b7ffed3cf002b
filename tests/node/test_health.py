import pytest
from django.test import Client

from tests.common.health import (  # noqa: F401  (collected here, for the node)
    test_a_request_id_is_kept_when_sane_and_replaced_when_not,
    test_metrics_are_prometheus_text,
    test_metrics_require_the_token_when_one_is_configured,
)


@pytest.mark.django_db
def test_healthz_reports_the_database_and_the_jurisdiction(client: Client) -> None:
    body = client.get("/healthz").json()
    assert body == {"service": "node", "database": "ok", "status": "ok",
                    "jurisdiction": "SN-TGI-DKR"}
