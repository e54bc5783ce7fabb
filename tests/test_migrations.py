"""The migrations are the only way the schema changes: they build exactly the models' schema, on SQLite and on
PostgreSQL, and every one of them can be undone.

These tests build their own database (a temporary SQLite file, or a `migration_check` schema beside the
session's tables on PostgreSQL), so they never touch the one the rest of the suite runs on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask, current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData, String, create_engine, inspect, text
from sqlalchemy.engine import make_url

from covenant import PROJECT_ROOT, create_app
from covenant import config as settings  # not `import TestConfig`: pytest would try to collect it
from covenant.extensions import db
from covenant.sqltypes import DATABASE_ONLY_TABLE_PREFIX, include_in_migrations

MIGRATION_SCHEMA = "migration_check"


@pytest.fixture
def migration_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """An app on an empty database of its own, of the same kind as the suite's."""
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        _recreate_schema(database_url)
        app = create_app(
            settings.TestConfig,
            SQLALCHEMY_DATABASE_URI=database_url,
            SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"options": f"-csearch_path={MIGRATION_SCHEMA}"}},
        )
    else:
        app = create_app(
            settings.TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        )
    with app.app_context():
        if url.get_backend_name() == "postgresql":
            assert db.session.scalar(text("SELECT current_schema()")) == MIGRATION_SCHEMA
        yield app
        db.session.remove()
        db.engine.dispose()
    if url.get_backend_name() == "postgresql":
        _drop_schema(database_url)


def _recreate_schema(database_url: str) -> None:
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {MIGRATION_SCHEMA} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {MIGRATION_SCHEMA}"))
    engine.dispose()


def _drop_schema(database_url: str) -> None:
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {MIGRATION_SCHEMA} CASCADE"))
    engine.dispose()


def schema_differences() -> list[object]:
    """What autogenerate would put in a new migration: differences between the database and the models."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include_in_migrations}
        )
        return list(compare_metadata(context, db.metadata))


def table_names() -> set[str]:
    """The tables in the migrated database, leaving out Alembic's own bookkeeping and SQLite's FTS5 tables."""
    names = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
    return {name for name in names if not name.startswith(DATABASE_ONLY_TABLE_PREFIX)}


def current_revision() -> str | None:
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def revisions_base_to_head() -> list[str]:
    """Every migration's revision id, oldest first (the history must be one straight line)."""
    config = current_app.extensions["migrate"].migrate.get_config()
    script = ScriptDirectory.from_config(config)
    assert len(script.get_heads()) == 1, "the migrations have more than one head: merge them"
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


def test_upgrade_builds_exactly_the_models_schema(migration_app: Flask) -> None:
    assert table_names() == set()
    upgrade()
    assert table_names() == set(db.metadata.tables)
    assert schema_differences() == []


def test_schema_check_notices_what_the_migrations_lack(migration_app: Flask) -> None:
    """The comparison above is not vacuous: a missing table or index, or a column of another type, is reported."""
    upgrade()
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE audit_event"))
        connection.execute(text("DROP INDEX ix_organisation_name"))
    kinds = {
        (difference[0], _name(difference[1]))
        for difference in schema_differences()
        if isinstance(difference, tuple)
    }
    assert ("add_table", "audit_event") in kinds
    assert ("add_index", "ix_organisation_name") in kinds

    widened = MetaData(naming_convention=db.metadata.naming_convention)
    for table in db.metadata.tables.values():
        table.to_metadata(widened)
    widened.tables["organisation"].c.name.type = String(250)
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        changes = [
            change
            for group in compare_metadata(context, widened)
            if isinstance(group, list)
            for change in group
        ]
    assert any(change[0] == "modify_type" and change[2:4] == ("organisation", "name") for change in changes)


def _name(schema_object: object) -> str:
    return str(getattr(schema_object, "name", ""))


def test_every_migration_downgrades_cleanly(migration_app: Flask) -> None:
    """Up one revision at a time, recording the tables; then down one at a time to base, and back up."""
    revisions = revisions_base_to_head()
    assert revisions, "there are no migrations"
    tables_at: dict[str | None, set[str]] = {None: table_names()}
    assert tables_at[None] == set()
    for revision in revisions:
        upgrade(revision=revision)
        assert current_revision() == revision
        tables_at[revision] = table_names()
    assert tables_at[revisions[-1]] == set(db.metadata.tables)

    for below in reversed([None, *revisions[:-1]]):
        downgrade(revision="-1")
        assert current_revision() == below
        assert table_names() == tables_at[below], f"downgrading to {below or 'base'} left the wrong tables"
    assert table_names() == set()

    upgrade()
    assert current_revision() == revisions[-1]
    assert table_names() == set(db.metadata.tables)
    assert schema_differences() == []


def test_only_the_migrations_create_tables() -> None:
    """`db.create_all()` would build tables the migrations know nothing about: no app code may call it."""
    callers = [
        f"{path.relative_to(PROJECT_ROOT)}:{number}"
        for path in sorted((PROJECT_ROOT / "covenant").rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if re.search(r"\bcreate_all\s*\(", line)
    ]
    assert callers == []


def test_full_text_index_is_kept_in_step_at_head(migration_app: Flask) -> None:
    """The full-text index is the database's own: at head, SQLite has its FTS5 table and the three triggers
    that keep it in step with `pledge` (a batch migration that rebuilds the pledge table silently drops them),
    and PostgreSQL its generated search vector with a GIN index."""
    upgrade()
    inspector = inspect(db.engine)
    if db.engine.dialect.name == "sqlite":
        with db.engine.connect() as connection:
            triggers = set(connection.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")))
            tables = set(connection.scalars(text("SELECT name FROM sqlite_master WHERE type = 'table'")))
        assert {"pledge_fts_after_insert", "pledge_fts_after_update", "pledge_fts_after_delete"} <= triggers
        assert "pledge_fts" in tables
    else:
        assert "search_vector" in {column["name"] for column in inspector.get_columns("pledge")}
        assert "ix_pledge_search_vector" in {index["name"] for index in inspector.get_indexes("pledge")}
    with db.engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM search_state WHERE id = 1")) == 1
