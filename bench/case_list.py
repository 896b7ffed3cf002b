"""Case-list endpoint against a bare DRF list of the same page size on the same data.

Target (issue "Node registry"): the real endpoint — authentication, jurisdiction
and OTP checks, filters, counts, and an audit entry per request — keeps at least
0.7x the throughput of a bare ``ListAPIView`` over the same rows.
"""

from __future__ import annotations

import os
from datetime import date, timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "node.config.settings")

from bench.common import django_setup, emit, interleaved

django_setup()

from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import include, path  # noqa: E402
from rest_framework import generics, serializers  # noqa: E402
from rest_framework.pagination import LimitOffsetPagination  # noqa: E402
from rest_framework.permissions import AllowAny  # noqa: E402

from node.accounts.models import User  # noqa: E402
from node.cases.models import Case  # noqa: E402

CASES = 2_000
PAGE = 50
REQUESTS = 20


class BareCase(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Case
        fields = ("id", "parquet_number", "jurisdiction", "reported_on", "identification_source",
                  "protection_status", "cross_border", "received_from", "summary", "stage",
                  "created_at", "updated_at")


class BareList(generics.ListAPIView):  # type: ignore[type-arg]
    queryset = Case.objects.order_by("-reported_on", "-id")
    serializer_class = BareCase
    pagination_class = LimitOffsetPagination
    permission_classes = [AllowAny]
    authentication_classes: list[type] = []


urlpatterns = [path("bare/cases/", BareList.as_view()), path("", include("node.config.urls"))]


def seed() -> None:
    start = date(2020, 1, 1)
    Case.objects.bulk_create(
        Case(parquet_number=f"RP {i}/2024", jurisdiction="SN-TGI-DKR",
             reported_on=start + timedelta(days=i % 1800), identification_source="police",
             summary="résumé chiffré de l'affaire")
        for i in range(CASES))


def main() -> None:
    seed()
    user = User.objects.create_user("bench", password="x" * 16, role="clerk",
                                    jurisdiction="SN-TGI-DKR")
    real, bare = Client(SERVER_NAME="localhost"), Client(SERVER_NAME="localhost")
    real.force_login(user)

    def hit(client: Client, url: str) -> None:
        for _ in range(REQUESTS):
            response = client.get(url, {"limit": PAGE})
            assert response.status_code == 200, response.status_code

    with override_settings(ROOT_URLCONF=__name__):
        hit(real, "/api/v1/cases/")  # warm both
        hit(bare, "/bare/cases/")
        t_real, t_bare = interleaved(lambda: hit(real, "/api/v1/cases/"),
                                     lambda: hit(bare, "/bare/cases/"), rounds=7)
    emit("case_list", {
        "requests_per_s_endpoint": round(REQUESTS / t_real, 1),
        "requests_per_s_bare_drf": round(REQUESTS / t_bare, 1),
        "throughput_ratio": round(t_bare / t_real, 3),
    }, {"throughput_ratio": ">=0.7"})


if __name__ == "__main__":
    main()
