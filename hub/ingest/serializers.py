"""Shapes of the ingest API, for drf-spectacular and for the responses themselves."""

from __future__ import annotations

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers


class SignatureSerializer(serializers.Serializer):
    alg = serializers.ChoiceField(choices=["Ed25519"])
    key_id = serializers.CharField()
    value = serializers.CharField(help_text="unpadded base64url of the 64-byte signature")


class EnvelopeSerializer(serializers.Serializer):
    """Documentation only: the body is parsed and checked by the service."""

    document = serializers.JSONField(
        help_text="the payload (shared/schema/payload.schema.json), signed as canonical JSON"
    )
    signature = SignatureSerializer()


class AcceptedSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["accepted"])
    sequence = serializers.IntegerField()
    table_months = serializers.IntegerField()
    cells = serializers.IntegerField()


class DuplicateSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["duplicate"])
    last_sequence = serializers.IntegerField()


class FieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField()
    message = serializers.CharField()


# Built with inline_serializer: a declared field named ``errors`` would shadow
# Serializer.errors. Documentation only; views build the body themselves.
RejectionSerializer = inline_serializer(
    name="Rejection",
    fields={
        "reason": serializers.CharField(
            help_text="malformed, envelope, unknown_contract, unknown_node, suspended_node, "
            "bad_signature, stale, schema, wrong_jurisdiction, too_large, unsupported_encoding, "
            "token_base_mismatch"
        ),
        "errors": FieldErrorSerializer(many=True),
    },
)


class TokenSetStatusSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=["survivor", "trafficker"])
    digest = serializers.CharField(help_text="set digest (shared.payload.set_digest)")


class StatusSerializer(serializers.Serializer):
    node_id = serializers.CharField()
    last_sequence = serializers.IntegerField()
    last_success_at = serializers.DateTimeField(allow_null=True)
    months = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text='{"<table>": ["YYYY-MM", ...]} of every (table, month) the hub holds',
    )
    token_years = serializers.ListField(child=serializers.IntegerField())
    token_sets = TokenSetStatusSerializer(
        many=True, help_text="the digest of every token set held, which a delta must start from"
    )
