"""The sections of a pledge: their questions, when each is complete, and how answers read back.

The task list, the question pages, check-your-answers and the review rules all come from this one table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from covenant.models import Pledge
from covenant.pledges.forms import (
    AboutForm,
    AdjustmentsForm,
    EligibilityForm,
    LocationForm,
    NameForm,
    PayForm,
    PlacesForm,
    SafeguardingForm,
    SectionForm,
    TakeUpForm,
)
from covenant.templating import date_text
from covenant.vocab import KINDS_WITHOUT_PAY, Reach


@dataclass(frozen=True)
class Section:
    """One task-list section of the pledge form."""

    key: str
    title: str
    form: type[SectionForm]
    is_complete: Callable[[Pledge], bool]
    answers: Callable[[Pledge], list[tuple[str, str]]]
    #: Changing any of these on a live pledge sends it back for review.
    review_fields: frozenset[str]
    #: What the warning on a live pledge's page says sends it back for review.
    review_note: str = ""
    #: Whether the section is asked at all for this pledge (pay means nothing for a discount).
    applies: Callable[[Pledge], bool] = lambda pledge: True


def _yes_no(value: bool | None) -> str:
    return {True: "Yes", False: "No"}.get(value, "Not answered") if value is not None else "Not answered"


def _text(value: Any) -> str:
    return str(value) if value not in (None, "") else "None given"


def pay_applies(pledge: Pledge) -> bool:
    """Whether pay means anything for this kind of pledge (not for a discount or housing support)."""
    return pledge.kind not in KINDS_WITHOUT_PAY


def pay_text(pledge: Pledge) -> str:
    """'£11.44 per hour', 'Unpaid', or 'Not answered'."""
    if pledge.paid is None:
        return "Not answered"
    if not pledge.paid:
        return "Unpaid"
    if pledge.pay_amount is None or pledge.pay_period is None:
        return "Paid"
    return f"£{pledge.pay_amount:,.2f} {pledge.pay_period.label}".replace(".00 ", " ")


def places_text(pledge: Pledge) -> str:
    """'No limit', '5 places', or 'Not answered'."""
    if pledge.places_unlimited:
        return "No limit"
    if pledge.places is None:
        return "Not answered"
    return f"{pledge.places} place{'s' if pledge.places != 1 else ''}"


def where_text(pledge: Pledge) -> str:
    """Where the pledge is available, in words."""
    if pledge.reach is None:
        return "Not answered"
    if pledge.reach == Reach.REGIONS:
        place = ", ".join(region.label for region in pledge.regions)
    elif pledge.reach == Reach.LOCAL_AUTHORITIES:
        place = ", ".join(authority.name for authority in pledge.local_authorities)
    else:
        place = pledge.reach.label
    if pledge.postcode_district:
        place += f" (near {pledge.postcode_district})"
    return place


def ages_text(pledge: Pledge) -> str:
    """'16 to 25', or 'Not answered'."""
    if pledge.min_age is None or pledge.max_age is None:
        return "Not answered"
    if pledge.min_age == pledge.max_age:
        return f"{pledge.min_age} only"
    return f"{pledge.min_age} to {pledge.max_age}"


def dates_text(pledge: Pledge) -> str:
    """'From 1 March 2027 to 14 March 2027', or 'From 1 March 2027, ongoing'."""
    if pledge.starts_on is None:
        return "Not answered"
    if pledge.ongoing:
        return f"From {date_text(pledge.starts_on)}, ongoing"
    return f"From {date_text(pledge.starts_on)} to {date_text(pledge.ends_on)}"


SECTIONS: tuple[Section, ...] = (
    # The start page asks these two to create the draft; this section is where they change afterwards.
    Section(
        key="name",
        title="Name and kind",
        form=NameForm,
        is_complete=lambda p: bool(p.title and p.kind),
        answers=lambda p: [("Name", p.title), ("Kind", p.kind.label)],
        review_fields=frozenset({"title", "kind"}),
        review_note="Changing the name or kind sends the pledge back for review.",
    ),
    Section(
        key="about",
        title="About the opportunity",
        form=AboutForm,
        is_complete=lambda p: bool(p.outcome_areas and p.summary and p.description and p.what_you_get),
        answers=lambda p: [
            ("Outcome areas", ", ".join(area.label for area in p.outcome_areas) or "Not answered"),
            ("Summary", _text(p.summary)),
            ("Description", _text(p.description)),
            ("What the care leaver gets", _text(p.what_you_get)),
        ],
        review_fields=frozenset({"outcome_areas"}),
        review_note="Changing the outcome areas sends the pledge back for review. You can change the summary and descriptions and it stays live: a coordinator reads the new words afterwards.",
    ),
    Section(
        key="pay",
        title="Pay",
        form=PayForm,
        is_complete=lambda p: (
            not pay_applies(p)
            or p.paid is False
            or (p.paid is True and p.pay_amount is not None and p.pay_period is not None)
        ),
        answers=lambda p: [("Pay", pay_text(p))],
        review_fields=frozenset({"paid", "pay_amount", "pay_period"}),
        review_note="Changing the pay sends the pledge back for review.",
        applies=pay_applies,
    ),
    Section(
        key="eligibility",
        title="Who it is for",
        form=EligibilityForm,
        is_complete=lambda p: p.min_age is not None and p.max_age is not None,
        answers=lambda p: [("Ages", ages_text(p)), ("Other requirements", _text(p.requirements))],
        review_fields=frozenset({"min_age", "max_age", "requirements"}),
        review_note="Changing who it is for sends the pledge back for review.",
    ),
    Section(
        key="location",
        title="Where it is",
        form=LocationForm,
        is_complete=lambda p: (
            p.reach is not None
            and (p.reach != Reach.REGIONS or bool(p.regions))
            and (p.reach != Reach.LOCAL_AUTHORITIES or bool(p.local_authorities))
        ),
        answers=lambda p: [("Where", where_text(p))],
        review_fields=frozenset({"reach", "regions", "local_authority_ids", "postcode_district"}),
        review_note="Changing where it is sends the pledge back for review.",
    ),
    Section(
        key="places",
        title="Places and dates",
        form=PlacesForm,
        is_complete=lambda p: (
            (p.places_unlimited or p.places is not None)
            and p.starts_on is not None
            and (p.ongoing or p.ends_on is not None)
        ),
        answers=lambda p: [
            ("Places", places_text(p)),
            ("Dates", dates_text(p)),
            (
                "Closing date for referrals",
                date_text(p.closes_on) if p.closes_on else "Takes referrals until it ends",
            ),
        ],
        review_fields=frozenset({"starts_on", "ends_on", "ongoing"}),
        review_note="Changing the start or end date sends the pledge back for review. You can change the places and the closing date and it stays live.",
    ),
    Section(
        key="take-up",
        title="How to take it up",
        form=TakeUpForm,
        is_complete=lambda p: p.take_up is not None and bool(p.contact_name and p.contact_email),
        answers=lambda p: [
            ("How to take it up", p.take_up.label if p.take_up else "Not answered"),
            ("Contact", _text(p.contact_name)),
            ("Contact’s email address", _text(p.contact_email)),
            ("Contact’s phone number", _text(p.contact_phone)),
        ],
        review_fields=frozenset({"take_up", "contact_name", "contact_email", "contact_phone"}),
        review_note="Changing how it is taken up or the contact details sends the pledge back for review, as people will use them to get in touch.",
    ),
    Section(
        key="safeguarding",
        title="Safeguarding",
        form=SafeguardingForm,
        is_complete=lambda p: (
            p.under_18_contact is not None
            and (not p.under_18_contact or p.contact_supervised is not None)
            and p.dbs_level is not None
            and (not p.under_18_contact or p.contact_supervised or p.dbs_confirmed_on is not None)
        ),
        answers=lambda p: [
            ("Contact with under-18s", _yes_no(p.under_18_contact)),
            *([("Always supervised", _yes_no(p.contact_supervised))] if p.under_18_contact else []),
            ("DBS check", p.dbs_level.label if p.dbs_level else "Not answered"),
            *(
                [
                    ("Checks last confirmed", date_text(p.dbs_confirmed_on)),
                    ("DBS Update Service", "Used" if p.dbs_update_service else "Not used"),
                ]
                if p.dbs_confirmed_on
                else []
            ),
        ],
        review_fields=frozenset({"under_18_contact", "contact_supervised", "dbs_level"}),
        review_note="Changing who has contact with under-18s, or the level of DBS check, sends the pledge back for review. You can confirm your checks again and it stays live.",
    ),
    Section(
        key="adjustments",
        title="Reasonable adjustments",
        form=AdjustmentsForm,
        is_complete=lambda p: p.adjustments_answered,
        answers=lambda p: [("Reasonable adjustments", _text(p.adjustments))],
        review_fields=frozenset(),
    ),
)

SECTIONS_BY_KEY = {section.key: section for section in SECTIONS}


def sections_for(pledge: Pledge) -> list[Section]:
    """The sections asked for this pledge, in order."""
    return [section for section in SECTIONS if section.applies(pledge)]
