"""Jade, 17, signs in from her phone: she sees what is picked for her and why, says "I'm interested" in one,
says how a finished referral went, stops one she no longer wants, and her adviser finds her question waiting and
answers it. axe checks every page on the way, at phone width."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.browser.conftest import LiveServer, check_page
from tests.browser.test_referral_journey import on_phone, press

pytestmark = pytest.mark.browser


def test_a_young_person_follows_their_referrals_and_says_what_they_want_from_a_phone(
    chromium: Browser, browser_server: LiveServer
) -> None:
    jade, watcher = on_phone(chromium, browser_server, "care.leaver@example.org")
    check_page(jade, watcher, "a young person's home page")
    home = jade.locator("main").inner_text()
    assert "Hi Jade" in home
    assert "Because you’re interested in" in home
    assert "has said yes. Your first day is Monday" in home

    suggestion = jade.locator("main h3 a").first
    title = suggestion.inner_text()
    suggestion.click()
    check_page(jade, watcher, "a suggested opportunity, for a young person")
    jade.get_by_role("button", name="I’m interested").click()
    check_page(jade, watcher, "saying I'm interested")
    jade.fill("#message", "I can start after my exams in June.")
    press(jade, "Tell my adviser")
    check_page(jade, watcher, "home, after saying I'm interested")
    assert "Your adviser will get back to you" in jade.locator("main").inner_text()

    jade.get_by_role("link", name="Tell us how it went").click()
    check_page(jade, watcher, "how it went")
    jade.get_by_label("4", exact=True).check()
    jade.get_by_role("group", name="Would you tell another care leaver to do it?").get_by_label("Yes").check()
    jade.fill("#comment", "The team were kind and showed me everything.")
    press(jade, "Send")
    check_page(jade, watcher, "home, after saying how it went")
    assert "Tell us how it went" not in jade.locator("main").inner_text()

    jade.get_by_role("link", name="I do not want to do this any more").first.click()
    check_page(jade, watcher, "stopping a referral")
    jade.fill("#reason", "I want to wait until I finish college.")
    press(jade, "Stop this")
    check_page(jade, watcher, "home, after stopping a referral")
    assert "This was stopped" in jade.locator("main").inner_text()

    adviser, adviser_watcher = on_phone(chromium, browser_server, "leeds.adviser@example.org")
    adviser.get_by_role("link", name=f"Jade (LDS-100001) is interested in ‘{title}’").click()
    check_page(adviser, adviser_watcher, "a young person's question, for their adviser")
    assert "I can start after my exams in June." in adviser.locator("main").inner_text()
