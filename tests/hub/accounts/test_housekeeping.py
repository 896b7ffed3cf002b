"""The hub's daily housekeeping deletes expired sessions and forgotten log-in counters only."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone

from hub.accounts.models import LoginThrottle
from hub.accounts.services import accounts_housekeeping
from tests.hub.accounts.support import PASSWORD, user_make

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


def _counter(key: str, *, failed_ago: timedelta, locked_for: timedelta | None) -> None:
    now = timezone.now()
    LoginThrottle.objects.create(
        scope="username",
        key=key,
        failures=4,
        last_failure_at=now - failed_ago,
        locked_until=None if locked_for is None else now + locked_for,
    )


def test_it_deletes_forgotten_counters_and_keeps_those_that_still_count(settings) -> None:
    window = timedelta(hours=settings.SYSTRAITE_LOGIN_FAILURE_WINDOW_HOURS)
    _counter("forgotten", failed_ago=window + DAY, locked_for=None)
    _counter("recent", failed_ago=window - timedelta(minutes=5), locked_for=None)
    _counter("still-locked", failed_ago=window + DAY, locked_for=timedelta(minutes=10))
    assert accounts_housekeeping(now=timezone.now()).counters == 1
    assert set(LoginThrottle.objects.values_list("key", flat=True)) == {"recent", "still-locked"}


@override_settings(SYSTRAITE_REQUIRE_OTP=False)
def test_it_deletes_expired_sessions_and_an_open_one_still_works() -> None:
    user_make("ana-hk", "analyst")
    client = Client()
    body = {"username": "ana-hk", "password": PASSWORD}
    assert (
        client.post("/api/v1/auth/login", body, content_type="application/json").status_code == 200
    )
    Session.objects.create(session_key="e" * 32, session_data="", expire_date=timezone.now() - DAY)
    assert accounts_housekeeping(now=timezone.now()).sessions == 1
    assert not Session.objects.filter(session_key="e" * 32).exists()
    assert client.get("/api/v1/auth/me").status_code == 200


def test_the_command_run_by_cron_reports_what_it_deleted(settings) -> None:
    window = timedelta(hours=settings.SYSTRAITE_LOGIN_FAILURE_WINDOW_HOURS)
    _counter("unknown-user", failed_ago=window + DAY, locked_for=None)
    out = StringIO()
    call_command("housekeeping", stdout=out)
    assert "1 compteur(s) supprimé(s)" in out.getvalue()
    assert not LoginThrottle.objects.exists()
