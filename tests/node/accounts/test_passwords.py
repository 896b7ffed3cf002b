"""Password policy (OWASP ASVS 4.0.3 §2.1), checked through the set-password endpoint."""

from __future__ import annotations

import pytest

from node.accounts.roles import Role
from tests.node.personas import make_user

pytestmark = pytest.mark.django_db


def _set(node_admin, password: str):
    target, _ = make_user(Role.CLERK, username="awa.ndiaye")
    return node_admin.post(f"/api/v1/users/{target.pk}/set-password", {"password": password},
                           format="json")


def test_eleven_characters_are_refused_naming_the_field(node_admin) -> None:
    response = _set(node_admin, "kdj3+zzx9qa")
    assert response.status_code == 400
    assert "12" in response.json()["password"][0]


def test_twelve_characters_of_any_kind_are_accepted(node_admin) -> None:
    assert _set(node_admin, "téranga日本 ok").status_code == 204


def test_one_hundred_twenty_nine_characters_are_refused(node_admin) -> None:
    response = _set(node_admin, "baobab-" * 18 + "xyz")
    assert response.status_code == 400
    assert "128" in response.json()["password"][0]


def test_one_hundred_twenty_eight_characters_are_accepted(node_admin) -> None:
    assert _set(node_admin, "baobab-" * 18 + "xy").status_code == 204


def test_a_common_password_is_refused(node_admin) -> None:
    response = _set(node_admin, "password1234")
    assert response.status_code == 400
    assert "password" in response.json()


def test_a_password_like_the_username_is_refused(node_admin) -> None:
    assert _set(node_admin, "awa.ndiaye.1").status_code == 400
