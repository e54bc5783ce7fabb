"""Searching published pledges: one module per way the pledges are read.

- `visibility`: which pledges the public may see, a rule other modules import.
- `filters`: every filter as a condition on the pledge row (`bits` keeps its outcome areas and regions there).
- `fulltext`: the keyword, from SQLite's FTS5 table or PostgreSQL's vectors.
- `results`: `search()` and `Results`: the matches named first, then the page, newest or closing soonest.
- `best_match` and `nearest`: the two orders read their own way.
- `distance`: the arithmetic of "within so many miles" and "nearest".

docs/performance.md explains the design, and `make bench` measures it.
"""

from covenant.opportunities.search.results import COUNT_CAP, Results, build_query, search
from covenant.opportunities.search.visibility import visible, visible_pledge

__all__ = ["COUNT_CAP", "Results", "build_query", "search", "visible", "visible_pledge"]
