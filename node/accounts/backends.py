"""Authentication restricted to the staff of this node's jurisdiction."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser

from node.accounts.models import User
from node.accounts.roles import CAPABILITIES


class JurisdictionBackend(ModelBackend):
    """Django's model backend, refusing users of another node or without a role.

    A database restored from another node (or a row edited by hand) must not
    open this node's records: the jurisdiction must be this node's and the role
    one of the matrix. ``user_can_authenticate`` is also consulted by
    ``get_user`` on every request, so an existing session of a user who is
    moved or stripped of their role stops working at once. Unknown usernames
    still run the password hasher (ModelBackend does), so timing does not tell
    which accounts exist.
    """

    def user_can_authenticate(self, user: User | AnonymousUser | None) -> bool:
        if not super().user_can_authenticate(user):
            return False
        return (
            getattr(user, "jurisdiction", None) == settings.SYSTRAITE_JURISDICTION
            and getattr(user, "role", "") in CAPABILITIES
        )
