"""Searching published pledges: one module over SQLite FTS5 and PostgreSQL full-text search.

Every search runs a fixed number of statements whatever the page size: the search token, a count (stopping
past `COUNT_CAP`; for a search by best match it comes with the page instead), the ids of the page, those
pledges (with each one's organisation), and one batched load each of their regions and local authorities.
A search done again is answered from the search cache (`views.results_listing`, `cache`, `freshness`).

For speed at 100,000 pledges (`make bench`), the conditions are written so that each database works them out
once per search rather than once per pledge: the few suspended organisations, the full-text matches and the
pledges in a place are uncorrelated `IN` lists. The count needs no join at all, and only a search sorted by
best match on SQLite joins the full-text ranks.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, Subquery, and_, false, func, literal_column, or_, select, text
from sqlalchemy.orm import contains_eager, lazyload

from covenant.extensions import db
from covenant.models import (
    LocalAuthority,
    Organisation,
    Pledge,
    PledgeLocalAuthority,
    PledgeOutcomeArea,
    PledgeRegion,
    PostcodeDistrict,
)
from covenant.opportunities.cache import search_cache
from covenant.opportunities.criteria import Criteria, Place, default_sort
from covenant.sqltypes import uk_today
from covenant.vocab import RESULTS_PER_PAGE, PledgeStatus, Reach, SearchSort

MILES_PER_DEGREE = 69.0
CLOSING_SOON_DAYS = 14
# Title matches count most, then the summary, then the descriptions.
SQLITE_BM25 = "bm25(pledge_fts, 10.0, 4.0, 1.0, 1.0)"
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


def visible(today: date) -> list[ColumnElement[bool]]:
    """What makes a pledge visible to the public: live, its organisation not suspended, not past its dates."""
    suspended = select(Organisation.id).where(Organisation.suspended_at.is_not(None))
    return [
        Pledge.status == PledgeStatus.PUBLISHED,
        Pledge.organisation_id.not_in(suspended),
        or_(Pledge.closes_on.is_(None), Pledge.closes_on >= today),
        or_(Pledge.ongoing.is_(True), Pledge.ends_on.is_(None), Pledge.ends_on >= today),
    ]


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _sqlite_match(keyword: str) -> str:
    """An FTS5 query: each word quoted (so nothing is read as an operator); all words must appear."""
    return " ".join('"' + word.replace('"', '""') + '"' for word in re.findall(r"\w+", keyword)[:32])


def _searchable(keyword: str) -> bool:
    """A keyword with no searchable words (only punctuation) does not restrict the search."""
    return bool(re.search(r"\w", keyword))


def _sqlite_matches(keyword: str, *columns: ColumnElement[Any]) -> Select[Any]:
    return (
        select(*columns)
        .select_from(text("pledge_fts"))
        .where(text("pledge_fts MATCH :fts_match").bindparams(fts_match=_sqlite_match(keyword)))
    )


def _keyword_condition(keyword: str) -> ColumnElement[bool]:
    """Pledges matching the keyword: FTS5 on SQLite, the tsvector on PostgreSQL."""
    if _dialect() == "sqlite":
        return Pledge.id.in_(_sqlite_matches(keyword, literal_column("rowid")))
    return literal_column("pledge.search_vector").op("@@")(func.websearch_to_tsquery("english", keyword))


def _sqlite_joined_matches(keyword: str, ranked: bool) -> Subquery:
    """SQLite's matches (with their BM25 rank, lower is better, when `ranked`), to join as the keyword condition.

    `LIMIT -1` (no limit) keeps SQLite from merging the subquery into the join: without statistics its planner
    may otherwise loop over pledges and run the full-text query once for each, hundreds of times slower than
    finding the matches once and looking each one up.
    """
    columns: list[ColumnElement[Any]] = [literal_column("rowid").label("pledge_id")]
    if ranked:
        columns.append(literal_column(SQLITE_BM25).label("rank"))
    return _sqlite_matches(keyword, *columns).limit(-1).subquery("fts")


def _near(latitude_column: Any, longitude_column: Any, origin: Place, miles: float) -> ColumnElement[bool]:
    """Within `miles` of the origin, by an equirectangular approximation: plain arithmetic, so it runs the same
    on SQLite and PostgreSQL, and is accurate to well under a mile at these distances in England."""
    latitude, longitude = origin.point
    degrees = miles / MILES_PER_DEGREE
    squeeze = math.cos(math.radians(latitude))
    return and_(
        latitude_column.between(latitude - degrees, latitude + degrees),
        longitude_column.between(longitude - degrees / squeeze, longitude + degrees / squeeze),
        (latitude_column - latitude) * (latitude_column - latitude)
        + (longitude_column - longitude) * squeeze * (longitude_column - longitude) * squeeze
        <= degrees * degrees,
    )


def _nearest(origin: Place, matching: Select[Any]) -> Subquery:
    """For each matching local pledge, the squared distance (in degrees, for ordering only) from the origin to
    the nearest of its local authorities.

    Worked out in one pass over the matching pledges' authorities, rather than a subquery for every pledge.
    """
    latitude, longitude = origin.point
    squeeze = math.cos(math.radians(latitude))
    d_lat = LocalAuthority.latitude - latitude
    d_lon = (LocalAuthority.longitude - longitude) * squeeze
    return (
        select(PledgeLocalAuthority.pledge_id, func.min(d_lat * d_lat + d_lon * d_lon).label("distance"))
        .join(LocalAuthority, LocalAuthority.id == PledgeLocalAuthority.local_authority_id)
        .where(PledgeLocalAuthority.pledge_id.in_(matching))
        .group_by(PledgeLocalAuthority.pledge_id)
        .subquery("nearest")
    )


def _in_authority(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """A local pledge with one of its authorities meeting the condition."""
    return and_(
        Pledge.reach == Reach.LOCAL_AUTHORITIES,
        Pledge.id.in_(
            select(PledgeLocalAuthority.pledge_id).where(
                PledgeLocalAuthority.local_authority_id.in_(select(LocalAuthority.id).where(condition))
            )
        ),
    )


def _in_region(region: Any) -> ColumnElement[bool]:
    return and_(
        Pledge.reach == Reach.REGIONS,
        Pledge.id.in_(select(PledgeRegion.pledge_id).where(PledgeRegion.region == region)),
    )


def _place_filter(criteria: Criteria) -> ColumnElement[bool] | None:
    """Where: pledges in the chosen place (or within the distance of it), plus remote and national ones."""
    origin = criteria.origin
    if criteria.where is None and not (criteria.distance and origin):
        return None
    local: list[ColumnElement[bool]] = []
    if criteria.distance and origin is not None:
        local.append(
            _in_authority(_near(LocalAuthority.latitude, LocalAuthority.longitude, origin, criteria.distance))
        )
        local.append(
            and_(
                Pledge.reach.in_([Reach.LOCAL_AUTHORITIES, Reach.REGIONS]),
                Pledge.postcode_district.in_(
                    select(PostcodeDistrict.code).where(
                        _near(
                            PostcodeDistrict.latitude, PostcodeDistrict.longitude, origin, criteria.distance
                        )
                    )
                ),
            )
        )
    elif criteria.where is not None and criteria.where.authority_id is not None:
        local.append(_in_authority(LocalAuthority.id == criteria.where.authority_id))
    elif criteria.where is not None:
        local.append(_in_authority(LocalAuthority.region == criteria.where.region))
    if criteria.where is not None and criteria.where.region is not None:
        local.append(_in_region(criteria.where.region))
    if criteria.include_national:
        local.append(Pledge.reach == Reach.NATIONAL)
    if criteria.include_remote:
        local.append(Pledge.reach == Reach.REMOTE)
    return or_(*local) if local else false()


def _conditions(criteria: Criteria, today: date, keyword: bool = True) -> list[ColumnElement[bool]]:
    """Everything a pledge must meet to be found; the keyword match is left out when `keyword` is false."""
    conditions = visible(today)
    if keyword and _searchable(criteria.keyword):
        conditions.append(_keyword_condition(criteria.keyword))
    if criteria.kinds:
        conditions.append(Pledge.kind.in_(criteria.kinds))
    if criteria.areas:
        conditions.append(
            Pledge.id.in_(
                select(PledgeOutcomeArea.pledge_id).where(PledgeOutcomeArea.area.in_(criteria.areas))
            )
        )
    place = _place_filter(criteria)
    if place is not None:
        conditions.append(place)
    if criteria.age is not None:
        conditions += [Pledge.min_age <= criteria.age, Pledge.max_age >= criteria.age]
    if criteria.paid_only:
        conditions.append(Pledge.paid.is_(True))
    if criteria.open_now:
        conditions += [
            or_(Pledge.places_unlimited.is_(True), Pledge.places_taken < Pledge.places),
            or_(Pledge.closes_on.is_(None), Pledge.closes_on >= today),
        ]
    if criteria.closing_soon:
        conditions.append(Pledge.closes_on.between(today, today + timedelta(days=CLOSING_SOON_DAYS)))
    return conditions


def count_query(criteria: Criteria, today: date | None = None, limit: int | None = None) -> Select[Any]:
    """How many pledges match, counting no further than `limit`: from the pledge table alone (and SQLite's
    full-text matches)."""
    today = today or uk_today()
    if _dialect() == "sqlite" and _searchable(criteria.keyword):
        # Counted from the matches: without statistics SQLite would rather walk every live pledge.
        matches = _sqlite_joined_matches(criteria.keyword, ranked=False)
        matching = (
            select(Pledge.id)
            .join(matches, matches.c.pledge_id == Pledge.id)
            .where(*_conditions(criteria, today, keyword=False))
        )
    else:
        matching = select(Pledge.id).where(*_conditions(criteria, today))
    if limit is not None:
        matching = matching.limit(limit)
    return select(func.count()).select_from(matching.subquery("matching"))


def _ordered(criteria: Criteria, today: date, *columns: Any) -> tuple[Select[Any], list[Any]]:
    """The matching pledges' `columns`, with whatever the sort needs joined, and the ordering."""
    relevance = criteria.sort == SearchSort.RELEVANCE and _searchable(criteria.keyword)
    ranked = (
        _sqlite_joined_matches(criteria.keyword, ranked=True)
        if relevance and _dialect() == "sqlite"
        else None
    )
    conditions = _conditions(criteria, today, keyword=ranked is None)
    query = select(*columns).select_from(Pledge).where(*conditions)
    newest = [Pledge.published_at.desc(), Pledge.id.desc()]
    order: list[Any]
    if ranked is not None:
        # Joining the ranked matches is the keyword condition too.
        query = query.join(ranked, ranked.c.pledge_id == Pledge.id)
        order = [ranked.c.rank.asc(), *newest]
    elif relevance:
        tsquery = func.websearch_to_tsquery("english", criteria.keyword)
        order = [func.ts_rank(literal_column("pledge.search_vector"), tsquery, 1).desc(), *newest]
    elif criteria.sort == SearchSort.CLOSING:
        order = [Pledge.closes_on.is_(None), Pledge.closes_on.asc(), *newest]
    elif criteria.sort == SearchSort.NEAREST and criteria.origin is not None:
        # Pledges with no local authority (regional, remote, national) have no distance and come last.
        nearest = _nearest(criteria.origin, select(Pledge.id).where(*conditions))
        query = query.outerjoin(nearest, nearest.c.pledge_id == Pledge.id)
        order = [nearest.c.distance.is_(None), nearest.c.distance.asc(), *newest]
    else:
        order = newest
    return query, order


def build_query(criteria: Criteria, today: date | None = None) -> tuple[Select[Any], list[Any]]:
    """The filtered query of visible pledges (joined to their organisation) and its ordering."""
    query, order = _ordered(criteria, today or uk_today(), Pledge)
    return query.join(Pledge.organisation), order


def _page_rows(criteria: Criteria, today: date, page: int, *columns: Any) -> list[Any]:
    """The page's rows: each pledge's id, then `columns`."""
    query, order = _ordered(criteria, today, Pledge.id, *columns)
    offset = (page - 1) * RESULTS_PER_PAGE
    return list(db.session.execute(query.order_by(*order).limit(RESULTS_PER_PAGE).offset(offset)).all())


def search(criteria: Criteria, today: date, token: str) -> Results:
    """One page of the pledges matching the criteria.

    The count comes from the pledge table and its indexes alone, stopping past `COUNT_CAP`; it is kept for a
    while under the search `token` (`freshness`), so other pages and orders of the same search skip it. Then
    the page's ids, then those pledges with their organisations. A search by best match ranks every match
    anyway, so its page comes with the exact count in one statement.
    """
    cache = search_cache()
    count_key = ("count", token, today.isoformat(), criteria.url_query(page=1, sort=default_sort(criteria)))
    wanted = max(COUNT_CAP, criteria.page * RESULTS_PER_PAGE) + 1
    counted = cache.get(count_key)
    rows: list[Any] = []
    if counted is None and criteria.sort == SearchSort.RELEVANCE and _searchable(criteria.keyword):
        rows = _page_rows(criteria, today, criteria.page, func.count().over())
        if rows:  # empty past the last page: counted below, and the last page shown instead
            counted = (rows[0][1], True)
            cache.put(count_key, counted)
    if counted is None or (not counted[1] and counted[0] < wanted):
        total = db.session.scalar(count_query(criteria, today, limit=wanted)) or 0
        counted = (total, total < wanted)
        cache.put(count_key, counted)
    total, exact = counted
    pages = max(1, math.ceil(total / RESULTS_PER_PAGE))
    page = min(criteria.page, pages)
    ids = [row[0] for row in (rows or _page_rows(criteria, today, page))]

    found = db.session.scalars(
        select(Pledge)
        .join(Pledge.organisation)
        .options(contains_eager(Pledge.organisation), lazyload(Pledge.outcome_area_rows))
        .where(Pledge.id.in_(ids))
    ).unique()
    by_id = {pledge.id: pledge for pledge in found}
    pledges = [by_id[pledge_id] for pledge_id in ids if pledge_id in by_id]
    return Results(criteria=criteria, pledges=pledges, total=total, page=page, pages=pages, exact=exact)


def visible_pledge(pledge_id: int, today: date | None = None) -> Pledge | None:
    """A pledge the public may see, or None."""
    return db.session.scalars(
        select(Pledge).join(Pledge.organisation).where(Pledge.id == pledge_id, *visible(today or uk_today()))
    ).first()
