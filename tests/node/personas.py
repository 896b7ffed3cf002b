"""Users of a node for tests, created and logged in the way real staff are.

Plain functions so that any test (or a future factory) can use them; the
fixtures in ``tests/node/conftest.py`` wrap them. Logging in goes through the
real ``/api/v1/auth/login`` with a real TOTP code, so every test that uses a
persona also exercises the log-in path.
"""

from __future__ import annotations

from itertools import count
from typing import Any, TypeVar

from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from node.accounts.models import User
from tests.common.otp import totp_token

PASSWORD = "un passage secret du fleuve"
LOGIN_URL = "/api/v1/auth/login"

C = TypeVar("C")
_serial = count(1)


def make_user(role: str, *, username: str | None = None, jurisdiction: str | None = None,
              otp: bool = True) -> tuple[User, TOTPDevice | None]:
    """A user with password ``PASSWORD`` and, unless ``otp`` is False, a TOTP device."""
    user = User.objects.create_user(
        username=username or f"{role}{next(_serial)}", password=PASSWORD, role=role,
        jurisdiction=jurisdiction or settings.SYSTRAITE_JURISDICTION,
    )
    device = TOTPDevice.objects.create(user=user, name="totp", confirmed=True) if otp else None
    return user, device


def login_payload(user: User, device: TOTPDevice | None, **overrides: str) -> dict[str, str]:
    payload = {"username": user.username, "password": PASSWORD}
    if device is not None:
        payload["otp_token"] = totp_token(device)
    payload.update(overrides)
    return payload


def login_response(client: Any, user: User, device: TOTPDevice | None, **overrides: str) -> Any:
    """The raw answer of the log-in endpoint (for tests of failures)."""
    return client.post(LOGIN_URL, login_payload(user, device, **overrides), format="json")


def login_client(client: C, user: User, device: TOTPDevice | None) -> C:
    """Log ``client`` in as ``user``; fails the test if the log-in is refused."""
    response = login_response(client, user, device)
    assert response.status_code == 200, response.content
    client.user = user  # type: ignore[attr-defined]
    return client
