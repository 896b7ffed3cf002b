"""The case output's direct conversion gives exactly what ModelSerializer would."""

from __future__ import annotations

from datetime import date

import pytest
from rest_framework import serializers

from node.cases.apis import CaseViewSet
from node.cases.models import Case
from node.cases.serializers import CaseOutput, _flat_fields

pytestmark = pytest.mark.django_db


def test_the_case_output_equals_the_generic_model_serializer() -> None:
    Case.objects.create(
        parquet_number="RP 1/2024",
        jurisdiction="SN-TGI-DKR",
        reported_on=date(2024, 3, 1),
        identification_source="police",
        summary="résumé",
        cross_border=True,
        received_from="SN-TGI-THS",
    )
    Case.objects.create(
        parquet_number="RP 2/2024",
        jurisdiction="SN-TGI-DKR",
        reported_on=date(2023, 12, 31),
        identification_source="police",
    )
    rows = list(CaseViewSet.queryset)
    generic = [serializers.ModelSerializer.to_representation(CaseOutput(), row) for row in rows]
    assert CaseOutput(rows, many=True).data == generic
    assert [row["summary"] for row in generic] == ["résumé", ""]


def test_a_field_that_is_not_a_plain_attribute_is_refused() -> None:
    class Nested(CaseOutput):
        parquet = serializers.CharField(source="parquet_number")

        class Meta(CaseOutput.Meta):
            fields = ("id", "parquet")

    with pytest.raises(TypeError, match=r"Nested\.parquet is not flat"):
        _flat_fields(Nested)
