"""Authentication restricted to the staff of this node's jurisdiction."""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import connection
from django_otp.plugins.otp_totp.models import TOTPDevice

from node.accounts.models import User
from node.accounts.roles import CAPABILITIES
from node.columns import column


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

    def get_user(self, user_id: Any) -> User | None:
        """The session's user, read with the id of their confirmed TOTP device in one query.

        ``node.accounts.middleware.OTPMiddleware`` uses ``confirmed_totp_id`` to
        verify the session's device without a query of its own. Every
        authenticated request runs this, so it is one hand-written statement
        (the ORM spends longer compiling the two queries than the database
        answering them); ``raw`` still converts each column as the ORM does.
        A user has one device (``totp_device_replace``); with several, the
        others are looked up as django-otp does.
        """
        try:
            pk = User._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        found = list(User._default_manager.raw(_user_sql(), [True, pk]))
        user = found[0] if found else None
        return user if user is not None and self.user_can_authenticate(user) else None


@functools.cache
def _user_sql() -> str:
    """SELECT every user column and their first confirmed TOTP device's id (or NULL)."""
    q = connection.ops.quote_name
    device = TOTPDevice._meta
    user_pk, device_pk = q(column(User, "pk")), q(column(TOTPDevice, "pk"))
    owner, confirmed = q(column(TOTPDevice, "user")), q(column(TOTPDevice, "confirmed"))
    return (
        f"SELECT u.*, (SELECT d.{device_pk} FROM {q(device.db_table)} d "  # noqa: S608 (names)
        f"WHERE d.{owner} = u.{user_pk} AND d.{confirmed} = %s ORDER BY d.{device_pk} LIMIT 1)"
        f" AS confirmed_totp_id FROM {q(User._meta.db_table)} u WHERE u.{user_pk} = %s"
    )
