"""Searching published pledges: one module over SQLite FTS5 and PostgreSQL full-text search.

Every search runs a fixed number of statements whatever the page size: the search token, a count (stopping
past `COUNT_CAP`), the ids of the page, those pledges (with each one's organisation), and one batched load each
of their regions and local authorities. A search done again is answered from the search cache
(`views.results_listing`, `cache`, `freshness`).

Best match puts pledges with all the words in their title first, then those with them in the title and summary,
then the rest; the most recently added first within each. That order can be read off the full-text index a few
rows at a time, where scoring every match (BM25 or `ts_rank`) cannot: a common word matches 14,000 of the
bench's 100,000 pledges, and scoring them all took 25 to 60 ms on its own (`make bench`, README).

For speed at 100,000 pledges, the other conditions are mostly written so that each database works them out
once per statement rather than once per pledge: the few suspended organisations and the pledges in an outcome
area or a place are uncorrelated `IN` lists. Where few pledges are read (the full-text index leads, a few rows
at a time) or the list would be long (a region), each pledge read is looked up instead (`Lookups`). SQLite,
which has no statistics, is told to read only the pledges listed in a small place (`_narrow_place`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from flask import g, has_app_context
from sqlalchemy import (
    ColumnElement,
    Float,
    FromClause,
    Integer,
    Select,
    String,
    TextClause,
    and_,
    case,
    cast,
    column,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    table,
    text,
    true,
    union_all,
)
from sqlalchemy.orm import aliased, contains_eager, join, lazyload

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
from covenant.vocab import CLOSING_SOON_DAYS, RESULTS_PER_PAGE, PledgeStatus, Reach, SearchSort

MILES_PER_DEGREE = 69.0
# PostgreSQL reads best match from this many of the newest live pledges when they hold the page (`_best_pg`).
RECENT_WINDOW = 1_000
# Counting stops here (or at the page asked for, if further): nobody reads a thousand results, and counting
# all 100,000 live pledges would cost more than the rest of the search.
COUNT_CAP = 1_000
# A search within this many miles, or in one local authority, reads only the pledges listed there.
NARROW_MILES = 10

# How the outcome area and place conditions are written: as lists of every pledge in the area or place, worked
# out once per statement ("none"); so, but each pledge read looked up in its outcome areas and region, whose lists
# would be long ("regions"); or every one a look-up of the pledge in hand ("all"), for a statement that reads few
# pledges, such as one led by the full-text index.
Lookups = Literal["none", "regions", "all"]


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


def visible(today: date, status_index: bool = True) -> list[ColumnElement[bool]]:
    """What makes a pledge visible to the public: live, its organisation not suspended, not past its dates.

    Without `status_index`, SQLite is kept from reading live pledges through their index (SQLite's unary `+`),
    for a statement that should read a short list of pledges by id instead.
    """
    suspended = select(Organisation.id).where(Organisation.suspended_at.is_not(None))
    live = Pledge.status == PledgeStatus.PUBLISHED
    if not status_index and _dialect() == "sqlite":
        live = literal_column("+pledge.status", String) == PledgeStatus.PUBLISHED.value
    return [
        live,
        Pledge.organisation_id.not_in(suspended),
        or_(Pledge.closes_on.is_(None), Pledge.closes_on >= today),
        or_(Pledge.ongoing.is_(True), Pledge.ends_on.is_(None), Pledge.ends_on >= today),
    ]


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _words(keyword: str) -> list[str]:
    """The keyword's words (letters and digits), at most 32: all of them must appear in a pledge it finds."""
    return re.findall(r"[^\W_]+", keyword)[:32]


def _searchable(keyword: str) -> bool:
    """A keyword with no searchable words (only punctuation) does not restrict the search."""
    return bool(_words(keyword))


# Where the words must all be, for each place in the best-match order (`_best_match_page`).
TITLE, TITLE_OR_SUMMARY, ANYWHERE = 1, 2, 3

# The full-text index of pledges (SQLite), made by the baseline migration.
PLEDGE_FTS = table("pledge_fts", column("rowid", Integer))


def _sqlite_match(keyword: str, columns: str = "") -> str:
    """An FTS5 query for all the words, each quoted (so nothing is read as an operator), in `columns` if given
    ("title summary") or anywhere."""
    words = " ".join(f'"{word}"' for word in _words(keyword))
    return f"{{{columns}}} : ({words})" if columns else words


def _fts_match(query: str, name: str) -> TextClause:
    """The FTS5 condition `pledge_fts MATCH query`, its query bound under `name`."""
    return text(f"pledge_fts MATCH :{name}").bindparams(**{name: query})


def _tsquery(keyword: str, weights: str = "") -> ColumnElement[Any]:
    """A PostgreSQL query for all the words, in the parts of the document with these weights if given ("AB":
    title and summary) or anywhere. The words are letters and digits only, so none is read as an operator."""
    suffix = f":{weights}" if weights else ""
    return func.to_tsquery("english", " & ".join(word + suffix for word in _words(keyword)))


def _pg_matches(keyword: str, weights: str = "") -> ColumnElement[bool]:
    return literal_column("pledge.search_vector").op("@@")(_tsquery(keyword, weights))


def _led_by_fts(query: str, name: str, *columns: Any) -> Select[Any]:
    """`columns` of the pledges matching an FTS5 query (bound under `name`), read from the index in its own order,
    newest (highest id) first, without sorting."""
    return (
        select(*columns)
        .select_from(PLEDGE_FTS.join(Pledge, Pledge.id == PLEDGE_FTS.c.rowid))
        .where(_fts_match(query, name))
        .order_by(PLEDGE_FTS.c.rowid.desc())
    )


def _keyword_condition(keyword: str) -> ColumnElement[bool]:
    """Pledges matching the keyword: FTS5 on SQLite, the tsvector on PostgreSQL."""
    if _dialect() == "sqlite":
        return Pledge.id.in_(
            select(PLEDGE_FTS.c.rowid).where(_fts_match(_sqlite_match(keyword), "fts_match"))
        )
    return _pg_matches(keyword)


def _squared_distance(latitude_column: Any, longitude_column: Any, origin: Place) -> ColumnElement[float]:
    """The squared distance in degrees from the origin, by an equirectangular approximation: plain arithmetic,
    so it runs the same on SQLite and PostgreSQL, and is accurate to well under a mile at these distances in
    England. For comparing and ordering only."""
    latitude, longitude = origin.point
    squeeze = math.cos(math.radians(latitude))
    d_lat = latitude_column - latitude
    d_lon = (longitude_column - longitude) * squeeze
    return d_lat * d_lat + d_lon * d_lon


def _near(latitude_column: Any, longitude_column: Any, origin: Place, miles: float) -> ColumnElement[bool]:
    """Within `miles` of the origin (the bounding box first, which an index can use)."""
    latitude, longitude = origin.point
    degrees = miles / MILES_PER_DEGREE
    squeeze = math.cos(math.radians(latitude))
    return and_(
        latitude_column.between(latitude - degrees, latitude + degrees),
        longitude_column.between(longitude - degrees / squeeze, longitude + degrees / squeeze),
        _squared_distance(latitude_column, longitude_column, origin) <= degrees * degrees,
    )


def _districts_near(origin: Place, miles: float) -> Select[Any]:
    """The postcode districts within `miles` of the origin."""
    return select(PostcodeDistrict.code).where(
        _near(PostcodeDistrict.latitude, PostcodeDistrict.longitude, origin, miles)
    )


def _has(*conditions: ColumnElement[bool], within: FromClause | None = None) -> ColumnElement[bool]:
    """Whether a row (of `within`, if given) meets the conditions, for the pledge in hand (and nothing else the
    statement reads): one index probe per pledge.

    Not `EXISTS`, which PostgreSQL may turn into a hash of every matching row (78,000 pledges' outcome areas,
    10 ms) before looking at the few pledges it has in hand.
    """
    rows = select(literal(1))
    if within is not None:
        rows = rows.select_from(within)
    return rows.where(*conditions).correlate(Pledge).limit(1).scalar_subquery().is_not(None)


def _in_authority(condition: Callable[[Any], ColumnElement[bool]], correlated: bool) -> ColumnElement[bool]:
    """A local pledge with one of its authorities meeting the condition (made for the authority table given)."""
    listed: ColumnElement[bool]
    if correlated:
        # Its own names for the tables, which the statement around it may read too (`_nearest_page`).
        listing, authority = aliased(PledgeLocalAuthority), aliased(LocalAuthority)
        listed = _has(
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


def _in_region(region: Any, correlated: bool) -> ColumnElement[bool]:
    listed: ColumnElement[bool]
    if correlated:
        listed = _has(PledgeRegion.pledge_id == Pledge.id, PledgeRegion.region == region)
    else:
        listed = Pledge.id.in_(select(PledgeRegion.pledge_id).where(PledgeRegion.region == region))
    return and_(Pledge.reach == Reach.REGIONS, listed)


def _place_authorities(criteria: Criteria) -> Callable[[Any], ColumnElement[bool]] | None:
    """Which local authorities' pledges are in the chosen place (a condition made for the authority table given):
    those within the distance of it, the chosen authority, or the region's; None for anywhere."""
    origin = criteria.origin
    if criteria.distance and origin is not None:
        miles = criteria.distance
        return lambda authority: _near(authority.latitude, authority.longitude, origin, miles)
    if criteria.where is None:
        return None
    if criteria.where.authority_id is not None:
        chosen = criteria.where.authority_id
        return lambda authority: authority.id == chosen
    region = criteria.where.region
    return lambda authority: authority.region == region


def _place_filter(criteria: Criteria, lookups: Lookups) -> ColumnElement[bool] | None:
    """Where: pledges in the chosen place (or within the distance of it), plus remote and national ones."""
    authorities = _place_authorities(criteria)
    if authorities is None:
        return None
    origin = criteria.origin
    within = bool(criteria.distance) and origin is not None
    correlated = lookups == "all"
    if not within and criteria.where is not None and criteria.where.authority_id is None:
        # A region holds a ninth of England's pledges: quicker to look up each pledge read than to list them.
        correlated = lookups != "none"
    local = [_in_authority(authorities, correlated)]
    if criteria.distance and origin is not None:
        local.append(
            and_(
                Pledge.reach.in_([Reach.LOCAL_AUTHORITIES, Reach.REGIONS]),
                Pledge.postcode_district.in_(_districts_near(origin, criteria.distance)),
            )
        )
    if criteria.where is not None and criteria.where.region is not None:
        local.append(_in_region(criteria.where.region, correlated))
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
    if _dialect() != "sqlite" or criteria.include_remote or criteria.include_national or criteria.kinds:
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
        near = _near(LocalAuthority.latitude, LocalAuthority.longitude, origin, criteria.distance)
        parts.append(
            select(PledgeLocalAuthority.pledge_id).where(
                PledgeLocalAuthority.local_authority_id.in_(select(LocalAuthority.id).where(near))
            )
        )
        districts = _districts_near(origin, criteria.distance)
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


def _conditions(
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
    if keyword and _searchable(criteria.keyword):
        conditions.append(_keyword_condition(criteria.keyword))
    return conditions + _filters(criteria, today, lookups)


def _filters(
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
            _has(PledgeOutcomeArea.pledge_id == Pledge.id, PledgeOutcomeArea.area.in_(criteria.areas))
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


def count_query(criteria: Criteria, today: date | None = None, limit: int | None = None) -> Select[Any]:
    """How many pledges match, counting no further than `limit`: from the pledge table alone or, for a keyword
    on SQLite, led by the full-text index."""
    today = today or uk_today()
    if _dialect() == "sqlite" and _searchable(criteria.keyword):
        # Led by the index, in its own order: without statistics, and without that order to keep, SQLite would
        # rather walk every live pledge and look each one up in the index.
        matching = _led_by_fts(_sqlite_match(criteria.keyword), "fts_match", Pledge.id).where(
            *_conditions(criteria, today, keyword=False, lookups="all")
        )
    else:
        # PostgreSQL counts a region from its list, hashed once, rather than look up each pledge it reads.
        lookups: Lookups = "regions" if _dialect() == "sqlite" else "none"
        matching = select(Pledge.id).where(*_conditions(criteria, today, lookups=lookups))
    if limit is not None:
        matching = matching.limit(limit)
    return select(func.count()).select_from(matching.subquery("matching"))


def _ordered(criteria: Criteria, today: date, *columns: Any) -> tuple[Select[Any], list[Any]]:
    """The matching pledges' `columns` and their ordering: closing soonest, or newest first (also for best match
    and nearest first, which `_best_match_page` and `_nearest_page` read other ways)."""
    conditions = _conditions(criteria, today)
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


def _count_of(rows: Any, *conditions: ColumnElement[bool]) -> ColumnElement[int]:
    return select(func.count()).select_from(rows).where(*conditions).scalar_subquery()


def _best_sqlite(criteria: Criteria, today: date, wanted: int) -> Select[Any]:
    """SQLite's first `wanted` pledges by best match, as (tier, id) rows.

    FTS5 hands over a query's matches newest (highest id) first without sorting them, so each tier is read a few
    rows at a time until it has `wanted`, and a tier is read at all only while the ones before it fall short.
    The tiers exclude one another (`NOT`), so each match is looked up once however many tiers are read.
    """
    keyword = criteria.keyword
    conditions = _conditions(criteria, today, keyword=False, lookups="all")
    tiers = [
        (TITLE, _sqlite_match(keyword, "title")),
        (
            TITLE_OR_SUMMARY,
            f"{_sqlite_match(keyword, 'title summary')} NOT {_sqlite_match(keyword, 'title')}",
        ),
        (ANYWHERE, f"({_sqlite_match(keyword)}) NOT {_sqlite_match(keyword, 'title summary')}"),
    ]
    read: list[Any] = []
    for tier, match in tiers:
        # As many as the tiers before fall short by: a limit of 0 skips the tier before its index is opened.
        short = literal(wanted) - sum((_count_of(before) for before in read), literal(0))
        read.append(
            _led_by_fts(match, f"tier_{tier}", literal(tier).label("tier"), Pledge.id.label("id"))
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
    filters = _filters(criteria, today, lookups="all")
    tier = case(
        (_pg_matches(keyword, "A"), literal(TITLE)),
        (_pg_matches(keyword, "AB"), literal(TITLE_OR_SUMMARY)),
        else_=literal(ANYWHERE),
    )
    recent = (
        select(Pledge.id, case((and_(_pg_matches(keyword), *filters), tier), else_=None).label("tier"))
        .where(*visible(today))
        .order_by(Pledge.id.desc())
        .limit(RECENT_WINDOW)
        .cte("recent")
        .prefix_with("MATERIALIZED")
    )
    window_holds_it = or_(
        _count_of(recent) < RECENT_WINDOW, _count_of(recent, recent.c.tier == TITLE) >= wanted
    )
    from_window = select(recent.c.tier, recent.c.id).where(recent.c.tier.is_not(None), window_holds_it)
    from_index = (
        select(tier.label("tier"), Pledge.id)
        .where(
            *visible(today),
            _pg_matches(keyword),
            *_filters(criteria, today, lookups="none"),
            ~window_holds_it,
        )
        .order_by(tier, Pledge.id.desc())
        .limit(wanted)
    )
    return union_all(from_window, from_index).subquery("best").select()


def _best_match_page(criteria: Criteria, today: date, page: int) -> list[Any]:
    """The page's rows by best match: all the words in the title first, then in the title and summary, then
    anywhere; the most recently added first within each."""
    wanted = page * RESULTS_PER_PAGE
    best = (_best_sqlite if _dialect() == "sqlite" else _best_pg)(criteria, today, wanted).subquery("page")
    query = (
        select(best.c.id)
        .order_by(best.c.tier, best.c.id.desc())
        .limit(RESULTS_PER_PAGE)
        .offset(wanted - RESULTS_PER_PAGE)
    )
    return list(db.session.execute(query).all())


# The rings of nearest local authorities `_nearest_page` reads, one after another while they hold too few.
NEAREST_RINGS = (1, 4, 16, 64)


def _nearest_page(criteria: Criteria, origin: Place, today: date, page: int) -> list[Any]:
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
    distance = _squared_distance(LocalAuthority.latitude, LocalAuthority.longitude, origin)
    # The authorities in the chosen place, nearest first: one outside it lists only pledges that are not found,
    # or are found for being near it some other way (its postcode district), which the last ring reads.
    in_place = _place_authorities(criteria)
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
        select(func.min(_squared_distance(authority.latitude, authority.longitude, origin)))
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
        *_filters(criteria, today, lookups="all", place=False),
        Pledge.reach == Reach.LOCAL_AUTHORITIES,
    ]
    if _searchable(criteria.keyword):
        in_ring.append(_keyword_condition(criteria.keyword))
    # A ring authority's first `wanted` matches, newest first (its index of listed pledges, backwards).
    first_matches = (
        select(PledgeLocalAuthority.pledge_id.label("id"))
        .join(Pledge, Pledge.id == PledgeLocalAuthority.pledge_id)
        .where(PledgeLocalAuthority.local_authority_id == ranked.c.id, *in_ring)
        .order_by(PledgeLocalAuthority.pledge_id.desc())
        .limit(wanted)
        .correlate(ranked)
    )
    everywhere = _conditions(criteria, today)
    listed = _has(PledgeLocalAuthority.pledge_id == Pledge.id)  # a pledge with local authorities
    rings: list[Any] = []
    short: ColumnElement[bool] = literal(True)  # every ring read so far holds too few
    for size, before in zip((*NEAREST_RINGS, None), (0, *NEAREST_RINGS), strict=True):
        if rings:
            short = and_(short, _count_of(rings[-1]) < wanted)
        if size is None:  # any authority: every local match, read as any other search reads them
            no_limit = literal(-1) if _dialect() == "sqlite" else null()
            ring = (
                select(Pledge.id, nearest.label("distance"))
                .where(*everywhere, listed)
                .limit(case((short, no_limit), else_=literal(0)))
            )
        else:
            # The ring's authorities, while the rings before hold too few and this ring has authorities they
            # have not.
            ring_authorities = and_(ranked.c.rank <= size, short, _count_of(ranked) > before)
            if _dialect() == "sqlite":
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
    unlisted = [*everywhere, ~listed]
    region = criteria.where.region if criteria.where is not None else None
    groups: list[tuple[str, ColumnElement[bool]]] = [("elsewhere", true())]
    if region is not None:
        in_region = _in_region(region, correlated=True)
        groups = [("regional", in_region), ("elsewhere", ~in_region)]
    after: list[Any] = []
    for name, group in groups:
        missing = literal(wanted) - sum((_count_of(rows) for rows in (rings[-1], *after)), literal(0))
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


def _page_rows(criteria: Criteria, today: date, page: int) -> list[Any]:
    """The page's rows, each a pledge's id."""
    if criteria.sort == SearchSort.RELEVANCE and _searchable(criteria.keyword):
        return _best_match_page(criteria, today, page)
    if criteria.sort == SearchSort.NEAREST and criteria.origin is not None:
        return _nearest_page(criteria, criteria.origin, today, page)
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


def visible_pledge(pledge_id: int, today: date | None = None) -> Pledge | None:
    """A pledge the public may see, or None."""
    return db.session.scalars(
        select(Pledge).join(Pledge.organisation).where(Pledge.id == pledge_id, *visible(today or uk_today()))
    ).first()
