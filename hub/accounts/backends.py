"""Authentication restricted to users holding a role of the hub's matrix."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser

from hub.accounts.models import User
from hub.accounts.roles import CAPABILITIES


class HubRoleBackend(ModelBackend):
    """Django's model backend, refusing a user without a known role.

    Consulted by ``get_user`` on every request too, so a session of a user
    whose role is removed stops working at once. Unknown usernames still run
    the hasher (timing does not tell which accounts exist).
    """

    def user_can_authenticate(self, user: User | AnonymousUser | None) -> bool:
        return super().user_can_authenticate(user) and getattr(user, "role", "") in CAPABILITIES
