"""Matching the keyword with the full-text index: SQLite's FTS5 table `pledge_fts`, PostgreSQL's `search_vector`
with its GIN index (both made by migration 0001, with stemming).

Every word of the keyword must be in a pledge it finds. Each database answers a match as a set of pledges: FTS5
as the ids of its matches, which SQLite works out once per statement (an uncorrelated `IN`), never one match per
pledge read; PostgreSQL from the GIN index, or by testing the vector of each pledge it reads, whichever its
statistics say is cheaper. Best match asks where the words are, in three tiers (`TITLE`, `TITLE_OR_SUMMARY`,
`ANYWHERE`), each excluding the ones before, so that each tier is a set of its own (`best_match`).

Where the plan is steered, and why: in the statement naming a search's matches, whether the keyword's matches
are read first or the keyword is tested last, on the pledges meeting the rest, is decided before the statement
(`keyword_leads`), from FTS5's count of matches on SQLite, which has no statistics of them, and from the
planner's own estimates on PostgreSQL, whose plans for the one statement all read the wide row of every pledge
they consider, since only it holds the words.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    TextClause,
    and_,
    column,
    event,
    func,
    literal,
    literal_column,
    select,
    table,
    text,
    union_all,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased

from covenant.extensions import db
from covenant.models import Pledge
from covenant.opportunities.search.visibility import dialect
from covenant.vocab import PledgeStatus

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


# On SQLite, a keyword matching fewer pledges than this leads the statement naming a search's matches; a more
# common one is tested only on the pledges that meet the other conditions (`keyword_leads`).
COMMON_MATCHES = 20_000
# On PostgreSQL, what reading a pledge from a covering index costs beside reading its wide row (`keyword_leads`).
COVERING_READ_COST = 0.25


def keyword_leads(keyword: str, others: Callable[[], list[ColumnElement[bool]]]) -> bool:
    """Whether the statement naming the matches should read the keyword's matches first, rather than test the
    keyword only on the pledges that meet the other conditions (made by `others`, when they are needed).

    A rare word's matches (a few hundred) cost little to read whatever else is chosen; a common word's (a fifth of
    all pledges or more) cost more to read than the pledges meeting a place or an outcome area, read from a
    covering index, cost to test. Neither database can weigh this within the one statement, so it is asked
    first, once per request (`filters.search_conditions`; a fraction of a millisecond):

    - SQLite has no statistics of FTS5 matches, and takes a list of ids to be short: FTS5 is asked how many
      match, up to `COMMON_MATCHES`, and a keyword with fewer leads.
    - PostgreSQL's planner estimates both from its statistics (of the words in `search_vector`, and of the
      columns): it is asked for its estimates (`EXPLAIN`) of the keyword's matches, of the pledges meeting the
      rest and of the live pledges, and the keyword leads unless testing it last reads fewer wide rows, counting
      the live pledges read from the covering index at `COVERING_READ_COST` each. It cannot choose this itself:
      the words are in the wide row alone, so every plan it has for the one statement reads the wide row of
      each pledge it considers.
    """
    if dialect() == "sqlite":
        matches = (
            select(PLEDGE_FTS.c.rowid)
            .where(_fts_match(_sqlite_match(keyword), "fts_common"))
            .limit(COMMON_MATCHES)
        )
        return (db.session.scalar(select(func.count()).select_from(matches.subquery())) or 0) < COMMON_MATCHES
    with_words = select(Pledge.id).where(_pg_matches(keyword))
    live = select(Pledge.id).where(Pledge.status == PledgeStatus.PUBLISHED)
    plan = explained(union_all(with_words, select(Pledge.id).where(*others()), live))
    branches = plan[0]["Plan"].get("Plans", [])
    if len(branches) != 3:  # a branch the planner found empty from the statement alone: it decides for itself
        return True
    with_words_rows, others_rows, live_rows = (branch["Plan Rows"] for branch in branches)
    # Testing the words last reads every live pledge from a covering index (each about a quarter of the cost of a
    # wide row) and the wide rows of those meeting the rest; leading reads the wide rows of the word's matches.
    return bool(with_words_rows <= others_rows + live_rows * COVERING_READ_COST)


EXPLAINED = "covenant_explain"


def explained(statement: Any) -> Any:
    """PostgreSQL's plan for a statement (`EXPLAIN (FORMAT JSON)`), with its estimates. The statement is compiled
    as any other, through SQLAlchemy's cache of compiled statements, and sent with the words put before it
    (`_explain_before`): a construct of its own around the statement was compiled afresh each time, which took
    longer than the planner took to answer."""
    return db.session.execute(statement.execution_options(**{EXPLAINED: True})).scalar()


@event.listens_for(Engine, "before_cursor_execute", retval=True)
def _explain_before(
    connection: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
) -> tuple[str, Any]:
    if context is not None and context.execution_options.get(EXPLAINED):
        statement = "EXPLAIN (FORMAT JSON) " + statement
    return statement, parameters


def keyword_condition(keyword: str, leads: bool = False, matches: bool = False) -> ColumnElement[bool]:
    """Pledges with all the words anywhere.

    On SQLite, the matches are an uncorrelated list of ids, worked out once per statement when a pledge first
    reaches the test. When `leads`, SQLite reads the pledges of that list by id (`keyword_leads`); otherwise
    the list is kept from leading (SQLite's unary `+`), so that SQLite reads a covering index (in the order a
    page asks for, or every live pledge) and tests each pledge against it.

    On PostgreSQL the words are tested on the pledge's vector, which only its wide row holds: its planner reads
    a rare word's matches from the GIN index. For a common word in the statement naming the matches (`matches`
    and not `leads`), the test is a subquery run for each pledge that meets the other conditions (`OFFSET 0`
    keeps the planner from turning it into a join): the planner then reads the live pledges from a covering
    index and the wide rows of those alone, where it would read the wide rows of all the word's matches, or of
    every pledge, and test the other conditions there.
    """
    condition = tier_condition(keyword, ANYWHERE, exclusive=False)
    if dialect() != "sqlite":
        if leads or not matches:
            return condition
        candidate = aliased(Pledge, name="candidate")
        vector: ColumnElement[Any] = literal_column(f"candidate.{VECTORS['']}")
        words = func.to_tsquery("english", " & ".join(keyword_words(keyword)))
        return (
            select(literal(1))
            .select_from(candidate)
            .where(candidate.id == Pledge.id, vector.op("@@")(words))
            .offset(0)
            .exists()
        )
    if leads:
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
