"""Administration of users through the API: only the node administrator may."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from node.accounts.models import User
from node.accounts.roles import Role
from tests.node.personas import PASSWORD, login_response, make_user

pytestmark = pytest.mark.django_db
USERS = "/api/v1/users/"


@pytest.mark.parametrize("persona", ["clerk", "prosecutor", "judge", "auditor"])
def test_only_the_administrator_may_list_users(persona: str, request) -> None:
    client = request.getfixturevalue(persona)
    assert client.get(USERS).status_code == 403


def test_anonymous_gets_401_on_users(anonymous) -> None:
    assert anonymous.get(USERS).status_code == 401


def test_the_administrator_lists_users_without_passwords_in_constant_queries(node_admin) -> None:
    for _ in range(3):
        make_user(Role.CLERK)
    with CaptureQueriesContext(connection) as queries:
        response = node_admin.get(USERS)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    assert all("password" not in row for row in body["results"])
    assert len(queries) <= 8


def test_the_list_hides_users_of_another_jurisdiction(node_admin, foreign_user) -> None:
    usernames = [row["username"] for row in node_admin.get(USERS).json()["results"]]
    assert foreign_user[0].username not in usernames


def test_the_administrator_creates_a_user_who_can_then_log_in(node_admin) -> None:
    response = node_admin.post(USERS, {"username": "moussa.diop", "role": "clerk",
                                       "password": PASSWORD}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["otp_provisioning_uri"].startswith("otpauth://totp/")
    assert "password" not in body
    user = User.objects.get(username="moussa.diop")
    assert user.jurisdiction == "SN-TGI-DKR"
    device = user.totpdevice_set.get()
    assert login_response(APIClient(), user, device).status_code == 200


def test_creating_a_user_names_the_invalid_field(node_admin) -> None:
    response = node_admin.post(USERS, {"username": "x", "role": "chef"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"role"}


def test_the_administrator_changes_a_role(node_admin) -> None:
    target, _ = make_user(Role.CLERK)
    response = node_admin.patch(f"{USERS}{target.pk}/", {"role": "judge"}, format="json")
    assert response.status_code == 200
    target.refresh_from_db()
    assert target.role == Role.JUDGE


def test_the_administrator_cannot_demote_themself(node_admin) -> None:
    url = f"{USERS}{node_admin.user.pk}/"
    response = node_admin.patch(url, {"role": "clerk"}, format="json")
    assert response.status_code == 400
    assert "role" in response.json()


def test_a_deactivated_user_loses_their_session(node_admin, judge) -> None:
    node_admin.patch(f"{USERS}{judge.user.pk}/", {"is_active": False}, format="json")
    assert judge.get("/api/v1/auth/me").status_code == 401


def test_resetting_otp_returns_a_new_uri_and_unverifies_sessions(node_admin, judge) -> None:
    response = node_admin.post(f"{USERS}{judge.user.pk}/reset-otp")
    assert response.status_code == 200
    assert response.json()["otp_provisioning_uri"].startswith("otpauth://totp/")
    assert judge.get("/api/v1/auth/me").status_code == 403


def test_setting_a_password_ends_the_users_other_sessions(node_admin, judge) -> None:
    url = f"{USERS}{judge.user.pk}/set-password"
    assert node_admin.post(url, {"password": "un autre fleuve, le Saloum"},
                           format="json").status_code == 204
    assert judge.get("/api/v1/auth/me").status_code == 401


def test_an_unknown_user_id_is_404(node_admin) -> None:
    assert node_admin.get(f"{USERS}999999/").status_code == 404
