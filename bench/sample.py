"""A seeded random sample of searches: every filter, value, sort and page the search form and its pagination
offer, drawn at random, with keywords drawn from the pledges' own words, each timed the first time.

The nine named searches (`timing`) are the ones people make most; this sample is everything else they could
make, so that no ordinary combination of filters is left slow. The same seed draws the same searches from the
same data set, so two runs (or two databases) are compared search for search.

Each search is timed `RUNS` times from cold (the search caches emptied before every run), and its time is the
median of those: a single run on a shared machine is sometimes held up by other work for tens of milliseconds.
"""

from __future__ import annotations

import random
import re
import statistics
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import Flask
from sqlalchemy import func, select

from bench.timing import SEARCH_PATH, StatementCounter, forget_everything, found_in, percentile
from covenant.extensions import db
from covenant.models import LocalAuthority, Pledge, PostcodeDistrict
from covenant.opportunities.criteria import REGION_TO_CODE
from covenant.vocab import (
    DISTANCES_MILES,
    MAX_CARE_LEAVER_AGE,
    MIN_CARE_LEAVER_AGE,
    OutcomeArea,
    PledgeKind,
    PledgeStatus,
    Region,
    SearchSort,
)

SIZE = 200
SEED = 20261203
RUNS = 3
# The pledges whose titles and summaries give the keywords.
WORDS_FROM = 300
# Words people would not search for on their own (PostgreSQL's English configuration ignores them anyway).
STOP_WORDS = frozenset(
    "about also and are but can each for from have into more not one our some than that the their them then "
    "they this was were what when who will with you your".split()
)
# The deepest page drawn: results past 1,000 are counted as "more than", and the pagination offers ~50 pages.
DEEPEST_PAGE = 50


@dataclass(frozen=True)
class SampledSearch:
    """One search of the sample and how it performed."""

    query: str
    ms: float
    statements: int
    found: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "ms": round(self.ms, 2),
            "statements": self.statements,
            "found": self.found,
        }


@dataclass(frozen=True)
class SampleTiming:
    """The sample's figures: the median time of each search, and its percentiles across the sample."""

    searches: list[SampledSearch]

    @property
    def p50_ms(self) -> float:
        return percentile([search.ms for search in self.searches], 50)

    @property
    def p95_ms(self) -> float:
        return percentile([search.ms for search in self.searches], 95)

    @property
    def slowest(self) -> list[SampledSearch]:
        return sorted(self.searches, key=lambda search: search.ms, reverse=True)[:5]

    def as_dict(self) -> dict[str, Any]:
        return {
            "size": len(self.searches),
            "seed": SEED,
            "runs_per_search": RUNS,
            "p50_ms": round(self.p50_ms, 2),
            "p95_ms": round(self.p95_ms, 2),
            "max_ms": round(self.slowest[0].ms, 2) if self.searches else None,
            "slowest": [search.as_dict() for search in self.slowest],
            "searches": [search.as_dict() for search in self.searches],
        }


@dataclass(frozen=True)
class Vocabulary:
    """What the sample draws from that only the data set knows."""

    words: list[str]
    authorities: list[str]
    districts: list[str]


def read_vocabulary(rng: random.Random) -> Vocabulary:
    """Keywords from the titles and summaries of some live pledges (as often as they appear there), every
    local authority's code and every postcode district."""
    last = db.session.scalar(select(func.max(Pledge.id))) or 0
    chosen = rng.sample(range(1, last + 1), min(WORDS_FROM, last))
    texts = db.session.execute(
        select(Pledge.title, Pledge.summary)
        .where(Pledge.id.in_(chosen), Pledge.status == PledgeStatus.PUBLISHED)
        .order_by(Pledge.id)
    )
    words = [
        word.lower()
        for title, summary in texts
        for word in re.findall(r"[A-Za-z]{3,}", f"{title} {summary or ''}")
        if word.lower() not in STOP_WORDS
    ]
    authorities = list(db.session.scalars(select(LocalAuthority.gss_code).order_by(LocalAuthority.gss_code)))
    districts = list(db.session.scalars(select(PostcodeDistrict.code).order_by(PostcodeDistrict.code)))
    return Vocabulary(words, authorities, districts)


def draw_search(rng: random.Random, vocabulary: Vocabulary) -> str:
    """One search's query string, as the form and the result links would make it."""
    args: list[tuple[str, str]] = []
    keyword = rng.random() < 0.4
    if keyword:
        args.append(("q", " ".join(rng.choice(vocabulary.words) for _ in range(rng.choice((1, 1, 1, 2))))))
    args += [("kind", kind.value) for kind in rng.sample(list(PledgeKind), rng.choice((0, 0, 0, 1, 1, 2)))]
    args += [("area", area.value) for area in rng.sample(list(OutcomeArea), rng.choice((0, 0, 0, 1, 1, 2)))]
    place = rng.choices(("anywhere", "region", "authority", "postcode"), weights=(35, 20, 30, 15))[0]
    has_origin = place in ("authority", "postcode")
    if place == "region":
        args.append(("where", REGION_TO_CODE[rng.choice(list(Region))]))
    elif place == "authority":
        args.append(("where", rng.choice(vocabulary.authorities)))
    elif place == "postcode":
        args.append(("near", rng.choice(vocabulary.districts)))
    if place != "anywhere":
        distance = rng.choice((None, *DISTANCES_MILES)) if has_origin else None
        if distance:
            args.append(("distance", str(distance)))
        args += [(name, "1") for name in ("remote", "national") if rng.random() < 0.5]
    if rng.random() < 0.3:
        args.append(("age", str(rng.randint(MIN_CARE_LEAVER_AGE, MAX_CARE_LEAVER_AGE))))
    args += [
        (name, "1")
        for name, chance in (("paid", 0.25), ("open", 0.2), ("closing", 0.15))
        if rng.random() < chance
    ]
    sorts = [SearchSort.RELEVANCE] if keyword else []
    sorts += [SearchSort.NEWEST, SearchSort.CLOSING] + ([SearchSort.NEAREST] if has_origin else [])
    sort = rng.choice(sorts)
    if sort != sorts[0]:
        args.append(("sort", sort.value))
    roll = rng.random()
    page = 1 if roll < 0.6 else rng.randint(2, 5) if roll < 0.85 else rng.randint(6, DEEPEST_PAGE)
    if page > 1:
        args.append(("page", str(page)))
    return "?" + urlencode(args) if args else ""


def draw_sample(app: Flask, size: int = SIZE) -> list[str]:
    """`size` query strings, the same for the same seed and data set."""
    rng = random.Random(SEED)  # noqa: S311 - a reproducible sample, not security
    with app.app_context():
        vocabulary = read_vocabulary(rng)
        db.session.remove()
    return [draw_search(rng, vocabulary) for _ in range(size)]


def time_sample(app: Flask, queries: list[str], runs: int = RUNS) -> SampleTiming:
    """Each search `runs` times from cold; its time is the median of those."""
    client = app.test_client()
    timed = []
    with StatementCounter(app) as counter:
        for query in queries:
            url = SEARCH_PATH + query
            samples = []
            page = ""
            for _ in range(runs):
                forget_everything(app)
                counter.statements = 0
                started = time.perf_counter()
                response = client.get(url)
                samples.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise RuntimeError(f"{url} answered {response.status_code}")
                page = response.get_data(as_text=True)
            timed.append(
                SampledSearch(
                    query or "(none)", statistics.median(samples), counter.statements, found_in(page)
                )
            )
    return SampleTiming(timed)
