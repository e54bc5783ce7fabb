"""The figures behind the statistics pages, each one SQL aggregation in the database: the rows that come back
are the figures (one per authority, region or outcome area), never the referrals or pledges they count.

"Near" is the search's distance rule (covenant/opportunities/search/distance.py): a local or regional pledge whose
postcode district's centre is within the distance of the authority's centre, by the same equirectangular
arithmetic, here between two columns instead of a column and a point.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, String, and_, case, func, literal, literal_column, select
from sqlalchemy.orm import aliased

from covenant.extensions import db
from covenant.models import (
    CareLeaver,
    CareLeaverStatistic,
    LocalAuthority,
    Pledge,
    PostcodeDistrict,
    Referral,
)
from covenant.opportunities.search.bits import AREA_BIT, has_any
from covenant.opportunities.search.distance import MILES_PER_DEGREE
from covenant.opportunities.search.visibility import dialect, visible
from covenant.reports.periods import Period
from covenant.reports.sql import monthly_totals
from covenant.statistics.importer import AGED_19_TO_21, NEET
from covenant.vocab import NEARBY_MILES, OutcomeArea, Reach, ReferralStatus, Region

# cos(latitude) as a polynomial (Taylor, second order, about 52.5°N): plain arithmetic the same on both
# databases, within 0.0002 of the cosine anywhere in England (49.9°N to 55.8°N).
_MIDDLE = math.radians(52.5)
_COS, _SIN = math.cos(_MIDDLE), math.sin(_MIDDLE)
# The narrowest a degree of longitude gets in England, for the bounding box.
_NARROWEST = math.cos(math.radians(56.0))


def _cos_latitude(latitude: Any) -> ColumnElement[float]:
    offset = (latitude - math.degrees(_MIDDLE)) * (math.pi / 180)
    return literal(_COS) - literal(_SIN) * offset - literal(_COS / 2) * offset * offset


def within_miles_of(
    latitude: Any, longitude: Any, centre_latitude: Any, centre_longitude: Any, miles: float
) -> ColumnElement[bool]:
    """A point (two columns) within `miles` of a centre (two other columns): the bounding box first, which an
    index can use, then the search's equirectangular distance."""
    degrees = miles / MILES_PER_DEGREE
    d_lat = latitude - centre_latitude
    d_lon = (longitude - centre_longitude) * _cos_latitude(centre_latitude)
    return and_(
        latitude.between(centre_latitude - degrees, centre_latitude + degrees),
        longitude.between(centre_longitude - degrees / _NARROWEST, centre_longitude + degrees / _NARROWEST),
        d_lat * d_lat + d_lon * d_lon <= degrees * degrees,
    )


@dataclass(frozen=True)
class Need:
    """One authority's row in the needs report."""

    code: str
    name: str
    region: Region
    not_in_work: int | None  # DfE's count of care leavers aged 19 to 21 NEET; None when suppressed or missing
    places: int  # places left on live EET pledges near it (those with a limit)
    unlimited: int  # live EET pledges near it with no limit on places
    referrals: int  # referrals of its care leavers made in the period

    @property
    def gap(self) -> int | None:
        """Young people not in education, employment or training beyond the places near them."""
        return None if self.not_in_work is None else self.not_in_work - self.places


def latest_neet_period() -> str | None:
    """The latest year DfE's figures were imported for."""
    return db.session.scalar(
        select(func.max(CareLeaverStatistic.period)).where(
            CareLeaverStatistic.activity == NEET, CareLeaverStatistic.age_band == AGED_19_TO_21
        )
    )


def needs_by_authority(
    start: datetime, end: datetime, today: date, miles: float = NEARBY_MILES
) -> list[Need]:
    """Every authority: its care leavers aged 19 to 21 not in education, employment or training (DfE's latest
    year), the live places within `miles` of it, and its referrals from `start` to `end`; the biggest gap first,
    authorities whose figure is unknown last."""
    authority = LocalAuthority
    period = latest_neet_period()
    neet = (
        select(CareLeaverStatistic.authority_code, CareLeaverStatistic.count)
        .where(
            CareLeaverStatistic.period == period,
            CareLeaverStatistic.age_band == AGED_19_TO_21,
            CareLeaverStatistic.activity == NEET,
        )
        .subquery("neet")
    )
    near = nearby_places(miles, today)
    referrals = (
        # Every joined row is a referral: counted from the index of creation times and care leavers alone.
        select(CareLeaver.local_authority_id.label("authority_id"), func.count().label("referrals"))
        .join(Referral, Referral.care_leaver_id == CareLeaver.id)
        .where(Referral.created_at >= start, Referral.created_at < end)
        .group_by(CareLeaver.local_authority_id)
        .subquery("referrals")
    )
    places = func.coalesce(near.c.places, 0)
    statement = (
        select(
            authority.gss_code,
            authority.name,
            authority.region,
            neet.c.count,
            places,
            func.coalesce(near.c.unlimited, 0),
            func.coalesce(referrals.c.referrals, 0),
        )
        .outerjoin(neet, neet.c.authority_code == authority.gss_code)
        .outerjoin(near, near.c.authority_id == authority.id)
        .outerjoin(referrals, referrals.c.authority_id == authority.id)
        .order_by(
            neet.c.count.is_(None),
            (neet.c.count - places).desc(),
            authority.name,
        )
    )
    return [Need(*row) for row in db.session.execute(statement)]


def nearby_places(miles: float, today: date) -> Any:
    """Per authority: places left on live pledges helping with education, employment or training based within
    `miles` of it, and how many such pledges have no limit (a subquery of authority_id, places, unlimited).

    A pledge is where its postcode district is (the search's distance rule, `districts_near`), so each pledge is
    near an authority once or not at all. Live pledges are summed by district first, in one pass over the
    search's covering index; then each authority adds up the districts within `miles` of its centre."""
    target = aliased(LocalAuthority, name="target")
    limited = Pledge.places_unlimited.is_(False) & Pledge.places.is_not(None)
    # With statistics, SQLite would read the live pledges in district order from the district's index, and so
    # each pledge's wide row, to group them without sorting: its unary `+` keeps it to the covering index of live
    # pledges, which holds every column read here, and a sort of a few hundred groups.
    district: Any = (
        literal_column("+pledge.postcode_district", String)
        if dialect() == "sqlite"
        else Pledge.postcode_district
    )
    by_district = (
        select(
            district.label("code"),
            func.sum(case((limited, Pledge.places - Pledge.places_taken), else_=0)).label("places"),
            func.sum(case((limited, 0), else_=1)).label("unlimited"),
        )
        .where(
            *visible(today),
            has_any(Pledge.outcome_area_bits, AREA_BIT[OutcomeArea.EDUCATION_EMPLOYMENT]),
            Pledge.reach.in_([Reach.LOCAL_AUTHORITIES, Reach.REGIONS]),
            # No test that the district is there: pledges without one are a group of their own, which joins no
            # district, and a test SQLite could answer from the district's index would tempt it to.
        )
        .group_by(district)
        .cte("by_district")
        .prefix_with("MATERIALIZED")
    )
    return (
        select(
            target.id.label("authority_id"),
            func.sum(by_district.c.places).label("places"),
            func.sum(by_district.c.unlimited).label("unlimited"),
        )
        .join(
            PostcodeDistrict,
            within_miles_of(
                PostcodeDistrict.latitude,
                PostcodeDistrict.longitude,
                target.latitude,
                target.longitude,
                miles,
            ),
        )
        .join(by_district, by_district.c.code == PostcodeDistrict.code)
        .group_by(target.id)
        .subquery("near")
    )


@dataclass(frozen=True)
class Headline:
    """The public headline counts for a period (before disclosure control)."""

    referrals: int
    starts: int
    completions: int
    live_pledges: int
    organisations: int


def headline(period: Period, today: date) -> Headline:
    """Referrals made, starts and completions in the period; live pledges and the organisations offering them
    today: the moves from `monthly_totals` (two statements), then the live pledges and the referrals made (one)."""
    moves = Counter[ReferralStatus]()
    for _, _, status, how_many in monthly_totals(period, [ReferralStatus.STARTED, ReferralStatus.COMPLETED]):
        moves[status] += how_many
    # Counted from the index of creation times alone (a referral always has an id, so every row counts).
    made = (
        select(func.count())
        .select_from(Referral)
        .where(Referral.created_at >= period.start_at, Referral.created_at < period.end_before)
        .scalar_subquery()
    )
    live = select(
        func.count(Pledge.id).label("pledges"),
        func.count(func.distinct(Pledge.organisation_id)).label("orgs"),
    ).where(*visible(today))
    starts, completions = moves[ReferralStatus.STARTED], moves[ReferralStatus.COMPLETED]
    pledges, organisations, referrals = db.session.execute(live.add_columns(made)).one()
    return Headline(
        referrals=int(referrals or 0),
        starts=int(starts or 0),
        completions=int(completions or 0),
        live_pledges=int(pledges or 0),
        organisations=int(organisations or 0),
    )


def starts_by_region_and_area(period: Period) -> dict[tuple[Region, OutcomeArea], int]:
    """Care leavers starting an opportunity in the period, by the region of their authority and the outcome
    areas of the pledge (a start counts under each of its pledge's areas): each authority's starts by area in
    SQL (`monthly_totals`), then added up by the 153 authorities' regions."""
    regions = dict(db.session.execute(select(LocalAuthority.id, LocalAuthority.region)).all())
    starts: Counter[tuple[Region, OutcomeArea]] = Counter()
    for authority_id, area, _, how_many in monthly_totals(period, [ReferralStatus.STARTED], areas=True):
        starts[Region(regions[authority_id]), OutcomeArea(area)] += how_many
    return dict(starts)
