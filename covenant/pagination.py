"""Page numbers from the query string, and GOV.UK pagination parameters for a page of results."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import request, url_for
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from covenant.extensions import db


def whole_number(text: str) -> int | None:
    """A plain whole number typed as ASCII digits, or None (isdigit() alone accepts '²', which int() refuses)."""
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


def requested_page() -> int:
    """The `page` query value, treating anything that is not a positive whole number as page 1."""
    number = whole_number(request.args.get("page", "1"))
    return number if number is not None and 0 < number < 100_000 else 1


def page_numbers(current: int, pages: int, more: bool = False) -> list[int | None]:
    """1 … 4 5 6 … 20: the first and last pages and those either side of this one; None marks a gap.

    With `more`, `pages` is only as far as anyone counted: the list ends in a gap instead of a last page.
    """
    known = {1, current - 1, current, current + 1} | (set() if more else {pages})
    wanted = sorted(known & set(range(1, pages + 1)))
    numbers: list[int | None] = []
    for number in wanted:
        previous = numbers[-1] if numbers else None
        if previous is not None and number - previous > 1:
            numbers.append(None)
        numbers.append(number)
    if more:
        numbers.append(None)
    return numbers


def pagination_params(
    current: int, pages: int, href: Callable[[int], str], more: bool = False
) -> dict[str, Any] | None:
    """Parameters for `govukPagination`, or None when everything fits on one page (`more`: see page_numbers)."""
    if pages <= 1:
        return None
    params: dict[str, Any] = {
        "items": [
            {"ellipsis": True}
            if number is None
            else {"number": number, "href": href(number), "current": number == current}
            for number in page_numbers(current, pages, more)
        ]
    }
    if current > 1:
        params["previous"] = {"href": href(current - 1)}
    if current < pages:
        params["next"] = {"href": href(current + 1)}
    return params


def paginate(query: Select[Any], per_page: int) -> Pagination:
    """The requested page of a query; a page past the end shows the last page rather than an empty one."""
    page = db.paginate(query, page=requested_page(), per_page=per_page, error_out=False)
    if page.page > page.pages > 0:
        page = db.paginate(query, page=page.pages, per_page=per_page, error_out=False)
    return page


def govuk_pagination(page: Pagination, endpoint: str, **url_args: Any) -> dict[str, Any] | None:
    """`pagination_params` for a Flask-SQLAlchemy page of a list."""
    return pagination_params(page.page, page.pages, lambda number: url_for(endpoint, page=number, **url_args))
