"""Case-list endpoint against a bare DRF list of the same page size on the same data.

Target (issue "Node registry"): the real endpoint — authentication, jurisdiction
and OTP checks, filters, counts, and an audit entry per request — keeps at least
0.7x the throughput of a bare ``ListAPIView`` over the same rows.

The real client logs in as production staff do: password and TOTP code through
``/api/v1/auth/login``, with the second factor required (the harness relaxes it
for the other benchmarks; here that would skip the device check of every request).
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
from django_otp.oath import totp  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402
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


def login(client: Client) -> None:
    """Log in as a clerk with password and TOTP code, the way staff do."""
    password = "un passage secret du fleuve"  # noqa: S105  (a benchmark account)
    user = User.objects.create_user("bench", password=password, role="clerk",
                                    jurisdiction="SN-TGI-DKR")
    device = TOTPDevice.objects.create(user=user, name="totp", confirmed=True)
    token = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    response = client.post("/api/v1/auth/login", {
        "username": user.username, "password": password,
        "otp_token": f"{token:0{device.digits}d}"}, content_type="application/json")
    assert response.status_code == 200, response.content


def main() -> None:
    seed()
    real, bare = Client(SERVER_NAME="localhost"), Client(SERVER_NAME="localhost")

    def hit(client: Client, url: str) -> None:
        for _ in range(REQUESTS):
            response = client.get(url, {"limit": PAGE})
            assert response.status_code == 200, response.status_code

    with override_settings(ROOT_URLCONF=__name__, SYSTRAITE_REQUIRE_OTP=True):
        login(real)
        assert real.get("/api/v1/auth/me").json()["otp_verified"] is True
        hit(real, "/api/v1/cases/")  # warm both
        hit(bare, "/bare/cases/")
        t_real, t_bare = interleaved(lambda: hit(real, "/api/v1/cases/"),
                                     lambda: hit(bare, "/bare/cases/"), rounds=15)
    emit("case_list", {
        "requests_per_s_endpoint": round(REQUESTS / t_real, 1),
        "requests_per_s_bare_drf": round(REQUESTS / t_bare, 1),
        "throughput_ratio": round(t_bare / t_real, 3),
    }, {"throughput_ratio": ">=0.7"})


if __name__ == "__main__":
    main()
