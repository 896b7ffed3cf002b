"""Input and output of survivors and traffickers; messages in French first."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from node.api import CodeField, CodeListField, not_in_future
from node.people.models import Survivor, Trafficker
from node.people.services import resolve_birth
from shared.codes import MAX_AGE


def optional_text(max_length: int = 200) -> serializers.CharField:
    """A free-text field a greffier may leave empty."""
    return serializers.CharField(required=False, allow_blank=True, max_length=max_length)



class PersonInput(serializers.Serializer):
    family_name = optional_text()
    given_names = optional_text()
    aliases = optional_text()
    sex = CodeField("gender", required=False)
    birth_date = serializers.DateField(required=False, allow_null=True, validators=[not_in_future])
    birth_year = serializers.IntegerField(required=False, allow_null=True)
    estimated_age = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=MAX_AGE
    )
    nationality = CodeField("country", required=False)
    phone = optional_text()
    address = optional_text()
    document_number = optional_text()
    notes = optional_text(4000)

    def validate_birth_year(self, year: int | None) -> int | None:
        if year is not None and not 0 <= timezone.localdate().year - year <= MAX_AGE:
            raise serializers.ValidationError(
                _("L'âge doit être compris entre 0 et %(max)s ans.") % {"max": MAX_AGE}
            )
        return year

    def validate_birth_date(self, value: date | None) -> date | None:
        if value is not None and timezone.localdate().year - value.year > MAX_AGE:
            raise serializers.ValidationError(
                _("L'âge doit être compris entre 0 et %(max)s ans.") % {"max": MAX_AGE}
            )
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        given = [
            k for k in ("birth_date", "birth_year", "estimated_age") if attrs.get(k) is not None
        ]
        if len(given) > 1:
            raise serializers.ValidationError(
                {
                    given[1]: _(
                        "Donner une seule des valeurs : date de naissance, année ou âge estimé."
                    )
                }
            )
        if given or any(k in attrs for k in ("birth_date", "birth_year", "estimated_age")):
            attrs.update(
                resolve_birth(
                    birth_date=attrs.pop("birth_date", None),
                    birth_year=attrs.pop("birth_year", None),
                    estimated_age=attrs.pop("estimated_age", None),
                )
            )
        return attrs


class SurvivorInput(PersonInput):
    father_given_name = optional_text()
    mother_name = optional_text()
    birth_place = optional_text()
    origin_country = CodeField("country", required=False)
    origin_region = CodeField("region", required=False, allow_blank=True)
    origin_place = optional_text()
    talibe = serializers.BooleanField(required=False)
    consent = CodeField("consent", required=False)
    vulnerabilities = CodeListField("vulnerability", required=False)


class TraffickerInput(PersonInput):
    is_legal_person = serializers.BooleanField(required=False)
    legal_name = optional_text()
    occupation = CodeField("occupation", required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        if attrs.get("is_legal_person") and not attrs.get("legal_name") and not self.partial:
            raise serializers.ValidationError(
                {"legal_name": _("Le nom de la personne morale est obligatoire.")}
            )
        return attrs


PERSON_OUTPUT = (
    "id",
    "family_name",
    "given_names",
    "aliases",
    "sex",
    "birth_date",
    "birth_year",
    "age_is_estimated",
    "nationality",
    "phone",
    "address",
    "document_number",
    "notes",
    "created_at",
    "updated_at",
)


class SurvivorOutput(serializers.ModelSerializer):
    vulnerabilities = serializers.SerializerMethodField()

    class Meta:
        model = Survivor
        fields: tuple[str, ...] = (
            *PERSON_OUTPUT,
            "father_given_name",
            "mother_name",
            "birth_place",
            "origin_country",
            "origin_region",
            "origin_place",
            "talibe",
            "consent",
            "vulnerabilities",
        )

    def get_vulnerabilities(self, survivor: Survivor) -> list[str]:
        return sorted(v.code for v in survivor.vulnerabilities.all())


class TraffickerOutput(serializers.ModelSerializer):
    class Meta:
        model = Trafficker
        fields: tuple[str, ...] = (*PERSON_OUTPUT, "is_legal_person", "legal_name", "occupation")


class SurvivorCreatedOutput(SurvivorOutput):
    possible_duplicates = serializers.ListField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text="Survivants de ce nœud qui pourraient être la même personne.",
    )

    class Meta(SurvivorOutput.Meta):
        fields = (*SurvivorOutput.Meta.fields, "possible_duplicates")


class TraffickerCreatedOutput(TraffickerOutput):
    possible_duplicates = serializers.ListField(child=serializers.IntegerField(), read_only=True)

    class Meta(TraffickerOutput.Meta):
        fields = (*TraffickerOutput.Meta.fields, "possible_duplicates")
