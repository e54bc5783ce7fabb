"""Column types shared by the models."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import DateTime, Enum, TypeDecorator
from sqlalchemy.engine import Dialect


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC and always hands back an aware datetime, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("UTCDateTime needs an aware datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def vocabulary(enum_class: type[StrEnum], length: int = 40) -> Enum:
    """A column holding one of a vocabulary's values, stored as plain text."""
    return Enum(
        enum_class,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


def as_dict(values: dict[str, Any]) -> dict[str, Any]:
    """Make values JSON-safe for audit rows: enums to their value, dates to ISO strings, money to text."""
    safe: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, StrEnum):
            safe[key] = value.value
        elif isinstance(value, date | datetime):
            safe[key] = value.isoformat()
        elif isinstance(value, Decimal):
            safe[key] = str(value)
        elif isinstance(value, list):
            safe[key] = [as_dict({"item": item})["item"] for item in value]
        else:
            safe[key] = value
    return safe


def render_migration_type(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Alembic autogenerate: write our column types as plain SQLAlchemy types, so migrations never import the app."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


# Search machinery that lives only in the database, made by the migrations: SQLite's FTS5 index of pledges (and
# the shadow tables FTS5 keeps), PostgreSQL's generated tsvector columns, and the index of filter columns by id
# (migration 0011), whose form differs between the databases, and PostgreSQL's index of pledges' places (0014).
# The models do not describe them, so Alembic's comparison of models and database leaves them out.
DATABASE_ONLY_TABLE_PREFIX = "pledge_fts"
DATABASE_ONLY_COLUMNS = frozenset(
    {("pledge", "search_vector"), ("pledge", "title_vector"), ("pledge", "title_summary_vector")}
)
DATABASE_ONLY_INDEXES = frozenset(
    {
        "ix_pledge_search_vector",
        "ix_pledge_title_vector",
        "ix_pledge_title_summary_vector",
        "ix_pledge_by_id",
        "ix_pledge_place_ids",
    }
)


def include_in_migrations(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic's `include_object`: leave out the search index objects that only the database knows."""
    if type_ == "table" and name and name.startswith(DATABASE_ONLY_TABLE_PREFIX):
        return False
    if type_ == "column" and (getattr(obj.table, "name", None), name) in DATABASE_ONLY_COLUMNS:
        return False
    return not (type_ == "index" and name in DATABASE_ONLY_INDEXES)
