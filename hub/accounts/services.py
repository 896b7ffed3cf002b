"""Writes of the hub's accounts app: log-in, log-out, user creation, unlock, housekeeping.

Same contract as node/accounts/services.py: the throttle rows stay locked from
the check to the recording of the outcome; failures and log-ins are audited
(node.audit, shared with the nodes); no password or code is ever recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib import auth
from django.contrib.auth import password_validation
from django.contrib.sessions.models import Session
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from hub.accounts.models import User
from hub.accounts.otp import otp_required, totp_device_replace, totp_device_verify
from node.accounts import throttle  # the same lock-out rules as the nodes
from node.audit.services import audit_record

BACKEND = "hub.accounts.backends.HubRoleBackend"


class InvalidCredentials(Exception):
    """Wrong username, password or TOTP code: deliberately not told apart."""


class LoginLocked(Exception):
    """Too many recent failures for this username or address."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


@dataclass(frozen=True)
class _Attempt:
    user: User | None
    device: TOTPDevice | None
    retry_after: int = 0


def user_login(*, request: HttpRequest, username: str, password: str,
               otp_token: str | None) -> User:
    """Open a session for valid credentials, under the lock-out throttle.

    Commits on failure too (the failure count and its audit entry persist);
    the exceptions are raised after the transaction.
    """
    with transaction.atomic():
        attempt = _attempt(request=request, username=username, password=password,
                           otp_token=otp_token)
        if attempt.user is not None:
            _open_session(request=request, user=attempt.user, device=attempt.device)
    if attempt.retry_after:
        raise LoginLocked(attempt.retry_after)
    if attempt.user is None:
        raise InvalidCredentials
    return attempt.user


def _attempt(*, request: HttpRequest, username: str, password: str,
             otp_token: str | None) -> _Attempt:
    now = timezone.now()
    rows = throttle.throttle_rows_lock(username=username, address=throttle.client_address(request))
    retry_after = throttle.retry_after_seconds(rows, now=now)
    if retry_after:
        # No password check while locked: a correct guess must not be confirmed.
        return _Attempt(user=None, device=None, retry_after=retry_after)
    user, device = _check_credentials(request=request, username=username, password=password,
                                      otp_token=otp_token)
    if user is None:
        throttle.throttle_failure(rows, now=now)
        audit_record(actor=None, action="login_failed", target_type="user", request=request,
                     detail={"username": username[:150]})
        return _Attempt(user=None, device=None)
    throttle.throttle_success(rows)
    return _Attempt(user=user, device=device)


def _check_credentials(*, request: HttpRequest, username: str, password: str,
                       otp_token: str | None) -> tuple[User | None, TOTPDevice | None]:
    user = auth.authenticate(request, username=username, password=password)
    if not isinstance(user, User):
        return None, None
    if not otp_token:
        return (None, None) if otp_required() else (user, None)
    device = totp_device_verify(user=user, token=otp_token)
    return (user, device) if device is not None else (None, None)


def _open_session(*, request: HttpRequest, user: User, device: TOTPDevice | None) -> None:
    auth.login(request, user, backend=BACKEND)  # rotates the session key and CSRF token
    if device is not None:
        otp_login(request, device)
    audit_record(actor=user, action="login", target_type="user", target_id=str(user.pk),
                 request=request, detail={"otp": device is not None})


def user_logout(*, request: HttpRequest) -> None:
    """Close the session (the stored session is deleted)."""
    if isinstance(request.user, User):
        audit_record(actor=request.user, action="logout", target_type="user",
                     target_id=str(request.user.pk), request=request)
    auth.logout(request)


@transaction.atomic
def user_create(*, actor: User | None, username: str, role: str, password: str | None = None,
                with_otp: bool = True) -> tuple[User, TOTPDevice | None]:
    """Create a hub user; without a password it cannot log in until one is set."""
    user = User(username=username, role=role)
    if password is None:
        user.set_unusable_password()
    else:
        password_validation.validate_password(password, user)
        user.set_password(password)
    user.full_clean()
    user.save()
    device = totp_device_replace(user=user) if with_otp else None
    audit_record(actor=actor, action="user_create", target_type="user", target_id=str(user.pk),
                 detail={"role": role, "otp": device is not None})
    return user, device


def user_unlock(*, username: str) -> int:
    """Lift a username's lock-out at once; returns how many counters were cleared."""
    return throttle.throttle_clear(username=username)


@dataclass(frozen=True)
class Housekeeping:
    sessions: int
    counters: int


def accounts_housekeeping(*, now: datetime) -> Housekeeping:
    """Delete expired sessions and log-in counters that count nothing any more.

    The hub's side of node.accounts.services.accounts_housekeeping: Django never
    deletes an expired session, and a counter row is kept for every username
    ever tried (unknown ones too), so both tables would grow for ever. The hub
    has no Celery worker: the Ansible role runs ``systraite-hub housekeeping``
    from cron every day. Idempotent.
    """
    sessions, _ = Session.objects.filter(expire_date__lt=now).delete()
    return Housekeeping(sessions=sessions, counters=throttle.throttle_rows_purge(now=now))
