"""`search()` and `Results`: one page of a search, in a fixed number of statements whatever its size.

The matching ids come first, no more than `COUNT_CAP` (or the page asked for): the database reads them however its
statistics say is cheapest, in no order, with every condition a test of the pledge row (`filters`). When that is
every match, the page is those pledges sorted (`_page_of`): reading them in the page's order from an index would
walk every live pledge to find a few. When there are more, the page is read in its order (newest first or
closing soonest here; best match and nearest first in their own modules) and found soon among so many.

The matches are kept under the search token (`freshness`) for the other pages and orders of the same search; the
rendered list of each page too (`views.results_listing`).
"""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ARRAY, ColumnElement, Integer, Select, any_, bindparam, literal, select, union_all
from sqlalchemy.orm import contains_eager, joinedload, lazyload

from covenant.clock import uk_today
from covenant.extensions import db
from covenant.models import (
    Pledge,
)
from covenant.opportunities.cache import search_cache
from covenant.opportunities.criteria import Criteria, default_sort
from covenant.opportunities.search.best_match import best_match_order, best_match_page
from covenant.opportunities.search.filters import count_of, greatest, search_conditions
from covenant.opportunities.search.fulltext import searchable
from covenant.opportunities.search.nearest import nearest_order, nearest_page
from covenant.opportunities.search.visibility import dialect
from covenant.vocab import RESULTS_PER_PAGE, SearchSort

# Counting stops here (or at the page asked for, if further): nobody reads a thousand results, and counting
# every live pledge would cost more than the rest of the search.
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


def matching_query(criteria: Criteria, today: date | None = None, limit: int | None = None) -> Select[Any]:
    """The ids of the pledges that match, in no order, no more than `limit`."""
    matching = select(Pledge.id).where(*search_conditions(criteria, today or uk_today(), matches=True))
    return matching.limit(limit) if limit is not None else matching


def build_query(criteria: Criteria, today: date | None = None) -> Select[Any]:
    """The filtered query of visible pledges, joined to their organisation, in no order."""
    conditions = search_conditions(criteria, today or uk_today())
    return select(Pledge).where(*conditions).join(Pledge.organisation)


def _newest_page(criteria: Criteria, today: date, page: int) -> list[Any]:
    """The page's rows, the most recently published first: read in that order from an index of live pledges
    (all of them, or those of the kinds chosen), as far as the page."""
    query = (
        select(Pledge.id)
        .where(*search_conditions(criteria, today))
        .order_by(Pledge.published_at.desc(), Pledge.id.desc())
        .limit(RESULTS_PER_PAGE)
        .offset((page - 1) * RESULTS_PER_PAGE)
    )
    return list(db.session.execute(query).all())


def _closing_page(criteria: Criteria, today: date, page: int) -> list[Any]:
    """The page's rows, the soonest to close first (the most recently published first on the same day), then
    those with no closing date, the most recently published first.

    Two reads, each in the order of an index and only as far as the page: the pledges with a closing date from
    the index by closing date (which holds the publication time, so each day's are in order too), then, while
    those fall short, the ones without from the index by publication. Ordering both at once would sort every
    match: "no date last" is an order neither index has on SQLite, where nulls come first.
    """
    wanted = page * RESULTS_PER_PAGE
    conditions = search_conditions(criteria, today)
    dated = (
        select(Pledge.id, literal(0).label("tier"), Pledge.closes_on, Pledge.published_at)
        .where(*conditions, Pledge.closes_on.is_not(None))
        .order_by(Pledge.closes_on, Pledge.published_at.desc(), Pledge.id.desc())
        .limit(wanted)
        .cte("dated")
        .prefix_with("MATERIALIZED")
    )
    short = literal(wanted) - count_of(dated)
    undated = (
        select(Pledge.id, literal(1).label("tier"), Pledge.closes_on, Pledge.published_at)
        .where(*conditions, Pledge.closes_on.is_(None))
        .order_by(Pledge.published_at.desc(), Pledge.id.desc())
        .limit(greatest(short, 0))
        .cte("undated")
        .prefix_with("MATERIALIZED")
    )
    both = union_all(
        *(select(rows.c.id, rows.c.tier, rows.c.closes_on, rows.c.published_at) for rows in (dated, undated))
    ).subquery("closing")
    query = (
        select(both.c.id)
        .order_by(both.c.tier, both.c.closes_on, both.c.published_at.desc(), both.c.id.desc())
        .limit(RESULTS_PER_PAGE)
        .offset(wanted - RESULTS_PER_PAGE)
    )
    return list(db.session.execute(query).all())


def _page_of(criteria: Criteria, ids: array[int], page: int) -> list[Any]:
    """The page's rows of the pledges found, in the order chosen: the count has named them all, so they are
    read by id and sorted, however few of the pledges they are."""
    found = among(ids)
    rows = select(Pledge.id).where(found)
    order: list[Any]
    if criteria.sort == SearchSort.RELEVANCE and searchable(criteria.keyword):
        order = best_match_order(criteria.keyword)
    elif criteria.sort == SearchSort.NEAREST and criteria.origin is not None:
        rows, order = nearest_order(criteria, criteria.origin, found)
    elif criteria.sort == SearchSort.CLOSING:
        order = [Pledge.closes_on.is_(None), Pledge.closes_on, Pledge.published_at.desc(), Pledge.id.desc()]
    else:
        order = [Pledge.published_at.desc(), Pledge.id.desc()]
    query = rows.order_by(*order).limit(RESULTS_PER_PAGE).offset((page - 1) * RESULTS_PER_PAGE)
    return list(db.session.execute(query).all())


def among(ids: array[int]) -> ColumnElement[bool]:
    """The pledge is one of these: on PostgreSQL one array parameter, which it plans at once however long."""
    if dialect() == "postgresql":
        return Pledge.id == any_(bindparam("found_ids", list(ids), type_=ARRAY(Integer)))
    return Pledge.id.in_(list(ids))


def _page_rows(criteria: Criteria, today: date, page: int) -> list[Any]:
    """The page's rows of a search with more matches than were counted, each a pledge's id, in the order chosen:
    read in that order, as far as the page."""
    if criteria.sort == SearchSort.RELEVANCE and searchable(criteria.keyword):
        return best_match_page(criteria, today, page)
    if criteria.sort == SearchSort.NEAREST and criteria.origin is not None:
        return nearest_page(criteria, criteria.origin, today, page)
    if criteria.sort == SearchSort.CLOSING:
        return _closing_page(criteria, today, page)
    return _newest_page(criteria, today, page)


def search(criteria: Criteria, today: date, token: str) -> Results:
    """One page of the pledges matching the criteria.

    First the matches, as far as `COUNT_CAP` (or the page asked for): their ids, from the pledge table and its
    indexes alone. When that is all of them, the page is those pledges sorted, whichever way the database found
    them; when there are more, it is read in order (`_page_rows`), which finds it soon among so many. The matches
    are kept for a while under the search `token` (`freshness`), so other pages and orders of the same search
    skip them. Then those pledges with their organisations.
    """
    cache = search_cache()
    key = ("matches", token, today.isoformat(), criteria.url_query(page=1, sort=default_sort(criteria)))
    wanted = max(COUNT_CAP, criteria.page * RESULTS_PER_PAGE) + 1
    matched: tuple[int, bool, array[int] | None] | None = cache.get(key)
    if matched is None or (not matched[1] and matched[0] < wanted):
        found_ids = array("i", db.session.scalars(matching_query(criteria, today, limit=wanted)))
        exact = len(found_ids) < wanted
        matched = (len(found_ids), exact, found_ids if exact and len(found_ids) <= COUNT_CAP else None)
        cache.put(key, matched)
    total, exact, all_ids = matched
    pages = max(1, math.ceil(total / RESULTS_PER_PAGE))
    page = min(criteria.page, pages)
    if not total:
        return Results(criteria=criteria, pledges=[], total=0, page=1, pages=1)
    rows = _page_of(criteria, all_ids, page) if all_ids is not None else _page_rows(criteria, today, page)
    ids = [row[0] for row in rows]

    found = db.session.scalars(
        select(Pledge)
        .join(Pledge.organisation)
        .options(
            contains_eager(Pledge.organisation),
            lazyload(Pledge.outcome_area_rows),
            joinedload(Pledge.district),  # for "3 miles away" (`distance.pledge_miles`)
        )
        .where(Pledge.id.in_(ids))
    ).unique()
    by_id = {pledge.id: pledge for pledge in found}
    pledges = [by_id[pledge_id] for pledge_id in ids if pledge_id in by_id]
    return Results(criteria=criteria, pledges=pledges, total=total, page=page, pages=pages, exact=exact)
