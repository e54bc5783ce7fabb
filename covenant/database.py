"""Engine set-up that makes SQLite behave like the PostgreSQL Covenant runs on in production."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection: Any, connection_record: Any) -> None:
    """Enforce foreign keys, wait for locks, and let SQLAlchemy manage transactions (so SAVEPOINT works)."""
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA busy_timeout = 5000")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(connection: Any) -> None:
    """Start SQLite transactions explicitly, as pysqlite's own handling breaks savepoints."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN")
