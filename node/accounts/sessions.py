"""Django's database sessions, loaded with one hand-written statement.

Every authenticated request loads its session first. Django's store builds
that query through the ORM (``objects.get``), whose compilation costs more
than the database's answer; this store sends the same SELECT directly. Saving,
creating, expiring and deleting sessions are Django's, unchanged.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.db import connections, router
from django.utils import timezone

from node.columns import column


class SessionStore(db.SessionStore):
    def load(self) -> dict[str, Any]:
        data = self._stored_data()
        if data is None:
            self._session_key = None  # as Django does: a new key is made on save
            return {}
        return dict(self.decode(data))

    def _stored_data(self) -> str | None:
        """The stored data of this session if it exists and has not expired."""
        if self.session_key is None:
            return None
        connection = connections[router.db_for_read(Session)]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(_select_sql(connection.alias), [self.session_key, now])
            row = cursor.fetchone()
        return None if row is None else str(row[0])


@cache
def _select_sql(alias: str) -> str:
    q = connections[alias].ops.quote_name
    data, key, expiry = (q(column(Session, f))
                         for f in ("session_data", "session_key", "expire_date"))
    return (f"SELECT {data} FROM {q(Session._meta.db_table)} "  # noqa: S608 (names only)
            f"WHERE {key} = %s AND {expiry} > %s")
