"""Full-text matching."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    TextClause,
    column,
    func,
    literal_column,
    select,
    table,
    text,
)

from covenant.models import (
    Pledge,
)
from covenant.opportunities.search.visibility import dialect


def keyword_words(keyword: str) -> list[str]:
    """The keyword's words (letters and digits), at most 32: all of them must appear in a pledge it finds."""
    return re.findall(r"[^\W_]+", keyword)[:32]


def searchable(keyword: str) -> bool:
    """A keyword with no searchable words (only punctuation) does not restrict the search."""
    return bool(keyword_words(keyword))


# The full-text index of pledges (SQLite), made by the baseline migration.

PLEDGE_FTS = table("pledge_fts", column("rowid", Integer))


def sqlite_match(keyword: str, columns: str = "") -> str:
    """An FTS5 query for all the words, each quoted (so nothing is read as an operator), in `columns` if given
    ("title summary") or anywhere."""
    words = " ".join(f'"{word}"' for word in keyword_words(keyword))
    return f"{{{columns}}} : ({words})" if columns else words


def fts_match(query: str, name: str) -> TextClause:
    """The FTS5 condition `pledge_fts MATCH query`, its query bound under `name`."""
    return text(f"pledge_fts MATCH :{name}").bindparams(**{name: query})


def tsquery(keyword: str, weights: str = "") -> ColumnElement[Any]:
    """A PostgreSQL query for all the words, in the parts of the document with these weights if given ("AB":
    title and summary) or anywhere. The words are letters and digits only, so none is read as an operator."""
    suffix = f":{weights}" if weights else ""
    return func.to_tsquery("english", " & ".join(word + suffix for word in keyword_words(keyword)))


def pg_matches(keyword: str, weights: str = "") -> ColumnElement[bool]:
    return literal_column("pledge.search_vector").op("@@")(tsquery(keyword, weights))


def led_by_fts(query: str, name: str, *columns: Any) -> Select[Any]:
    """`columns` of the pledges matching an FTS5 query (bound under `name`), read from the index in its own order,
    newest (highest id) first, without sorting."""
    return (
        select(*columns)
        .select_from(PLEDGE_FTS.join(Pledge, Pledge.id == PLEDGE_FTS.c.rowid))
        .where(fts_match(query, name))
        .order_by(PLEDGE_FTS.c.rowid.desc())
    )


def keyword_condition(keyword: str) -> ColumnElement[bool]:
    """Pledges matching the keyword: FTS5 on SQLite, the tsvector on PostgreSQL."""
    if dialect() == "sqlite":
        return Pledge.id.in_(select(PLEDGE_FTS.c.rowid).where(fts_match(sqlite_match(keyword), "fts_match")))
    return pg_matches(keyword)
