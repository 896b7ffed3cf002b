"""One statement sent to PostgreSQL now, its row read later, on Django's own connection.

An audited list appends its entry after reading its page; in autocommit mode
the append commits on its own, and the commit waits for the disk (a WAL
flush: milliseconds, more than everything else the request does in the
database). Sent without waiting, the append commits while Python serialises
and renders the page; the caller reads its outcome before the response
leaves, so a response is still never sent without its durable entry.

Only documented libpq calls of psycopg's ``pq`` module are used. While the
statement is in flight nothing else may use the connection: the first
statement Django sends on it, whoever sends it, first reads the outcome
(an execute wrapper), and the caller reads it at the latest before answering.
"""

from __future__ import annotations

import select
import time
from collections.abc import Callable, Sequence
from typing import Any

from django.db import DatabaseError
from django.db.backends.base.base import BaseDatabaseWrapper
from psycopg import pq


class InFlight:
    """A statement on its way to the server; ``row()`` waits for and returns its one row."""

    def __init__(self, connection: BaseDatabaseWrapper, sql: str) -> None:
        self._connection = connection
        self._sql = sql
        self._started = time.monotonic()
        self._row: tuple[Any, ...] | None = None
        self._error: DatabaseError | None = None
        self._done = False
        connection.ensure_connection()
        self._pgconn = connection.connection.pgconn
        self._pgconn.send_query(sql.encode())
        _flush(self._pgconn)
        connection.execute_wrappers.insert(0, self._read_first)

    def row(self) -> tuple[Any, ...]:
        """The statement's row; raises DatabaseError if it failed (nothing was then written)."""
        if not self._done:
            self._collect()
        if self._error is not None:
            raise self._error
        assert self._row is not None  # set whenever there is no error
        return self._row

    def _read_first(
        self,
        execute: Callable[..., Any],
        sql: str,
        params: Any,
        many: bool,
        context: dict[str, Any],
    ) -> Any:
        self.row()  # raises, and the statement is not sent, if the append failed
        return execute(sql, params, many, context)

    def _collect(self) -> None:
        self._done = True
        self._connection.execute_wrappers.remove(self._read_first)
        try:
            results = _results(self._pgconn)
        except DatabaseError as exc:  # the connection broke: the statement's fate is unknown
            self._error = exc
            self._connection.errors_occurred = True
            return
        self._log()
        failed = [r for r in results if r.status != pq.ExecStatus.TUPLES_OK]
        if failed or not results or results[0].ntuples != 1:
            message = failed[0].error_message.decode(errors="replace") if failed else "no row"
            self._error = DatabaseError(message)
            self._connection.errors_occurred = True  # Django checks the connection at the end
            return
        self._row = _loaded(self._connection, results[0])

    def _log(self) -> None:
        # As Django's debug cursor does, so that counted queries count this one.
        if self._connection.queries_logged:
            duration = time.monotonic() - self._started
            self._connection.queries_log.append({"sql": self._sql, "time": f"{duration:.3f}"})


def _flush(pgconn: pq.abc.PGconn) -> None:
    while pgconn.flush():  # a non-blocking connection may leave bytes to send
        select.select([], [pgconn.socket], [])


def _results(pgconn: pq.abc.PGconn) -> list[pq.abc.PGresult]:
    """Every result of the statement sent last, waiting on the socket as libpq needs."""
    pgconn.consume_input()
    while pgconn.is_busy():
        select.select([pgconn.socket], [], [])
        pgconn.consume_input()
    results = []
    while (result := pgconn.get_result()) is not None:
        results.append(result)
    if pgconn.status != pq.ConnStatus.OK:
        raise DatabaseError(pgconn.error_message.decode(errors="replace"))
    return results


def _loaded(connection: BaseDatabaseWrapper, result: pq.abc.PGresult) -> tuple[Any, ...]:
    """Row 0 of a text result, each column converted by psycopg's loader of its type."""
    psycopg_connection = connection.connection
    values: Sequence[bytes | None] = [result.get_value(0, i) for i in range(result.nfields)]
    loaded = []
    for i, value in enumerate(values):
        oid = result.ftype(i)
        loader = psycopg_connection.adapters.get_loader(oid, pq.Format.TEXT)
        loaded.append(
            None if value is None or loader is None else loader(oid, psycopg_connection).load(value)
        )
    return tuple(loaded)
