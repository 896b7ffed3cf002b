"""The session, its user and second factor read in one query (node.accounts backends,
middleware and sessions), with django-otp's checks: the device must be the
session's user's, confirmed, and still exist."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from node.accounts.models import StaffSession, User
from node.accounts.roles import Role
from tests.node.personas import make_user

pytestmark = pytest.mark.django_db

ME = "/api/v1/auth/me"
DEVICE_TABLE = TOTPDevice._meta.db_table
SESSION_TABLE = StaffSession._meta.db_table
USER_TABLE = User._meta.db_table


def point_session_at(client: APIClient, device: TOTPDevice) -> None:
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def test_a_verified_request_reads_its_session_its_user_and_the_device_in_one_query(
    clerk,
) -> None:
    with CaptureQueriesContext(connection) as queries:
        response = clerk.get(ME)
    assert response.status_code == 200
    assert response.json()["otp_verified"] is True
    sql = [q["sql"] for q in queries.captured_queries]
    assert all(table in sql[0] for table in (SESSION_TABLE, USER_TABLE, DEVICE_TABLE))
    # No query of its own for the user or the device.
    assert not any(USER_TABLE in s or DEVICE_TABLE in s for s in sql[1:])


def test_a_session_whose_user_column_names_someone_else_still_gets_its_own_user(
    clerk,
) -> None:
    other, _ = make_user(Role.JUDGE)
    StaffSession.objects.update(user_id=other.pk)  # the signed data stays the authority
    me = clerk.get(ME)
    assert me.status_code == 200
    assert me.json()["username"] == clerk.user.username


def test_a_session_saved_without_its_user_column_reads_the_user_itself(clerk) -> None:
    StaffSession.objects.update(user_id=None)
    with CaptureQueriesContext(connection) as queries:
        assert clerk.get(ME).json()["otp_verified"] is True
    assert any(USER_TABLE in q["sql"] and SESSION_TABLE not in q["sql"] for q in queries)


def test_a_session_naming_another_users_device_is_not_verified(clerk) -> None:
    _, other_device = make_user(Role.JUDGE)
    point_session_at(clerk, other_device)
    assert clerk.get(ME).status_code == 403
    assert DEVICE_ID_SESSION_KEY not in clerk.session  # dropped, as django-otp does


def test_a_session_whose_device_is_no_longer_confirmed_is_not_verified(clerk) -> None:
    TOTPDevice.objects.filter(user=clerk.user).update(confirmed=False)
    assert clerk.get(ME).status_code == 403


def test_a_session_whose_device_was_deleted_is_not_verified(clerk) -> None:
    TOTPDevice.objects.filter(user=clerk.user).delete()
    assert clerk.get(ME).status_code == 403


def test_a_second_device_of_the_same_user_is_checked_the_usual_way(clerk) -> None:
    second = TOTPDevice.objects.create(user=clerk.user, name="spare", confirmed=True)
    point_session_at(clerk, second)
    assert clerk.get(ME).json()["otp_verified"] is True
    second.confirmed = False
    second.save(update_fields=["confirmed"])
    assert clerk.get(ME).status_code == 403


def test_a_session_of_a_deleted_user_is_anonymous(clerk) -> None:
    TOTPDevice.objects.filter(user=clerk.user).delete()
    clerk.user.delete()
    assert clerk.get(ME).status_code == 401


def test_a_session_key_that_is_not_stored_is_anonymous(clerk) -> None:
    clerk.cookies["sessionid"] = "x" * 32
    assert clerk.get(ME).status_code == 401
