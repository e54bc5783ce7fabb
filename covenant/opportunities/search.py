"""Searching published pledges: one module over SQLite FTS5 and PostgreSQL full-text search.

Every search runs a fixed number of statements whatever the page size: a count, the page itself (with each
pledge's organisation), and one batched load for each of a pledge's lists (outcome areas, regions,
local authorities).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, literal_column, or_, select, text
from sqlalchemy.orm import contains_eager

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
from covenant.opportunities.criteria import Criteria, Place
from covenant.sqltypes import uk_today
from covenant.vocab import RESULTS_PER_PAGE, PledgeStatus, Reach, SearchSort

MILES_PER_DEGREE = 69.0
CLOSING_SOON_DAYS = 14
# Title matches count most, then the summary, then the descriptions.
SQLITE_BM25 = "bm25(pledge_fts, 10.0, 4.0, 1.0, 1.0)"


@dataclass(frozen=True)
class Results:
    """One page of search results."""

    criteria: Criteria
    pledges: list[Pledge]
    total: int
    page: int
    pages: int

    @property
    def first(self) -> int:
        return 0 if not self.total else (self.page - 1) * RESULTS_PER_PAGE + 1

    @property
    def last(self) -> int:
        return min(self.total, self.page * RESULTS_PER_PAGE)


def visible(today: date) -> list[ColumnElement[bool]]:
    """What makes a pledge visible to the public: live, its organisation not suspended, not past its dates.

    Queries using this must join Organisation.
    """
    return [
        Pledge.status == PledgeStatus.PUBLISHED,
        Organisation.suspended_at.is_(None),
        or_(Pledge.closes_on.is_(None), Pledge.closes_on >= today),
        or_(Pledge.ongoing.is_(True), Pledge.ends_on.is_(None), Pledge.ends_on >= today),
    ]


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _sqlite_match(keyword: str) -> str:
    """An FTS5 query: each word quoted (so nothing is read as an operator); all words must appear."""
    return " ".join('"' + word.replace('"', '""') + '"' for word in re.findall(r"\w+", keyword)[:32])


def _with_keyword(query: Select[Any], keyword: str) -> tuple[Select[Any], ColumnElement[Any] | None, bool]:
    """Restrict to pledges matching the keyword; returns (query, rank, higher-rank-is-better).

    A keyword with no searchable words (only punctuation) leaves the query as it was.
    """
    if not re.search(r"\w", keyword):
        return query, None, False
    if _dialect() == "sqlite":
        matches = (
            select(literal_column("rowid").label("pledge_id"), literal_column(SQLITE_BM25).label("rank"))
            .select_from(text("pledge_fts"))
            .where(text("pledge_fts MATCH :fts_match").bindparams(fts_match=_sqlite_match(keyword)))
            .subquery("fts")
        )
        return query.join(matches, matches.c.pledge_id == Pledge.id), matches.c.rank, False
    tsquery = func.websearch_to_tsquery("english", keyword)
    vector: ColumnElement[Any] = literal_column("pledge.search_vector")
    return query.where(vector.op("@@")(tsquery)), func.ts_rank_cd(vector, tsquery, 1), True


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


def _squared_distance(origin: Place) -> ColumnElement[Any]:
    """The nearest of a pledge's places to the origin, in squared degrees (for ordering only)."""
    latitude, longitude = origin.point
    squeeze = math.cos(math.radians(latitude))
    d_lat = LocalAuthority.latitude - latitude
    d_lon = (LocalAuthority.longitude - longitude) * squeeze
    return (
        select(func.min(d_lat * d_lat + d_lon * d_lon))
        .select_from(PledgeLocalAuthority)
        .join(LocalAuthority, LocalAuthority.id == PledgeLocalAuthority.local_authority_id)
        .where(PledgeLocalAuthority.pledge_id == Pledge.id)
        .scalar_subquery()
    )


def _in_authority(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """A local pledge with one of its authorities meeting the condition."""
    return and_(
        Pledge.reach == Reach.LOCAL_AUTHORITIES,
        exists()
        .where(PledgeLocalAuthority.pledge_id == Pledge.id)
        .where(LocalAuthority.id == PledgeLocalAuthority.local_authority_id)
        .where(condition),
    )


def _in_region(region: Any) -> ColumnElement[bool]:
    return and_(
        Pledge.reach == Reach.REGIONS,
        exists().where(PledgeRegion.pledge_id == Pledge.id, PledgeRegion.region == region),
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
                exists()
                .where(PostcodeDistrict.code == Pledge.postcode_district)
                .where(
                    _near(PostcodeDistrict.latitude, PostcodeDistrict.longitude, origin, criteria.distance)
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


def build_query(criteria: Criteria, today: date | None = None) -> tuple[Select[Any], list[Any]]:
    """The filtered query of visible pledges (joined to their organisation) and its ordering."""
    today = today or uk_today()
    query = select(Pledge).join(Pledge.organisation).where(*visible(today))
    query, rank, rank_descending = _with_keyword(query, criteria.keyword)
    if criteria.kinds:
        query = query.where(Pledge.kind.in_(criteria.kinds))
    if criteria.areas:
        query = query.where(
            exists().where(
                PledgeOutcomeArea.pledge_id == Pledge.id, PledgeOutcomeArea.area.in_(criteria.areas)
            )
        )
    place = _place_filter(criteria)
    if place is not None:
        query = query.where(place)
    if criteria.age is not None:
        query = query.where(Pledge.min_age <= criteria.age, Pledge.max_age >= criteria.age)
    if criteria.paid_only:
        query = query.where(Pledge.paid.is_(True))
    if criteria.open_now:
        query = query.where(
            or_(Pledge.places_unlimited.is_(True), Pledge.places_taken < Pledge.places),
            or_(Pledge.closes_on.is_(None), Pledge.closes_on >= today),
        )
    if criteria.closing_soon:
        query = query.where(Pledge.closes_on.between(today, today + timedelta(days=CLOSING_SOON_DAYS)))

    newest = [Pledge.published_at.desc(), Pledge.id.desc()]
    order: list[Any]
    if criteria.sort == SearchSort.RELEVANCE and rank is not None:
        order = [rank.desc() if rank_descending else rank.asc(), *newest]
    elif criteria.sort == SearchSort.CLOSING:
        order = [Pledge.closes_on.is_(None), Pledge.closes_on.asc(), *newest]
    elif criteria.sort == SearchSort.NEAREST and criteria.origin is not None:
        distance = _squared_distance(criteria.origin)
        order = [distance.is_(None), distance.asc(), *newest]
    else:
        order = newest
    return query, order


def search(criteria: Criteria, today: date | None = None) -> Results:
    """One page of the pledges matching the criteria."""
    query, order = build_query(criteria, today)
    total = (
        db.session.scalar(select(func.count()).select_from(query.with_only_columns(Pledge.id).subquery()))
        or 0
    )
    pages = max(1, math.ceil(total / RESULTS_PER_PAGE))
    page = min(criteria.page, pages)
    pledges = list(
        db.session.scalars(
            query.options(contains_eager(Pledge.organisation))
            .order_by(*order)
            .limit(RESULTS_PER_PAGE)
            .offset((page - 1) * RESULTS_PER_PAGE)
        ).unique()
    )
    return Results(criteria=criteria, pledges=pledges, total=total, page=page, pages=pages)


def visible_pledge(pledge_id: int, today: date | None = None) -> Pledge | None:
    """A pledge the public may see, or None."""
    return db.session.scalars(
        select(Pledge).join(Pledge.organisation).where(Pledge.id == pledge_id, *visible(today or uk_today()))
    ).first()
