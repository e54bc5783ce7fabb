"""The filters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, Literal

from flask import g, has_app_context
from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    and_,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import aliased, join

from covenant.models import (
    LocalAuthority,
    Pledge,
    PledgeLocalAuthority,
    PledgeOutcomeArea,
    PledgeRegion,
)
from covenant.opportunities.criteria import Criteria
from covenant.opportunities.search.distance import (
    districts_near,
    within_miles,
)
from covenant.opportunities.search.fulltext import (
    keyword_condition,
    searchable,
)
from covenant.opportunities.search.visibility import dialect, visible
from covenant.vocab import CLOSING_SOON_DAYS, Reach

# A search within this many miles, or in one local authority, reads only the pledges listed there.

NARROW_MILES = 10

# How the outcome area and place conditions are written: as lists of every pledge in the area or place, worked

# out once per statement ("none"); so, but each pledge read looked up in its outcome areas and region, whose lists

# would be long ("regions"); or every one a look-up of the pledge in hand ("all"), for a statement that reads few

# pledges, such as one led by the full-text index.
Lookups = Literal["none", "regions", "all"]


def has(*conditions: ColumnElement[bool], within: FromClause | None = None) -> ColumnElement[bool]:
    """Whether a row (of `within`, if given) meets the conditions, for the pledge in hand (and nothing else the
    statement reads): one index probe per pledge.

    Not `EXISTS`, which PostgreSQL may turn into a hash of every matching row (78,000 pledges' outcome areas,
    10 ms) before looking at the few pledges it has in hand.
    """
    rows = select(literal(1))
    if within is not None:
        rows = rows.select_from(within)
    return rows.where(*conditions).correlate(Pledge).limit(1).scalar_subquery().is_not(None)


def count_of(rows: Any, *conditions: ColumnElement[bool]) -> ColumnElement[int]:
    return select(func.count()).select_from(rows).where(*conditions).scalar_subquery()


def in_authority(condition: Callable[[Any], ColumnElement[bool]], correlated: bool) -> ColumnElement[bool]:
    """A local pledge with one of its authorities meeting the condition (made for the authority table given)."""
    listed: ColumnElement[bool]
    if correlated:
        # Its own names for the tables, which the statement around it may read too (`nearest_page`).
        listing, authority = aliased(PledgeLocalAuthority), aliased(LocalAuthority)
        listed = has(
            listing.pledge_id == Pledge.id,
            condition(authority),
            within=join(listing, authority, authority.id == listing.local_authority_id),
        )
    else:
        authorities = select(LocalAuthority.id).where(condition(LocalAuthority))
        listed = Pledge.id.in_(
            select(PledgeLocalAuthority.pledge_id).where(
                PledgeLocalAuthority.local_authority_id.in_(authorities)
            )
        )
    return and_(Pledge.reach == Reach.LOCAL_AUTHORITIES, listed)


def in_region(region: Any, correlated: bool) -> ColumnElement[bool]:
    listed: ColumnElement[bool]
    if correlated:
        listed = has(PledgeRegion.pledge_id == Pledge.id, PledgeRegion.region == region)
    else:
        listed = Pledge.id.in_(select(PledgeRegion.pledge_id).where(PledgeRegion.region == region))
    return and_(Pledge.reach == Reach.REGIONS, listed)


def place_authorities(criteria: Criteria) -> Callable[[Any], ColumnElement[bool]] | None:
    """Which local authorities' pledges are in the chosen place (a condition made for the authority table given):
    those within the distance of it, the chosen authority, or the region's; None for anywhere."""
    origin = criteria.origin
    if criteria.distance and origin is not None:
        miles = criteria.distance
        return lambda authority: within_miles(authority.latitude, authority.longitude, origin, miles)
    if criteria.where is None:
        return None
    if criteria.where.authority_id is not None:
        chosen = criteria.where.authority_id
        return lambda authority: authority.id == chosen
    region = criteria.where.region
    return lambda authority: authority.region == region


def _place_filter(criteria: Criteria, lookups: Lookups) -> ColumnElement[bool] | None:
    """Where: pledges in the chosen place (or within the distance of it), plus remote and national ones."""
    authorities = place_authorities(criteria)
    if authorities is None:
        return None
    origin = criteria.origin
    within = bool(criteria.distance) and origin is not None
    correlated = lookups == "all"
    if not within and criteria.where is not None and criteria.where.authority_id is None:
        # A region holds a ninth of England's pledges: quicker to look up each pledge read than to list them.
        correlated = lookups != "none"
    local = [in_authority(authorities, correlated)]
    if criteria.distance and origin is not None:
        local.append(
            and_(
                Pledge.reach.in_([Reach.LOCAL_AUTHORITIES, Reach.REGIONS]),
                Pledge.postcode_district.in_(districts_near(origin, criteria.distance)),
            )
        )
    if criteria.where is not None and criteria.where.region is not None:
        local.append(in_region(criteria.where.region, correlated))
    if criteria.include_national:
        local.append(Pledge.reach == Reach.NATIONAL)
    if criteria.include_remote:
        local.append(Pledge.reach == Reach.REMOTE)
    return or_(*local)


def _narrow_place(criteria: Criteria) -> bool:
    """A place small enough to list its pledges and read only those, on SQLite: one local authority, or a few
    miles around a place, without remote and national opportunities (which are found from anywhere).

    SQLite, with no statistics, would otherwise read live pledges newest first until it has found enough: quick
    when most are in the place, 50 ms when few of them are. A search for a kind of opportunity reads that kind's
    pledges from their own index instead, which is quicker still: paid work experience within 10 miles of Leeds
    is 4,500 pledges of that kind and pay against 7,000 in and around Leeds. PostgreSQL, which has statistics,
    chooses well for itself.
    """
    if dialect() != "sqlite" or criteria.include_remote or criteria.include_national or criteria.kinds:
        return False
    if criteria.distance and criteria.origin is not None:
        return criteria.distance <= NARROW_MILES
    return criteria.where is not None and criteria.where.authority_id is not None


def _place_pledges(criteria: Criteria) -> Select[Any]:
    """The pledges listed for a narrow place (`_narrow_place`): in its local authorities, in its region, or in
    its postcode districts. The place filter still decides which of them are found."""
    origin = criteria.origin
    listed = Pledge.__table__.alias("listed")
    parts: list[Select[Any]] = []
    if criteria.distance and origin is not None:
        near = within_miles(LocalAuthority.latitude, LocalAuthority.longitude, origin, criteria.distance)
        parts.append(
            select(PledgeLocalAuthority.pledge_id).where(
                PledgeLocalAuthority.local_authority_id.in_(select(LocalAuthority.id).where(near))
            )
        )
        districts = districts_near(origin, criteria.distance)
        parts.append(select(listed.c.id).where(listed.c.postcode_district.in_(districts)))
    elif criteria.where is not None:
        parts.append(
            select(PledgeLocalAuthority.pledge_id).where(
                PledgeLocalAuthority.local_authority_id == criteria.where.authority_id
            )
        )
    if criteria.where is not None and criteria.where.region is not None:
        parts.append(select(PledgeRegion.pledge_id).where(PledgeRegion.region == criteria.where.region))
    return union_all(*parts).subquery("in_place").select()


def search_conditions(
    criteria: Criteria, today: date, keyword: bool = True, lookups: Lookups = "regions"
) -> list[ColumnElement[bool]]:
    """Everything a pledge must meet to be found; the keyword match is left out when `keyword` is false.

    In a narrow place, only the pledges listed there are read, unless the statement is led by the full-text
    index (`lookups` "all"). Made once per request for each way of asking: a search's count and its page use
    the same conditions, and building them (the distances especially) takes SQLAlchemy a few milliseconds.
    """
    if not has_app_context():
        return _build_conditions(criteria, today, keyword, lookups)
    made: dict[Any, list[ColumnElement[bool]]] = g.setdefault("search_conditions", {})
    key = (criteria, today, keyword, lookups)
    if key not in made:
        made[key] = _build_conditions(criteria, today, keyword, lookups)
    return list(made[key])


def _build_conditions(
    criteria: Criteria, today: date, keyword: bool, lookups: Lookups
) -> list[ColumnElement[bool]]:
    narrow = lookups != "all" and _narrow_place(criteria)
    conditions = visible(today, status_index=not narrow)
    if narrow:
        conditions.insert(0, Pledge.id.in_(_place_pledges(criteria)))
    if keyword and searchable(criteria.keyword):
        conditions.append(keyword_condition(criteria.keyword))
    return conditions + filter_conditions(criteria, today, lookups)


def filter_conditions(
    criteria: Criteria, today: date, lookups: Lookups = "regions", place: bool = True
) -> list[ColumnElement[bool]]:
    """The chosen filters, but for the keyword, and but for the place unless `place`."""
    conditions: list[ColumnElement[bool]] = []
    if criteria.kinds:
        conditions.append(Pledge.kind.in_(criteria.kinds))
    # An outcome area's list is long (a fifth to a half of all pledges): building it costs more than looking up
    # the pledges a statement reads, except for PostgreSQL's count, which may read them all ("none").
    if criteria.areas and lookups != "none":
        conditions.append(
            has(PledgeOutcomeArea.pledge_id == Pledge.id, PledgeOutcomeArea.area.in_(criteria.areas))
        )
    elif criteria.areas:
        conditions.append(
            Pledge.id.in_(
                select(PledgeOutcomeArea.pledge_id).where(PledgeOutcomeArea.area.in_(criteria.areas))
            )
        )
    in_place = _place_filter(criteria, lookups) if place else None
    if in_place is not None:
        conditions.append(in_place)
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
