"""Output of the audit API (it has no input: the log is written by services only)."""

from __future__ import annotations

from rest_framework import serializers

from node.audit.models import AuditEntry


class AuditEntryOutput(serializers.ModelSerializer[AuditEntry]):
    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "at",
            "actor_id",
            "actor_username",
            "actor_role",
            "action",
            "target_type",
            "target_id",
            "target_ids",
            "ip",
            "request_id",
            "detail",
            "prev_hash",
            "hash",
        ]
        read_only_fields = fields


class ChainReportOutput(serializers.Serializer[object]):
    intact = serializers.BooleanField()
    entries = serializers.IntegerField(help_text="Entrées lues, jusqu'à la première rompue.")
    head_id = serializers.IntegerField(allow_null=True, help_text="Dernière entrée intacte.")
    head_hash = serializers.CharField(
        allow_null=True,
        help_text="Empreinte de la dernière entrée intacte : la conserver ailleurs et la "
        "comparer plus tard révèle une suppression des entrées les plus récentes.",
    )
    first_bad_id = serializers.IntegerField(allow_null=True)
    reason = serializers.ChoiceField(
        choices=["hash_mismatch", "prev_hash_mismatch"], allow_null=True
    )
    message = serializers.CharField(source="describe")
