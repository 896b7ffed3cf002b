"""Input and output shapes of the accounts API. Passwords are write-only everywhere."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from node.accounts.models import User
from node.accounts.roles import Role


class LoginInput(serializers.Serializer):
    username = serializers.CharField(max_length=150, trim_whitespace=False)
    password = serializers.CharField(max_length=4096, trim_whitespace=False,
                                     style={"input_type": "password"})
    otp_token = serializers.RegexField(r"^\d{6,8}$", required=False, allow_blank=True,
                                       error_messages={"invalid": _("Code à 6 chiffres attendu.")})


class SessionUserOutput(serializers.Serializer):
    username = serializers.CharField()
    role = serializers.CharField()
    jurisdiction = serializers.CharField()


class MeOutput(SessionUserOutput):
    otp_required = serializers.BooleanField()
    otp_verified = serializers.BooleanField()


class DetailOutput(serializers.Serializer):
    detail = serializers.CharField()


class UserOutput(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "email", "role", "jurisdiction",
                  "is_active", "last_login", "date_joined"]
        read_only_fields = fields


class UserCreateInput(serializers.ModelSerializer):
    role = serializers.ChoiceField(choices=Role.choices)
    password = serializers.CharField(required=False, write_only=True, trim_whitespace=False,
                                     style={"input_type": "password"})
    with_otp = serializers.BooleanField(default=True)

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "role", "password", "with_otp"]


class UserCreateOutput(UserOutput):
    otp_provisioning_uri = serializers.CharField(allow_null=True)

    class Meta(UserOutput.Meta):
        fields = [*UserOutput.Meta.fields, "otp_provisioning_uri"]
        read_only_fields = fields


class UserUpdateInput(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    is_active = serializers.BooleanField(required=False)
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)


class PasswordSetInput(serializers.Serializer):
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})


class OtpResetOutput(serializers.Serializer):
    otp_provisioning_uri = serializers.CharField(
        help_text=_("URI otpauth:// à scanner une fois ; il n'est plus jamais affiché.")
    )
