"""`python -m bench.lighthouse` (the last part of `make bench`): how light and fast the public pages are on a
cheap phone, measured with Lighthouse's mobile profile, with a verdict per target.

Covenant is served as in production: gunicorn (one worker of 8 threads, so the sign-in limits can be counted in
memory without Redis) with `COVENANT_ENV=production`, as behind an HTTPS proxy (`TRUSTED_PROXIES=1`; Lighthouse
sends `X-Forwarded-Proto: https`), on a temporary SQLite database holding the demo data (`flask db upgrade`,
`load-authorities`, `load-places`, `seed-demo`). Lighthouse (npm,
pinned in package.json) drives Debian's Chromium, started here once with remote debugging. Each page is loaded
twice in a row: the first visit is Lighthouse's default (cache and storage cleared first), the repeat visit
keeps the cache (`--disable-storage-reset`), as for someone coming back. Every page is measured `--runs` times
and the median of each figure is reported: other work on a 2-core machine makes single runs noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess  # noqa: S404 - runs flask, gunicorn, Chromium and Lighthouse with fixed arguments
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = PROJECT_ROOT / "bench-results"
LIGHTHOUSE = PROJECT_ROOT / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
HOST = "127.0.0.1"
START_TIMEOUT = 60.0
LIGHTHOUSE_TIMEOUT = 180.0

PERFORMANCE_TARGET = 0.95
FIRST_VISIT_KB_TARGET = 100.0
REPEAT_VISIT_KB_TARGET = 15.0
# Accessibility and best practices already scored 1.0 before this was measured: they must stay there.
KEPT_SCORE_TARGET = 1.0

# The issue's care leaver: paid work experience within 10 miles of Leeds.
FILTERED_SEARCH = "/opportunities?where=E08000035&distance=10&kind=work_experience&paid=1"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TIMINGS = {
    "fcp_ms": "first-contentful-paint",
    "lcp_ms": "largest-contentful-paint",
    "tbt_ms": "total-blocking-time",
    "si_ms": "speed-index",
    "cls": "cumulative-layout-shift",
}
RESOURCE_TYPES = ("document", "stylesheet", "script", "image", "other")


@dataclass(frozen=True)
class Page:
    """One page measured: a name for the table and its path."""

    name: str
    path: str
    search: bool = False  # the search page: the transfer targets apply


@dataclass
class Visit:
    """The figures of one Lighthouse run."""

    scores: dict[str, float | None]  # None: Lighthouse could not score the category (an audit failed)
    timings: dict[str, float]
    kilobytes: float
    requests: int
    by_type: dict[str, float]

    @classmethod
    def from_report(cls, report: dict[str, Any]) -> Visit:
        audits = report["audits"]
        summary = {item["resourceType"]: item for item in audits["resource-summary"]["details"]["items"]}
        return cls(
            scores={name: report["categories"][name]["score"] for name in CATEGORIES},
            timings={key: float(audits[audit]["numericValue"]) for key, audit in TIMINGS.items()},
            kilobytes=audits["total-byte-weight"]["numericValue"] / 1000,
            requests=int(summary.get("total", {}).get("requestCount", 0)),
            by_type={kind: summary.get(kind, {}).get("transferSize", 0) / 1000 for kind in RESOURCE_TYPES},
        )


@dataclass
class PageResult:
    """Every run of one page, first and repeat visits, and their medians."""

    page: Page
    url: str
    first: list[Visit] = field(default_factory=list)
    repeat: list[Visit] = field(default_factory=list)

    @staticmethod
    def median(visits: list[Visit]) -> dict[str, Any]:
        """The median of each figure over the runs."""
        return {
            "scores": {name: median_of(v.scores[name] for v in visits) for name in CATEGORIES},
            "timings": {key: statistics.median(v.timings[key] for v in visits) for key in TIMINGS},
            "kilobytes": statistics.median(v.kilobytes for v in visits),
            "requests": statistics.median(v.requests for v in visits),
            "by_type": {kind: statistics.median(v.by_type[kind] for v in visits) for kind in RESOURCE_TYPES},
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "page": self.page.name,
            "path": self.page.path,
            "first_visit": {"median": self.median(self.first), "runs": [vars(v) for v in self.first]},
            "repeat_visit": {"median": self.median(self.repeat), "runs": [vars(v) for v in self.repeat]},
        }


def median_of(values: Iterator[float | None]) -> float | None:
    """The median of the values Lighthouse could measure, None when it measured none."""
    known = [value for value in values if value is not None]
    return statistics.median(known) if known else None


def score_text(score: float | None) -> str:
    return "n/a" if score is None else f"{score:.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.lighthouse", description=__doc__)
    parser.add_argument(
        "--runs", type=int, default=3, help="Lighthouse runs of each page and visit (default 3)"
    )
    parser.add_argument("--reports", type=Path, help="keep every Lighthouse report (JSON) in this folder")
    options = parser.parse_args(argv)
    # Stopped from outside (a timeout, `kill`): unwind, so gunicorn and Chromium are stopped too.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    for needed, how in ((LIGHTHOUSE, "npm ci"), (Path(CHROMIUM), "apt-get install chromium")):
        if not needed.exists():
            print(f"Lighthouse section: {needed} is missing (`{how}`), so nothing was measured.")
            return 1
    print(
        f"\n== Lighthouse {lighthouse_version()}, mobile profile (simulated slow 4G, 4x CPU slowdown), "
        f"{chromium_version()}; {options.runs} runs of each page, medians; load average "
        f"{os.getloadavg()[0]:.2f} at the start"
    )
    with tempfile.TemporaryDirectory(prefix="covenant-lighthouse-") as scratch:
        root = Path(scratch)
        environment = production_environment(root)
        started = time.perf_counter()
        for command in (("db", "upgrade"), ("load-authorities",), ("load-places",), ("seed-demo",)):
            flask(environment, *command)
        print(f"Demo data loaded into a temporary SQLite database in {time.perf_counter() - started:.0f} s")
        with gunicorn(environment) as base, chromium(root / "chromium") as debugging_port:
            pages = [
                Page("home", "/"),
                Page("search", "/opportunities", search=True),
                Page("search with filters", FILTERED_SEARCH, search=True),
                Page("pledge", first_pledge_path(base)),
            ]
            results = [PageResult(page, base + page.path) for page in pages]
            for run in range(options.runs):
                for result in results:
                    for visits, keep_cache in ((result.first, False), (result.repeat, True)):
                        report = lighthouse(result.url, debugging_port, root, keep_cache)
                        visits.append(Visit.from_report(report))
                        if options.reports:
                            options.reports.mkdir(parents=True, exist_ok=True)
                            kind = "repeat" if keep_cache else "first"
                            slug = re.sub(r"\W+", "-", result.page.name)
                            target = options.reports / f"{slug}-{kind}-{run + 1}.json"
                            target.write_text(json.dumps(report))
                print(f"Run {run + 1} of {options.runs} done")
    print_table(results)
    verdicts = judge(results)
    print()
    for line in verdicts:
        print(line)
    path = write_json(results, verdicts, options)
    print(f"\nResults written to {path.relative_to(PROJECT_ROOT)}")
    return 0


def production_environment(root: Path) -> dict[str, str]:
    """Production settings on a temporary database and instance folder, as behind an HTTPS proxy."""
    instance = root / "instance"
    instance.mkdir()
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("COVENANT_", "DATABASE_URL", "SECRET_KEY", "BASE_URL", "MAIL_", "SMTP_", "FLASK_")
        )
    }
    environment.update(
        COVENANT_ENV="production",
        COVENANT_INSTANCE_PATH=str(instance),
        DATABASE_URL=f"sqlite:///{root / 'covenant.sqlite3'}",
        SECRET_KEY=secrets.token_hex(32),
        BASE_URL="https://covenant.invalid",
        # Production refuses the log backend; nothing is sent, as no page measured sends email.
        MAIL_BACKEND="smtp",
        SMTP_HOST=HOST,
        TRUSTED_PROXIES="1",
        WEB_CONCURRENCY="1",  # one worker (`gunicorn`), so counting sign-in attempts in memory is right
        PYTHONDONTWRITEBYTECODE="1",
    )
    return environment


def flask(environment: dict[str, str], *arguments: str) -> None:
    command = [sys.executable, "-m", "flask", "--app", "covenant", *arguments]
    done = subprocess.run(  # noqa: S603
        command, env=environment, cwd=PROJECT_ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"`flask {' '.join(arguments)}` failed:\n{done.stdout}\n{done.stderr}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@contextmanager
def gunicorn(environment: dict[str, str]) -> Iterator[str]:
    """The app under gunicorn, as deployed, on a free local port; yields its base URL."""
    port = free_port()
    # Threads, as a browser keeps idle connections open (preconnects) that would each hold a sync worker until
    # it timed out; in production the proxy in front holds those instead.
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        "1",
        "--threads",
        "8",
        "--bind",
        f"{HOST}:{port}",
    ]
    command += ["--log-level", "warning", "covenant:create_app()"]
    server = subprocess.Popen(command, cwd=PROJECT_ROOT, env=environment)  # noqa: S603
    base = f"http://{HOST}:{port}"
    try:
        wait_until(lambda: fetch(base + "/healthz", proxied=True) is not None, server, "gunicorn")
        yield base
    finally:
        stop(server)


@contextmanager
def chromium(profile: Path) -> Iterator[int]:
    """Debian's headless Chromium with remote debugging, one profile (so one cache) for every run."""
    port = free_port()
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-extensions",
        "--disable-sync",
        "--disable-default-apps",
        "--no-first-run",
        "--no-default-browser-check",
        "--mute-audio",
        f"--user-data-dir={profile}",
        f"--remote-debugging-port={port}",
        "--remote-debugging-address=127.0.0.1",
        "about:blank",
    ]
    browser = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    try:
        wait_until(lambda: fetch(f"http://{HOST}:{port}/json/version") is not None, browser, "Chromium")
        yield port
    finally:
        stop(browser)


def wait_until(ready: Any, process: subprocess.Popen[bytes], name: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} stopped with exit code {process.returncode}")
        if ready():
            return
        time.sleep(0.2)
    raise RuntimeError(f"{name} did not answer within {START_TIMEOUT:.0f} seconds")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def fetch(url: str, proxied: bool = False) -> str | None:
    """The body of a local URL, or None when it does not answer 200."""
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"} if proxied else {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - our own local server
            return response.read().decode() if response.status == 200 else None
    except OSError:
        return None


def first_pledge_path(base: str) -> str:
    """The first opportunity listed on the search page: a live pledge page."""
    page = fetch(base + "/opportunities", proxied=True) or ""
    found = re.search(r'href="(/opportunities/\d+)"', page)
    if not found:
        raise RuntimeError("The search page lists no opportunity, so there is no pledge page to measure")
    return found.group(1)


def lighthouse(url: str, port: int, scratch: Path, keep_cache: bool) -> dict[str, Any]:
    """One Lighthouse run (mobile, its default) against the running Chromium: its report."""
    report = scratch / "report.json"
    command = [
        str(LIGHTHOUSE),
        url,
        f"--port={port}",
        f"--only-categories={','.join(CATEGORIES)}",
        "--output=json",
        f"--output-path={report}",
        "--quiet",
        '--extra-headers={"X-Forwarded-Proto": "https"}',
    ]
    if keep_cache:
        command.append("--disable-storage-reset")
    done = subprocess.run(  # noqa: S603
        command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=LIGHTHOUSE_TIMEOUT, check=False
    )
    if done.returncode != 0 or not report.exists():
        raise RuntimeError(f"Lighthouse failed on {url}:\n{done.stdout}\n{done.stderr}")
    document = json.loads(report.read_text())
    report.unlink()
    if document.get("runtimeError"):
        raise RuntimeError(f"Lighthouse could not measure {url}: {document['runtimeError']}")
    return document


def print_table(results: list[PageResult]) -> None:
    header = (
        f"  {'page':<20} {'visit':<6} {'perf':>5} {'FCP s':>6} {'LCP s':>6} {'TBT ms':>7} {'CLS':>6} "
        f"{'SI s':>5} {'KB':>6} {'reqs':>4}  {'html':>5} {'css':>5} {'js':>5} {'img':>5} {'other':>5}"
        f"  {'a11y':>4} {'best':>4} {'seo':>4}"
    )
    print(
        "\nMedians. KB: kilobytes transferred (1 KB = 1,000 bytes) as sent, in all and by kind; "
        "n/a: Lighthouse could not score it"
    )
    print(header)
    print("  " + "-" * (len(header) - 2))
    for result in results:
        for visit, visits in (("first", result.first), ("repeat", result.repeat)):
            median = PageResult.median(visits)
            scores, timings, kinds = median["scores"], median["timings"], median["by_type"]
            name = result.page.name if visit == "first" else ""
            print(
                f"  {name:<20} {visit:<6} {score_text(scores['performance']):>5} "
                f"{timings['fcp_ms'] / 1000:>6.2f} {timings['lcp_ms'] / 1000:>6.2f} {timings['tbt_ms']:>7.0f} "
                f"{timings['cls']:>6.3f} {timings['si_ms'] / 1000:>5.2f} {median['kilobytes']:>6.1f} "
                f"{median['requests']:>4.0f}  "
                + " ".join(f"{kinds[kind]:>5.1f}" for kind in RESOURCE_TYPES)
                + "  "
                + " ".join(f"{score_text(scores[name]):>4}" for name in CATEGORIES[1:])
            )
    print("\nPages:")
    for result in results:
        print(f"  {result.page.name:<20} {result.page.path}")


def met(score: float | None, target: float) -> str:
    return "met" if score is not None and score >= target else "MISSED"


def judge(results: list[PageResult]) -> list[str]:
    """One line per target: met or MISSED, with the figures."""
    lines = []
    for result in results:
        first = PageResult.median(result.first)
        name = f"{result.page.name} ({result.page.path})"
        performance = first["scores"]["performance"]
        runs = ", ".join(score_text(visit.scores["performance"]) for visit in result.first)
        lines.append(
            f"performance >= {PERFORMANCE_TARGET:.2f} on {name}: {met(performance, PERFORMANCE_TARGET)} "
            f"({score_text(performance)}; runs {runs})"
        )
        for category in ("accessibility", "best-practices"):
            scores = [visit.scores[category] for visit in result.first + result.repeat]
            lowest = None if None in scores else min(score for score in scores if score is not None)
            lines.append(
                f"{category} stays at {KEPT_SCORE_TARGET:.1f} on {name}: {met(lowest, KEPT_SCORE_TARGET)} "
                f"(lowest of every run {score_text(lowest)})"
            )
        if result.page.search:
            repeat = PageResult.median(result.repeat)
            for visit, kilobytes, target in (
                ("first", first["kilobytes"], FIRST_VISIT_KB_TARGET),
                ("repeat", repeat["kilobytes"], REPEAT_VISIT_KB_TARGET),
            ):
                lines.append(
                    f"{visit} visit <= {target:.0f} KB transferred on {name}: "
                    + ("met" if kilobytes <= target else "MISSED")
                    + f" ({kilobytes:.1f} KB)"
                )
    return lines


def write_json(results: list[PageResult], verdicts: list[str], options: argparse.Namespace) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    document = {
        "when": now.isoformat(timespec="seconds"),
        "machine": {
            "cores": os.cpu_count(),
            "load_average_at_end": round(os.getloadavg()[0], 2),
            "platform": platform.platform(),
            "lighthouse": lighthouse_version(),
            "chromium": chromium_version(),
        },
        "runs": options.runs,
        "targets": {
            "performance": PERFORMANCE_TARGET,
            "search_first_visit_kb": FIRST_VISIT_KB_TARGET,
            "search_repeat_visit_kb": REPEAT_VISIT_KB_TARGET,
            "accessibility_and_best_practices": KEPT_SCORE_TARGET,
        },
        "pages": [result.as_dict() for result in results],
        "verdicts": verdicts,
    }
    text = json.dumps(document, indent=2)
    path = RESULTS_DIR / f"lighthouse-{now:%Y%m%d-%H%M%S}.json"
    path.write_text(text + "\n")
    (RESULTS_DIR / "lighthouse-latest.json").write_text(text + "\n")
    return path


def lighthouse_version() -> str:
    done = subprocess.run([str(LIGHTHOUSE), "--version"], capture_output=True, text=True, check=False)  # noqa: S603
    return done.stdout.strip() or "(unknown version)"


def chromium_version() -> str:
    done = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, check=False)  # noqa: S603
    return done.stdout.strip() or "Chromium"


if __name__ == "__main__":
    if shutil.which("node") is None:
        raise SystemExit("Lighthouse needs Node.js, which is not installed.")
    raise SystemExit(main())
