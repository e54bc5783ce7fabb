"""The bench databases: where they are, building them (the migrations, the local authorities, then the rows of
`bench.rows`) or reusing them when they are current, and the app that serves them.

A database that already holds the expected rows at the current migration head, generated in the last week
(closing dates are relative to the day of generation), is reused; `--rebuild` builds it again.
"""

from __future__ import annotations

import os
import random
import time
from dataclasses import dataclass, field

from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from bench.rows import ORGANISATIONS, PLEDGES, SEED, generate
from covenant import PROJECT_ROOT, create_app
from covenant.clock import utcnow
from covenant.config import TestConfig
from covenant.extensions import db
from covenant.models import Organisation, Pledge
from covenant.reference import load_authorities
from devtools.servers import create_postgres_database

RESULTS_DIR = PROJECT_ROOT / "bench-results"
SQLITE_PATH = RESULTS_DIR / "covenant_bench.sqlite3"
# BENCH_POSTGRES_URL chooses another database, so two checkouts on one server do not rebuild each other's.
POSTGRES_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/covenant_bench"
)
STALE_AFTER_DAYS = 7


@dataclass(frozen=True)
class Target:
    """A database to run the bench on."""

    name: str
    url: str


@dataclass
class DataReport:
    """What is in a bench database and how it got there."""

    generated: bool
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)


def sqlite_target() -> Target:
    return Target("SQLite", f"sqlite:///{SQLITE_PATH}")


def postgres_target() -> Target:
    return Target("PostgreSQL", POSTGRES_URL)


def bench_app(url: str) -> Flask:
    """The real app on a bench database: test settings (no HTTPS redirect, fixed key), not in testing mode."""
    return create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url, TESTING=False)


def migration_head() -> str:
    config = AlembicConfig()
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    heads = ScriptDirectory.from_config(config).get_heads()
    return ",".join(sorted(heads))


def prepare(target: Target, rebuild: bool) -> DataReport:
    """Make sure the target database holds the bench data set; build it when needed. DatabaseUnreachable
    (`devtools.servers`) when PostgreSQL is not there."""
    url = make_url(target.url)
    if url.get_backend_name() == "postgresql":
        create_postgres_database(url.set(database="postgres"), url.database or "")
    else:
        SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    app = bench_app(target.url)
    with app.app_context():
        try:
            if not rebuild and _is_current():
                return DataReport(False, time.perf_counter() - started, _counts())
            db.session.remove()
            _empty_database()
            upgrade()
            load_authorities()
            db.session.commit()
            generate(random.Random(SEED))  # noqa: S311 - made-up data, not security
            _analyse()
            return DataReport(True, time.perf_counter() - started, _counts())
        finally:
            db.session.remove()
            db.engine.dispose()


def _counts() -> dict[str, int]:
    counts = {
        "organisations": db.session.scalar(select(func.count()).select_from(Organisation)) or 0,
        "pledges": db.session.scalar(select(func.count()).select_from(Pledge)) or 0,
    }
    for status, number in db.session.execute(select(Pledge.status, func.count()).group_by(Pledge.status)):
        counts[f"pledges_{status.value}"] = number
    return counts


def _is_current() -> bool:
    """The database is at the migration head and holds the expected, recently generated rows."""
    with db.engine.connect() as connection:
        heads = MigrationContext.configure(connection).get_current_heads()
    if ",".join(sorted(heads)) != migration_head():
        return False
    counts = _counts()
    expected = {f"pledges_{status.value}": number for status, number in PLEDGES.items()}
    if counts.get("organisations") != ORGANISATIONS or any(
        counts.get(key) != number for key, number in expected.items()
    ):
        return False
    newest = db.session.scalar(select(func.max(Pledge.published_at)))
    return newest is not None and (utcnow() - newest).days < STALE_AFTER_DAYS


def _empty_database() -> None:
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    else:
        db.engine.dispose()
        for suffix in ("", "-wal", "-shm", "-journal"):
            SQLITE_PATH.with_name(SQLITE_PATH.name + suffix).unlink(missing_ok=True)


def _analyse() -> None:
    """Give each planner its statistics after the bulk load, as PostgreSQL's autovacuum would in time; SQLite
    gathers none by itself, so it is asked (`ANALYZE`), as anyone loading data in bulk should."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE" if db.engine.dialect.name == "postgresql" else "ANALYZE"))
