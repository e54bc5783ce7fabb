"""What a pledge must meet to be found: the visibility rule, the keyword and every filter, as conditions on the
pledge row.

Every filter but a local authority's list tests columns of the pledge itself, and the search's covering indexes
hold them all (`SEARCH_FILTER_COLUMNS` in covenant/models/pledge.py): its kind, ages, pay, places and closing date,
and its outcome areas and regions as bits (`bits`). So whichever way a statement reads pledges (newest first,
by closing date, by kind, by id from the full-text index or from an authority's list), it tests each one with
values already in hand, and the database's planner, not this module, chooses that way from its statistics.

The pledges listed in some local authorities, and the postcode districts within a distance, are uncorrelated
`IN` lists: each database works such a list out once per statement (a few thousand ids at most), then tests each
pledge against it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from flask import g, has_app_context
from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    any_,
    false,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)

from covenant.extensions import db
from covenant.models import LocalAuthority, Pledge, PledgeLocalAuthority, PostcodeDistrict
from covenant.opportunities.criteria import Criteria
from covenant.opportunities.search.bits import (
    NATIONAL_PLACE,
    REGION_BIT,
    REGION_PLACE,
    REMOTE_PLACE,
    area_bits,
    has_any,
)
from covenant.opportunities.search.distance import districts_near, within_miles
from covenant.opportunities.search.fulltext import keyword_condition, keyword_leads, searchable
from covenant.opportunities.search.visibility import dialect, visible
from covenant.vocab import CLOSING_SOON_DAYS, Reach, Region


def search_conditions(
    criteria: Criteria,
    today: date,
    keyword: bool = True,
    matches: bool = False,
    status_index: bool = True,
    wide: bool = False,
) -> list[ColumnElement[bool]]:
    """Everything a pledge must meet to be found; the keyword match is left out when `keyword` is false.

    `matches` is for the statement that names the matches in no order: on SQLite a rare keyword's matches lead
    it (`keyword_leads`). A statement that reads a page in an order reads it from an index in that order.

    On PostgreSQL, a statement that reads each pledge's wide row anyway (it tests the keyword, or `wide`: a tier
    of best match) tests the place on the row's `place_ids` (`indexed_place`), which the planner can read from
    its GIN index and combine with the keyword's; the others test the place with lists of ids, on the columns of
    a covering index.

    Made once per request: a search's count and its page use the same conditions, and building them (the
    distances especially) takes SQLAlchemy a few milliseconds.
    """
    if not has_app_context():
        return _build(criteria, today, keyword, matches, status_index, wide)
    made: dict[Any, list[ColumnElement[bool]]] = g.setdefault("search_conditions", {})
    key = (criteria, today, keyword, matches, status_index, wide)
    if key not in made:
        made[key] = _build(criteria, today, keyword, matches, status_index, wide)
    return list(made[key])


def _build(
    criteria: Criteria, today: date, keyword: bool, matches: bool, status_index: bool, wide: bool
) -> list[ColumnElement[bool]]:
    words = keyword and searchable(criteria.keyword)
    # On PostgreSQL, a statement testing the words reads wide rows whatever the plan, so the place is tested on
    # the row too, where an index can find it; the keyword then leads, and the planner weighs the two itself.
    indexed = dialect() == "postgresql" and bool(words or wide) and has_place(criteria)
    # The tests of the pledge's own columns first, then the lists (the place's, the keyword's, the suspended
    # organisations'), each built once per statement when a pledge first reaches it: SQLite tests a row's
    # conditions in the order written and stops at the first that fails. In the statement naming the matches, a
    # keyword whose matches are fewer than the pledges meeting the rest leads (`keyword_leads`): on SQLite read by
    # id, not through the index of live pledges; otherwise it is tested last, on the pledges that meet the rest.
    leads = (
        words
        and matches
        and (
            indexed
            or keyword_leads(criteria.keyword, lambda: search_conditions(criteria, today, keyword=False))
        )
    )
    *own, not_suspended = visible(today, status_index=status_index and not leads)
    conditions = own + filter_conditions(criteria, today, place=not indexed)
    if indexed:
        conditions.append(indexed_place(criteria))
    if words:
        conditions.append(keyword_condition(criteria.keyword, leads, matches))
    return [*conditions, not_suspended]


def filter_conditions(criteria: Criteria, today: date, place: bool = True) -> list[ColumnElement[bool]]:
    """The chosen filters, but for the keyword, and but for the place unless `place`: the tests of the pledge's
    own columns first, the place (which may read lists of pledges and postcode districts) last."""
    conditions: list[ColumnElement[bool]] = []
    if criteria.kinds:
        conditions.append(Pledge.kind.in_(criteria.kinds))
    if criteria.areas:
        conditions.append(has_any(Pledge.outcome_area_bits, area_bits(criteria.areas)))
    if criteria.age is not None:
        conditions += [Pledge.min_age <= criteria.age, Pledge.max_age >= criteria.age]
    if criteria.paid_only:
        conditions.append(Pledge.paid.is_(True))
    if criteria.open_now:
        conditions.append(or_(Pledge.places_unlimited.is_(True), Pledge.places_taken < Pledge.places))
    if criteria.closing_soon:
        conditions.append(Pledge.closes_on.between(today, today + timedelta(days=CLOSING_SOON_DAYS)))
    in_place = place_condition(criteria) if place else None
    if in_place is not None:
        conditions.append(in_place)
    return conditions


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


def in_region(region: Region, reach: Reach | None = None) -> ColumnElement[bool]:
    """Offered in the region: a regional pledge listing it, or a local pledge with an authority in it (only
    those of `reach`, if given)."""
    offered = has_any(Pledge.region_bits, REGION_BIT[region])
    return and_(Pledge.reach == reach, offered) if reach is not None else offered


def has_place(criteria: Criteria) -> bool:
    """A place is chosen: a council area or region, or a distance from a point."""
    return criteria.where is not None or (bool(criteria.distance) and criteria.origin is not None)


def indexed_place(criteria: Criteria) -> ColumnElement[bool]:
    """`place_condition` as a test of the pledge's `place_ids` (PostgreSQL, GIN-indexed) and its postcode
    district, each against a list of values the planner sees (`places_of`): it estimates how many pledges
    are in the place from its statistics of each value, and reads them from the indexes as bitmaps it can
    combine with the keyword's."""
    keys, districts = places_of(criteria)
    tests: list[ColumnElement[bool]] = []
    if keys:
        tests.append(Pledge.place_ids.bool_op("&&")(literal(sorted(keys), ARRAY(Integer))))
    if districts:
        tests.append(
            and_(
                Pledge.reach.in_([Reach.LOCAL_AUTHORITIES, Reach.REGIONS]),
                Pledge.postcode_district == any_(literal(sorted(districts), ARRAY(String))),
            )
        )
    return or_(*tests) if tests else false()


def places_of(criteria: Criteria) -> tuple[set[int], set[str]]:
    """The numbers (`bits.place_ids_of`) of the place's authorities (`place_authorities`) and region, and of
    England and remote if wanted, and the postcode districts within the distance: the same pledges as
    `place_condition`. The authorities and districts are read in one statement, once per request."""
    where, origin = criteria.where, criteria.origin
    keys: set[int] = set()
    if where is not None and where.region is not None:
        keys.add(REGION_PLACE[where.region])
    if criteria.include_national:
        keys.add(NATIONAL_PLACE)
    if criteria.include_remote:
        keys.add(REMOTE_PLACE)
    read: dict[Criteria, list[Any]] = g.setdefault("search_places", {})
    if criteria not in read:
        lookups: list[Select[Any, Any]] = []
        authorities = place_authorities(criteria)
        if authorities is not None:
            lookups.append(select(LocalAuthority.id, null()).where(authorities(LocalAuthority)))
        if criteria.distance and origin is not None:
            lookups.append(
                districts_near(origin, criteria.distance).with_only_columns(null(), PostcodeDistrict.code)
            )
        read[criteria] = list(db.session.execute(union_all(*lookups)))
    districts: set[str] = set()
    for authority_id, district in read[criteria]:
        if authority_id is not None:
            keys.add(authority_id)
        else:
            districts.add(district)
    return keys, districts


def place_condition(criteria: Criteria) -> ColumnElement[bool] | None:
    """Where: pledges in the chosen place (or within the distance of it), plus remote and national ones if
    wanted; None for anywhere."""
    if not has_place(criteria):
        return None
    where, origin = criteria.where, criteria.origin
    near = bool(criteria.distance) and origin is not None
    local: list[ColumnElement[bool]] = []
    if where is not None and where.authority_id is None and where.region is not None and not near:
        local.append(in_region(where.region))  # a whole region: its local and regional pledges alike
    else:
        authorities = place_authorities(criteria)
        if authorities is not None:
            local.append(listed_in(authorities))
        if where is not None and where.region is not None:
            local.append(in_region(where.region, Reach.REGIONS))
    if near and origin is not None and criteria.distance:
        local.append(
            and_(
                Pledge.reach.in_([Reach.LOCAL_AUTHORITIES, Reach.REGIONS]),
                Pledge.postcode_district.in_(districts_near(origin, criteria.distance)),
            )
        )
    if criteria.include_national:
        local.append(Pledge.reach == Reach.NATIONAL)
    if criteria.include_remote:
        local.append(Pledge.reach == Reach.REMOTE)
    return or_(*local)


def listed_in(authorities: Callable[[Any], ColumnElement[bool]]) -> ColumnElement[bool]:
    """A local pledge listing one of the authorities meeting the condition: the ids listed there, worked out once
    per statement."""
    chosen = select(LocalAuthority.id).where(authorities(LocalAuthority))
    listed = select(PledgeLocalAuthority.pledge_id).where(PledgeLocalAuthority.local_authority_id.in_(chosen))
    return and_(Pledge.reach == Reach.LOCAL_AUTHORITIES, Pledge.id.in_(listed))


def count_of(rows: Any, *conditions: ColumnElement[bool]) -> ColumnElement[int]:
    """How many of `rows` (a CTE or subquery) meet the conditions, as a scalar."""
    return select(func.count()).select_from(rows).where(*conditions).scalar_subquery()


def greatest(value: ColumnElement[Any], floor: int) -> ColumnElement[Any]:
    """`value`, or `floor` if it is less (a limit that is never negative)."""
    name = "max" if dialect() == "sqlite" else "greatest"
    return getattr(func, name)(value, literal(floor))
