"""Distance arithmetic, the same on SQLite and PostgreSQL: plain arithmetic on latitude and longitude (an
equirectangular approximation, accurate to well under a mile at these distances in England), with a bounding box
first so that the few hundred authorities and postcode districts are tested cheaply. For comparing and ordering
only: no pledge is ever told a distance in miles.
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
    PostcodeDistrict,
)
from covenant.opportunities.criteria import Place

MILES_PER_DEGREE = 69.0


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
