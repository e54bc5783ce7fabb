"""Places a search is made from: a region or a local authority (by the GSS code in its address), or, from the one
"Where" box, a postcode, a town, a council area or a region by name (`find_near`)."""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass

from sqlalchemy import select

from covenant.extensions import db
from covenant.models import LocalAuthority, PostcodeDistrict, Town
from covenant.opportunities.cache import presentation_cache
from covenant.opportunities.freshness import current_token
from covenant.reference import name_key
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
REGION_NAMES = {name_key(region.label): region for region in Region}
# What the "Where" box accepts, said when it cannot place what was typed.
WHERE_ACCEPTS = "Enter a town, a postcode like LS6 or LS6 1AA, a council area or a region in England"


@dataclass(frozen=True)
class Place:
    """Where someone is searching from: a local authority, a region, or a postcode district."""

    code: str
    name: str
    region: Region | None = None
    authority_id: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    #: A postcode district or a town: a point, searched within a distance of it.
    is_point_place: bool = False

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


def find_coded_place(code: str) -> Place | str:
    """A local authority or region by its GSS code (`find_place`), or a message saying what the "Where" box
    accepts."""
    return find_place(code) or f"We could not find ‘{code.strip()[:40]}’. {WHERE_ACCEPTS}"


def _postcode_district(text: str) -> str | None:
    """The district of a postcode or postcode district as typed, or None when it is not one."""
    code = re.sub(r"\s+", "", text).upper()[:8]
    if not POSTCODE_DISTRICT.fullmatch(code) and INWARD_CODE.fullmatch(code[-3:]):
        code = code[:-3]
    return code if POSTCODE_DISTRICT.fullmatch(code) else None


def _district_place(code: str) -> Place | str:
    district = db.session.get(PostcodeDistrict, code)
    if district is None:
        return f"We do not know the postcode {code}. {WHERE_ACCEPTS}"
    return Place(
        code=code, name=code, latitude=district.latitude, longitude=district.longitude, is_point_place=True
    )


def find_near(text: str) -> Place | str:
    """What was typed in the "Where" box, placed: a postcode or postcode district, a region or council area (by
    name or GSS code) or a town of England; otherwise a message saying what the box accepts.

    Each is one indexed read, or a look-up in a table made once per app (the council areas' names)."""
    typed = re.sub(r"\s+", " ", text).strip()[:100]
    code = _postcode_district(typed)
    if code is not None:
        return _district_place(code)
    if re.fullmatch(r"[Ee]\d{8}", typed):
        return find_place(typed) or f"We do not know the place {typed[:20]}. {WHERE_ACCEPTS}"
    key = name_key(typed)
    if key in REGION_NAMES:
        region = REGION_NAMES[key]
        return Place(code=REGION_TO_CODE[region], name=region.label, region=region)
    council = _council_codes().get(key) or _council_codes().get(_without_council_words(key))
    if council is not None:
        return find_place(council) or f"We do not know the place {typed[:20]}. {WHERE_ACCEPTS}"
    town = db.session.scalars(
        select(Town).where(Town.name_key == key).order_by(Town.population.desc()).limit(1)
    ).first()
    if town is not None:
        return Place(
            code=town.name,
            name=town.name,
            latitude=town.latitude,
            longitude=town.longitude,
            is_point_place=True,
        )
    return f"We could not find ‘{typed[:40]}’. {WHERE_ACCEPTS}"


def _without_council_words(key: str) -> str:
    """ "Leeds City Council" as "leeds"."""
    return re.sub(r"^(the )?(.*?)( (city|county|borough|district))?( council)?$", r"\2", key)


def _council_codes() -> dict[str, str]:
    """Every local authority's GSS code by its name's key, made once for each search token (loading or changing
    the authorities renews it, `freshness`)."""
    cache = presentation_cache()
    token = current_token()
    key = ("council codes", token)
    codes: dict[str, str] | None = cache.get(key)
    if codes is None:
        rows = db.session.execute(select(LocalAuthority.gss_code, LocalAuthority.name))
        codes = {name_key(name): gss_code for gss_code, name in rows}
        cache.put(key, codes)
    return codes


SUGGESTIONS = 10


def suggestions(typed: str) -> list[str]:
    """Up to ten place names starting with what was typed, for the "Where" box's type-ahead: regions, council
    areas and towns, the biggest towns first. A binary search in a sorted table made once for each search token
    (loading places or authorities renews it), never a scan."""
    prefix = name_key(typed)
    if len(prefix) < 2:
        return []
    names = _suggestion_table()
    start = bisect.bisect_left(names, (prefix,))
    found: list[tuple[int, str]] = []
    for key, rank, name in itertools.islice(names, start, None):
        if not key.startswith(prefix):
            break
        found.append((rank, name))
    seen: set[str] = set()
    ordered = []
    for _, name in sorted(found):
        if name not in seen:
            seen.add(name)
            ordered.append(name)
    return ordered[:SUGGESTIONS]


def _suggestion_table() -> list[tuple[str, int, str]]:
    """(key, rank, name) for every region, council area and town, sorted by key; a smaller rank comes first."""
    cache = presentation_cache()
    key = ("place suggestions", current_token())
    table: list[tuple[str, int, str]] | None = cache.get(key)
    if table is None:
        rows: list[tuple[str, int, str]] = [(name_key(region.label), 0, region.label) for region in Region]
        rows += [(name_key(name), 1, name) for name in db.session.scalars(select(LocalAuthority.name))]
        rows += [
            (name_key(name), 2 + rank, name)
            for rank, name in enumerate(
                db.session.scalars(select(Town.name).order_by(Town.population.desc()))
            )
        ]
        table = sorted(rows)
        cache.put(key, table)
    return table
