"""Fixtures for the browser layer: a real server on 127.0.0.1 with demo data, and Debian's Chromium.

The server runs in its own process (gunicorn, one worker) with its own instance folder and database: a temp
SQLite file, or `<database>_browser` next to COVENANT_TEST_DATABASE_URL's PostgreSQL database. Chromium is
launched from /usr/bin/chromium by Playwright (never `playwright install`). Where Chromium is missing the
tests are skipped with a message, except in CI (CI=true), where they fail.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pyotp
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError
from sqlalchemy.engine import make_url

from covenant import PROJECT_ROOT
from covenant.config import normalise_database_url
from covenant.demo import DEMO_AUTHENTICATOR_KEYS
from covenant.static_files import METAFILE
from devtools.servers import create_postgres_database, free_port, gunicorn
from tests.conftest import reset_database

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DEMO_PASSWORD = "demo care covenant"
STARTUP_TIMEOUT = 30.0


@dataclass(frozen=True)
class LiveServer:
    url: str
    database_url: str
    log: Path

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"


def require_chromium() -> None:
    """Skip (or, in CI, fail) when Debian's Chromium is not installed."""
    if os.path.exists(CHROMIUM) and os.access(CHROMIUM, os.X_OK):
        return
    message = (
        f"Browser tests need Chromium at {CHROMIUM} (`apt-get install chromium`); it is not installed, "
        "so the accessibility and keyboard tests did not run."
    )
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"{message} CI=true, so this is a failure: CI must run the browser layer.", pytrace=False)
    pytest.skip(message)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder drives the browser: mark it so `-m browser` / `-m 'not browser'` work."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


def browser_database_url(tmp_path: Path) -> str:
    """A clean database for the browser server: `<test database>_browser` on PostgreSQL, else SQLite."""
    configured = os.environ.get("COVENANT_TEST_DATABASE_URL")
    if not configured:
        return f"sqlite:///{tmp_path / 'covenant-browser.sqlite3'}"
    url = make_url(normalise_database_url(configured))
    if url.get_backend_name() != "postgresql":
        return f"sqlite:///{tmp_path / 'covenant-browser.sqlite3'}"
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    name = f"{url.database}_browser" + (f"_{worker}" if worker else "")
    create_postgres_database(url, name)
    browser_url = url.set(database=name).render_as_string(hide_password=False)
    reset_database(browser_url)  # drops and recreates the public schema
    return browser_url


def run_flask(env: dict[str, str], *args: str) -> None:
    command = [sys.executable, "-m", "flask", "--app", "covenant", *args]
    result = subprocess.run(command, env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)  # noqa: S603
    if result.returncode != 0:
        raise RuntimeError(f"`flask {' '.join(args)}` failed:\n{result.stdout}\n{result.stderr}")


@pytest.fixture(scope="session")
def browser_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Covenant with demo data, served by gunicorn on a free port on 127.0.0.1."""
    require_chromium()
    if not (PROJECT_ROOT / "covenant" / "static" / METAFILE).exists():
        pytest.fail("The front-end assets are not built: run `make assets` first.", pytrace=False)
    root = tmp_path_factory.mktemp("browser-server")
    instance = root / "instance"
    instance.mkdir()
    # Every demo role signs in through the real form, several times: lift the sign-in throttle.
    (instance / "config.py").write_text(
        'SIGN_IN_RATE_LIMIT = "1000 per minute"\n'
        'TWO_FACTOR_RATE_LIMIT = "1000 per minute"\n'
        'TWO_FACTOR_ADDRESS_RATE_LIMIT = "1000 per minute"\n'
    )
    database_url = browser_database_url(root)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("COVENANT_", "DATABASE_URL", "SECRET_KEY", "BASE_URL", "MAIL_", "SMTP_", "NOTIFY_", "RATELIMIT_")
        )
    }
    env.update(
        COVENANT_ENV="development",
        COVENANT_INSTANCE_PATH=str(instance),
        DATABASE_URL=database_url,
        BASE_URL=url,
        MAIL_BACKEND="log",
        PYTHONDONTWRITEBYTECODE="1",
    )
    run_flask(env, "db", "upgrade")
    run_flask(env, "load-authorities")
    run_flask(env, "load-places")
    run_flask(env, "seed-demo")

    log = root / "server.log"
    with gunicorn(
        "covenant:create_app()",
        env=env,
        cwd=PROJECT_ROOT,
        ready_path="/healthz",
        port=port,
        threads=4,
        log=log,
        timeout=STARTUP_TIMEOUT,
    ):
        yield LiveServer(url=url, database_url=database_url, log=log)


@pytest.fixture(scope="session")
def chromium(browser_server: LiveServer) -> Iterator[Browser]:
    """Debian's headless Chromium, driven by Playwright."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


# What every page is checked for -------------------------------------------------------------------------

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}


def axe_violations(page: Page) -> list[str]:
    """axe-core's WCAG 2.2 A and AA violations on the page, one readable line per rule.

    A click on a link returns once the next page's navigation has begun, so the page is awaited first; if
    axe still starts while the old document is being swapped for the new one, it is run again on the new one.
    """
    for attempt in range(3):
        page.wait_for_load_state("load")
        try:
            results = Axe().run(page, options=AXE_OPTIONS)
            break
        except PlaywrightError as error:
            swapping = "documentElement" in error.message or "context was destroyed" in error.message
            if not swapping or attempt == 2:
                raise
    problems = []
    for violation in results.response["violations"]:
        targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        more = len(violation["nodes"]) - 5
        problems.append(
            f"axe {violation['id']} ({violation['impact']}): {violation['help']} — at {targets}"
            + (f" and {more} more" if more > 0 else "")
        )
    return problems


class ConsoleWatcher:
    """Collects a page's console errors and uncaught exceptions (CSP violations are console errors).

    Chromium also logs "Failed to load resource" for a document served with a 4xx status, such as a form
    shown again with its errors (400): those are expected, so only failures of other resources count.
    """

    def __init__(self, page: Page) -> None:
        self.errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"uncaught exception: {error}"))
        self._page = page

    def _console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        location = message.location.get("url", "")
        if message.text.startswith("Failed to load resource") and location == self._page.url:
            return
        self.errors.append(f"console error: {message.text} ({location})")

    def take(self) -> list[str]:
        errors, self.errors = self.errors, []
        return errors


PHONE = {"width": 375, "height": 740}


def check_page(page: Page, watcher: ConsoleWatcher, what: str) -> None:
    """No axe violations, no console errors and nothing wider than the screen."""
    problems = axe_violations(page) + watcher.take()
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"] if page.viewport_size else width
    if width > viewport:
        problems.append(f"the page is {width}px wide on a {viewport}px screen")
    assert not problems, f"{what} ({page.url}):\n" + "\n".join(problems)


# The last time step whose code each demo account used: a code works once, so the next sign-in uses a later one.
_LAST_STEPS: dict[str, int] = {}


def authenticator_code(email: str) -> str:
    """A code from the demo account's authenticator key (README), from a time step not used yet: the server
    takes one step either side of now, so wait when the next unused step is further ahead."""
    totp = pyotp.TOTP(DEMO_AUTHENTICATOR_KEYS[email])
    step = max(totp.timecode(datetime.now(UTC)), _LAST_STEPS.get(email, 0) + 1)
    while step > totp.timecode(datetime.now(UTC)) + 1:
        time.sleep(1)
    _LAST_STEPS[email] = step
    return totp.generate_otp(step)


def sign_in(page: Page, server: LiveServer, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the real sign-in form, and with a code from the authenticator app when asked."""
    page.goto(f"{server.url}/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert "/sign-in" not in page.url, f"{email} could not sign in: {page.locator('main').inner_text()}"
    if urlsplit(page.url).path == "/two-factor/code":
        page.get_by_label("Enter the 6-digit code from your authenticator app").fill(
            authenticator_code(email)
        )
        with page.expect_navigation():
            page.get_by_role("button", name="Continue").click()
        assert "/two-factor" not in page.url, (
            f"{email}'s code was refused: {page.locator('main').inner_text()}"
        )


@pytest.fixture
def context(chromium: Browser) -> Iterator[BrowserContext]:
    """A fresh browser context (its own cookies) for one test."""
    context = chromium.new_context()
    context.set_default_timeout(10_000)
    try:
        yield context
    finally:
        context.close()
