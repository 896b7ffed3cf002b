"""What the accounts app writes to the audit log, and what it never writes."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from node.accounts.roles import Role
from node.audit.models import AuditEntry
from tests.node.personas import PASSWORD, login_response, make_user

pytestmark = pytest.mark.django_db


def test_a_role_change_is_audited_with_both_roles_and_the_actor(node_admin) -> None:
    target, _ = make_user(Role.CLERK)
    node_admin.patch(f"/api/v1/users/{target.pk}/", {"role": "prosecutor"}, format="json")
    entry = AuditEntry.objects.get(action="user_update")
    assert entry.actor_username == node_admin.user.username
    assert entry.target_id == str(target.pk)
    assert entry.detail["role_from"] == "clerk" and entry.detail["role_to"] == "prosecutor"


def test_a_failed_login_is_audited_with_the_username_but_no_secret() -> None:
    user, device = make_user(Role.JUDGE)
    login_response(APIClient(), user, device, password="mauvais mot de passe")
    entry = AuditEntry.objects.get(action="login_failed")
    assert entry.detail == {"username": user.username}
    assert entry.actor_id is None


def test_login_logout_and_admin_actions_are_audited_without_passwords(node_admin) -> None:
    response = node_admin.post("/api/v1/users/", {"username": "ibou.fall", "role": "judge",
                                                  "password": PASSWORD}, format="json")
    user_id = response.json()["id"]
    node_admin.post(f"/api/v1/users/{user_id}/reset-otp")
    node_admin.post(f"/api/v1/users/{user_id}/set-password",
                    {"password": "la pirogue rentre au port"}, format="json")
    node_admin.post("/api/v1/auth/logout")
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["login", "user_create", "otp_reset", "password_set", "logout"]
    details = str(list(AuditEntry.objects.values_list("detail", flat=True)))
    assert PASSWORD not in details and "pirogue" not in details
