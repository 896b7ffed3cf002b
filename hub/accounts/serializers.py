"""Input and output shapes of the hub's accounts API (the node's shapes, without a
jurisdiction: node/accounts/serializers.py cannot be imported, it binds the node's
User model)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class LoginInput(serializers.Serializer):
    username = serializers.CharField(max_length=150, trim_whitespace=False)
    password = serializers.CharField(max_length=4096, trim_whitespace=False,
                                     style={"input_type": "password"})
    otp_token = serializers.RegexField(r"^\d{6,8}$", required=False, allow_blank=True,
                                       error_messages={"invalid": _("Code à 6 chiffres attendu.")})


class DetailOutput(serializers.Serializer):
    detail = serializers.CharField()


class SessionUserOutput(serializers.Serializer):
    username = serializers.CharField()
    role = serializers.CharField()


class MeOutput(SessionUserOutput):
    otp_required = serializers.BooleanField()
    otp_verified = serializers.BooleanField()


class NodeOutput(serializers.Serializer):
    node_id = serializers.CharField()
    jurisdiction = serializers.CharField()
    status = serializers.CharField()
    key_id = serializers.CharField()
    registered_at = serializers.DateTimeField()
    last_sequence = serializers.IntegerField()
    last_submission_at = serializers.DateTimeField(allow_null=True)
    last_success_at = serializers.DateTimeField(allow_null=True)
