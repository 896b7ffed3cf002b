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
from node.accounts.sessions import joined_user_row
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
        """The session's user, with the id of their confirmed TOTP device.

        ``node.accounts.middleware.OTPMiddleware`` uses ``confirmed_totp_id`` to
        verify the session's device without a query of its own. Every
        authenticated request runs this, so the row is the one the session's
        own statement read (``node.accounts.sessions``) when it is this
        user's, and otherwise one hand-written statement (the ORM spends
        longer compiling queries than the database answers them), read
        through a plain cursor: ``Manager.raw`` maps the columns to fields
        again on every call. A user has one device (``totp_device_replace``);
        with several, the others are looked up as django-otp does.
        """
        try:
            pk = User._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        row = joined_user_row(pk) or _user_row(pk)
        if row is None:
            return None
        user = User.from_db(connection.alias, _USER_ATTNAMES, _converted(row[:-1]))
        user.confirmed_totp_id = row[-1]  # type: ignore[attr-defined]
        return user if self.user_can_authenticate(user) else None


def _user_row(pk: Any) -> tuple[Any, ...] | None:
    columns, params = user_columns_sql("u")
    q = connection.ops.quote_name
    sql = (
        f"SELECT {columns} FROM {q(User._meta.db_table)} u "  # noqa: S608 (names only)
        f"WHERE u.{q(column(User, 'pk'))} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, pk])
        row = cursor.fetchone()
    return None if row is None else tuple(row)


# Every column of a user, in the order user_columns_sql reads them.
_USER_FIELD_NAMES = [field.name for field in User._meta.concrete_fields]
_USER_ATTNAMES = [field.attname for field in User._meta.concrete_fields]
USER_PK_INDEX = _USER_ATTNAMES.index(User._meta.pk.attname)


def _converted(values: tuple[Any, ...]) -> list[Any]:
    """The values of a user's columns converted as the ORM converts them when reading."""
    converted = list(values)
    for i, converters in _user_converters():
        field = User._meta.concrete_fields[i]
        for converter in converters:
            converted[i] = converter(converted[i], field.get_col(User._meta.db_table), connection)
    return converted


@functools.cache
def _user_converters() -> list[tuple[int, list[Any]]]:
    """(position, converters) of the user's columns that need a conversion (none on PostgreSQL)."""
    found = []
    for i, field in enumerate(User._meta.concrete_fields):
        col = field.get_col(User._meta.db_table)
        converters = connection.ops.get_db_converters(col) + field.get_db_converters(connection)
        if converters:
            found.append((i, converters))
    return found


@functools.cache
def user_columns_sql(alias: str) -> tuple[str, list[Any]]:
    """Every column of the user table ``alias``, then the id of their first confirmed TOTP
    device (or NULL) as ``confirmed_totp_id``: a select list, and its parameters."""
    q = connection.ops.quote_name
    device = TOTPDevice._meta
    user_pk, device_pk = q(column(User, "pk")), q(column(TOTPDevice, "pk"))
    owner, confirmed = q(column(TOTPDevice, "user")), q(column(TOTPDevice, "confirmed"))
    columns = ", ".join(f"{alias}.{q(column(User, name))}" for name in _USER_FIELD_NAMES)
    return (
        f"{columns}, (SELECT d.{device_pk} FROM {q(device.db_table)} d "  # noqa: S608 (names)
        f"WHERE d.{owner} = {alias}.{user_pk} AND d.{confirmed} = %s "
        f"ORDER BY d.{device_pk} LIMIT 1) AS confirmed_totp_id",
        [True],
    )
