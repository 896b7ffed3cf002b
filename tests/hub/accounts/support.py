"""Hub users for tests: created through the service, logged in with a verified TOTP device."""

from __future__ import annotations

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp

from hub.accounts.models import User
from hub.accounts.services import user_create

PASSWORD = "correct horse battery staple"


def user_make(username: str, role: str) -> tuple[User, object]:
    user, device = user_create(actor=None, username=username, role=role, password=PASSWORD)
    return user, device


def persona_client(username: str, role: str) -> Client:
    user, device = user_make(username, role)
    client = Client()
    client.force_login(user, backend="hub.accounts.backends.HubRoleBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id  # type: ignore[attr-defined]
    session.save()
    return client


def token_for(device: object) -> str:
    return f"{totp(device.bin_key):06d}"  # type: ignore[attr-defined]
