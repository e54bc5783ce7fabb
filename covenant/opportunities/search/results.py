"""search() and Results."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    Select,
    func,
    select,
)
from sqlalchemy.orm import contains_eager, lazyload

from covenant.extensions import db
from covenant.models import (
    Pledge,
)
from covenant.opportunities.cache import search_cache
from covenant.opportunities.criteria import Criteria, default_sort
from covenant.opportunities.search.best_match import best_match_page
from covenant.opportunities.search.filters import (
    Lookups,
    search_conditions,
)
from covenant.opportunities.search.fulltext import (
    led_by_fts,
    searchable,
    sqlite_match,
)
from covenant.opportunities.search.nearest import nearest_page
from covenant.opportunities.search.visibility import dialect
from covenant.sqltypes import uk_today
from covenant.vocab import RESULTS_PER_PAGE, SearchSort

# Counting stops here (or at the page asked for, if further): nobody reads a thousand results, and counting

# all 100,000 live pledges would cost more than the rest of the search.

COUNT_CAP = 1_000


@dataclass(frozen=True)
class Results:
    """One page of search results.

    `total` is exact when `exact`; otherwise at least that many match (counting stops past `COUNT_CAP`, or
    past the page asked for) and the page says "more than".
    """

    criteria: Criteria
    pledges: list[Pledge]
    total: int
    page: int
    pages: int
    exact: bool = True

    @property
    def first(self) -> int:
        return 0 if not self.total else (self.page - 1) * RESULTS_PER_PAGE + 1

    @property
    def last(self) -> int:
        return min(self.total, self.page * RESULTS_PER_PAGE)

    @property
    def found_text(self) -> str:
        """ "240", "more than 1,000"."""
        return f"{self.total:,}" if self.exact else f"more than {COUNT_CAP:,}"

    @property
    def count_text(self) -> str:
        """ "No opportunities found", "1 opportunity", "More than 1,000 opportunities"."""
        if not self.total:
            return "No opportunities found"
        if self.total == 1:
            return "1 opportunity"
        return f"{self.found_text.capitalize()} opportunities"


def count_query(criteria: Criteria, today: date | None = None, limit: int | None = None) -> Select[Any]:
    """How many pledges match, counting no further than `limit`: from the pledge table alone or, for a keyword
    on SQLite, led by the full-text index."""
    today = today or uk_today()
    if dialect() == "sqlite" and searchable(criteria.keyword):
        # Led by the index, in its own order: without statistics, and without that order to keep, SQLite would
        # rather walk every live pledge and look each one up in the index.
        matching = led_by_fts(sqlite_match(criteria.keyword), "fts_match", Pledge.id).where(
            *search_conditions(criteria, today, keyword=False, lookups="all")
        )
    else:
        # PostgreSQL counts a region from its list, hashed once, rather than look up each pledge it reads.
        lookups: Lookups = "regions" if dialect() == "sqlite" else "none"
        matching = select(Pledge.id).where(*search_conditions(criteria, today, lookups=lookups))
    if limit is not None:
        matching = matching.limit(limit)
    return select(func.count()).select_from(matching.subquery("matching"))


def _ordered(criteria: Criteria, today: date, *columns: Any) -> tuple[Select[Any], list[Any]]:
    """The matching pledges' `columns` and their ordering: closing soonest, or newest first (also for best match
    and nearest first, which `best_match_page` and `nearest_page` read other ways)."""
    conditions = search_conditions(criteria, today)
    query = select(*columns).select_from(Pledge).where(*conditions)
    newest = [Pledge.published_at.desc(), Pledge.id.desc()]
    order: list[Any]
    if criteria.sort == SearchSort.CLOSING:
        order = [Pledge.closes_on.is_(None), Pledge.closes_on.asc(), *newest]
    else:
        order = newest
    return query, order


def build_query(criteria: Criteria, today: date | None = None) -> Select[Any]:
    """The filtered query of visible pledges, joined to their organisation, in no order."""
    query, _ = _ordered(criteria, today or uk_today(), Pledge)
    return query.join(Pledge.organisation)


def _page_rows(criteria: Criteria, today: date, page: int) -> list[Any]:
    """The page's rows, each a pledge's id."""
    if criteria.sort == SearchSort.RELEVANCE and searchable(criteria.keyword):
        return best_match_page(criteria, today, page)
    if criteria.sort == SearchSort.NEAREST and criteria.origin is not None:
        return nearest_page(criteria, criteria.origin, today, page)
    query, order = _ordered(criteria, today, Pledge.id)
    offset = (page - 1) * RESULTS_PER_PAGE
    return list(db.session.execute(query.order_by(*order).limit(RESULTS_PER_PAGE).offset(offset)).all())


def search(criteria: Criteria, today: date, token: str) -> Results:
    """One page of the pledges matching the criteria.

    The count comes from the pledge table and its indexes alone, stopping past `COUNT_CAP`; it is kept for a
    while under the search `token` (`freshness`), so other pages and orders of the same search skip it. Then
    the page's ids, then those pledges with their organisations.
    """
    cache = search_cache()
    count_key = ("count", token, today.isoformat(), criteria.url_query(page=1, sort=default_sort(criteria)))
    wanted = max(COUNT_CAP, criteria.page * RESULTS_PER_PAGE) + 1
    counted = cache.get(count_key)
    if counted is None or (not counted[1] and counted[0] < wanted):
        total = db.session.scalar(count_query(criteria, today, limit=wanted)) or 0
        counted = (total, total < wanted)
        cache.put(count_key, counted)
    total, exact = counted
    pages = max(1, math.ceil(total / RESULTS_PER_PAGE))
    page = min(criteria.page, pages)
    if not total:  # nothing to read: the page would be read through every live pledge to find nothing
        return Results(criteria=criteria, pledges=[], total=0, page=1, pages=1)
    ids = [row[0] for row in _page_rows(criteria, today, page)]

    found = db.session.scalars(
        select(Pledge)
        .join(Pledge.organisation)
        .options(contains_eager(Pledge.organisation), lazyload(Pledge.outcome_area_rows))
        .where(Pledge.id.in_(ids))
    ).unique()
    by_id = {pledge.id: pledge for pledge in found}
    pledges = [by_id[pledge_id] for pledge_id in ids if pledge_id in by_id]
    return Results(criteria=criteria, pledges=pledges, total=total, page=page, pages=pages, exact=exact)
