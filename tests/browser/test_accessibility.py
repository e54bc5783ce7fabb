"""Every page each role can reach with the demo data passes axe-core's WCAG 2.2 A and AA rules, with no
console errors; forms showing their errors pass too; sign-in and sign-up work without JavaScript."""

from __future__ import annotations

import re
import threading
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Error, Page, sync_playwright

from tests.browser.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DEMO_PASSWORD,
    ConsoleWatcher,
    LiveServer,
    axe_violations,
    sign_in,
)

pytestmark = pytest.mark.browser

ROLES = {
    "anonymous": None,
    "coordinator": "coordinator@example.org",
    "authority-manager": "leeds.manager@example.org",
    "personal-adviser": "leeds.adviser@example.org",
    "organisation-admin": "employer.admin@example.org",
    "organisation-member": "employer.member@example.org",
}
MAX_PAGES_PER_ROLE = 60
CRAWLERS = 3  # browsers crawling at once, each taking roles one after another
# Signing in writes to the database. Two at once on SQLite, each reading then writing, can fail with "database
# is locked" (a deferred transaction cannot wait for the other's write lock), so crawlers sign in in turn.
SIGN_IN_LOCK = threading.Lock()
# Lists link to many pages built from one template (every authority's local-offer form, every page of search
# results): check two of each, so the layer stays quick as the demo data grows.
MAX_PAGES_PER_SHAPE = 2
SKIPPED_PATHS = re.compile(r"^/static/|sign-out|/healthz$")
ID_SEGMENT = re.compile(r"^(\d+|[0-9a-f-]{16,}|[A-Za-z0-9_.-]{24,})$")


def shape(url: str) -> str:
    """A page's route, more or less: its path with ids as `*`, without the query (sorting, paging, filters)."""
    path = urlsplit(url).path
    return "/".join("*" if ID_SEGMENT.match(segment) else segment for segment in path.split("/"))


def links_to_follow(page: Page, origin: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]:not([download])", "links => links.map(link => link.href)")
    found = []
    for href in hrefs:
        url = urldefrag(href).url
        if not url.startswith(origin + "/") or SKIPPED_PATHS.search(urlsplit(url).path):
            continue
        found.append(url)
    return found


def crawl(page: Page, server: LiveServer, start: str) -> tuple[list[str], list[str]]:
    """Visit pages breadth-first from `start`, checking each one; return the pages and the problems."""
    watcher = ConsoleWatcher(page)
    queue = deque([start])
    seen = {start}
    shapes: Counter[str] = Counter()
    visited: list[str] = []
    problems: list[str] = []
    while queue and len(visited) < MAX_PAGES_PER_ROLE:
        url = queue.popleft()
        if shapes[shape(url)] >= MAX_PAGES_PER_SHAPE:
            continue
        shapes[shape(url)] += 1
        path = url.removeprefix(server.url)
        try:
            response = page.goto(url)
        except Error as error:
            if "Download is starting" in error.message:  # a CSV export, say: not a page
                visited.append(f"{path} (download)")
            else:
                problems.append(f"{path}: could not be opened: {error.message.splitlines()[0]}")
            continue
        landed = urldefrag(page.url).url
        if landed != url:  # redirected, like /sign-up for someone signed in: check where it landed once
            if landed in seen:
                continue
            seen.add(landed)
            path += " → " + landed.removeprefix(server.url)
        visited.append(path)
        if response is None or response.status != 200:
            problems.append(f"{path}: answered {response.status if response else 'nothing'}")
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        problems += [f"{path}: {problem}" for problem in axe_violations(page) + watcher.take()]
        for link in links_to_follow(page, server.url):
            if link not in seen:
                seen.add(link)
                queue.append(link)
    return visited, problems


@dataclass
class Crawl:
    visited: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    error: BaseException | None = None


def crawl_as(browser: Browser, server: LiveServer, email: str | None) -> Crawl:
    """Sign in as a demo account (or stay anonymous), then crawl from that role's home page."""
    context = browser.new_context()
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        if email:
            with SIGN_IN_LOCK:
                sign_in(page, server, email)
            start = page.url
        else:
            start = f"{server.url}/"
        visited, problems = crawl(page, server, start)
        return Crawl(visited, problems)
    finally:
        context.close()


def crawl_roles(server: LiveServer, roles: list[str], results: dict[str, Crawl]) -> None:
    """One worker thread: its own Playwright and Chromium (Playwright objects stay on their thread)."""
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                for role in roles:
                    try:
                        results[role] = crawl_as(browser, server, ROLES[role])
                    except Exception as error:  # reported by that role's test
                        results[role] = Crawl(error=error)
            finally:
                browser.close()
    except Exception as error:  # Chromium did not start, say
        for role in roles:
            results.setdefault(role, Crawl(error=error))


@pytest.fixture(scope="module")
def crawls(request: pytest.FixtureRequest, browser_server: LiveServer) -> dict[str, Crawl]:
    """The crawl of every role this run tests, CRAWLERS at a time: a page mostly waits on the browser."""
    results: dict[str, Crawl] = {}
    selected = {
        item.callspec.params["role"]
        for item in request.session.items
        if getattr(item, "originalname", "") == "test_every_page_a_role_can_reach_is_accessible"
    }
    roles = [role for role in ROLES if role in selected]
    groups = [roles[worker::CRAWLERS] for worker in range(CRAWLERS)]
    threads = [
        threading.Thread(target=crawl_roles, args=(browser_server, group, results)) for group in groups
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_can_reach_is_accessible(
    crawls: dict[str, Crawl], browser_server: LiveServer, role: str
) -> None:
    result = crawls[role]
    if result.error is not None:
        raise result.error
    visited, problems = result.visited, result.problems
    print(f"{role}: {len(visited)} pages checked: {', '.join(visited)}")
    assert len(visited) >= 3, f"{role} reached only {visited}"
    report = "\n".join(problems)
    if any(": answered 5" in problem for problem in problems):
        report += f"\n\nThe end of the server's log:\n{browser_server.log_tail()}"
    assert not problems, f"{len(problems)} problems for {role} over {len(visited)} pages:\n{report}"


@pytest.mark.parametrize(
    ("path", "button"),
    [
        ("/sign-in", "Sign in"),
        ("/sign-up", "Sign up"),
        ("/forgot-password", "Send reset link"),
        ("/opportunities", "Show opportunities within 10 miles"),
    ],
)
def test_forms_showing_errors_are_accessible(
    context: BrowserContext, browser_server: LiveServer, path: str, button: str
) -> None:
    page = context.new_page()
    watcher = ConsoleWatcher(page)
    page.goto(browser_server.url + path)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name=button).click()
    assert navigation.value.status == 400
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible(), f"no error summary on {path} submitted empty"
    assert page.title().startswith("Error: ")
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')"), (
        "error summary not focused"
    )
    problems = axe_violations(page) + watcher.take()
    assert not problems, f"{path} with errors:\n" + "\n".join(problems)


@pytest.fixture
def no_javascript(chromium: Browser) -> Iterator[BrowserContext]:
    context = chromium.new_context(java_script_enabled=False)
    context.set_default_timeout(10_000)
    yield context
    context.close()


def test_sign_up_and_sign_in_work_without_javascript(
    no_javascript: BrowserContext, browser_server: LiveServer
) -> None:
    page = no_javascript.new_page()
    page.goto(f"{browser_server.url}/sign-up")
    assert page.get_by_role("heading", level=1).inner_text() == "Sign up your organisation"
    assert "govuk-frontend-supported" not in (page.locator("body").get_attribute("class") or "")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign up").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert page.get_by_role("link", name="Enter your organisation’s name").is_visible()

    page.goto(f"{browser_server.url}/sign-in")
    page.get_by_label("Email address").fill("employer.member@example.org")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert urlsplit(page.url).path == "/organisation"
    assert "Northfield Building Supplies" in page.locator("main").inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
    assert urlsplit(page.url).path == "/sign-in"
    assert page.get_by_text("You have signed out").is_visible()
