"""Log-in, log-out and sessions, through the HTTP API."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from node.accounts.middleware import LAST_SEEN_KEY
from node.accounts.models import StaffSession
from node.accounts.roles import Role
from node.accounts.sessions import SessionStore
from tests.node.personas import PASSWORD, login_client, login_response, make_user

ME = "/api/v1/auth/me"
pytestmark = pytest.mark.django_db


def test_a_user_logs_in_with_password_and_totp_and_sees_themself() -> None:
    user, device = make_user(Role.JUDGE)
    client = APIClient()
    response = login_response(client, user, device)
    assert response.status_code == 200
    assert response.json() == {"username": user.username, "role": "judge",
                               "jurisdiction": "SN-TGI-DKR"}
    me = client.get(ME).json()
    assert me["otp_required"] is True and me["otp_verified"] is True


def test_it_requires_the_totp_field_when_otp_is_required() -> None:
    user, _ = make_user(Role.CLERK)
    payload = {"username": user.username, "password": PASSWORD}
    response = APIClient().post("/api/v1/auth/login", payload, format="json")
    assert response.status_code == 400
    assert "otp_token" in response.json()


def test_a_missing_field_is_named_in_the_400() -> None:
    response = APIClient().post("/api/v1/auth/login", {"username": "x"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"password"}


def test_a_user_without_device_cannot_log_in_while_otp_is_required() -> None:
    user, _ = make_user(Role.CLERK, otp=False)
    response = login_response(APIClient(), user, None, otp_token="123456")
    assert response.status_code == 401


def test_a_user_logs_in_without_totp_when_otp_is_relaxed(settings) -> None:
    settings.SYSTRAITE_REQUIRE_OTP = False
    user, _ = make_user(Role.CLERK, otp=False)
    client = APIClient()
    assert login_response(client, user, None).status_code == 200
    me = client.get(ME).json()
    assert me["otp_required"] is False and me["otp_verified"] is False


@pytest.mark.parametrize("drift", [-1, 0, 1])
def test_a_second_log_in_in_the_same_step_uses_the_next_code(drift: int) -> None:
    """After a log-in that matched one step off (drift kept by django-otp), the
    next code the tests compute is the step after the one used, never the same."""
    user, device = make_user(Role.JUDGE)
    assert device is not None
    now_t = int((time.time() - device.t0) // device.step)
    device.drift, device.last_t = drift, now_t + drift
    device.save()
    assert login_response(APIClient(), user, device).status_code == 200
    assert login_response(APIClient(), user, device).status_code == 200


def test_a_wrong_totp_code_is_refused_like_a_wrong_password() -> None:
    user, device = make_user(Role.PROSECUTOR)
    wrong_otp = login_response(APIClient(), user, device, otp_token="000000")
    wrong_password = login_response(APIClient(), user, device, password="pas le bon mot")
    assert wrong_otp.status_code == wrong_password.status_code == 401
    assert wrong_otp.json() == wrong_password.json() == {"detail": "Identifiants invalides"}


def test_an_unknown_user_gets_the_same_answer_as_a_wrong_password() -> None:
    user, device = make_user(Role.PROSECUTOR)
    unknown = login_response(APIClient(), user, device, username="personne")
    wrong = login_response(APIClient(), user, device, password="pas le bon mot")
    assert (unknown.status_code, unknown.json()) == (wrong.status_code, wrong.json())


def test_a_user_of_another_jurisdiction_is_refused(foreign_user) -> None:
    response = login_response(APIClient(), *foreign_user)
    assert response.status_code == 401
    assert response.json() == {"detail": "Identifiants invalides"}


def test_a_session_of_a_user_moved_to_another_jurisdiction_stops_working(judge) -> None:
    judge.user.jurisdiction = "SN-TGI-KED"
    judge.user.save(update_fields=["jurisdiction"])
    assert judge.get(ME).status_code == 401


def test_a_user_with_an_unknown_role_is_refused() -> None:
    user, device = make_user(Role.CLERK)
    user.role = "superviseur"
    user.save(update_fields=["role"])
    assert login_response(APIClient(), user, device).status_code == 401


def test_anonymous_requests_get_401_not_403(anonymous) -> None:
    response = anonymous.get(ME)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Session realm="api"'


def test_a_password_only_session_cannot_use_the_api_when_otp_is_required(settings) -> None:
    settings.SYSTRAITE_REQUIRE_OTP = False
    user, _ = make_user(Role.JUDGE)
    client = APIClient()
    assert login_response(client, user, None).status_code == 200
    settings.SYSTRAITE_REQUIRE_OTP = True
    assert client.get(ME).status_code == 403


def test_logout_ends_the_session(clerk) -> None:
    assert clerk.post("/api/v1/auth/logout").status_code == 204
    assert clerk.get(ME).status_code == 401


def test_a_session_signed_with_another_secret_key_is_not_accepted() -> None:
    user, device = make_user(Role.JUDGE)
    client = APIClient()
    with override_settings(SECRET_KEY="another-node-secret-key-0123456789"):
        login_client(client, user, device)
        assert client.get(ME).status_code == 200
    assert client.get(ME).status_code == 401


def test_sessions_expire_after_30_idle_minutes_by_default(settings) -> None:
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    # Expiry slides through IdleSessionMiddleware, right after the sessions.
    assert settings.SESSION_SAVE_EVERY_REQUEST is False
    sessions = settings.MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware")
    assert settings.MIDDLEWARE[sessions + 1] == "node.accounts.middleware.IdleSessionMiddleware"


def _stored_session(client: APIClient) -> SessionStore:
    return SessionStore(client.cookies[settings.SESSION_COOKIE_NAME].value)


def _last_seen(client: APIClient, seconds_ago: int) -> None:
    """Make the stored session look last marked active ``seconds_ago`` seconds ago."""
    store = _stored_session(client)
    store[LAST_SEEN_KEY] = int(time.time()) - seconds_ago
    store.save()
    ends = timezone.now() - timedelta(seconds=seconds_ago) + timedelta(
        seconds=settings.SESSION_COOKIE_AGE)
    StaffSession.objects.filter(session_key=store.session_key).update(expire_date=ends)


def test_a_request_within_the_minute_does_not_write_the_session(clerk) -> None:
    assert clerk.get(ME).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert clerk.get(ME).status_code == 200
    assert not [q for q in queries if StaffSession._meta.db_table in q["sql"]
                and not q["sql"].startswith("SELECT")]


def test_an_active_session_slides_once_its_mark_is_a_minute_old(clerk) -> None:
    _last_seen(clerk, 29 * 60)
    assert clerk.get(ME).status_code == 200
    assert StaffSession.objects.get().expire_date > timezone.now() + timedelta(minutes=29)
    assert time.time() - _stored_session(clerk)[LAST_SEEN_KEY] < 5


def test_a_session_idle_for_the_configured_time_is_ended(clerk) -> None:
    _last_seen(clerk, 30 * 60)
    assert clerk.get(ME).status_code == 401


def test_the_idle_check_holds_even_if_the_stored_expiry_is_later(clerk) -> None:
    _last_seen(clerk, 30 * 60)
    StaffSession.objects.update(expire_date=timezone.now() + timedelta(hours=1))
    assert clerk.get(ME).status_code == 401
    assert not StaffSession.objects.exists()


def test_a_session_past_its_stored_expiry_is_refused(clerk) -> None:
    StaffSession.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert clerk.get(ME).status_code == 401


@override_settings(SESSION_COOKIE_AGE=5 * 60)
def test_the_inactivity_comes_from_the_setting(clerk) -> None:
    _last_seen(clerk, 4 * 60)
    assert clerk.get(ME).status_code == 200
    _last_seen(clerk, 5 * 60)
    assert clerk.get(ME).status_code == 401


def test_login_needs_no_csrf_token_but_later_unsafe_requests_do() -> None:
    user, device = make_user(Role.CLERK)
    client = APIClient(enforce_csrf_checks=True)
    assert login_response(client, user, device).status_code == 200
    assert client.post("/api/v1/auth/logout").status_code == 403
    token = client.cookies["csrftoken"].value
    assert client.post("/api/v1/auth/logout", HTTP_X_CSRFTOKEN=token).status_code == 204
