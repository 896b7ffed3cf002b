"""Input and output of cases and their parts; French messages name the field."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from node.api import CodeField, CodeListField, MonthField, not_in_future
from node.cases.models import (
    Case,
    CaseSurvivor,
    Charge,
    Defendant,
    Exploitation,
    ProcedureStep,
    Referral,
    TraffickingEvent,
)
from shared.codes import MAX_AGE, code_list

TEXT: dict[str, Any] = {"required": False, "allow_blank": True, "max_length": 200}


class CaseInput(serializers.ModelSerializer):
    parquet_number = serializers.RegexField(r"^[\w./ -]{1,64}$", max_length=64)
    reported_on = serializers.DateField(validators=[not_in_future])
    identification_source = CodeField("identification_source")
    protection_status = CodeField("case_status", required=False)
    received_from = CodeField("court", required=False, allow_blank=True)
    summary = serializers.CharField(required=False, allow_blank=True, max_length=4000)

    class Meta:
        model = Case
        fields = ("parquet_number", "reported_on", "identification_source", "protection_status",
                  "cross_border", "received_from", "summary")
        validators: list[Any] = []  # uniqueness is the service's (per jurisdiction)


class CaseOutput(serializers.ModelSerializer):
    survivor_count = serializers.IntegerField(read_only=True)
    defendant_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Case
        fields = ("id", "parquet_number", "jurisdiction", "reported_on", "identification_source",
                  "protection_status", "cross_border", "received_from", "summary", "stage",
                  "survivor_count", "defendant_count", "created_at", "updated_at")

    def to_representation(self, instance: Case) -> dict[str, Any]:
        # The case list's hot path: ModelSerializer would build its fields again
        # for every serializer and walk each through its generic attribute
        # lookup. Every field here is a plain attribute of the row, so each
        # value goes straight to its field's own conversion: same output (a test
        # compares the two), about half the time.
        return {
            name: None if (value := getattr(instance, name)) is None else convert(value)
            for name, convert in _flat_fields(type(self))
        }


@functools.cache
def _flat_fields(
    serializer_class: type[serializers.ModelSerializer],
) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    """(name, conversion) of each readable field, for fields that read one attribute.

    Built once per class, from an unbound instance: these conversions depend
    on neither the instance nor the request (the time zone and formats are
    read at each call).
    """
    fields = tuple(serializer_class()._readable_fields)
    for field in fields:
        if field.source_attrs != [field.field_name]:
            raise TypeError(f"{serializer_class.__name__}.{field.field_name} is not flat")
    return tuple((str(field.field_name), field.to_representation) for field in fields)


class CaseSurvivorSerializer(serializers.ModelSerializer):
    identified_on = serializers.DateField(validators=[not_in_future])
    age_at_identification = serializers.IntegerField(required=False, allow_null=True,
                                                     min_value=0, max_value=MAX_AGE)

    class Meta:
        model = CaseSurvivor
        fields = ("id", "case", "survivor", "identified_on", "age_at_identification")


class DefendantSerializer(serializers.ModelSerializer):
    relationship = CodeField("recruiter_relationship", required=False)
    roles = CodeListField("perpetrator_role", required=False, write_only=True)
    age_at_case = serializers.IntegerField(required=False, allow_null=True,
                                           min_value=0, max_value=MAX_AGE)

    class Meta:
        model = Defendant
        fields = ("id", "case", "trafficker", "relationship", "roles", "age_at_case")

    def to_representation(self, instance: Defendant) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["roles"] = sorted(r.code for r in instance.roles.all())
        return data


class ExploitationSerializer(serializers.ModelSerializer):
    form = CodeField("exploitation_form")
    subtype = CodeField("exploitation_subtype", required=False, allow_blank=True)
    means_of_control = CodeListField("means_of_control", required=False, write_only=True)
    recruitment_method = CodeField("recruitment_method", required=False)
    site_type = CodeField("site_type", required=False)
    place_region = CodeField("region", required=False, allow_blank=True)
    place_country = CodeField("country", required=False)
    place_detail = serializers.CharField(**TEXT)
    start_month = MonthField(required=False, allow_null=True)
    end_month = MonthField(required=False, allow_null=True)

    class Meta:
        model = Exploitation
        fields = ("id", "case", "case_survivor", "form", "subtype", "means_of_control",
                  "recruitment_method", "site_type", "place_region", "place_country",
                  "place_detail", "start_month", "end_month")
        read_only_fields = ("case",)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        form = attrs.get("form", getattr(self.instance, "form", None))
        subtype = attrs.get("subtype", getattr(self.instance, "subtype", ""))
        if subtype and code_list("exploitation_subtype").get(subtype).parent not in {form, None}:
            raise serializers.ValidationError(
                {"subtype": _("Ce sous-type n'appartient pas à la forme d'exploitation choisie.")})
        start = attrs.get("start_month", getattr(self.instance, "start_month", None))
        end = attrs.get("end_month", getattr(self.instance, "end_month", None))
        if start and end and end < start:
            raise serializers.ValidationError(
                {"end_month": _("La fin ne peut pas précéder le début.")})
        return attrs

    def to_representation(self, instance: Exploitation) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["means_of_control"] = sorted(m.code for m in instance.means.all())
        return data


class EventSerializer(serializers.ModelSerializer):
    kind = CodeField("trafficking_event")
    country = CodeField("country", required=False)
    region = CodeField("region", required=False, allow_blank=True)
    place = serializers.CharField(**TEXT)
    month = MonthField(required=False, allow_null=True)

    class Meta:
        model = TraffickingEvent
        fields = ("id", "case", "kind", "country", "region", "place", "month")


class ChargeSerializer(serializers.ModelSerializer):
    offence = CodeField("offence")
    charged_on = serializers.DateField(validators=[not_in_future])

    class Meta:
        model = Charge
        fields = ("id", "case", "defendant", "offence", "charged_on", "survivors")
        read_only_fields = ("case",)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        defendant = attrs.get("defendant", getattr(self.instance, "defendant", None))
        case_id = getattr(defendant, "case_id", None)  # required: never None here
        wrong = [s.pk for s in attrs.get("survivors", []) if s.case_id != case_id]
        if wrong:
            raise serializers.ValidationError(
                {"survivors": _("Victime(s) hors de cette affaire : %(ids)s")
                 % {"ids": ", ".join(map(str, wrong))}})
        return attrs


class ReferralSerializer(serializers.ModelSerializer):
    referral_type = CodeField("referral_type")
    status = CodeField("referral_status", required=False)
    organisation = serializers.CharField(**TEXT)
    referred_on = serializers.DateField(validators=[not_in_future])

    class Meta:
        model = Referral
        fields = ("id", "case", "case_survivor", "referral_type", "organisation", "status",
                  "referred_on")
        read_only_fields = ("case",)


class StepInput(serializers.ModelSerializer):
    step = CodeField("procedure_step")
    occurred_on = serializers.DateField(validators=[not_in_future])
    outcome = CodeField("outcome", required=False, allow_blank=True)
    court = CodeField("court", required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    prison_months = serializers.IntegerField(required=False, allow_null=True, min_value=0,
                                             max_value=1200)
    suspended_months = serializers.IntegerField(required=False, allow_null=True, min_value=0,
                                                max_value=1200)
    fine_fcfa = serializers.IntegerField(required=False, allow_null=True, min_value=0,
                                         max_value=10**12)
    damages_fcfa = serializers.IntegerField(required=False, allow_null=True, min_value=0,
                                            max_value=10**12)

    class Meta:
        model = ProcedureStep
        fields = ("case", "defendant", "step", "occurred_on", "outcome", "prison_months",
                  "suspended_months", "fine_fcfa", "damages_fcfa", "court", "notes")


class StepOutput(serializers.ModelSerializer):
    voided = serializers.SerializerMethodField()

    class Meta:
        model = ProcedureStep
        fields: tuple[str, ...] = (
            "id", "case", "defendant", "step", "occurred_on", "outcome", "prison_months",
            "suspended_months", "fine_fcfa", "damages_fcfa", "court", "notes", "recorded_at",
            "voided")

    def get_voided(self, step: ProcedureStep) -> bool:
        return hasattr(step, "void")


class StepRecordedOutput(StepOutput):
    warnings = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta(StepOutput.Meta):
        fields = (*StepOutput.Meta.fields, "warnings")


class StepVoidInput(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)
