"""On a phone, the "Where" box suggests towns as you type and finds what is near the one chosen; the pledge's
council areas are chosen by typing too. Both pass axe-core's WCAG 2.2 A and AA rules."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext

from tests.browser.conftest import ConsoleWatcher, LiveServer, check_page, sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_the_where_box_suggests_a_town_and_finds_what_is_near_it(
    context: BrowserContext, browser_server: LiveServer
) -> None:
    page = context.new_page()
    page.set_viewport_size(PHONE)
    watcher = ConsoleWatcher(page)
    page.goto(f"{browser_server.url}/opportunities?kind=job")
    page.get_by_role("button", name="Show filters").click()

    where = page.get_by_role("combobox", name="Where")
    where.fill("Morl")
    suggestion = page.get_by_role("option", name="Morley")
    suggestion.wait_for()
    check_page(page, watcher, "the Where box with its suggestions open")
    suggestion.click()
    assert where.input_value() == "Morley"

    with page.expect_navigation():
        page.get_by_role("button", name="Apply filters").first.click()

    assert "near=Morley" in page.url
    assert page.locator(".covenant-distance strong").first.inner_text().endswith("away")
    check_page(page, watcher, "results near Morley")


def test_a_place_the_box_cannot_find_is_an_error_on_a_phone(
    context: BrowserContext, browser_server: LiveServer
) -> None:
    page = context.new_page()
    page.set_viewport_size(PHONE)
    watcher = ConsoleWatcher(page)
    page.goto(f"{browser_server.url}/opportunities?near=Atlantis")

    summary = page.locator(".govuk-error-summary")
    assert "We could not find ‘Atlantis’" in summary.inner_text()
    check_page(page, watcher, "an unknown place")


def test_a_pledges_council_areas_are_chosen_by_typing(
    context: BrowserContext, browser_server: LiveServer
) -> None:
    page = context.new_page()
    page.set_viewport_size(PHONE)
    watcher = ConsoleWatcher(page)
    sign_in(page, browser_server, "employer.admin@example.org")
    page.goto(f"{browser_server.url}/pledges/new")
    page.get_by_label("What is the opportunity called?").fill("Work experience in our kitchen")
    page.get_by_label("Work experience", exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save and continue").click()
    pledge_path = page.url.split("/pledges/")[1].split("/")[0].split("?")[0]
    page.goto(f"{browser_server.url}/pledges/{pledge_path}/location")

    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 3000, f"the Where section is {height} px tall on a phone"
    page.get_by_label("In one or more local authority areas").check()
    adding = page.get_by_role("combobox", name="Add a local authority area")
    adding.fill("Leed")
    page.get_by_role("option", name="Leeds").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Add this local authority area").click()

    assert page.locator(".covenant-chosen-place").all_inner_texts() == ["Leeds"]
    check_page(page, watcher, "the Where section with a council area chosen")

    # Enter in a box saves the section, rather than pressing the first Remove button.
    page.get_by_label("Postcode district of the workplace (optional)").fill("LS6")
    with page.expect_navigation():
        page.get_by_label("Postcode district of the workplace (optional)").press("Enter")
    assert not page.url.endswith("/location"), "saved and moved on"
    page.goto(f"{browser_server.url}/pledges/{pledge_path}/location")
    assert page.locator(".covenant-chosen-place").all_inner_texts() == ["Leeds"]
