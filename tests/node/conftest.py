"""Shared personas of node tests (healthchecks' alice/bob/charlie pattern).

Each role fixture is a DRF ``APIClient`` logged in through the real log-in
endpoint with a real TOTP code; the user is on ``client.user``. Add fixtures for
other apps below, keeping one persona per fixture. Importing
``audit_log_flushable`` lets ``transaction=True`` tests anywhere under
tests/node flush the append-only audit table.
"""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from node.accounts.models import User
from node.accounts.roles import Role
from tests.node.audit.flush import audit_log_flushable  # noqa: F401  (autouse, see there)
from tests.node.personas import login_client, make_user

FOREIGN_JURISDICTION = "SN-TGI-KED"


def _logged_in(role: str) -> APIClient:
    return login_client(APIClient(), *make_user(role))


@pytest.fixture
def clerk(db: None) -> APIClient:
    return _logged_in(Role.CLERK)


@pytest.fixture
def prosecutor(db: None) -> APIClient:
    return _logged_in(Role.PROSECUTOR)


@pytest.fixture
def judge(db: None) -> APIClient:
    return _logged_in(Role.JUDGE)


@pytest.fixture
def node_admin(db: None) -> APIClient:
    return _logged_in(Role.ADMIN)


@pytest.fixture
def auditor(db: None) -> APIClient:
    return _logged_in(Role.AUDITOR)


@pytest.fixture
def anonymous() -> APIClient:
    return APIClient()


@pytest.fixture
def foreign_user(db: None) -> tuple[User, TOTPDevice | None]:
    """A prosecutor of another TGI (as in a restored dump); logging in here must fail."""
    return make_user(Role.PROSECUTOR, jurisdiction=FOREIGN_JURISDICTION)
