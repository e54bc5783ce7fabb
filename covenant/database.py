"""Engine set-up that makes SQLite behave like the PostgreSQL Covenant runs on in production, and ids in URLs
that both can look up."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.routing import IntegerConverter, Map

from covenant.extensions import db
from covenant.unit_of_work import WROTE

# The largest value of an INTEGER primary key on PostgreSQL.
MAX_ROW_ID = 2**31 - 1


class RowIdConverter(IntegerConverter):
    """`<int:...>` in a URL: a number too big for an id column matches no route (404) instead of reaching the
    database, where PostgreSQL and SQLite would both refuse it with an error (500)."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ROW_ID)
        super().__init__(map, *args, **kwargs)


class Median:
    """`median(value)` for SQLite, which has no such aggregate: the middle value, or the mean of the two middle
    ones, as PostgreSQL's `percentile_cont(0.5)` gives it (None when there are no values). Written here because
    the alternative, numbering each group's values with window functions, sorts every value of every group at
    once; the few values of each group are sorted on their own instead."""

    def __init__(self) -> None:
        self.values: list[float] = []

    def step(self, value: float | None) -> None:
        if value is not None:
            self.values.append(value)

    def finalize(self) -> float | None:
        if not self.values:
            return None
        values = sorted(self.values)
        middle = len(values) // 2
        return float(values[middle]) if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection: Any, connection_record: Any) -> None:
    """Enforce foreign keys, wait for locks, let SQLAlchemy manage transactions (so SAVEPOINT works), and add
    the `median` aggregate."""
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    dbapi_connection.create_aggregate("median", 1, Median)
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    # A writer waits up to 20 s for the lock, well inside gunicorn's 30 s: on a busy small machine a burst of
    # brief writes can queue for longer than 5 s, and waiting is better than "database is locked".
    cursor.execute("PRAGMA busy_timeout = 20000")
    # Write-ahead logging lets pages be read while another request writes (a no-op in memory).
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.close()


READING = "covenant_reading"


def _expects_writes() -> bool:
    """Form posts and commands write; page views (GET) and `reading()` blocks only read."""
    if not has_request_context():
        return True
    if g.get("covenant_writing", False):
        return True
    return request.method not in ("GET", "HEAD", "OPTIONS") and not g.get(READING, False)


def _end_transaction_before_slow_work() -> None:
    """End the session's transaction, which must not have written anything: what it read is read again later."""
    session = db.session
    if session.new or session.dirty or session.deleted or session.info.get(WROTE):
        raise RuntimeError("A transaction that has written cannot be ended before the request commits")
    session.rollback()


@contextmanager
def reading() -> Iterator[None]:
    """Read in a transaction of its own that takes no write lock (on SQLite, a plain BEGIN even in a form post),
    ended at the end of the block: for reads before slow work such as checking a password."""
    _end_transaction_before_slow_work()
    g.setdefault(READING, False)
    setattr(g, READING, True)
    try:
        yield
    finally:
        setattr(g, READING, False)
        db.session.rollback()


@contextmanager
def released() -> Iterator[None]:
    """Do slow work (hashing a password) with no transaction open, so no lock is held meanwhile. Nothing may
    have been written yet; objects read before are read again when next used."""
    _end_transaction_before_slow_work()
    yield


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(connection: Any) -> None:
    """Start SQLite transactions explicitly, as pysqlite's own handling breaks savepoints.

    A transaction that will write takes the write lock at once (BEGIN IMMEDIATE), so two requests that each
    read and then write queue for the lock (busy_timeout) instead of one failing with "database is locked".

    A connection asked for AUTOCOMMIT gets no transaction: SQLAlchemy never commits one there, so a statement
    such as `ANALYZE` run on it would be rolled back, silently, when the connection is returned.
    """
    if connection.dialect.name != "sqlite":
        return
    if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        return
    connection.exec_driver_sql("BEGIN IMMEDIATE" if _expects_writes() else "BEGIN")
