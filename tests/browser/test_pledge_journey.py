"""An employer writes a pledge on a phone, submits it, a coordinator approves it, and a care leaver finds it;
axe checks every page on the way, including a section shown with errors and an empty search."""

from __future__ import annotations

import uuid
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from covenant.clock import uk_today
from tests.browser.conftest import PHONE, ConsoleWatcher, LiveServer, check_page, sign_in

pytestmark = pytest.mark.browser


def fill_date(page: Page, name: str, days_from_now: int) -> None:
    day = uk_today() + timedelta(days=days_from_now)
    page.fill(f"#{name}-day", str(day.day))
    page.fill(f"#{name}-month", str(day.month))
    page.fill(f"#{name}-year", str(day.year))


def save(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Save and continue").click()


def test_a_pledge_goes_from_a_phone_to_live_and_is_found(
    context: BrowserContext, browser_server: LiveServer
) -> None:
    title = f"Bakery work experience {uuid.uuid4().hex[:6]}"
    page = context.new_page()
    page.set_viewport_size(PHONE)
    watcher = ConsoleWatcher(page)
    sign_in(page, browser_server, "employer.admin@example.org")

    page.get_by_role("button", name="Start a new pledge").click()
    check_page(page, watcher, "start a pledge")
    page.fill("#title", title)
    page.check("input[name=kind][value=work_experience]")
    save(page)
    # "Save and continue" goes on to the next question, which does not ask the name again.
    assert page.get_by_role("heading", name="About the opportunity").is_visible()
    check_page(page, watcher, "the first section, with character counts")
    page.fill("#summary", "")
    save(page)
    assert page.locator(".govuk-error-summary").is_visible()
    check_page(page, watcher, "a section with errors")
    page.check("input[name=outcome_areas][value=education_employment_training]")
    page.fill("#summary", "Two weeks learning to bake bread, with lunch and travel paid.")
    page.fill("#description", "You will work with our bakers from 7am, learning to mix, shape and bake.")
    page.fill("#what_you_get", "A reference, lunch and travel costs.")
    save(page)

    check_page(page, watcher, "the pay section")
    page.check("input[name=paid][value=no]")
    save(page)
    page.fill("#min_age", "16")
    page.fill("#max_age", "25")
    save(page)
    page.check("input[name=reach][value=national]")
    save(page)
    check_page(page, watcher, "the places section")
    page.fill("#places", "2")
    fill_date(page, "starts_on", 20)
    fill_date(page, "ends_on", 34)
    fill_date(page, "closes_on", 10)
    save(page)
    page.check("input[name=take_up][value=adviser_or_care_leaver]")
    page.fill("#contact_name", "Bea Baker")
    page.fill("#contact_email", "bea@example.org")
    save(page)
    check_page(page, watcher, "the safeguarding section")
    page.check("input[name=under_18_contact][value=yes]")
    page.check("input[name=contact_supervised][value=yes]")
    page.check("input[name=dbs_level][value=enhanced]")
    save(page)
    page.fill("#adjustments", "A later start if you need one.")
    save(page)

    page.get_by_role("button", name="Check your answers and submit").click()
    check_page(page, watcher, "check your answers")
    page.get_by_role("link", name="Change reasonable adjustments").click()
    page.fill("#adjustments", "A later start, and a quiet room for breaks.")
    save(page)
    assert page.get_by_role("heading", name="Check your answers before submitting your pledge").is_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="Submit pledge for review").click()
    assert page.get_by_role("heading", name="Pledge submitted").is_visible()
    check_page(page, watcher, "pledge submitted")

    coordinator = context.browser.new_context() if context.browser else None
    assert coordinator is not None
    try:
        review = coordinator.new_page()
        review_watcher = ConsoleWatcher(review)
        sign_in(review, browser_server, "coordinator@example.org")
        review.goto(f"{browser_server.url}/review/?page=100")
        review.get_by_role("link", name=title).click()
        check_page(review, review_watcher, "the review page")
        review.check("input[name=decision][value=approve]")
        with review.expect_navigation():
            review.get_by_role("button", name="Confirm decision").click()
        assert f"‘{title}’ is approved and live" in review.locator("main").inner_text()
    finally:
        coordinator.close()

    visitor = (
        context.browser.new_context(viewport=PHONE, java_script_enabled=False) if context.browser else None
    )
    assert visitor is not None
    try:
        search = visitor.new_page()
        search_watcher = ConsoleWatcher(search)
        search.goto(f"{browser_server.url}/opportunities")
        search.fill("#q", "bakery")
        with search.expect_navigation():
            search.get_by_role("button", name="Apply filters").first.click()
        assert "q=bakery" in search.url
        search.get_by_role("link", name=title).click()
        assert "bea@example.org" in search.locator("main").inner_text()
    finally:
        visitor.close()

    # axe needs JavaScript, so the same pages are checked again with it on.
    visitor = context.browser.new_context(viewport=PHONE) if context.browser else None
    assert visitor is not None
    try:
        search = visitor.new_page()
        search_watcher = ConsoleWatcher(search)
        search.goto(f"{browser_server.url}/opportunities?q=bakery")
        check_page(search, search_watcher, "search results")
        search.get_by_role("link", name=title).click()
        check_page(search, search_watcher, "the opportunity page")
        search.goto(f"{browser_server.url}/opportunities?q=zzyzx+quasar")
        assert "No opportunities found" in search.locator("main").inner_text()
        check_page(search, search_watcher, "an empty search")
    finally:
        visitor.close()

    page.reload()
    page.goto(f"{browser_server.url}/organisation")
    page.get_by_role("cell", name=title).get_by_role("link").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Pause this pledge").click()
    assert "Your pledge is paused" in page.locator("main").inner_text()
    with page.expect_navigation():
        page.get_by_role("link", name="Close this pledge").click()
    check_page(page, watcher, "close a pledge")
    with page.expect_navigation():
        page.get_by_role("button", name="Close pledge").click()
    assert "Your pledge is closed" in page.locator("main").inner_text()


def test_search_with_javascript_filters_fold_away_and_places_autocomplete(
    context: BrowserContext, browser_server: LiveServer
) -> None:
    page = context.new_page()
    page.set_viewport_size(PHONE)
    watcher = ConsoleWatcher(page)
    page.goto(f"{browser_server.url}/opportunities")
    show = page.get_by_role("button", name="Show filters")
    assert show.is_visible()
    check_page(page, watcher, "search with filters folded away")
    show.click()
    page.get_by_role("combobox", name="Where").fill("Leeds")
    page.locator("#near__listbox").get_by_role("option", name="Leeds", exact=True).click()
    page.select_option("#distance", "10")
    page.check("#paid")
    with page.expect_navigation():
        page.get_by_role("button", name="Apply filters").first.click()
    assert "near=Leeds" in page.url
    assert "distance=10" in page.url
    assert "paid=1" in page.url
    check_page(page, watcher, "search results with JavaScript")


def test_leaving_the_place_box_untouched_keeps_anywhere(
    context: BrowserContext, browser_server: LiveServer
) -> None:
    """Tapping into "Where" and out again without choosing must not choose a place (the first suggestion)."""
    page = context.new_page()
    page.set_viewport_size(PHONE)
    page.goto(f"{browser_server.url}/opportunities")
    page.get_by_role("button", name="Show filters").click()
    page.get_by_role("combobox", name="Where").click()
    page.get_by_label("Search words").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Apply filters").first.click()
    assert parse_qs(urlsplit(page.url).query).get("near", [""]) == [""]
    assert page.locator("input#near").input_value() == ""


def test_applying_filters_on_a_phone_without_javascript_lands_on_the_results(
    chromium: Browser, browser_server: LiveServer
) -> None:
    """Paid work experience within 10 miles of Leeds through the filters, on a phone with no JavaScript: the
    filters come before the results on a small screen, so applying them goes straight to the results."""
    context = chromium.new_context(viewport=PHONE, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{browser_server.url}/opportunities")
        page.locator("input#near").fill("Leeds")
        page.select_option("#distance", label="Within 10 miles")
        page.get_by_label("Work experience", exact=True).check()
        page.get_by_label("Paid opportunities").check()
        with page.expect_navigation():
            page.get_by_role("button", name="Apply filters").last.click()
        for part in ("near=Leeds", "distance=10", "kind=work_experience", "paid=1"):
            assert part in page.url
        heading = page.locator("#results-heading")
        top = heading.evaluate("element => element.getBoundingClientRect().top")
        assert 0 <= top < PHONE["height"] / 2, f"the results start {top}px down"
        assert "opportunit" in heading.inner_text()
        results = page.locator(".covenant-result")
        assert results.count() > 0
        for text in results.all_inner_texts():
            assert "Work experience" in text
            assert "Pay: £" in text or "Pay: Paid" in text
    finally:
        context.close()


def test_paid_work_experience_near_home_in_three_taps(chromium: Browser, browser_server: LiveServer) -> None:
    """The issue's done-when: on a phone, a care leaver picks their council area, asks for what is near, and
    narrows it to paid work experience: three taps, with JavaScript or without."""
    for javascript in (False, True):
        context = chromium.new_context(viewport=PHONE, java_script_enabled=javascript)
        try:
            page = context.new_page()
            watcher = ConsoleWatcher(page)
            page.goto(f"{browser_server.url}/opportunities")
            if javascript:
                check_page(page, watcher, "the first page of search")
            near_you = page.get_by_label("Find opportunities near you")
            top = near_you.evaluate("element => element.getBoundingClientRect().bottom")
            assert top < PHONE["height"], "the quickest way in is on the first screen"
            near_you.select_option(label="Leeds")  # 1
            with page.expect_navigation():
                page.get_by_role("button", name="Show opportunities within 10 miles").click()  # 2
            with page.expect_navigation():
                page.get_by_role("link", name="Show only paid work experience").click()  # 3
            for part in ("where=E08000035", "distance=10", "kind=work_experience", "paid=1"):
                assert part in page.url, (javascript, page.url)
            assert page.locator(".covenant-result").count() > 0
            heading = page.locator("#results-heading")
            assert heading.evaluate("element => element.getBoundingClientRect().top") < PHONE["height"] / 2
        finally:
            context.close()


def test_on_a_big_screen_the_filters_start_open_beside_the_results(
    context: BrowserContext, browser_server: LiveServer
) -> None:
    page = context.new_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{browser_server.url}/opportunities")
    assert page.get_by_label("Search words").is_visible()
    assert page.get_by_role("button", name="Hide filters").is_visible()
    filters = page.locator(".moj-filter-layout__filter").bounding_box()
    results = page.locator("#results-heading").bounding_box()
    assert filters is not None
    assert results is not None
    assert results["x"] > filters["x"] + filters["width"] - 1, "the results are beside the filters"
