"""What someone is searching for, read from a plain GET query string.

Anything wrong is ignored or corrected, with a sentence saying so: a search URL can never cause an error page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from covenant.extensions import db
from covenant.models import LocalAuthority, PostcodeDistrict
from covenant.pagination import whole_number
from covenant.vocab import (
    DISTANCES_MILES,
    INWARD_CODE,
    MAX_CARE_LEAVER_AGE,
    MIN_CARE_LEAVER_AGE,
    NEARBY_MILES,
    POSTCODE_DISTRICT,
    LabelledEnum,
    OutcomeArea,
    PledgeKind,
    Region,
    SearchSort,
)

MAX_KEYWORD_LENGTH = 200
MAX_PAGE = 10_000
# Where the search page's results start (templates/opportunities/index.html).
RESULTS_ANCHOR = "#results"

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


@dataclass(frozen=True)
class Criteria:
    """A search, already checked: every field holds a valid value or its default."""

    keyword: str = ""
    kinds: tuple[PledgeKind, ...] = ()
    areas: tuple[OutcomeArea, ...] = ()
    where: Place | None = None
    near: Place | None = None
    distance: int | None = None
    include_remote: bool = True
    include_national: bool = True
    age: int | None = None
    paid_only: bool = False
    open_now: bool = False
    closing_soon: bool = False
    sort: SearchSort = SearchSort.NEWEST
    page: int = 1
    messages: tuple[str, ...] = field(default=(), compare=False)

    @property
    def origin(self) -> Place | None:
        """The point distances are measured from: a postcode district, else the chosen place."""
        if self.near is not None and self.near.has_point:
            return self.near
        if self.where is not None and self.where.has_point:
            return self.where
        return None

    def query_args(self, **changes: object) -> list[tuple[str, str]]:
        """This search as query-string pairs (optionally changed), in a stable order, leaving out defaults."""
        criteria = replace(self, **changes) if changes else self  # type: ignore[arg-type]
        pairs: list[tuple[str, str]] = []
        if criteria.keyword:
            pairs.append(("q", criteria.keyword))
        pairs += [("kind", kind.value) for kind in criteria.kinds]
        pairs += [("area", area.value) for area in criteria.areas]
        pairs += criteria._place_args()
        if criteria.distance:
            pairs.append(("distance", str(criteria.distance)))
        if criteria.age is not None:
            pairs.append(("age", str(criteria.age)))
        for flag, name in (
            (criteria.paid_only, "paid"),
            (criteria.open_now, "open"),
            (criteria.closing_soon, "closing"),
        ):
            if flag:
                pairs.append((name, "1"))
        if criteria.sort != default_sort(criteria):
            pairs.append(("sort", criteria.sort.value))
        if criteria.page > 1:
            pairs.append(("page", str(criteria.page)))
        return pairs

    def _place_args(self) -> list[tuple[str, str]]:
        """The place, and whether remote and national opportunities are wanted too (without a place, everything
        is shown anyway)."""
        pairs = [(name, place.code) for name, place in (("where", self.where), ("near", self.near)) if place]
        if pairs:
            pairs += [
                (name, "1")
                for name, wanted in (("remote", self.include_remote), ("national", self.include_national))
                if wanted
            ]
        return pairs

    def url_query(self, **changes: object) -> str:
        """`?…` for a link to this search, changed as given."""
        pairs = self.query_args(**changes)
        return "?" + urlencode(pairs) if pairs else ""

    def results_href(self, base: str, **changes: object) -> str:
        """A link to this search, changed as given, that lands on its results rather than the filters above them
        (on a phone without JavaScript, the filters fill the first four screens)."""
        return base + self.url_query(**changes) + RESULTS_ANCHOR

    @property
    def is_filtered(self) -> bool:
        return bool(self.query_args(sort=default_sort(self), page=1))


def default_sort(criteria: Criteria) -> SearchSort:
    """Best match when there is a keyword, otherwise newest first."""
    return SearchSort.RELEVANCE if criteria.keyword else SearchSort.NEWEST


def _choices(
    values: list[str], vocabulary: type[LabelledEnum], label: str, messages: list[str]
) -> tuple[Any, ...]:
    """The known values of a vocabulary, once each, in the order given; a message for each unknown one."""
    chosen: list[Any] = []
    for value in values:
        try:
            member = vocabulary(value)
        except ValueError:
            messages.append(f"We ignored an unknown {label}: ‘{value[:40]}’")
            continue
        if member not in chosen:
            chosen.append(member)
    return tuple(chosen)


def _flag(args: MultiDict[str, str], name: str) -> bool:
    return args.get(name, "").strip().lower() in {"1", "true", "yes", "on", "y"}


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


def _read_keyword(args: MultiDict[str, str], messages: list[str]) -> str:
    keyword = re.sub(r"\s+", " ", args.get("q", "")).strip()
    if len(keyword) > MAX_KEYWORD_LENGTH:
        keyword = keyword[:MAX_KEYWORD_LENGTH].rsplit(" ", 1)[0]
        messages.append(
            f"Your search words were too long, so we used the first {MAX_KEYWORD_LENGTH} characters"
        )
    return keyword


def _read_places(args: MultiDict[str, str], messages: list[str]) -> tuple[Place | None, Place | None]:
    """The chosen local authority or region, and the postcode district, if any."""
    where = None
    if args.get("where", "").strip():
        where = find_place(args["where"])
        if where is None:
            messages.append("We did not recognise that place, so we searched everywhere")
    near = None
    if args.get("near", "").strip():
        found = find_district(args["near"])
        if isinstance(found, str):
            messages.append(found)
        else:
            near = found
    return where, near


def _read_number(
    args: MultiDict[str, str], name: str, allowed: range | tuple[int, ...], problem: str, messages: list[str]
) -> int | None:
    """A whole number that must be one of `allowed`; a message (and None) otherwise."""
    raw = args.get(name, "").strip()
    if not raw:
        return None
    number = whole_number(raw)
    if number is None or number not in allowed:
        messages.append(problem)
        return None
    return number


def _read_sort(args: MultiDict[str, str], criteria: Criteria, messages: list[str]) -> SearchSort:
    sort = default_sort(criteria)
    raw = args.get("sort", "").strip()
    if raw:
        try:
            sort = SearchSort(raw)
        except ValueError:
            messages.append("We did not recognise that order, so we used the usual one")
    if sort == SearchSort.RELEVANCE and not criteria.keyword:
        return SearchSort.NEWEST
    if sort == SearchSort.NEAREST and criteria.origin is None:
        messages.append("Choose a place to sort by nearest")
        return default_sort(criteria)
    return sort


def parse_criteria(args: MultiDict[str, str]) -> Criteria:
    """Read a search from query arguments, correcting or dropping what is wrong, with a message for each."""
    messages: list[str] = []
    keyword = _read_keyword(args, messages)
    where, near = _read_places(args, messages)
    miles = ", ".join(map(str, DISTANCES_MILES[:-1])) + f" or {DISTANCES_MILES[-1]}"
    distance = _read_number(
        args, "distance", DISTANCES_MILES, f"Distance must be {miles} miles, so we ignored it", messages
    )
    if near is not None and where is None and distance is None:
        distance = NEARBY_MILES  # "near LS6" is only a place with a distance
    age = _read_number(
        args,
        "age",
        range(MIN_CARE_LEAVER_AGE, MAX_CARE_LEAVER_AGE + 1),
        f"Age must be a whole number from {MIN_CARE_LEAVER_AGE} to {MAX_CARE_LEAVER_AGE}, so we ignored it",
        messages,
    )
    page = _read_number(
        args,
        "page",
        range(1, MAX_PAGE + 1),
        "That page does not exist, so we showed the first page",
        messages,
    )
    criteria = Criteria(
        keyword=keyword,
        kinds=_choices(args.getlist("kind"), PledgeKind, "kind of opportunity", messages),
        areas=_choices(args.getlist("area"), OutcomeArea, "outcome area", messages),
        where=where,
        near=near,
        distance=distance,
        include_remote=_flag(args, "remote") if where or near else True,
        include_national=_flag(args, "national") if where or near else True,
        age=age,
        paid_only=_flag(args, "paid"),
        open_now=_flag(args, "open"),
        closing_soon=_flag(args, "closing"),
        page=page or 1,
    )
    sort = _read_sort(args, criteria, messages)
    if distance and criteria.origin is None:
        messages.append("Choose your council area or enter a postcode to search within a distance")
        criteria = replace(criteria, distance=None)
    return replace(criteria, sort=sort, messages=tuple(messages))
