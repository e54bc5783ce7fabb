"""The public statistics and the needs report in a real browser, on a phone's screen: axe-core finds nothing
wrong with them or their charts, and the date range works without JavaScript."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.browser.conftest import PHONE, ConsoleWatcher, LiveServer, check_page, run_flask, sign_in

pytestmark = pytest.mark.browser

DFE_FILE = """time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,\
new_la_code,old_la_code,la_name,age,activity,number,percentage
2026,Financial year,Local authority,E92000001,England,E12000003,Yorkshire and The Humber,E08000035,383,Leeds,\
Aged 19 to 21,"Not in education, employment or training",210,40
2026,Financial year,Local authority,E92000001,England,E12000007,London,E09000007,202,Camden,\
Aged 19 to 21,"Not in education, employment or training",95,38
2026,Financial year,Local authority,E92000001,England,E12000009,South West,E06000052,908,Cornwall,\
Aged 19 to 21,"Not in education, employment or training",c,c
"""


@pytest.fixture(scope="module")
def dfe_figures(browser_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> None:
    """DfE's figures for three authorities, imported into the server's database with the real command: a year
    after the demo's invented figures, so the report reads these."""
    folder = tmp_path_factory.mktemp("dfe")
    path = folder / "cla_care_leavers_activity.csv"
    path.write_text(DFE_FILE, encoding="utf-8")
    (folder / "instance").mkdir()
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("COVENANT_", "DATABASE_URL"))
    }
    env.update(
        COVENANT_ENV="development",
        COVENANT_INSTANCE_PATH=str(Path(folder / "instance")),
        DATABASE_URL=browser_server.database_url,
    )
    run_flask(env, "import-care-leaver-statistics", str(path))


@pytest.fixture
def phone(chromium: Browser) -> Iterator[BrowserContext]:
    context = chromium.new_context(viewport=PHONE)
    context.set_default_timeout(10_000)
    try:
        yield context
    finally:
        context.close()


def assert_charts_described(page: Page) -> None:
    charts = page.locator("svg[role=img]")
    assert charts.count() >= 1
    for index in range(charts.count()):
        chart = charts.nth(index)
        labelled = chart.get_attribute("aria-labelledby") or ""
        for part in labelled.split():
            assert page.locator(f"[id='{part}']").count() == 1, f"{part} is not in the chart"


def test_the_public_statistics_are_accessible_on_a_phone(
    phone: BrowserContext, browser_server: LiveServer
) -> None:
    page = phone.new_page()
    watcher = ConsoleWatcher(page)
    page.goto(f"{browser_server.url}/statistics/")
    assert page.locator("h1").inner_text() == "Care Leaver Covenant statistics"
    assert_charts_described(page)
    check_page(page, watcher, "/statistics")

    # The date range is a plain GET form.
    page.get_by_label("Last 3 months").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Show figures").click()
    assert "period=3" in page.url
    check_page(page, watcher, "/statistics, last 3 months")


def test_a_date_range_with_errors_is_accessible(phone: BrowserContext, browser_server: LiveServer) -> None:
    page = phone.new_page()
    watcher = ConsoleWatcher(page)
    response = page.goto(f"{browser_server.url}/statistics/?period=custom")
    assert response is not None
    assert response.status == 400
    assert page.locator(".govuk-error-summary").is_visible()
    check_page(page, watcher, "/statistics with errors")


def test_the_needs_report_is_accessible_on_a_phone(
    phone: BrowserContext, browser_server: LiveServer, dfe_figures: None
) -> None:
    page = phone.new_page()
    watcher = ConsoleWatcher(page)
    sign_in(page, browser_server, "coordinator@example.org")
    page.goto(f"{browser_server.url}/statistics/needs")
    assert page.locator("h1").inner_text() == "Where offers are needed"
    first = page.locator("table tbody tr").first.locator("th, td").first.inner_text()
    assert first == "Leeds"
    assert_charts_described(page)
    check_page(page, watcher, "/statistics/needs")
