"""Complete, valid answers for every pledge section, as a browser would post them, and helpers that write a
pledge through the pages with them."""

from __future__ import annotations

from datetime import date, timedelta

from covenant.clock import uk_today
from tests.conftest import csrf_token, error_summary


def date_parts(name: str, value: date) -> dict[str, list[str]]:
    """A date as the three inputs of a GOV.UK date field (they share one name)."""
    return {name: [str(value.day), str(value.month), str(value.year)]}


def section_answers(today: date | None = None) -> dict[str, dict[str, object]]:
    """Form data for each section key, valid on `today`."""
    today = today or uk_today()
    return {
        "name": {"title": "Two weeks’ work experience in our warehouse", "kind": "work_experience"},
        "about": {
            "outcome_areas": ["education_employment_training", "independent_living"],
            "summary": "Learn how a busy warehouse works, with lunch and travel paid.",
            "description": "You will work alongside our team picking and packing orders.",
            "what_you_get": "A reference, lunch every day and your travel paid.",
        },
        "pay": {"paid": "yes", "pay_amount": "11.44", "pay_period": "hour"},
        "eligibility": {"min_age": "16", "max_age": "25", "requirements": "Able to get to Leeds by 9am"},
        "location": {"reach": "regions", "regions": ["Yorkshire and The Humber"], "postcode_district": "ls1"},
        "places": {
            "places": "3",
            **date_parts("starts_on", today + timedelta(days=30)),
            **date_parts("ends_on", today + timedelta(days=44)),
            **date_parts("closes_on", today + timedelta(days=20)),
        },
        "take-up": {
            "take_up": "adviser_or_care_leaver",
            "contact_name": "Sam Jones",
            "contact_email": "Sam.Jones@Example.org",
            "contact_phone": "0113 496 0000",
        },
        "safeguarding": {
            "under_18_contact": "yes",
            "contact_supervised": "yes",
            "dbs_level": "enhanced",
        },
        "adjustments": {"adjustments": "Flexible start times and a quiet room for breaks."},
    }


def post_form(client, path, data):
    """POST a form with a fresh CSRF token from the same page."""
    return client.post(path, data={"csrf_token": csrf_token(client, path), **data})


def start_pledge(client, title="Warehouse work experience", kind="work_experience"):
    response = post_form(client, "/pledges/new", {"title": title, "kind": kind})
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].split("/")[-2])


def complete_pledge(client, pledge_id, answers=None):
    for key, data in (answers or section_answers()).items():
        response = post_form(client, f"/pledges/{pledge_id}/{key}", data)
        assert response.status_code == 302, (key, error_summary(response.get_data(as_text=True)))
