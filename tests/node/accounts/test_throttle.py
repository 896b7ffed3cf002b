"""Temporary lock-out after repeated log-in failures."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from node.accounts.models import LoginThrottle
from node.accounts.roles import Role
from tests.node.personas import login_response, make_user

pytestmark = pytest.mark.django_db
WRONG = "pas le bon mot de passe"


def _fail(times: int, user, device, client: APIClient | None = None) -> None:
    for _ in range(times):
        response = login_response(client or APIClient(), user, device, password=WRONG)
        assert response.status_code == 401


def _expire_locks() -> None:
    """Move stored lock ends to the past instead of sleeping."""
    LoginThrottle.objects.update(locked_until=timezone.now() - timedelta(seconds=1))


def _lock_seconds(username: str) -> float:
    row = LoginThrottle.objects.get(scope="username", key=username)
    return (row.locked_until - timezone.now()).total_seconds()


def test_five_failures_lock_the_username_with_429_and_retry_after() -> None:
    user, device = make_user(Role.JUDGE)
    _fail(5, user, device)
    response = login_response(APIClient(), user, device)  # even the right password
    assert response.status_code == 429
    assert 55 <= int(response["Retry-After"]) <= 60


def test_four_failures_do_not_lock() -> None:
    user, device = make_user(Role.JUDGE)
    _fail(4, user, device)
    assert login_response(APIClient(), user, device).status_code == 200


def test_the_lock_ends_after_the_delay() -> None:
    user, device = make_user(Role.JUDGE)
    _fail(5, user, device)
    _expire_locks()
    assert login_response(APIClient(), user, device).status_code == 200


def test_the_delay_doubles_and_stops_at_fifteen_minutes() -> None:
    user, device = make_user(Role.JUDGE)
    _fail(5, user, device)
    delays = []
    for _ in range(6):
        delays.append(round(_lock_seconds(user.username) / 60))
        _expire_locks()
        _fail(1, user, device)
    assert delays == [1, 2, 4, 8, 15, 15]


def test_a_success_resets_the_counter() -> None:
    user, device = make_user(Role.JUDGE)
    _fail(4, user, device)
    assert login_response(APIClient(), user, device).status_code == 200
    _fail(4, user, device)
    assert login_response(APIClient(), user, device).status_code == 200


def test_unknown_usernames_are_locked_too() -> None:
    user, device = make_user(Role.JUDGE)
    for _ in range(5):
        login_response(APIClient(), user, device, username="personne", password=WRONG)
    response = login_response(APIClient(), user, device, username="personne", password=WRONG)
    assert response.status_code == 429


def test_one_address_is_locked_after_many_usernames(settings) -> None:
    settings.SYSTRAITE_LOGIN_MAX_FAILURES_PER_ADDRESS = 8
    user, device = make_user(Role.JUDGE)
    for i in range(8):
        login_response(APIClient(), user, device, username=f"essai{i}", password=WRONG)
    assert login_response(APIClient(), user, device).status_code == 429
    other = APIClient(REMOTE_ADDR="10.0.0.9")
    assert login_response(other, user, device).status_code == 200


def test_the_unlock_command_lifts_the_lock() -> None:
    user, device = make_user(Role.JUDGE)
    _fail(5, user, device)
    call_command("unlock", user.username.upper())
    assert login_response(APIClient(), user, device).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_concurrent_guesses_cannot_exceed_the_limit() -> None:
    """Ten simultaneous wrong guesses: exactly five are evaluated, five are refused."""
    user, device = make_user(Role.JUDGE)
    barrier = threading.Barrier(10)

    def guess() -> int:
        try:
            barrier.wait()
            return login_response(APIClient(), user, device, password=WRONG).status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=10) as pool:
        codes = sorted(pool.map(lambda _: guess(), range(10)))
    assert codes == [401] * 5 + [429] * 5
    assert LoginThrottle.objects.get(scope="username", key=user.username).failures == 5
