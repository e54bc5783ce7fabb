"""Matching the keyword with the full-text index: SQLite's FTS5 table `pledge_fts`, PostgreSQL's `search_vector`
with its GIN index (both made by migration 0001, with stemming).

Every word of the keyword must be in a pledge it finds. Each database answers a match as a set of pledges: FTS5
as the ids of its matches, which SQLite works out once per statement (an uncorrelated `IN`), never one match per
pledge read; PostgreSQL from the GIN index, or by testing the vector of each pledge it reads, whichever its
statistics say is cheaper. Best match asks where the words are, in three tiers (`TITLE`, `TITLE_OR_SUMMARY`,
`ANYWHERE`), each excluding the ones before, so that each tier is a set of its own (`best_match`).
"""

from __future__ import annotations

import re
from typing import Any

from flask import g, has_app_context
from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    TextClause,
    and_,
    column,
    func,
    literal_column,
    select,
    table,
    text,
)

from covenant.extensions import db
from covenant.models import Pledge
from covenant.opportunities.search.visibility import dialect

# Where the words must all be, for each tier of best match.
TITLE, TITLE_OR_SUMMARY, ANYWHERE = 1, 2, 3

# The full-text index of pledges (SQLite).
PLEDGE_FTS = table("pledge_fts", column("rowid", Integer))


def keyword_words(keyword: str) -> list[str]:
    """The keyword's words (letters and digits), at most 32: all of them must appear in a pledge it finds."""
    return re.findall(r"[^\W_]+", keyword)[:32]


def searchable(keyword: str) -> bool:
    """A keyword with no searchable words (only punctuation) does not restrict the search."""
    return bool(keyword_words(keyword))


# A keyword matching fewer pledges than this leads SQLite's search: its matches are read by id, one by one. A
# more common one is tested on each pledge read from a covering index instead (`keyword_leads`).
COMMON_MATCHES = 20_000


def keyword_leads(keyword: str) -> bool:
    """Whether SQLite should read the keyword's matches first, by id, rather than test each live pledge it reads.

    SQLite has no statistics of FTS5 matches, and with its statistics of the pledge table it reads every live
    pledge from a covering index whatever the keyword: for a rare word (a few hundred matches) that costs a
    hundred times what reading its matches by id does, and for a common word (a tenth of all pledges or more)
    reading by id costs more than the covering index. So FTS5 is asked how many match, up to `COMMON_MATCHES`
    (a fraction of a millisecond), once per request. PostgreSQL has the statistics and chooses for itself.
    """
    if dialect() != "sqlite":
        return False
    known: dict[str, bool] = g.setdefault("keyword_leads", {}) if has_app_context() else {}
    if keyword not in known:
        matches = (
            select(PLEDGE_FTS.c.rowid)
            .where(_fts_match(_sqlite_match(keyword), "fts_common"))
            .limit(COMMON_MATCHES)
        )
        found = db.session.scalar(select(func.count()).select_from(matches.subquery()))
        known[keyword] = (found or 0) < COMMON_MATCHES
    return known[keyword]


def keyword_condition(keyword: str, leads: bool = False) -> ColumnElement[bool]:
    """Pledges with all the words anywhere.

    On SQLite, the matches are an uncorrelated list of ids, worked out once per statement when a pledge first
    reaches the test. When `leads`, SQLite reads the pledges of that list by id (`keyword_leads`); otherwise
    the list is kept from leading (SQLite's unary `+`), so that SQLite reads a covering index (in the order a
    page asks for, or every live pledge) and tests each pledge against it. PostgreSQL chooses for itself.
    """
    condition = tier_condition(keyword, ANYWHERE, exclusive=False)
    if dialect() != "sqlite" or leads:
        return condition
    listed = select(PLEDGE_FTS.c.rowid).where(_fts_match(_sqlite_match(keyword), "fts_3_0"))
    return literal_column("+pledge.id", Integer).in_(listed)


def tier_condition(keyword: str, tier: int, exclusive: bool = True) -> ColumnElement[bool]:
    """Pledges with all the words in the title (`TITLE`), in the title and summary (`TITLE_OR_SUMMARY`), or
    anywhere (`ANYWHERE`); when `exclusive`, not those of the tiers before."""
    columns = {TITLE: "title", TITLE_OR_SUMMARY: "title summary", ANYWHERE: ""}
    before = {TITLE: None, TITLE_OR_SUMMARY: "title", ANYWHERE: "title summary"}[tier] if exclusive else None
    if dialect() == "sqlite":
        query = sqlite_tier_query(keyword, tier, exclusive)
        matches = select(PLEDGE_FTS.c.rowid).where(_fts_match(query, f"fts_{tier}_{int(exclusive)}"))
        return Pledge.id.in_(matches)
    matching = _pg_matches(keyword, columns[tier])
    return matching if before is None else and_(matching, ~_pg_matches(keyword, before))


def sqlite_tier_query(keyword: str, tier: int, exclusive: bool = True) -> str:
    """The FTS5 query for a tier (`tier_condition`)."""
    columns = {TITLE: "title", TITLE_OR_SUMMARY: "title summary", ANYWHERE: ""}
    before = {TITLE: None, TITLE_OR_SUMMARY: "title", ANYWHERE: "title summary"}[tier] if exclusive else None
    query = _sqlite_match(keyword, columns[tier])
    return f"({query}) NOT {_sqlite_match(keyword, before)}" if before is not None else query


def led_by_index(keyword: str, tier: int, *columns: Any) -> Select[Any]:
    """`columns` of the pledges in a tier, read from SQLite's FTS5 index in its own order, newest (highest id)
    first, without sorting: for a keyword with many matches, of which the page needs the first few."""
    return (
        select(*columns)
        .select_from(PLEDGE_FTS.join(Pledge, Pledge.id == PLEDGE_FTS.c.rowid))
        .where(_fts_match(sqlite_tier_query(keyword, tier), f"fts_led_{tier}"))
        .order_by(PLEDGE_FTS.c.rowid.desc())
    )


def _sqlite_match(keyword: str, columns: str = "") -> str:
    """An FTS5 query for all the words, each quoted (so nothing is read as an operator), in `columns` if given
    ("title summary") or anywhere."""
    words = " ".join(f'"{word}"' for word in keyword_words(keyword))
    return f"{{{columns}}} : ({words})" if columns else words


def _fts_match(query: str, name: str) -> TextClause:
    """The FTS5 condition `pledge_fts MATCH query`, its query bound under `name`."""
    return text(f"pledge_fts MATCH :{name}").bindparams(**{name: query})


# PostgreSQL's vectors of the title, of the title and summary, and of every text (migrations 0001 and 0004), each
# with its GIN index and its own statistics: the planner knows how many titles hold a word.
VECTORS = {"title": "title_vector", "title summary": "title_summary_vector", "": "search_vector"}


def _pg_matches(keyword: str, columns: str = "") -> ColumnElement[bool]:
    """All the words in `columns` ("title summary") or anywhere. The words are letters and digits only, so none
    is read as an operator."""
    query = func.to_tsquery("english", " & ".join(keyword_words(keyword)))
    return literal_column(f"pledge.{VECTORS[columns]}").op("@@")(query)
