"""Expired sessions and forgotten log-in counters are deleted; nothing that still counts is."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from node.accounts.models import LoginThrottle, StaffSession
from node.accounts.roles import Role
from node.accounts.services import accounts_housekeeping
from node.accounts.tasks import housekeeping
from tests.node.personas import login_response, make_user

pytestmark = pytest.mark.django_db
WRONG = "pas le bon mot de passe"
DAY = timedelta(days=1)


def _counter(key: str, *, failed_ago: timedelta | None, locked_for: timedelta | None) -> None:
    now = timezone.now()
    LoginThrottle.objects.create(
        scope="username",
        key=key,
        failures=3,
        last_failure_at=None if failed_ago is None else now - failed_ago,
        locked_until=None if locked_for is None else now + locked_for,
    )


def _keys() -> set[str]:
    return set(LoginThrottle.objects.values_list("key", flat=True))


def test_it_deletes_counters_whose_failures_are_past_the_window_and_keeps_the_others(
    settings,
) -> None:
    window = timedelta(hours=settings.SYSTRAITE_LOGIN_FAILURE_WINDOW_HOURS)
    _counter("forgotten", failed_ago=window + DAY, locked_for=None)
    _counter("lock-ended", failed_ago=window + DAY, locked_for=-DAY)
    _counter("recent", failed_ago=window - timedelta(minutes=5), locked_for=None)
    _counter("still-locked", failed_ago=window + DAY, locked_for=timedelta(minutes=10))
    _counter("never-failed", failed_ago=None, locked_for=None)
    done = accounts_housekeeping(now=timezone.now())
    assert done.counters == 2
    assert _keys() == {"recent", "still-locked", "never-failed"}


def test_it_deletes_expired_sessions_and_keeps_the_open_ones() -> None:
    user, device = make_user(Role.CLERK)
    client = APIClient()
    assert login_response(client, user, device).status_code == 200
    StaffSession.objects.create(
        session_key="x" * 32, session_data="", expire_date=timezone.now() - DAY
    )
    done = accounts_housekeeping(now=timezone.now())
    assert done.sessions == 1
    assert not StaffSession.objects.filter(session_key="x" * 32).exists()
    assert client.get("/api/v1/auth/me").status_code == 200  # the open session survived


def test_a_log_in_after_its_counter_was_purged_starts_a_new_one(settings) -> None:
    user, device = make_user(Role.JUDGE)
    for _ in range(2):
        assert login_response(APIClient(), user, device, password=WRONG).status_code == 401
    later = timezone.now() + timedelta(hours=settings.SYSTRAITE_LOGIN_FAILURE_WINDOW_HOURS) + DAY
    assert accounts_housekeeping(now=later).counters >= 1
    assert login_response(APIClient(), user, device, password=WRONG).status_code == 401
    row = LoginThrottle.objects.get(scope="username", key=user.username.casefold())
    assert row.failures == 1


def test_the_daily_task_runs_the_housekeeping(settings) -> None:
    window = timedelta(hours=settings.SYSTRAITE_LOGIN_FAILURE_WINDOW_HOURS)
    _counter("forgotten", failed_ago=window + DAY, locked_for=None)
    housekeeping()
    assert _keys() == set()
    assert "node.accounts.tasks.housekeeping" in {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
