"""What someone is searching for, read from a plain GET query string through the filter form (`forms`).

Anything wrong is ignored or corrected, with a sentence saying so: a search URL can never cause an error page.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict

from covenant.opportunities.forms import FilterField, FilterForm, PlaceFilter
from covenant.opportunities.places import (
    REGION_CODES,
    REGION_TO_CODE,
    Place,
    find_near,
    find_place,
)
from covenant.vocab import NEARBY_MILES, OutcomeArea, PledgeKind, SearchSort

__all__ = [
    "REGION_CODES",
    "REGION_TO_CODE",
    "Criteria",
    "Place",
    "find_near",
    "find_place",
    "parse_criteria",
]

# Where the search page's results start (templates/opportunities/index.html).
RESULTS_ANCHOR = "#results"


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
    #: What was typed in the "Where" box and could not be placed, and what the box accepts: nothing is searched.
    place_problem: tuple[str, str] | None = field(default=None, compare=False)

    @property
    def origin(self) -> Place | None:
        """The point distances are measured from: a postcode district, else the chosen place."""
        if self.near is not None and self.near.has_point:
            return self.near
        if self.where is not None and self.where.has_point:
            return self.where
        return None

    def query_args(self, **changes: object) -> list[tuple[str, str]]:
        """This search as query-string pairs (optionally changed), in the filter form's order, leaving out
        defaults: remote and national opportunities are only a choice with a place, the usual order and the
        first page go without saying."""
        criteria = replace(self, **changes) if changes else self  # type: ignore[arg-type]
        implied = {
            "include_remote": not (criteria.where or criteria.near),
            "include_national": not (criteria.where or criteria.near),
            "sort": criteria.sort == default_sort(criteria),
            "page": criteria.page == 1,
        }
        return [
            (filter_field.name, value)
            for filter_field in filter_fields()
            if not implied.get(filter_field.criterion)
            for value in filter_field.url_values(getattr(criteria, filter_field.criterion))
        ]

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


@cache
def filter_fields() -> list[FilterField]:
    """The filter form's fields, unfilled: each knows its name in an address and how it writes a value there."""
    return [
        filter_field for filter_field in FilterForm(formdata=None) if isinstance(filter_field, FilterField)
    ]


def parse_criteria(args: MultiDict[str, str]) -> Criteria:
    """Read a search from query arguments through the filter form, correcting or dropping what is wrong, with a
    message for each."""
    form = FilterForm(formdata=args)
    form.validate()
    values: dict[str, Any] = {}
    messages: list[str] = []
    place_problem = None
    for filter_field in form:
        if isinstance(filter_field, FilterField):
            values[filter_field.criterion] = filter_field.data
            if isinstance(filter_field, PlaceFilter) and filter_field.errors:
                place_problem = place_problem or (filter_field.typed, filter_field.errors[0])
            else:
                messages += filter_field.errors
    sort, page = values.pop("sort"), values.pop("page")
    near = values["near"]
    if near is not None and not near.is_point_place:  # a council area or region typed in the "Where" box
        values["where"], values["near"] = near, None
    placed = values["where"] is not None or values["near"] is not None
    if values["near"] is not None and values["where"] is None and values["distance"] is None:
        values["distance"] = NEARBY_MILES  # "near LS6" is only a place with a distance
    if not placed:  # without a place, everything is shown anyway
        values["include_remote"] = values["include_national"] = True
    criteria = Criteria(**values, page=page or 1)
    criteria = replace(criteria, sort=_checked_sort(sort, criteria, messages))
    if criteria.distance and criteria.origin is None:
        messages.append("Choose your council area or enter a postcode to search within a distance")
        criteria = replace(criteria, distance=None)
    return replace(criteria, messages=tuple(messages), place_problem=place_problem)


def _checked_sort(sort: SearchSort | None, criteria: Criteria, messages: list[str]) -> SearchSort:
    """The order asked for, if it makes sense for this search; the usual one otherwise."""
    if sort is None or (sort == SearchSort.RELEVANCE and not criteria.keyword):
        return default_sort(criteria) if sort is None else SearchSort.NEWEST
    if sort == SearchSort.NEAREST and criteria.origin is None:
        messages.append("Choose a place to sort by nearest")
        return default_sort(criteria)
    return sort
