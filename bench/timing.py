"""Server time of representative searches, in process: the whole request through Flask's test client, from
routing to the rendered page, and the SQL statements each page runs.

Each search is timed twice over: the first time anyone makes it (the search cache, which holds the rendered
filter forms too, emptied before each run; the GOV.UK components and the list of places that every search shares
stay as the first run left them), and again (as kept under an unchanged search token).
"""

from __future__ import annotations

import re
import statistics
import time
from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy import event

from covenant.extensions import db
from covenant.opportunities.cache import search_cache

# (name, query string): what people search for, from the plainest list to the deepest page.
SEARCHES: list[tuple[str, str]] = [
    ("no filter", ""),
    ("keyword", "?q=mentoring"),
    ("keyword + kind + area", "?q=driving+lessons&kind=training&area=education_employment_training"),
    ("distance (Leeds, 25 miles)", "?where=E08000035&distance=25&remote=1&national=1"),
    ("age + paid + closing soon", "?age=17&paid=1&closing=1"),
    ("deep page 200", "?page=200"),
    ("paid work exp., 10 miles", "?where=E08000035&distance=10&kind=work_experience&paid=1"),
    ("region", "?where=E12000007&remote=1&national=1"),
    ("distance, nearest first", "?where=E08000035&distance=50&sort=nearest"),
]
SEARCH_PATH = "/opportunities"
TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT")
FOUND = re.compile(r"(More than )?([\d,]+) opportunit(?:y|ies)\s*</h2>")


@dataclass(frozen=True)
class SearchTiming:
    """How one search performed."""

    name: str
    query: str
    p50_ms: float
    p95_ms: float
    statements: int
    statements_constant: bool
    found: str
    again_p50_ms: float
    again_p95_ms: float
    again_statements: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "query": self.query,
            "first_time": {
                "p50_ms": round(self.p50_ms, 2),
                "p95_ms": round(self.p95_ms, 2),
                "statements": self.statements,
                "statements_constant": self.statements_constant,
            },
            "again": {
                "p50_ms": round(self.again_p50_ms, 2),
                "p95_ms": round(self.again_p95_ms, 2),
                "statements": self.again_statements,
            },
            "found": self.found,
        }


def percentile(samples: list[float], percent: int) -> float:
    """The value below which `percent` per cent of the samples fall (inclusive method)."""
    if len(samples) == 1:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[percent - 1]


def found_in(page: str) -> str:
    """The number of results a search page heads its list with: "987", "> 1,000" or "0"."""
    found = FOUND.search(page)
    if found is None:
        return "0"
    return f"> {found.group(2)}" if found.group(1) else found.group(2)


def forget_everything(app: Flask) -> None:
    """Empty the caches of searches made (counts, results, filter forms), as if nobody had made this search
    before. What every search shares (the GOV.UK components, the list of places) stays as the searches before
    left it."""
    with app.app_context():
        search_cache().clear()


class StatementCounter:
    """Counts the SQL statements an engine runs (but transaction control), while listening."""

    def __init__(self, app: Flask) -> None:
        with app.app_context():
            self.engine = db.engine
        self.statements = 0

    def _count(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            self.statements += 1

    def __enter__(self) -> StatementCounter:
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)


def time_searches(app: Flask, runs: int = 50, warm_up: int = 5) -> list[SearchTiming]:
    """Each search `warm_up` times untimed, then `runs` times timed from cold and `runs` times again, with
    its statements counted."""
    client = app.test_client()

    def timed(url: str, cold: bool, counter: StatementCounter) -> tuple[list[float], set[int]]:
        samples = []
        counts = set()
        for _ in range(runs):
            if cold:
                forget_everything(app)
            counter.statements = 0
            started = time.perf_counter()
            response = client.get(url)
            samples.append((time.perf_counter() - started) * 1000)
            counts.add(counter.statements)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")
        return samples, counts

    timings = []
    with StatementCounter(app) as counter:
        for name, query in SEARCHES:
            url = SEARCH_PATH + query
            page = ""
            for _ in range(warm_up):
                response = client.get(url)
                if response.status_code != 200:
                    raise RuntimeError(f"{url} answered {response.status_code}")
                page = response.get_data(as_text=True)
            cold, cold_counts = timed(url, cold=True, counter=counter)
            again, again_counts = timed(url, cold=False, counter=counter)
            timings.append(
                SearchTiming(
                    name=name,
                    query=query or "(none)",
                    p50_ms=percentile(cold, 50),
                    p95_ms=percentile(cold, 95),
                    statements=max(cold_counts),
                    statements_constant=len(cold_counts) == 1 and len(again_counts) == 1,
                    found=found_in(page),
                    again_p50_ms=percentile(again, 50),
                    again_p95_ms=percentile(again, 95),
                    again_statements=max(again_counts),
                )
            )
    return timings
