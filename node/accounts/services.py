"""Writes of the accounts app: log-in, log-out and the administration of users.

Every service that changes who may do what records it in the audit log, in the
same transaction. Audit details never carry a password, a TOTP secret or code,
nor anything about a survivor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib import auth
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from node.accounts import throttle
from node.accounts.models import StaffSession, User
from node.accounts.otp import otp_required, totp_device_replace, totp_device_verify
from node.audit.services import audit_record


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

    The throttle rows stay locked (SELECT FOR UPDATE) from the check to the
    recording of the outcome, so concurrent guesses are counted one by one
    (see ``throttle``). The transaction commits on failure too: the failure
    count and the audit entry must persist; the exceptions are raised after.
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
    rows = throttle.throttle_rows_lock(username=username,
                                       address=throttle.client_address(request))
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
    """Password first (hashed even for unknown users), then the TOTP code."""
    user = auth.authenticate(request, username=username, password=password)
    if not isinstance(user, User):
        return None, None
    if not otp_token:
        return (None, None) if otp_required() else (user, None)
    device = totp_device_verify(user=user, token=otp_token)
    return (user, device) if device is not None else (None, None)


def _open_session(*, request: HttpRequest, user: User, device: TOTPDevice | None) -> None:
    # auth.login rotates the session key (no fixation) and the CSRF token.
    auth.login(request, user, backend="node.accounts.backends.JurisdictionBackend")
    if device is not None:
        otp_login(request, device)
    audit_record(actor=user, action="login", target_type="user", target_id=str(user.pk),
                 request=request, detail={"otp": device is not None})


def user_logout(*, request: HttpRequest) -> None:
    """Close the session (server side: the stored session is deleted)."""
    user = request.user
    if isinstance(user, User):
        audit_record(actor=user, action="logout", target_type="user", target_id=str(user.pk),
                     request=request)
    auth.logout(request)


@transaction.atomic
def user_create(*, actor: User | None, username: str, role: str, first_name: str = "",
                last_name: str = "", email: str = "", password: str | None = None,
                with_otp: bool = True, request: HttpRequest | None = None,
                ) -> tuple[User, TOTPDevice | None]:
    """Create a user of this node; without a password it cannot log in until one is set."""
    user = User(username=username, role=role, first_name=first_name, last_name=last_name,
                email=email)
    if password is None:
        user.set_unusable_password()
    else:
        password_validation.validate_password(password, user)
        user.set_password(password)
    user.full_clean()
    user.save()
    device = totp_device_replace(user=user) if with_otp else None
    audit_record(actor=actor, action="user_create", target_type="user", target_id=str(user.pk),
                 request=request, detail={"role": role, "otp": device is not None})
    return user, device


USER_EDITABLE_FIELDS = ("role", "is_active", "first_name", "last_name", "email")


@transaction.atomic
def user_update(*, actor: User | None, user: User, data: dict[str, object],
                request: HttpRequest | None = None) -> User:
    """Change a user's role, activity or names; a role change is audited with both values."""
    changed = [f for f in USER_EDITABLE_FIELDS if f in data and data[f] != getattr(user, f)]
    if not changed:
        return user
    _refuse_self_lockout(actor=actor, user=user, changed=changed)
    detail: dict[str, str | int | bool | None] = {"fields": ",".join(changed)}
    if "role" in changed:
        detail.update(role_from=user.role, role_to=str(data["role"]))
    if "is_active" in changed:
        detail["is_active"] = bool(data["is_active"])
    for field in changed:
        setattr(user, field, data[field])
    user.full_clean()
    user.save(update_fields=changed)
    audit_record(actor=actor, action="user_update", target_type="user", target_id=str(user.pk),
                 request=request, detail=detail)
    return user


def _refuse_self_lockout(*, actor: User | None, user: User, changed: list[str]) -> None:
    """An administrator may not demote or deactivate themselves (the node would lose its admin)."""
    if actor is None or actor.pk != user.pk:
        return
    for field in ("role", "is_active"):
        if field in changed:
            raise ValidationError(
                {field: _("Vous ne pouvez pas modifier votre propre rôle ou activation.")}
            )


@transaction.atomic
def user_otp_reset(*, actor: User | None, user: User,
                   request: HttpRequest | None = None) -> TOTPDevice:
    """Give the user a new TOTP secret; the old one stops working at once."""
    device = totp_device_replace(user=user)
    audit_record(actor=actor, action="otp_reset", target_type="user", target_id=str(user.pk),
                 request=request)
    return device


@transaction.atomic
def user_password_set(*, actor: User | None, user: User, password: str,
                      request: HttpRequest | None = None) -> None:
    """Set a password under the policy; the user's other sessions end.

    Django ties a session to a hash of the password, so changing it invalidates
    every existing session of that user; the actor's own session is kept.
    """
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    if request is not None and actor is not None and actor.pk == user.pk:
        auth.update_session_auth_hash(request, user)
    audit_record(actor=actor, action="password_set", target_type="user", target_id=str(user.pk),
                 request=request)


def user_unlock(*, username: str) -> int:
    """Lift a username's lock-out at once; returns how many counters were cleared."""
    return throttle.throttle_clear(username=username)


@dataclass(frozen=True)
class Housekeeping:
    sessions: int
    counters: int


def accounts_housekeeping(*, now: datetime) -> Housekeeping:
    """Delete expired sessions and log-in counters that count nothing any more.

    Django never deletes an expired database session by itself (its
    ``clearsessions`` command must be run), and a counter row is kept for every
    username ever tried; both tables would otherwise grow for ever. Idempotent:
    run it as often as you like (Celery beat runs it daily, ``accounts-housekeeping``).
    """
    sessions, _ = StaffSession.objects.filter(expire_date__lt=now).delete()
    return Housekeeping(sessions=sessions, counters=throttle.throttle_rows_purge(now=now))
