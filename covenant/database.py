"""Engine set-up that makes SQLite behave like the PostgreSQL Covenant runs on in production, and ids in URLs
that both can look up."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.routing import IntegerConverter, Map

# The largest value of an INTEGER primary key on PostgreSQL.
MAX_ROW_ID = 2**31 - 1


class RowIdConverter(IntegerConverter):
    """`<int:...>` in a URL: a number too big for an id column matches no route (404) instead of reaching the
    database, where PostgreSQL and SQLite would both refuse it with an error (500)."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ROW_ID)
        super().__init__(map, *args, **kwargs)


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection: Any, connection_record: Any) -> None:
    """Enforce foreign keys, wait for locks, and let SQLAlchemy manage transactions (so SAVEPOINT works)."""
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA busy_timeout = 5000")
    # Write-ahead logging lets pages be read while another request writes (a no-op in memory).
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.close()


def _expects_writes() -> bool:
    """Form posts and commands write; page views (GET) mostly only read."""
    return not has_request_context() or request.method not in ("GET", "HEAD", "OPTIONS")


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(connection: Any) -> None:
    """Start SQLite transactions explicitly, as pysqlite's own handling breaks savepoints.

    A transaction that will write takes the write lock at once (BEGIN IMMEDIATE), so two requests that each
    read and then write queue for the lock (busy_timeout) instead of one failing with "database is locked".
    """
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _expects_writes() else "BEGIN")
