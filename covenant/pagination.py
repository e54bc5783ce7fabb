"""Page numbers from the query string, and GOV.UK pagination parameters for a page of results."""

from __future__ import annotations

from typing import Any

from flask import request, url_for
from flask_sqlalchemy.pagination import Pagination


def requested_page() -> int:
    """The `page` query value, treating anything that is not a positive whole number as page 1."""
    raw = request.args.get("page", "1")
    # isdigit() alone accepts characters int() refuses, such as '²'.
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < 100_000 else 1


def govuk_pagination(page: Pagination, endpoint: str, **url_args: Any) -> dict[str, Any] | None:
    """Parameters for `govukPagination`, or None when everything fits on one page."""
    if page.pages <= 1:
        return None
    params: dict[str, Any] = {
        "items": [
            {"ellipsis": True}
            if number is None
            else {
                "number": number,
                "href": url_for(endpoint, page=number, **url_args),
                "current": number == page.page,
            }
            for number in page.iter_pages(left_edge=1, left_current=1, right_current=1, right_edge=1)
        ]
    }
    if page.has_prev:
        params["previous"] = {"href": url_for(endpoint, page=page.prev_num, **url_args)}
    if page.has_next:
        params["next"] = {"href": url_for(endpoint, page=page.next_num, **url_args)}
    return params
