"""Distance arithmetic, the same on SQLite and PostgreSQL: plain arithmetic on latitude and longitude (an
equirectangular approximation, accurate to well under a mile at these distances in England), with a bounding box
first so that the few hundred authorities and postcode districts are tested cheaply. For comparing and ordering
only; the distance shown beside each result ("3 miles away") is worked out for the page's pledges alone
(`pledge_miles`).
"""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    select,
)

from covenant.models import (
    Pledge,
    PostcodeDistrict,
)
from covenant.opportunities.criteria import Place
from covenant.vocab import Reach

MILES_PER_DEGREE = 69.0
EARTH_RADIUS_MILES = 3958.8


def squared_distance(latitude_column: Any, longitude_column: Any, origin: Place) -> ColumnElement[float]:
    """The squared distance in degrees from the origin, by an equirectangular approximation: plain arithmetic,
    so it runs the same on SQLite and PostgreSQL, and is accurate to well under a mile at these distances in
    England. For comparing and ordering only."""
    latitude, longitude = origin.point
    squeeze = math.cos(math.radians(latitude))
    d_lat = latitude_column - latitude
    d_lon = (longitude_column - longitude) * squeeze
    return d_lat * d_lat + d_lon * d_lon


def within_miles(
    latitude_column: Any, longitude_column: Any, origin: Place, miles: float
) -> ColumnElement[bool]:
    """Within `miles` of the origin (the bounding box first, which an index can use)."""
    latitude, longitude = origin.point
    degrees = miles / MILES_PER_DEGREE
    squeeze = math.cos(math.radians(latitude))
    return and_(
        latitude_column.between(latitude - degrees, latitude + degrees),
        longitude_column.between(longitude - degrees / squeeze, longitude + degrees / squeeze),
        squared_distance(latitude_column, longitude_column, origin) <= degrees * degrees,
    )


def districts_near(origin: Place, miles: float) -> Select[Any]:
    """The postcode districts within `miles` of the origin."""
    return select(PostcodeDistrict.code).where(
        within_miles(PostcodeDistrict.latitude, PostcodeDistrict.longitude, origin, miles)
    )


def miles_between(start: tuple[float, float], end: tuple[float, float]) -> float:
    """The distance in miles along the ground between two (latitude, longitude) points (haversine)."""
    (lat1, lon1), (lat2, lon2) = (tuple(map(math.radians, point)) for point in (start, end))
    half = (
        math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return EARTH_RADIUS_MILES * 2 * math.asin(math.sqrt(half))


def pledge_miles(pledges: list[Pledge], origin: Place) -> dict[int, float]:
    """How far each pledge with a place of its own is from the origin, in miles, by its id: from its postcode
    district's centre when it has one, else from the nearest of its council areas. Regional pledges without a
    district, national and remote ones have no distance. Nothing is read: the search loads the page's pledges
    with their districts and council areas."""
    miles: dict[int, float] = {}
    for pledge in pledges:
        district = pledge.district
        if district is not None and pledge.reach in (Reach.LOCAL_AUTHORITIES, Reach.REGIONS):
            miles[pledge.id] = miles_between(origin.point, (district.latitude, district.longitude))
        elif pledge.reach == Reach.LOCAL_AUTHORITIES and pledge.local_authorities:
            miles[pledge.id] = min(
                miles_between(origin.point, (authority.latitude, authority.longitude))
                for authority in pledge.local_authorities
            )
    return miles
