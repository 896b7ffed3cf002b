"""Court staff accounts of a node, and the counters that throttle their log-ins."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.utils.translation import gettext_lazy as _

from node.accounts.roles import Role


def _node_jurisdiction() -> str:
    return str(settings.SYSTRAITE_JURISDICTION)


class User(AbstractUser):
    """One member of court staff (or the node's administrator or auditor).

    Sensitive: a row is the key to survivors' identifying records; its password
    hash and TOTP device must never leave the node. It holds no survivor data,
    only staff names. ``jurisdiction`` pins the account to one node: a row
    restored from another node's database cannot log in here.
    """

    role = models.CharField(_("rôle"), max_length=32, choices=Role.choices, blank=True)
    jurisdiction = models.CharField(
        _("juridiction"), max_length=32, default=_node_jurisdiction,
        help_text=_("Code du tribunal de grande instance (carte judiciaire)."),
    )

    class Meta(AbstractUser.Meta):
        verbose_name = "utilisateur"
        verbose_name_plural = "utilisateurs"
        swappable = "AUTH_USER_MODEL"


class StaffSession(AbstractBaseSession):
    """One open session of a member of staff (or an anonymous visitor): Django's
    database session, plus the id of its signed-in user.

    Sensitive: the key is a bearer credential, the data is signed but
    readable. ``user_id`` repeats the session's ``_auth_user_id`` (set on
    every save) so that a request reads its session and its user in one
    statement (``node.accounts.sessions``); the signed data stays the
    authority: the user read that way is used only if the data names them.
    """

    user_id = models.BigIntegerField(null=True, blank=True)

    class Meta(AbstractBaseSession.Meta):
        db_table = "accounts_session"

    @classmethod
    def get_session_store_class(cls) -> type:
        from node.accounts.sessions import SessionStore

        return SessionStore


class LoginThrottle(models.Model):
    """Failed log-in attempts for one username or one client address.

    Sensitive: low (staff usernames, client IP addresses). Rows exist for
    unknown usernames too, so that throttling reveals nothing about which
    accounts exist. Kept in the database rather than a cache so that a
    restarted or flushed cache never resets a brute-force counter.
    """

    class Scope(models.TextChoices):
        USERNAME = "username", _("identifiant")
        ADDRESS = "address", _("adresse IP")

    scope = models.CharField(max_length=16, choices=Scope.choices)
    key = models.CharField(max_length=255)
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="accounts_throttle_scope_key")
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"
