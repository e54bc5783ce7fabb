"""Best match."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import (
    Select,
    and_,
    case,
    func,
    literal,
    or_,
    select,
    union_all,
)

from covenant.extensions import db
from covenant.models import (
    Pledge,
)
from covenant.opportunities.criteria import Criteria
from covenant.opportunities.search.filters import (
    count_of,
    filter_conditions,
    search_conditions,
)
from covenant.opportunities.search.fulltext import (
    led_by_fts,
    pg_matches,
    sqlite_match,
)
from covenant.opportunities.search.visibility import dialect, visible
from covenant.vocab import RESULTS_PER_PAGE

# PostgreSQL reads best match from this many of the newest live pledges when they hold the page (`_best_pg`).

RECENT_WINDOW = 1_000

# Where the words must all be, for each place in the best-match order (`best_match_page`).
TITLE, TITLE_OR_SUMMARY, ANYWHERE = 1, 2, 3


def _best_sqlite(criteria: Criteria, today: date, wanted: int) -> Select[Any]:
    """SQLite's first `wanted` pledges by best match, as (tier, id) rows.

    FTS5 hands over a query's matches newest (highest id) first without sorting them, so each tier is read a few
    rows at a time until it has `wanted`, and a tier is read at all only while the ones before it fall short.
    The tiers exclude one another (`NOT`), so each match is looked up once however many tiers are read.
    """
    keyword = criteria.keyword
    conditions = search_conditions(criteria, today, keyword=False, lookups="all")
    tiers = [
        (TITLE, sqlite_match(keyword, "title")),
        (
            TITLE_OR_SUMMARY,
            f"{sqlite_match(keyword, 'title summary')} NOT {sqlite_match(keyword, 'title')}",
        ),
        (ANYWHERE, f"({sqlite_match(keyword)}) NOT {sqlite_match(keyword, 'title summary')}"),
    ]
    read: list[Any] = []
    for tier, match in tiers:
        # As many as the tiers before fall short by: a limit of 0 skips the tier before its index is opened.
        short = literal(wanted) - sum((count_of(before) for before in read), literal(0))
        read.append(
            led_by_fts(match, f"tier_{tier}", literal(tier).label("tier"), Pledge.id.label("id"))
            .where(*conditions)
            .limit(func.max(short, 0) if read else wanted)
            .cte(f"tier_{tier}")
            .prefix_with("MATERIALIZED")
        )
    return union_all(*(select(rows.c.tier, rows.c.id) for rows in read)).subquery("best").select()


def _best_pg(criteria: Criteria, today: date, wanted: int) -> Select[Any]:
    """PostgreSQL's first `wanted` pledges by best match, as (tier, id) rows.

    A GIN index gives matches in no order, so the newest `RECENT_WINDOW` live pledges are read first, newest
    first by the primary key, and each one's tier worked out from its own search vector. When that window holds
    `wanted` title matches (or is every live pledge) it is the answer; otherwise, and only then, every match is
    read through the GIN index and sorted. The window looks up each of its pledges' areas and places; reading
    every match, PostgreSQL lists the pledges in them once instead.
    """
    keyword = criteria.keyword
    filters = filter_conditions(criteria, today, lookups="all")
    tier = case(
        (pg_matches(keyword, "A"), literal(TITLE)),
        (pg_matches(keyword, "AB"), literal(TITLE_OR_SUMMARY)),
        else_=literal(ANYWHERE),
    )
    recent = (
        select(Pledge.id, case((and_(pg_matches(keyword), *filters), tier), else_=None).label("tier"))
        .where(*visible(today))
        .order_by(Pledge.id.desc())
        .limit(RECENT_WINDOW)
        .cte("recent")
        .prefix_with("MATERIALIZED")
    )
    window_holds_it = or_(
        count_of(recent) < RECENT_WINDOW, count_of(recent, recent.c.tier == TITLE) >= wanted
    )
    from_window = select(recent.c.tier, recent.c.id).where(recent.c.tier.is_not(None), window_holds_it)
    from_index = (
        select(tier.label("tier"), Pledge.id)
        .where(
            *visible(today),
            pg_matches(keyword),
            *filter_conditions(criteria, today, lookups="none"),
            ~window_holds_it,
        )
        .order_by(tier, Pledge.id.desc())
        .limit(wanted)
    )
    return union_all(from_window, from_index).subquery("best").select()


def best_match_page(criteria: Criteria, today: date, page: int) -> list[Any]:
    """The page's rows by best match: all the words in the title first, then in the title and summary, then
    anywhere; the most recently added first within each."""
    wanted = page * RESULTS_PER_PAGE
    best = (_best_sqlite if dialect() == "sqlite" else _best_pg)(criteria, today, wanted).subquery("page")
    query = (
        select(best.c.id)
        .order_by(best.c.tier, best.c.id.desc())
        .limit(RESULTS_PER_PAGE)
        .offset(wanted - RESULTS_PER_PAGE)
    )
    return list(db.session.execute(query).all())
