"""Searching published pledges."""

from covenant.opportunities.search.results import COUNT_CAP, Results, build_query, search
from covenant.opportunities.search.visibility import visible, visible_pledge

__all__ = ["COUNT_CAP", "Results", "build_query", "search", "visible", "visible_pledge"]
