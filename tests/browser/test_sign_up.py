"""An organisation signs up end to end with the keyboard alone; the sign-up page fits a phone screen."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page
from sqlalchemy import create_engine, text

from tests.browser.conftest import ConsoleWatcher, LiveServer, axe_violations

pytestmark = pytest.mark.browser

PHONE_WIDTH = 375


def focused(page: Page) -> str:
    """The focused element, described: its id, or its tag and text."""
    return page.evaluate(
        """() => {
            const element = document.activeElement;
            if (!element || element === document.body) return "(nothing)";
            return element.id ? `#${element.id}` : `${element.tagName.toLowerCase()} "${element.textContent.trim()}"`;
        }"""
    )


def tab_to(page: Page, element_id: str, most: int = 12) -> None:
    """Press Tab until the element with this id has focus (failing if it takes more than `most` presses)."""
    path = []
    for _ in range(most):
        page.keyboard.press("Tab")
        path.append(focused(page))
        if path[-1] == f"#{element_id}":
            return
    raise AssertionError(f"Tab did not reach #{element_id}; focus went: {' → '.join(path)}")


def type_into(page: Page, element_id: str, value: str) -> None:
    tab_to(page, element_id)
    page.keyboard.type(value)


def confirmation_link(server: LiveServer, email: str) -> str:
    """The path of the email-confirmation link sent to this address, read from the server's outbox table."""
    engine = create_engine(server.database_url)
    try:
        with engine.connect() as connection:
            bodies = connection.scalars(
                text("SELECT body FROM outbound_email WHERE to_address = :to ORDER BY id"), {"to": email}
            ).all()
    finally:
        engine.dispose()
    assert bodies, f"no email to {email} in the outbox"
    for body in bodies:
        match = re.search(r"https?://[^/\s]+(/confirm-email/\S+)", body)
        if match:
            return match.group(1)
    raise AssertionError(f"no confirmation link in the emails to {email}:\n" + "\n---\n".join(bodies))


def test_an_organisation_signs_up_with_the_keyboard_only(
    context: BrowserContext, browser_server: LiveServer
) -> None:
    unique = uuid.uuid4().hex[:8]
    organisation = f"Keyboard Joinery {unique}"
    email = f"keyboard.{unique}@example.org"
    page = context.new_page()
    watcher = ConsoleWatcher(page)
    page.goto(f"{browser_server.url}/sign-up")

    type_into(page, "organisation_name", organisation)
    tab_to(page, "organisation_type")  # the radios are one tab stop; Space ticks the focused one
    page.keyboard.press("ArrowDown")  # moves to, and ticks, "Charity or voluntary organisation"
    page.keyboard.press("ArrowUp")  # back to "Business"
    page.keyboard.press("Space")
    type_into(page, "companies_house_number", "sc 123456")
    type_into(page, "charity_number", "1012345")
    type_into(page, "website", "www.keyboard-joinery.example")
    tab_to(page, "region")
    page.keyboard.type("Yorkshire")  # type-ahead picks the option
    type_into(page, "name", "Kim Keyboard")
    type_into(page, "email", email)
    type_into(page, "password", "walnut lantern harbour")
    type_into(page, "confirm_password", "walnut lantern harbour")
    tab_to(page, "agree")
    page.keyboard.press("Space")

    assert page.locator("#organisation_name").input_value() == organisation
    assert page.locator("#organisation_type").is_checked(), "Space did not tick the Business radio"
    assert page.locator("#region").input_value() == "Yorkshire and The Humber", (
        "typing did not choose the region"
    )
    assert page.locator("#agree").is_checked(), "Space did not tick the agreement"

    tab_to(page, "submit")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert urlsplit(page.url).path == "/sign-up/check-your-email", page.locator("main").inner_text()
    assert page.get_by_role("heading", level=1).inner_text() == "Check your email"

    page.goto(browser_server.url + confirmation_link(browser_server, email))
    assert page.get_by_role("heading", level=1).inner_text() == "Confirm your email address"
    assert not axe_violations(page)
    tab_to(page, "submit", most=20)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert urlsplit(page.url).path == "/organisation"
    assert organisation in page.locator("main").inner_text(), "the new admin does not see their organisation"
    assert page.get_by_text("Your email address is confirmed and you are signed in").is_visible()
    assert page.get_by_role("button", name="Sign out").is_visible()
    assert not watcher.take()


def test_the_sign_up_page_fits_a_phone(chromium: Browser, browser_server: LiveServer, tmp_path: Path) -> None:
    context = chromium.new_context(viewport={"width": PHONE_WIDTH, "height": 800})
    try:
        page = context.new_page()
        page.goto(f"{browser_server.url}/sign-up")
        screenshot = tmp_path / "sign-up-375.png"
        page.screenshot(path=screenshot, full_page=True)
        assert screenshot.stat().st_size > 0
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE_WIDTH, (
            f"the sign-up page scrolls sideways on a phone: {width}px wide ({screenshot})"
        )
    finally:
        context.close()
