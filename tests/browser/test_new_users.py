"""What new users tripped on, tried in the browser on a phone: the first page's start button, and the
coordinator's pages for what waits, nudging with a question first and inviting a coordinator; axe checks each."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext

from tests.browser.conftest import PHONE, ConsoleWatcher, LiveServer, check_page, sign_in

pytestmark = pytest.mark.browser


def test_the_first_page_starts_a_care_leaver_finding_opportunities(
    context: BrowserContext, browser_server: LiveServer
) -> None:
    page = context.new_page()
    page.set_viewport_size(PHONE)
    watcher = ConsoleWatcher(page)
    page.goto(f"{browser_server.url}/")
    check_page(page, watcher, "the first page")
    with page.expect_navigation():
        page.get_by_role("button", name="Find opportunities").click()
    assert page.url.endswith("/opportunities")
    page.goto(f"{browser_server.url}/")
    with page.expect_navigation():
        page.get_by_role("link", name="sign in", exact=True).click()
    assert "/sign-in" in page.url


def test_a_coordinator_sees_what_waits_nudges_after_a_question_and_invites_a_coordinator(
    context: BrowserContext, browser_server: LiveServer
) -> None:
    page = context.new_page()
    page.set_viewport_size(PHONE)
    watcher = ConsoleWatcher(page)
    sign_in(page, browser_server, "coordinator@example.org")
    assert page.get_by_role("heading", name="Pledges to review").is_visible()
    check_page(page, watcher, "the coordinator's home page")

    page.goto(f"{browser_server.url}/coordinator/signatories-without-pledges")
    page.get_by_role("link", name="Nudge").first.click()
    assert page.get_by_role("heading", name="Send a reminder to").is_visible()
    check_page(page, watcher, "the nudge question")

    page.goto(f"{browser_server.url}/coordinator/organisations")
    page.locator("main table a").first.click()
    assert page.get_by_role("heading", name="History").is_visible()
    check_page(page, watcher, "an organisation's page with its history")

    page.goto(f"{browser_server.url}/team/invite")
    page.get_by_label("Email address").fill("another.coordinator@example.org")
    page.get_by_label("Covenant coordinator").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Send invitation").click()
    assert page.get_by_role("heading", name="Check before you invite a covenant coordinator").is_visible()
    check_page(page, watcher, "check before inviting a coordinator")
    with page.expect_navigation():
        page.get_by_role("button", name="Send invitation").click()
    assert (
        "We have sent an invitation to another.coordinator@example.org" in page.locator("main").inner_text()
    )
