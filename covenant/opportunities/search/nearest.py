"""Nearest first: local pledges by the distance to the nearest of their authorities, the most recently added first
at the same distance, then the rest (the chosen place's region's first).

A search with few matches has them sorted (`nearest_order`, each local one's distance worked out from its
authorities). One with many reads rings of authorities instead (`nearest_page`): the nearest authority, then the
nearest 4, 16 and 64, then any, each ring only while the ones before hold too few for the page, and each
authority's matches only as far as the page, newest first from its index of listed pledges. Neither database can
plan that order from statistics: it is an order of authorities, not of pledges, which is why it is written out
here. PostgreSQL reads a ring's authorities one by one (`LATERAL`); SQLite, which has no `LATERAL`, gathers each
authority's matches into a JSON array and spreads them out again.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    null,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import aliased

from covenant.extensions import db
from covenant.models import (
    LocalAuthority,
    Pledge,
    PledgeLocalAuthority,
)
from covenant.opportunities.criteria import Criteria, Place
from covenant.opportunities.search.distance import (
    districts_near,
    squared_distance,
)
from covenant.opportunities.search.filters import (
    count_of,
    filter_conditions,
    in_region,
    place_authorities,
    search_conditions,
)
from covenant.opportunities.search.fulltext import (
    keyword_condition,
    searchable,
)
from covenant.opportunities.search.visibility import dialect, visible
from covenant.vocab import RESULTS_PER_PAGE, Reach

# The rings of nearest local authorities `nearest_page` reads, one after another while they hold too few.

NEAREST_RINGS = (1, 4, 16, 64)


def nearest_page(criteria: Criteria, origin: Place, today: date, page: int) -> list[Any]:
    """The page's rows nearest first: local pledges by the distance to the nearest of their authorities, the most
    recently added first at the same distance, then pledges with no local authority: those across the chosen
    place's region, then the rest (other regions', remote and national), the most recently added first in each.

    Sorting every match by distance would mean working out a distance for each of them (20,000 within 50
    miles of Leeds). Instead the nearest authority is read, then the nearest 4, 16 and 64, then any, each ring
    only while the one before holds fewer matches than the page needs: every pledge outside a ring is further away
    than every pledge in it, so a ring that holds enough holds the page.

    Within a ring, each authority's matches are read newest first (its index of listed pledges, backwards) only
    as far as the page needs, its first `wanted`: a pledge left unread in its nearest authority has `wanted`
    pledges before it in the order, so is not on the page, and a pledge read in a further authority as well is
    placed by the nearest one. Only the authorities in the chosen place are read this way.
    """
    wanted = page * RESULTS_PER_PAGE
    distance = squared_distance(LocalAuthority.latitude, LocalAuthority.longitude, origin)
    # The authorities in the chosen place, nearest first: one outside it lists only pledges that are not found,
    # or are found for being near it some other way (its postcode district), which the last ring reads.
    in_place = place_authorities(criteria)
    ranked = (
        select(
            LocalAuthority.id,
            distance.label("distance"),
            func.row_number().over(order_by=(distance, LocalAuthority.id)).label("rank"),
        )
        .where(in_place(LocalAuthority) if in_place is not None else true())
        .cte("ranked")
        .prefix_with("MATERIALIZED")
    )
    listing, authority = aliased(PledgeLocalAuthority), aliased(LocalAuthority)
    nearest = (
        select(func.min(squared_distance(authority.latitude, authority.longitude, origin)))
        .select_from(listing)
        .join(authority, authority.id == listing.local_authority_id)
        .where(listing.pledge_id == Pledge.id)
        .correlate(Pledge)
        .scalar_subquery()
    )
    # A ring reads few pledges, from its authorities' lists: each one's areas are looked up, and SQLite is kept
    # from reading live pledges through their index instead. The ring's authorities are all in the place, so a
    # local pledge they list is in it: only pledges with a local reach have authorities.
    in_ring = [
        *visible(today, status_index=False),
        *filter_conditions(criteria, today, place=False),
        Pledge.reach == Reach.LOCAL_AUTHORITIES,
    ]
    if searchable(criteria.keyword):
        in_ring.append(keyword_condition(criteria.keyword))
    # A ring authority's first `wanted` matches, newest first (its index of listed pledges, backwards).
    first_matches = (
        select(PledgeLocalAuthority.pledge_id.label("id"))
        .where(PledgeLocalAuthority.local_authority_id == ranked.c.id)
        .order_by(PledgeLocalAuthority.pledge_id.desc())
        .limit(wanted)
        .correlate(ranked)
    )
    if dialect() == "sqlite":
        first_matches = first_matches.join(Pledge, Pledge.id == PledgeLocalAuthority.pledge_id).where(
            *in_ring
        )
    else:
        # PostgreSQL would join the authority's list to every live local pledge (a hash or merge join) and sort,
        # however few the page needs: it reckons looking up each listed pledge by id dearer than it is. As a
        # subquery kept as one (`OFFSET 0`), each listed pledge is looked up in turn, newest first, in the index
        # of filter columns by id, and the reading stops when the page has enough.
        meets = select(literal(1)).where(Pledge.id == PledgeLocalAuthority.pledge_id, *in_ring).offset(0)
        first_matches = first_matches.where(meets.exists())
    # For statements that read pledges by id (from a list, or newest first): on SQLite not through the index of
    # live pledges by status, whose order is the same but which leaves every row to be read from the wide table.
    by_id = search_conditions(criteria, today, status_index=False)
    listed = Pledge.reach == Reach.LOCAL_AUTHORITIES  # a pledge with local authorities
    rings: list[Any] = []
    ring: Any
    short: ColumnElement[bool] = literal(True)  # every ring read so far holds too few
    for size, before in zip((*NEAREST_RINGS, None), (0, *NEAREST_RINGS), strict=True):
        if rings:
            short = and_(short, count_of(rings[-1]) < wanted)
        if size is None:
            # Any authority: the local matches the rings have not read. This ring is read only when every ring
            # before fell short, and a ring falls short only if each of its authorities had fewer matches than
            # the page needs, so every match they list was read. What is left are the pledges listed in
            # authorities past the last ring, and those found by their postcode district: each a list the
            # database reads by id or by district (an index each), not every live pledge tested against them.
            beyond = select(PledgeLocalAuthority.pledge_id).where(
                PledgeLocalAuthority.local_authority_id.in_(
                    select(ranked.c.id).where(ranked.c.rank > NEAREST_RINGS[-1])
                )
            )
            unread = [Pledge.id.in_(beyond)]
            if criteria.distance:
                unread.append(Pledge.postcode_district.in_(districts_near(origin, criteria.distance)))
            no_limit = literal(-1) if dialect() == "sqlite" else null()
            # One statement for each list, so that each database reads it by its index (neither reads an OR of
            # two lists so): a pledge in both is one result, as a pledge in two rings is.
            arms = [
                select(Pledge.id, nearest.label("distance"))
                .where(*by_id, listed, list_of)
                .limit(case((short, no_limit), else_=literal(0)))
                .subquery()
                for list_of in unread
            ]
            ring = union_all(*(select(arm.c.id, arm.c.distance) for arm in arms))
        else:
            # The ring's authorities, while the rings before hold too few and this ring has authorities they
            # have not.
            ring_authorities = and_(ranked.c.rank <= size, short, count_of(ranked) > before)
            if dialect() == "sqlite":
                # SQLite has no LATERAL: each ring authority's first matches are gathered into a JSON array (one
                # per authority), which `json_each` spreads out again.
                first = first_matches.subquery("first")
                gathered = (
                    select(
                        ranked.c.distance,
                        select(func.json_group_array(first.c.id)).scalar_subquery().label("ids"),
                    )
                    .where(ring_authorities)
                    .cte(f"gathered_{len(rings)}")
                    .prefix_with("MATERIALIZED")
                )
                ids = func.json_each(gathered.c.ids).table_valued("value")
                ring = (
                    select(ids.c.value.label("id"), func.min(gathered.c.distance).label("distance"))
                    .select_from(gathered)
                    .join(ids, true())
                    .group_by(ids.c.value)
                )
            else:
                # PostgreSQL reads each ring authority's first matches in turn (LATERAL).
                each = first_matches.lateral("first")
                ring = (
                    select(each.c.id, func.min(ranked.c.distance).label("distance"))
                    .select_from(ranked)
                    .join(each, true())
                    .where(ring_authorities)
                    .group_by(each.c.id)
                )
        rings.append(ring.cte(f"ring_{len(rings)}").prefix_with("MATERIALIZED"))
    # Pledges with no local authority come after every local one: those across the chosen place's region first
    # (when it has one), then the rest; the most recently added first in each.
    unlisted = [*by_id, ~listed]
    region = criteria.where.region if criteria.where is not None else None
    groups: list[tuple[str, ColumnElement[bool]]] = [("elsewhere", true())]
    if region is not None:
        across_region = in_region(region, Reach.REGIONS)
        groups = [("regional", across_region), ("elsewhere", ~across_region)]
    after: list[Any] = []
    for name, group in groups:
        missing = literal(wanted) - sum((count_of(rows) for rows in (rings[-1], *after)), literal(0))
        after.append(
            select(Pledge.id, cast(null(), Float).label("distance"))
            .where(*unlisted, group)
            .order_by(Pledge.id.desc())
            .limit(case((and_(short, missing > 0), missing), else_=literal(0)))
            .cte(name)
            .prefix_with("MATERIALIZED")
        )
    # Local pledges first (0), then the region's (1), then the rest.
    tiers = [(0, rows) for rows in rings] + [(1 + index, rows) for index, rows in enumerate(after)]
    found = union_all(
        *(select(rows.c.id, rows.c.distance, literal(tier).label("tier")) for tier, rows in tiers)
    ).subquery("found")
    # A pledge read in two rings is one result.
    distance_of = func.min(found.c.distance)
    query = (
        select(found.c.id)
        .group_by(found.c.id)
        .order_by(func.min(found.c.tier), distance_of, found.c.id.desc())
        .limit(RESULTS_PER_PAGE)
        .offset(wanted - RESULTS_PER_PAGE)
    )
    return list(db.session.execute(query).all())


def nearest_order(criteria: Criteria, origin: Place, found: ColumnElement[bool]) -> tuple[Any, list[Any]]:
    """The same order as `nearest_page`, for a short list of pledges already found (`found`, a condition on the
    pledge): the pledges joined to each local one's distance, from its nearest authority, and the ORDER BY."""
    listing = (
        select(
            PledgeLocalAuthority.pledge_id,
            func.min(squared_distance(LocalAuthority.latitude, LocalAuthority.longitude, origin)).label(
                "distance"
            ),
        )
        .join(LocalAuthority, LocalAuthority.id == PledgeLocalAuthority.local_authority_id)
        .where(PledgeLocalAuthority.pledge_id.in_(select(Pledge.id).where(found)))
        .group_by(PledgeLocalAuthority.pledge_id)
        .subquery("nearest")
    )
    rows = select(Pledge.id).outerjoin(listing, listing.c.pledge_id == Pledge.id).where(found)
    region = criteria.where.region if criteria.where is not None else None
    regional = in_region(region, Reach.REGIONS) if region is not None else false()
    local = Pledge.reach == Reach.LOCAL_AUTHORITIES
    group = case((local, 0), (regional, 1), else_=2)
    return rows, [group, case((local, listing.c.distance), else_=null()), Pledge.id.desc()]
