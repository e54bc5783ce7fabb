"""Places a search is made from: a region, a local authority, or a postcode district, by the code in its address."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from covenant.extensions import db
from covenant.models import LocalAuthority, PostcodeDistrict
from covenant.vocab import INWARD_CODE, POSTCODE_DISTRICT, Region

# ONS codes for the regions of England, so a place is always a GSS code in the URL.
REGION_CODES: dict[str, Region] = {
    "E12000001": Region.NORTH_EAST,
    "E12000002": Region.NORTH_WEST,
    "E12000003": Region.YORKSHIRE,
    "E12000004": Region.EAST_MIDLANDS,
    "E12000005": Region.WEST_MIDLANDS,
    "E12000006": Region.EAST,
    "E12000007": Region.LONDON,
    "E12000008": Region.SOUTH_EAST,
    "E12000009": Region.SOUTH_WEST,
}
REGION_TO_CODE = {region: code for code, region in REGION_CODES.items()}


@dataclass(frozen=True)
class Place:
    """Where someone is searching from: a local authority, a region, or a postcode district."""

    code: str
    name: str
    region: Region | None = None
    authority_id: int | None = None
    latitude: float | None = None
    longitude: float | None = None

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def point(self) -> tuple[float, float]:
        """(latitude, longitude); only for places that have one."""
        if self.latitude is None or self.longitude is None:
            raise ValueError(f"{self.name} has no known centre")
        return self.latitude, self.longitude


def find_place(code: str) -> Place | None:
    """A local authority or region by its GSS code."""
    code = code.strip().upper()
    if code in REGION_CODES:
        region = REGION_CODES[code]
        return Place(code=code, name=region.label, region=region)
    if not re.fullmatch(r"E\d{8}", code):
        return None
    authority = db.session.scalars(select(LocalAuthority).where(LocalAuthority.gss_code == code)).first()
    if authority is None:
        return None
    return Place(
        code=code,
        name=authority.name,
        region=authority.region,
        authority_id=authority.id,
        latitude=authority.latitude,
        longitude=authority.longitude,
    )


def find_district(text: str) -> Place | None | str:
    """The postcode district of a district or a whole postcode ("LS6", "LS6 1AA"), with a known centre; a message
    when it is malformed or unknown. Only the district is kept, in the search and its address."""
    code = re.sub(r"\s+", "", text).upper()[:8]
    if not POSTCODE_DISTRICT.fullmatch(code) and INWARD_CODE.fullmatch(code[-3:]):
        code = code[:-3]
    if not POSTCODE_DISTRICT.fullmatch(code):
        return f"‘{text[:20]}’ is not a postcode. Use a postcode, or its first part, like LS6 or SW1A"
    district = db.session.get(PostcodeDistrict, code)
    if district is None:
        return f"We do not know where {code} is yet, so we could not search near it"
    return Place(code=code, name=code, latitude=district.latitude, longitude=district.longitude)
