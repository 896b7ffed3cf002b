"""Hub users (analysts, partners, administrators, auditors) and log-in counters."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from hub.accounts.roles import Role


class User(AbstractUser):
    """One person who may open the hub: a national analyst, a partner, an
    administrator or an auditor.

    Sensitive: an analyst account opens exact small counts; its password hash
    and TOTP device never leave the hub. Holds staff names only.
    """

    role = models.CharField(_("rôle"), max_length=32, choices=Role.choices, blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = "utilisateur"
        verbose_name_plural = "utilisateurs"
        swappable = "AUTH_USER_MODEL"


class LoginThrottle(models.Model):
    """Failed log-in attempts for one username or one client address.

    The hub's copy of node.accounts.models.LoginThrottle (a model belongs to
    one app; the rules live in node/accounts/throttle.py, which serves both). Sensitive: low
    (usernames, client addresses); rows exist for unknown usernames too.
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
            models.UniqueConstraint(fields=["scope", "key"], name="hub_throttle_scope_key")
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"
