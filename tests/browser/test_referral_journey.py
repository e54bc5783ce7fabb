"""An adviser in Leeds finds an opportunity for a young person on their caseload and refers them from a phone;
the organisation accepts, records the start and the completion; the adviser follows it to the end. axe checks
every page on the way, at phone width."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy import create_engine, text

from covenant.clock import uk_today
from tests.browser.conftest import PHONE, ConsoleWatcher, LiveServer, check_page, sign_in

pytestmark = pytest.mark.browser


def a_pledge_to_refer_to(server: LiveServer) -> tuple[int, str, str, int]:
    """A live Northfield Building Supplies pledge with a free place (the demo employer's), and a Leeds care
    leaver old enough for it who has never been referred to it: (pledge id, title, first name, care leaver id)."""
    today = uk_today()
    engine = create_engine(server.database_url)
    try:
        with engine.connect() as connection:
            row = connection.execute(
                text(
                    """
                    SELECT pledge.id, pledge.title, care_leaver.first_name, care_leaver.id
                    FROM pledge
                    JOIN organisation ON organisation.id = pledge.organisation_id
                    JOIN care_leaver ON care_leaver.adviser_id = (
                        SELECT id FROM user_account WHERE email = 'leeds.adviser@example.org')
                    WHERE organisation.name = 'Northfield Building Supplies'
                      AND pledge.status = 'published'
                      AND (pledge.places_unlimited OR pledge.places_taken < pledge.places)
                      AND (pledge.closes_on IS NULL OR pledge.closes_on >= :today)
                      AND care_leaver.date_of_birth <= :nineteen
                      AND NOT EXISTS (SELECT 1 FROM referral WHERE referral.care_leaver_id = care_leaver.id
                                      AND referral.pledge_id = pledge.id)
                    ORDER BY pledge.id, care_leaver.id
                    LIMIT 1
                    """
                ),
                {"today": today, "nineteen": today - timedelta(days=365 * 19 + 5)},
            ).one()
    finally:
        engine.dispose()
    return int(row[0]), str(row[1]), str(row[2]), int(row[3])


def on_phone(chromium: Browser, server: LiveServer, email: str) -> tuple[Page, ConsoleWatcher]:
    context = chromium.new_context(viewport=PHONE)
    context.set_default_timeout(15_000)
    page = context.new_page()
    watcher = ConsoleWatcher(page)
    sign_in(page, server, email)
    return page, watcher


def press(page: Page, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()


def test_a_referral_goes_from_an_advisers_phone_to_a_completed_placement(
    chromium: Browser, browser_server: LiveServer
) -> None:
    pledge_id, title, first_name, care_leaver_id = a_pledge_to_refer_to(browser_server)
    adviser, adviser_watcher = on_phone(chromium, browser_server, "leeds.adviser@example.org")
    check_page(adviser, adviser_watcher, "the adviser's home page")
    adviser.goto(f"{browser_server.url}/caseload/{care_leaver_id}")
    check_page(adviser, adviser_watcher, "a care leaver's record")
    adviser.get_by_role("button", name=f"Find opportunities for {first_name}").click()
    check_page(adviser, adviser_watcher, "the search for a care leaver")
    assert f"You are finding opportunities for {first_name}" in adviser.locator("main").inner_text()

    adviser.goto(f"{browser_server.url}/opportunities/{pledge_id}")
    adviser.get_by_role("button", name=f"Refer {first_name}").click()
    check_page(adviser, adviser_watcher, "the referral note")
    adviser.fill("#note", f"{first_name} is keen to learn the trade and can start in a fortnight.")
    press(adviser, "Continue")
    check_page(adviser, adviser_watcher, "what the organisation will see")
    assert "is keen to learn the trade" in adviser.locator(".govuk-summary-list").inner_text()
    press(adviser, "Send referral")
    check_page(adviser, adviser_watcher, "the referral")
    assert f"{first_name} has been referred to ‘{title}’" in adviser.locator("main").inner_text()
    referral_url = adviser.url

    organisation, organisation_watcher = on_phone(chromium, browser_server, "employer.admin@example.org")
    organisation.get_by_role("button", name="Menu").click()  # on a phone the navigation folds away
    organisation.get_by_role("link", name="Referrals", exact=True).click()
    check_page(organisation, organisation_watcher, "the organisation's referrals")
    organisation.get_by_role("link", name=f"{first_name}", exact=False).filter(has_text=title).first.click()
    check_page(organisation, organisation_watcher, "a referral, for the organisation")
    for action, confirm in [
        ("Accept", "Accept"),
        ("Record that they started", "Record that they started"),
        ("Record that they completed it", "Record that they completed it"),
    ]:
        organisation.get_by_role("button", name=action).click()
        check_page(organisation, organisation_watcher, f"confirming '{action}'")
        press(organisation, confirm)
        check_page(organisation, organisation_watcher, f"the referral after '{action}'")
    assert "Completed" in organisation.locator(".govuk-tag").first.inner_text()

    adviser.goto(referral_url)
    check_page(adviser, adviser_watcher, "the finished referral, for the adviser")
    titles = adviser.locator(".moj-timeline__title").all_inner_texts()
    assert titles == ["Completed", "Started", "Accepted", "Waiting for a reply"]
    press(adviser, "I have seen this")
    check_page(adviser, adviser_watcher, "the adviser's home page again")
