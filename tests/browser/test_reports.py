"""Every take-up dashboard, with its charts, on a phone: axe finds nothing, and the chart is an image with a
title and description beside a table of the same figures."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.browser.conftest import PHONE, ConsoleWatcher, LiveServer, check_page, sign_in

pytestmark = pytest.mark.browser

PHONE_390 = {**PHONE, "width": 390}


@pytest.mark.parametrize(
    ("email", "heading"),
    [
        ("leeds.manager@example.org", "Take-up for Leeds"),
        ("leeds.adviser@example.org", "Take-up for your caseload"),
        ("employer.admin@example.org", "Take-up of"),
        ("coordinator@example.org", "Take-up across the covenant"),
    ],
)
def test_each_dashboard_passes_axe_with_its_charts(
    chromium: Browser, browser_server: LiveServer, email, heading
):
    context = chromium.new_context(viewport=PHONE_390)
    context.set_default_timeout(15_000)
    page = context.new_page()
    watcher = ConsoleWatcher(page)
    try:
        sign_in(page, browser_server, email)
        assert page.locator("a.govuk-service-navigation__link", has_text="Reports").count() == 1
        page.goto(f"{browser_server.url}/reports")
        assert page.locator("h1").inner_text().startswith(heading)
        charts = page.locator("svg[role=img]")
        assert charts.count() >= 1
        assert charts.first.locator("title").text_content()
        assert charts.first.locator("desc").text_content()
        assert page.locator("table.govuk-table").count() >= 1
        check_page(page, watcher, f"{heading} (last 12 months)")
        # Choosing other dates is a plain GET form.
        page.get_by_label("Last 3 months").check()
        page.get_by_role("button", name="Show figures").click()
        assert "period=3" in page.url
        check_page(page, watcher, f"{heading} (last 3 months)")
        # Dates that cannot be read are said so, in an error summary that axe also checks.
        page.get_by_label("Choose the dates").check()
        page.get_by_role("button", name="Show figures").click()
        assert page.locator(".govuk-error-summary").is_visible()
        check_page(page, watcher, f"{heading} (error)")
    finally:
        context.close()
