"""Celery tasks of the accounts: thin, no arguments, a service does the work."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from node.accounts.services import accounts_housekeeping

log = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def housekeeping() -> None:
    """Expired sessions and forgotten log-in counters deleted (daily, Celery beat)."""
    done = accounts_housekeeping(now=timezone.now())
    log.info("housekeeping: %s sessions, %s log-in counters deleted", done.sessions, done.counters)
