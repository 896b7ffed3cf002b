"""Database sessions that a request reads together with their user, in one statement.

Every authenticated request reads its session, then its user (and the id of
the user's TOTP device): two round trips to the database before any work,
each costing more in waiting than the database spends answering. Sessions
live in ``StaffSession``, Django's session table plus the id of the signed-in
user, so the session's statement joins the user's row too.

The signed session data stays the authority: Django's ``auth.get_user``
reads the user id from it as always, and ``JurisdictionBackend.get_user``
takes the joined row only if it is that user's (``joined_user_row``);
otherwise, or for a session saved before the column existed, it reads the
user itself. Saving, creating, expiring and deleting sessions are Django's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Any, cast

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import db
from django.core.exceptions import ValidationError
from django.db import connections, router
from django.utils import timezone

from node.accounts.models import StaffSession, User
from node.columns import column

# The session whose user Django is loading (set only around that load).
_LOADING_USER_OF: ContextVar[SessionStore | None] = ContextVar("_LOADING_USER_OF", default=None)


class SessionStore(db.SessionStore):
    # The columns of the session's user as read with the session (None: not read).
    user_row: tuple[Any, ...] | None = None

    @classmethod
    def get_model_class(cls) -> type[StaffSession]:
        return StaffSession

    def create_model_instance(self, data: dict[str, Any]) -> StaffSession:
        session = cast(StaffSession, super().create_model_instance(data))
        session.user_id = _user_id(data.get(SESSION_KEY))
        return session

    def load(self) -> dict[str, Any]:
        row = self._stored_row()
        if row is None:
            self._session_key = None  # as Django does: a new key is made on save
            return {}
        self.user_row = tuple(row[1:])  # all None when no user row was joined
        return dict(self.decode(str(row[0])))

    def _stored_row(self) -> tuple[Any, ...] | None:
        """This session's data and its user's columns, if it exists and has not expired."""
        if self.session_key is None:
            return None
        connection = connections[router.db_for_read(StaffSession)]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        sql, params = _select_sql(connection.alias)
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, self.session_key, now])
            row = cursor.fetchone()
        return None if row is None else tuple(row)


@contextmanager
def loading_user_of(session: Any) -> Iterator[None]:
    """While Django loads the request's user, let the backend see the row read with ``session``."""
    token = _LOADING_USER_OF.set(session if isinstance(session, SessionStore) else None)
    try:
        yield
    finally:
        _LOADING_USER_OF.reset(token)


def joined_user_row(pk: Any) -> tuple[Any, ...] | None:
    """The row read with the session being loaded, if it is the row of user ``pk``."""
    from node.accounts.backends import USER_PK_INDEX

    session = _LOADING_USER_OF.get()
    row = session.user_row if session is not None else None
    return row if row is not None and row[USER_PK_INDEX] == pk else None


def _user_id(value: Any) -> int | None:
    try:
        return int(User._meta.pk.to_python(value)) if value is not None else None
    except (TypeError, ValueError, ValidationError):  # a malformed id joins no user
        return None


@cache
def _select_sql(alias: str) -> tuple[str, list[Any]]:
    from node.accounts.backends import user_columns_sql

    q = connections[alias].ops.quote_name
    names = ("session_data", "session_key", "expire_date", "user_id")
    data, key, expiry, user = (q(column(StaffSession, name)) for name in names)
    columns, params = user_columns_sql("u")
    sql = (
        f"SELECT s.{data}, {columns} FROM {q(StaffSession._meta.db_table)} s "  # noqa: S608
        f"LEFT JOIN {q(User._meta.db_table)} u ON u.{q(column(User, 'pk'))} = s.{user} "
        f"WHERE s.{key} = %s AND s.{expiry} > %s"
    )
    return sql, params
