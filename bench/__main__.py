"""`python -m bench` (what `make bench` runs): build or reuse the data sets, time the named searches and a random
sample of every other, load the search page and a bare route under gunicorn, then print a table per database and a
verdict per target."""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import load, reports, sample
from bench.database import RESULTS_DIR, Target, bench_app, postgres_target, prepare, sqlite_target
from bench.rows import PLEDGES
from bench.timing import SEARCH_PATH, SEARCHES, SearchTiming, time_searches
from covenant.vocab import PledgeStatus
from devtools.servers import DatabaseUnreachable

P95_TARGET_MS = 50.0
SLOWEST_TARGET_MS = 150.0
STATEMENTS_TARGET = 8
THROUGHPUT_TARGET = 0.10
SETTLE_SECONDS = 15
LOAD_SEARCH_PATHS = [SEARCH_PATH + query for _, query in SEARCHES]


@dataclass
class DatabaseResult:
    """Everything measured on one database."""

    name: str
    data: dict[str, Any]
    searches: list[SearchTiming] = field(default_factory=list)
    reports: list[reports.PageTiming] = field(default_factory=list)
    sample: sample.SampleTiming | None = None
    hello: load.Throughput | None = None
    search_page: load.Throughput | None = None

    @property
    def ratio(self) -> float | None:
        if self.hello is None or self.search_page is None or not self.hello.per_second:
            return None
        return self.search_page.per_second / self.hello.per_second

    def as_dict(self) -> dict[str, Any]:
        return {
            "database": self.name,
            "data": self.data,
            "searches": [timing.as_dict() for timing in self.searches],
            "reports": [timing.as_dict() for timing in self.reports],
            "sample": self.sample.as_dict() if self.sample else None,
            "throughput": {
                "hello": self.hello.as_dict() if self.hello else None,
                "search": self.search_page.as_dict() if self.search_page else None,
                "search_to_hello": round(self.ratio, 4) if self.ratio is not None else None,
            },
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--rebuild", action="store_true", help="generate the data sets again even if current")
    parser.add_argument("--runs", type=int, default=50, help="timed runs of each search (default 50)")
    parser.add_argument(
        "--seconds", type=float, default=10, help="seconds of load on each route (default 10)"
    )
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--no-load", action="store_true", help="skip the gunicorn throughput test")
    parser.add_argument(
        "--sample",
        type=int,
        default=sample.SIZE,
        help=f"random searches timed the first time (default {sample.SIZE}; 0 skips them)",
    )
    parser.add_argument(
        "--only",
        choices=["search", "reports"],
        help="run only the search section, or only the reports section (default: both)",
    )
    parser.add_argument(
        "--report-runs", type=int, default=20, help="timed runs of each dashboard (default 20)"
    )
    parser.add_argument(
        "--report-pages",
        help="time only the dashboards whose path contains one of these comma-separated words (e.g. statistics)",
    )
    options = parser.parse_args(argv)

    cores = os.cpu_count() or 0
    print(
        f"Covenant bench: {cores} cores, load average {os.getloadavg()[0]:.2f} at the start "
        f"(other work on the machine makes the figures noisy); load generator: {load.generator_name()}"
    )
    targets = []
    if options.database in ("sqlite", "both"):
        targets.append(sqlite_target())
    if options.database in ("postgresql", "both"):
        targets.append(postgres_target())

    # Data first, then every database's timings, then every load test: on this kind of machine a burst of full
    # load (building a data set, or gunicorn under wrk) leaves the next half minute or so measurably slower, which
    # would otherwise land on whichever database comes second.
    prepared: list[tuple[Target, DatabaseResult]] = []
    unreachable: list[str] = []
    for target in targets:
        result = prepare_database(target, options)
        if result is None:
            unreachable.append(target.name)
        else:
            prepared.append((target, result))
    if any(result.data["generated"] for _, result in prepared):
        # Let the new data sets reach the disk first, so their writing does not land on the timings.
        print(f"Letting the new data settle for {SETTLE_SECONDS} s")
        os.sync()
        time.sleep(SETTLE_SECONDS)
    if options.only != "search":
        run_reports(prepared, options)
    if options.only != "reports":
        time_search_section(prepared, options)
    if not options.no_load and options.only != "reports":
        for target, result in prepared:
            measure_load(target, result, options)
    results = [result for _, result in prepared]
    verdicts = print_results(results, unreachable, options)
    print()
    for line in verdicts:
        print(line)
    path = write_json(results, unreachable, verdicts, cores, options)
    print(f"\nResults written to {path.relative_to(RESULTS_DIR.parent)}")
    return 0


def print_results(
    results: list[DatabaseResult], unreachable: list[str], options: argparse.Namespace
) -> list[str]:
    """Each database's tables, the dashboards beside the searches; then the verdicts, returned."""
    for result in results:
        if options.only != "reports":
            print_table(result, options)
        if options.only != "search":
            reports.print_reports(result.name, result.reports, options.report_runs)
    verdicts = [] if options.only == "reports" else judge(results, unreachable)
    if options.only != "search":
        verdicts.append(reports.judge_reports([(result.name, result.reports) for result in results]))
    return verdicts


def run_reports(prepared: list[tuple[Target, DatabaseResult]], options: argparse.Namespace) -> None:
    """The reports section: its rows in each database (generated once), then each dashboard timed."""
    for target, result in prepared:
        generated, seconds, counts = reports.prepare_reports(bench_app(target.url))
        result.data["reports"] = {"generated": generated, "seconds": round(seconds, 1), "counts": counts}
        how = "generated" if generated else "reused"
        print(
            f"{target.name}: report data {how} in {seconds:.1f} s: {counts['referral_events']:,} referral "
            f"state changes, {counts['referrals']:,} referrals, {counts['care_leavers']:,} care leavers"
        )
    for target, result in prepared:
        started = time.perf_counter()
        pages = reports.PAGES
        if options.report_pages:
            words = options.report_pages.split(",")
            pages = [page for page in pages if any(word in page.path for word in words)]
        result.reports = reports.time_reports(bench_app(target.url), runs=options.report_runs, pages=pages)
        print(
            f"{target.name}: timed {len(result.reports)} dashboards in {time.perf_counter() - started:.0f} s"
        )


def time_search_section(prepared: list[tuple[Target, DatabaseResult]], options: argparse.Namespace) -> None:
    """The search section: the named searches, then the random sample, on each database."""
    for target, result in prepared:
        started = time.perf_counter()
        app = bench_app(target.url)
        result.searches = time_searches(app, runs=options.runs)
        print(
            f"{target.name}: timed {len(result.searches)} searches, {options.runs} runs each, "
            f"in {time.perf_counter() - started:.0f} s"
        )
        if options.sample:
            started = time.perf_counter()
            result.sample = sample.time_sample(app, sample.draw_sample(app, options.sample))
            print(
                f"{target.name}: timed a random sample of {options.sample} searches, {sample.RUNS} runs each, "
                f"in {time.perf_counter() - started:.0f} s"
            )


def prepare_database(target: Target, options: argparse.Namespace) -> DatabaseResult | None:
    """The database's data set, built or reused; None when the database is unreachable."""
    print(f"\n== {target.name}")
    try:
        report = prepare(target, rebuild=options.rebuild)
    except DatabaseUnreachable as error:
        print(f"PostgreSQL is unreachable ({error}), so it is left out; going on without it.")
        return None
    counts = report.counts
    how = "generated" if report.generated else "reused (already current; --rebuild makes it again)"
    print(
        f"Data {how} in {report.seconds:.1f} s: {counts.get('organisations', 0):,} organisations, "
        f"{counts.get('pledges_published', 0):,} published pledges, {counts.get('pledges', 0):,} pledges in all"
    )
    return DatabaseResult(
        target.name, {"generated": report.generated, "seconds": round(report.seconds, 1), "counts": counts}
    )


def measure_load(target: Target, result: DatabaseResult, options: argparse.Namespace) -> None:
    """Requests per second of the bare route, then of the search page, under gunicorn on this database."""
    print(f"{target.name}: load test, {options.seconds:.0f} s on each route")
    with load.gunicorn(target.url) as base:
        result.hello = load.measure(base, [load.HELLO_PATH], options.seconds, load.HELLO_PATH)
        result.search_page = load.measure(
            base,
            LOAD_SEARCH_PATHS,
            options.seconds,
            f"{SEARCH_PATH} ({len(LOAD_SEARCH_PATHS)} searches in turn)",
        )


def print_table(result: DatabaseResult, options: argparse.Namespace) -> None:
    print(
        f"\n{result.name}: server time in process (whole request, page rendered included), "
        "the first time (this search's caches emptied) and again"
    )
    header = (
        f"  {'search':<28} {'query':<70} {'first p50':>9} {'p95':>6} {'SQL':>4} "
        f"{'again p50':>9} {'p95':>6} {'SQL':>4} {'found':>8}"
    )
    print(header)
    print("  " + "-" * (len(header) - 2))
    for timing in result.searches:
        flag = "" if max(timing.p95_ms, timing.again_p95_ms) <= P95_TARGET_MS else "  > target"
        constant = "" if timing.statements_constant else "*"
        print(
            f"  {timing.name:<28} {timing.query:<70} {timing.p50_ms:>9.1f} {timing.p95_ms:>6.1f} "
            f"{timing.statements:>3}{constant:1} {timing.again_p50_ms:>9.1f} {timing.again_p95_ms:>6.1f} "
            f"{timing.again_statements:>4} {timing.found:>8}{flag}"
        )
    if result.sample is not None:
        print_sample(result.sample)
    if result.hello and result.search_page and result.ratio is not None:
        print(
            f"\n  Throughput under gunicorn ({load.WORKERS} sync workers, {load.generator_name()}, "
            f"{load.CONNECTIONS} connections, {options.seconds:.0f} s each, one after the other):"
        )
        for throughput in (result.hello, result.search_page):
            errors = f", {throughput.errors} errors" if throughput.errors else ""
            print(f"    {throughput.path:<44} {throughput.per_second:>9,.1f} requests/s{errors}")
        print(f"    search page / bare route: {result.ratio:.1%}")


def print_sample(timing: sample.SampleTiming) -> None:
    print(
        f"\n  A random sample of {len(timing.searches)} searches (seed {sample.SEED}), the first time, each the "
        f"median of {sample.RUNS} runs: p50 {timing.p50_ms:.1f} ms, p95 {timing.p95_ms:.1f} ms; the slowest five:"
    )
    for search in timing.slowest:
        flag = "  > target" if search.ms > SLOWEST_TARGET_MS else ""
        print(
            f"    {search.ms:>7.1f} ms  {search.statements:>2} SQL  {search.found:>8}  {search.query}{flag}"
        )


def judge(results: list[DatabaseResult], unreachable: list[str]) -> list[str]:
    """One line per target: met or missed, with the figures."""
    lines = []
    for when, p95 in (
        ("the first time", lambda timing: timing.p95_ms),
        ("again", lambda timing: timing.again_p95_ms),
    ):
        slow = [
            f"{result.name} {timing.name} {p95(timing):.0f} ms"
            for result in results
            for timing in result.searches
            if p95(timing) > P95_TARGET_MS
        ]
        worst = max((p95(t) for r in results for t in r.searches), default=0.0)
        lines.append(
            f"p95 <= {P95_TARGET_MS:.0f} ms for every search, {when}: "
            + (f"MISSED: {'; '.join(slow)}" if slow else f"met (slowest p95 {worst:.1f} ms)")
        )
    samples = [(result.name, result.sample) for result in results if result.sample is not None]
    if samples:
        slow = [f"{name} {timing.p95_ms:.0f} ms" for name, timing in samples if timing.p95_ms > P95_TARGET_MS]
        lines.append(
            f"random sample p95 <= {P95_TARGET_MS:.0f} ms, the first time: "
            + (
                f"MISSED: {'; '.join(slow)}"
                if slow
                else "met (" + ", ".join(f"{name} {timing.p95_ms:.1f} ms" for name, timing in samples) + ")"
            )
        )
        slowest = [(name, timing.slowest[0]) for name, timing in samples if timing.searches]
        over = [
            f"{name} {search.ms:.0f} ms {search.query}"
            for name, search in slowest
            if search.ms > SLOWEST_TARGET_MS
        ]
        lines.append(
            f"no search of the random sample over {SLOWEST_TARGET_MS:.0f} ms: "
            + (
                f"MISSED: {'; '.join(over)}"
                if over
                else "met (" + ", ".join(f"{name} {search.ms:.1f} ms" for name, search in slowest) + ")"
            )
        )
    else:
        lines.append("random sample: not measured")
    counts = [t.statements for r in results for t in r.searches]
    constant = all(t.statements_constant for r in results for t in r.searches)
    statements_met = bool(counts) and max(counts) <= STATEMENTS_TARGET and constant
    lines.append(
        f"<= {STATEMENTS_TARGET} statements per search page, constant: "
        + ("met" if statements_met else "MISSED")
        + (
            f" ({min(counts)} to {max(counts)} statements{'' if constant else ', varying between runs'})"
            if counts
            else ""
        )
    )
    ratios = [(r.name, r.ratio) for r in results if r.ratio is not None]
    if ratios:
        figures = ", ".join(f"{name} {ratio:.1%}" for name, ratio in ratios)
        met = all(ratio >= THROUGHPUT_TARGET for _, ratio in ratios)
        lines.append(
            f"search-page throughput >= {THROUGHPUT_TARGET:.0%} of the bare route: "
            + ("met" if met else "MISSED")
            + f" ({figures})"
        )
    else:
        lines.append("search-page throughput: not measured")
    for name in unreachable:
        lines.append(f"{name}: not measured (unreachable), so no target can be called met on it")
    return lines


def write_json(
    results: list[DatabaseResult],
    unreachable: list[str],
    verdicts: list[str],
    cores: int,
    options: argparse.Namespace,
) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    document = {
        "when": now.isoformat(timespec="seconds"),
        "machine": {
            "cores": cores,
            "load_average_at_end": round(os.getloadavg()[0], 2),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "settings": {
            "runs": options.runs,
            "sample": options.sample,
            "sample_runs_per_search": sample.RUNS,
            "load_seconds": options.seconds,
            "generator": load.generator_name(),
            "gunicorn_workers": load.WORKERS,
            "connections": load.CONNECTIONS,
            "published_pledges": PLEDGES[PledgeStatus.PUBLISHED],
        },
        "targets": {
            "p95_ms": P95_TARGET_MS,
            "sample_slowest_ms": SLOWEST_TARGET_MS,
            "statements": STATEMENTS_TARGET,
            "search_to_hello": THROUGHPUT_TARGET,
        },
        "databases": [result.as_dict() for result in results],
        "unreachable": unreachable,
        "verdicts": verdicts,
    }
    text = json.dumps(document, indent=2)
    path = RESULTS_DIR / f"bench-{now:%Y%m%d-%H%M%S}.json"
    path.write_text(text + "\n")
    (RESULTS_DIR / "latest.json").write_text(text + "\n")
    return path


if __name__ == "__main__":
    raise SystemExit(main())
