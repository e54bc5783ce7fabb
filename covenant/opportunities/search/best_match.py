"""Best match: the pledges with all the words in their title first, then those with them in the title or
summary, then the rest; the most recently added first within each.

A search whose matches were all counted has them sorted in that order (`best_match_order`). One with more reads
the order a tier at a time (`best_match_page`), each tier newest first and only as far as the page, and a tier
at all only while the ones before it fall short of the page. So a common word, matching thousands of pledges,
costs what its first page costs, where scoring every match (BM25 on SQLite, `ts_rank` on PostgreSQL) would score
them all. On PostgreSQL each tier is a condition the planner reads from the pledges newest first or from the
tier's GIN index, as its statistics say; on SQLite it is read straight from FTS5, which hands over a query's
matches newest first without sorting: SQLite has no statistics of FTS5 matches to choose that for itself.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import case, literal, select, union_all

from covenant.extensions import db
from covenant.models import Pledge
from covenant.opportunities.criteria import Criteria
from covenant.opportunities.search.filters import count_of, greatest, search_conditions
from covenant.opportunities.search.fulltext import (
    ANYWHERE,
    TITLE,
    TITLE_OR_SUMMARY,
    led_by_index,
    tier_condition,
)
from covenant.opportunities.search.visibility import dialect
from covenant.vocab import RESULTS_PER_PAGE


def best_match_page(criteria: Criteria, today: date, page: int) -> list[Any]:
    """The page's rows by best match, each a pledge's id."""
    wanted = page * RESULTS_PER_PAGE
    conditions = search_conditions(criteria, today, keyword=False, wide=True)
    read: list[Any] = []
    for tier in (TITLE, TITLE_OR_SUMMARY, ANYWHERE):
        # As many as the tiers before fall short by: a limit of 0 reads nothing.
        short = literal(wanted) - sum((count_of(before) for before in read), literal(0))
        columns = (literal(tier).label("tier"), Pledge.id.label("id"))
        rows: Any
        if dialect() == "sqlite":
            # FTS5 hands over a tier's matches newest first without sorting; read so, the page is among the
            # first of them (this search has more matches than were counted).
            rows = led_by_index(criteria.keyword, tier, *columns).where(*conditions)
            rows = rows.limit(greatest(short, 0) if read else wanted)
        else:
            # PostgreSQL plans a limit it cannot know before it runs as a tenth of the rows: for a deep page it
            # chose to read pledges newest first, expecting to stop early, and read them all. So each tier's
            # limit is the page's end, which it plans for, and a tier is not read at all once the tiers before
            # fill the page (a condition it tests once, before reading).
            rows = (
                select(*columns)
                .where(*conditions, tier_condition(criteria.keyword, tier), *([short > 0] if read else []))
                .order_by(Pledge.id.desc())
                .limit(wanted)
            )
        read.append(rows.cte(f"tier_{tier}").prefix_with("MATERIALIZED"))
    best = union_all(*(select(rows.c.tier, rows.c.id) for rows in read)).subquery("best")
    query = (
        select(best.c.id)
        .order_by(best.c.tier, best.c.id.desc())
        .limit(RESULTS_PER_PAGE)
        .offset(wanted - RESULTS_PER_PAGE)
    )
    return list(db.session.execute(query).all())


def best_match_order(keyword: str) -> list[Any]:
    """The same order as `best_match_page`, as an ORDER BY for a short list of pledges already found."""
    tier = case(
        (tier_condition(keyword, TITLE), TITLE),
        (tier_condition(keyword, TITLE_OR_SUMMARY, exclusive=False), TITLE_OR_SUMMARY),
        else_=ANYWHERE,
    )
    return [tier, Pledge.id.desc()]
