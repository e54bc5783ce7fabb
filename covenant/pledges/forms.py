"""The pledge question pages, one form per section, in GOV.UK voice.

Each form knows how to fill itself from a pledge (`load`) and which values it saves (`values`).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from covenant.clock import uk_today
from covenant.fields import (
    DateRequired,
    GovDateField,
    MoneyField,
    RequiredWhen,
    WholeNumberField,
    as_bool,
    yes_no_coerce,
    yes_no_field,
)
from covenant.forms import BaseForm, GovSubmit, compact_upper, single_line, vocabulary_choices
from covenant.models import Pledge
from covenant.reference import is_postcode_district
from covenant.templating import date_text
from covenant.vocab import (
    KINDS_WITHOUT_PAY,
    MAX_CARE_LEAVER_AGE,
    MIN_CARE_LEAVER_AGE,
    MINIMUM_WAGE_FROM,
    MINIMUM_WAGE_RATES,
    MINIMUM_WAGE_SHOWN_FOR_DAYS,
    POSTCODE_DISTRICT,
    DbsLevel,
    OutcomeArea,
    PayPeriod,
    PledgeKind,
    Reach,
    Region,
    TakeUp,
)

# Well within what the pay column holds (Numeric(10, 2): up to £99,999,999.99).
MAX_PAY = 1_000_000
PHONE = re.compile(r"^[0-9 +()\-]{7,20}$")


class SectionForm(BaseForm):
    """A pledge section: saving it returns to the task list, or keeps the draft for later."""

    save = SubmitField("Save and continue", widget=GovSubmit())

    #: Model attributes this form sets, when they share the form field's name.
    plain_fields: tuple[str, ...] = ()
    #: Extra GOV.UK macro parameters for fields, by field name.
    render_params: dict[str, dict[str, Any]] = {}

    def load(self, pledge: Pledge) -> None:
        """Fill the form from a saved pledge (on GET)."""
        for name in self.plain_fields:
            self[name].data = getattr(pledge, name)

    def values(self) -> dict[str, Any]:
        """What to save on the pledge."""
        return {name: self[name].data for name in self.plain_fields}


TITLE_MAX = 120


class NameForm(SectionForm):
    """The pledge's name and kind: the start page's questions, and where they change later."""

    plain_fields = ("title",)
    # A GOV.UK character count is a text area; two rows show a long name whole on a phone.
    render_params = {"title": {"maxlength": TITLE_MAX, "rows": 2}}

    title = TextAreaField(
        "What is the opportunity called?",
        widget=GovCharacterCount(),
        description="Use plain words a 16-year-old would understand, like ‘Two weeks’ work experience in our warehouse’.",
        filters=[single_line],  # a text area, for its character count, but one line
        validators=[
            InputRequired(message="Enter the name of the opportunity"),
            Length(max=TITLE_MAX, message="Name of the opportunity must be 120 characters or fewer"),
        ],
    )
    kind = RadioField(
        "What kind of opportunity is it?",
        widget=GovRadioInput(),
        choices=vocabulary_choices(PledgeKind),
        validators=[InputRequired(message="Select the kind of opportunity")],
    )

    def load(self, pledge: Pledge) -> None:
        super().load(pledge)
        self.kind.data = pledge.kind.value

    def values(self) -> dict[str, Any]:
        values = super().values()
        values["kind"] = PledgeKind(self.kind.data)
        if values["kind"] in KINDS_WITHOUT_PAY:  # no pay question, so no answer left over from another kind
            values.update(paid=None, pay_amount=None, pay_period=None)
        return values


class StartForm(NameForm):
    """The first question: enough to create the draft. Saving it goes on to the next question."""


class AboutForm(SectionForm):
    plain_fields = ("summary", "description", "what_you_get")
    render_params = {
        "summary": {"maxlength": 200, "rows": 3},
        "description": {"maxlength": 5000, "rows": 8},
        "what_you_get": {"maxlength": 2000, "rows": 4},
    }

    outcome_areas = SelectMultipleField(
        "Which outcome areas does it support?",
        widget=GovCheckboxesInput(),
        description="Select all that apply.",
        choices=vocabulary_choices(OutcomeArea),
        validators=[InputRequired(message="Select at least one outcome area")],
    )
    summary = TextAreaField(
        "Summary",
        widget=GovCharacterCount(),
        description="One sentence that appears in search results. For example, ‘Spend two weeks learning how a busy warehouse works, with lunch and travel paid’.",
        validators=[
            InputRequired(message="Enter a summary"),
            Length(max=200, message="Summary must be 200 characters or fewer"),
        ],
    )
    description = TextAreaField(
        "Describe the opportunity",
        widget=GovCharacterCount(),
        description="What will they do, who will they work with, what is a typical day like?",
        validators=[
            InputRequired(message="Enter a description of the opportunity"),
            Length(max=5000, message="Description must be 5,000 characters or fewer"),
        ],
    )
    what_you_get = TextAreaField(
        "What does the care leaver get?",
        widget=GovCharacterCount(),
        description="For example, a reference, a qualification, travel costs, lunch, equipment.",
        validators=[
            InputRequired(message="Enter what the care leaver gets"),
            Length(max=2000, message="What the care leaver gets must be 2,000 characters or fewer"),
        ],
    )

    def load(self, pledge: Pledge) -> None:
        super().load(pledge)
        self.outcome_areas.data = [area.value for area in pledge.outcome_areas]

    def values(self) -> dict[str, Any]:
        values = super().values()
        values["outcome_areas"] = [OutcomeArea(area) for area in self.outcome_areas.data or []]
        return values


def pay_hint(today: date) -> str:
    """The pay question's hint: the minimum wage rates while they are current, never stale figures."""
    hint = "Only if it is paid. Enter pounds and pence, like 12.50, or a yearly salary, like 24000."
    if today < MINIMUM_WAGE_FROM or (today - MINIMUM_WAGE_FROM).days > MINIMUM_WAGE_SHOWN_FOR_DAYS:
        return hint + " It must be at least the National Minimum Wage for the young person’s age."
    rates = ", ".join(f"£{rate} at {ages}" for ages, rate in MINIMUM_WAGE_RATES)
    return f"{hint} From {date_text(MINIMUM_WAGE_FROM)}, the National Minimum Wage per hour is {rates}."


class PayForm(SectionForm):
    render_params = {
        "pay_amount": {
            "prefix": {"text": "£"},
            "classes": "govuk-input--width-10",
            "inputmode": "decimal",
            "spellcheck": False,
        }
    }
    paid = yes_no_field("Is it paid?", "Select yes if the opportunity is paid")
    pay_amount = MoneyField(
        "How much is the pay, in pounds?",
        invalid="Enter the pay as an amount of money, like 12.50 or 24000",
        validators=[
            RequiredWhen("paid", "yes", "Enter how much the pay is"),
            NumberRange(min=0.01, message="Pay must be more than £0"),
            NumberRange(max=MAX_PAY, message="Pay must be £1,000,000 or less"),
        ],
    )
    pay_period = RadioField(
        "Is that per hour, per week or per year?",
        widget=GovRadioInput(),
        choices=vocabulary_choices(PayPeriod),
        validators=[
            RequiredWhen("paid", "yes", "Select whether the pay is per hour, week or year"),
            Optional(),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pay_amount.description = pay_hint(uk_today())

    def load(self, pledge: Pledge) -> None:
        self.paid.data = yes_no_coerce(pledge.paid)
        self.pay_amount.data = pledge.pay_amount
        self.pay_period.data = pledge.pay_period.value if pledge.pay_period else None

    def values(self) -> dict[str, Any]:
        paid = as_bool(self.paid.data)
        return {
            "paid": paid,
            "pay_amount": self.pay_amount.data if paid else None,
            "pay_period": PayPeriod(self.pay_period.data) if paid and self.pay_period.data else None,
        }


def age_field(label: str, which: str) -> WholeNumberField:
    return WholeNumberField(
        label,
        description=f"From {MIN_CARE_LEAVER_AGE} to {MAX_CARE_LEAVER_AGE}",
        invalid=f"{which.capitalize()} age must be a whole number, like 18",
        widget=GovTextInput(),
        validators=[
            InputRequired(message=f"Enter the {which} age"),
            NumberRange(
                min=MIN_CARE_LEAVER_AGE,
                max=MAX_CARE_LEAVER_AGE,
                message=f"{which.capitalize()} age must be between {MIN_CARE_LEAVER_AGE} and {MAX_CARE_LEAVER_AGE}",
            ),
        ],
    )


class EligibilityForm(SectionForm):
    plain_fields = ("min_age", "max_age", "requirements")
    render_params = {
        "min_age": {"classes": "govuk-input--width-2", "inputmode": "numeric"},
        "max_age": {"classes": "govuk-input--width-2", "inputmode": "numeric"},
        "requirements": {"maxlength": 1000, "rows": 3},
    }

    min_age = age_field("Youngest age", "youngest")
    max_age = age_field("Oldest age", "oldest")
    requirements = TextAreaField(
        "Is there anything else they need? (optional)",
        widget=GovCharacterCount(),
        description="In plain words, like ‘Able to get to Leeds city centre by 9am’. Do not ask for qualifications they do not need.",
        validators=[
            Optional(),
            Length(max=1000, message="Other requirements must be 1,000 characters or fewer"),
        ],
    )

    def validate_max_age(self, field: WholeNumberField) -> None:
        if self.min_age.data is not None and field.data is not None and field.data < self.min_age.data:
            raise ValidationError("Oldest age must be the same as or more than the youngest age")


class LocationForm(SectionForm):
    render_params = {
        "local_authorities": {"classes": "govuk-checkboxes--small"},
        "regions": {"classes": "govuk-checkboxes--small"},
        "postcode_district": {"classes": "govuk-input--width-5", "spellcheck": False},
    }
    reach = RadioField(
        "Where is the opportunity available?",
        widget=GovRadioInput(),
        choices=vocabulary_choices(Reach),
        validators=[InputRequired(message="Select where the opportunity is available")],
    )
    regions = SelectMultipleField(
        "Which regions?",
        widget=GovCheckboxesInput(),
        description="Only if it is in one or more regions. Select all that apply.",
        choices=vocabulary_choices(Region),
        validators=[RequiredWhen("reach", Reach.REGIONS.value, "Select at least one region")],
    )
    # The council areas chosen so far: hidden inputs, listed with a Remove button each (`pledges/_councils.html`).
    # One more is chosen from `add_authority`, a select (typed into, with JavaScript) and an Add button; 153
    # checkboxes made the page 8,500 px tall on a phone.
    local_authorities = SelectMultipleField(
        "Which local authority areas?",
        description="Only if it is in one or more local authority areas. Add each one.",
        validators=[
            RequiredWhen("reach", Reach.LOCAL_AUTHORITIES.value, "Select at least one local authority area")
        ],
    )
    add_authority = SelectField("Add a local authority area", validate_choice=False)
    postcode_district = StringField(
        "Postcode district of the workplace (optional)",
        widget=GovTextInput(),
        description="The first part of the postcode, like LS1 or SW1A. Leave it empty if it is not in one place.",
        filters=[compact_upper],
        validators=[
            Optional(),
            Regexp(
                POSTCODE_DISTRICT, message="Enter a postcode district in the correct format, like LS1 or SW1A"
            ),
        ],
    )

    def choose_authorities(self, formdata: Any) -> bool:
        """Add the council area chosen ("Add") or take one away ("Remove"), as asked; True when either was,
        which only changes the form, never the pledge."""
        chosen = list(self.local_authorities.data or [])
        if "add" in formdata:
            self._add_chosen(chosen)
            return True
        if "remove_authority" in formdata:
            self.local_authorities.data = [value for value in chosen if value != formdata["remove_authority"]]
            return True
        return False

    def _add_chosen(self, chosen: list[str]) -> None:
        adding = self.add_authority.data or ""
        valid = {choice.value for choice in self._authority_choices()}
        if adding in valid and adding not in chosen:
            chosen.append(adding)
        self.local_authorities.data = chosen
        self.add_authority.data = ""

    def validate(self, extra_validators: Any = None) -> bool:
        # A council area chosen but not added yet is added, so "Save and continue" keeps it.
        if self.add_authority.data:
            self._add_chosen(list(self.local_authorities.data or []))
        return super().validate(extra_validators)

    def set_authority_choices(self, choices: list[SelectChoice]) -> None:
        """Every council area, for the list chosen from and the one chosen so far."""
        self.local_authorities.choices = choices
        self.add_authority.choices = [SelectChoice("", "Choose a local authority area"), *choices]

    def _authority_choices(self) -> list[SelectChoice]:
        return [choice for choice in self.local_authorities.choices or [] if isinstance(choice, SelectChoice)]

    def add_authority_items(self) -> list[dict[str, str]]:
        """The options of the list to add a council area from, for GOV.UK's select."""
        return [{"value": choice.value, "text": choice.label} for choice in self.add_authority.choices or []]

    def chosen_authorities(self) -> list[tuple[str, str]]:
        """The council areas chosen so far, as (id, name), in the order chosen."""
        names = {choice.value: choice.label for choice in self._authority_choices()}
        return [(value, names[value]) for value in self.local_authorities.data or [] if value in names]

    def validate_postcode_district(self, field: StringField) -> None:
        if field.data and not field.errors and not is_postcode_district(field.data):
            raise ValidationError(
                f"{field.data} is not a postcode district. Enter a real one, like LS1 or SW1A"
            )

    def load(self, pledge: Pledge) -> None:
        self.reach.data = pledge.reach.value if pledge.reach else None
        self.regions.data = [region.value for region in pledge.regions]
        self.local_authorities.data = [str(authority.id) for authority in pledge.local_authorities]
        self.postcode_district.data = pledge.postcode_district

    def values(self) -> dict[str, Any]:
        reach = Reach(self.reach.data)
        return {
            "reach": reach,
            "regions": [Region(value) for value in self.regions.data or []] if reach == Reach.REGIONS else [],
            "local_authority_ids": [int(value) for value in self.local_authorities.data or []]
            if reach == Reach.LOCAL_AUTHORITIES
            else [],
            "postcode_district": self.postcode_district.data or None,
        }


class PlacesForm(SectionForm):
    render_params = {"places": {"classes": "govuk-input--width-5", "inputmode": "numeric"}}
    places = WholeNumberField(
        "How many places are there?",
        invalid="Number of places must be a whole number, like 5",
        description="Leave it empty and tick ‘No limit’ if anyone can take it up, like a discount.",
    )
    places_unlimited = BooleanField("No limit", widget=GovCheckboxInput())
    starts_on = GovDateField(
        "When does it start?",
        "the start date",
        description="For example, 27 3 2027",
        validators=[DateRequired("Enter the date it starts")],
    )
    ends_on = GovDateField(
        "When does it end?",
        "the end date",
        description="Leave it empty and tick ‘It is ongoing’ if it has no end date.",
    )
    ongoing = BooleanField("It is ongoing", widget=GovCheckboxInput())
    closes_on = GovDateField(
        "Closing date for referrals (optional)",
        "the closing date",
        description="The last day an adviser can refer someone. Leave it empty to take referrals until it ends.",
    )

    def validate_places(self, field: WholeNumberField) -> None:
        if field.data is not None and not 1 <= field.data <= 100_000:
            raise ValidationError("Number of places must be between 1 and 100,000")
        if self.places_unlimited.data and field.data is not None:
            raise ValidationError("Enter a number of places or tick ‘No limit’, not both")
        if not self.places_unlimited.data and field.data is None and not field.errors:
            raise ValidationError("Enter the number of places, or tick ‘No limit’")

    def validate_ends_on(self, field: GovDateField) -> None:
        if self.ongoing.data and field.data is not None:
            raise ValidationError("Enter an end date or tick ‘It is ongoing’, not both")
        if not self.ongoing.data and field.data is None and not field.errors:
            raise ValidationError("Enter the date it ends, or tick ‘It is ongoing’")
        if field.data is not None and self.starts_on.data is not None and field.data < self.starts_on.data:
            raise ValidationError("The end date must be the same as or after the start date")
        if field.data is not None and field.data < uk_today():
            raise ValidationError("The end date must be today or in the future")

    def validate_closes_on(self, field: GovDateField) -> None:
        if field.data is not None and field.data < uk_today():
            raise ValidationError("The closing date must be today or in the future")
        if field.data is not None and self.ends_on.data is not None and field.data > self.ends_on.data:
            raise ValidationError("The closing date must be the same as or before the end date")

    def load(self, pledge: Pledge) -> None:
        for name in ("places", "places_unlimited", "starts_on", "ends_on", "ongoing", "closes_on"):
            self[name].data = getattr(pledge, name)

    def values(self) -> dict[str, Any]:
        return {
            "places": None if self.places_unlimited.data else self.places.data,
            "places_unlimited": bool(self.places_unlimited.data),
            "starts_on": self.starts_on.data,
            "ends_on": None if self.ongoing.data else self.ends_on.data,
            "ongoing": bool(self.ongoing.data),
            "closes_on": self.closes_on.data,
        }


class TakeUpForm(SectionForm):
    plain_fields = ("contact_name", "contact_email", "contact_phone")
    render_params = {
        "contact_email": {"type": "email", "autocomplete": "email", "spellcheck": False},
        "contact_phone": {"type": "tel", "autocomplete": "tel", "classes": "govuk-input--width-20"},
    }

    take_up = RadioField(
        "How can a care leaver take it up?",
        widget=GovRadioInput(),
        choices=vocabulary_choices(TakeUp),
        validators=[InputRequired(message="Select how a care leaver can take it up")],
    )
    contact_name = StringField(
        "Name of the contact",
        widget=GovTextInput(),
        description="The person advisers and care leavers will deal with.",
        validators=[
            InputRequired(message="Enter the name of the contact"),
            Length(max=200, message="Name of the contact must be 200 characters or fewer"),
        ],
    )
    contact_email = StringField(
        "Contact’s email address",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the contact’s email address"),
            Length(max=320, message="Email address must be 320 characters or fewer"),
            Email(
                message="Enter an email address in the correct format, like name@example.com",
                check_deliverability=False,
            ),
        ],
    )
    contact_phone = StringField(
        "Contact’s phone number (optional)",
        widget=GovTextInput(),
        validators=[
            Optional(),
            Regexp(PHONE, message="Enter a phone number, like 0113 496 0000 or +44 113 496 0000"),
        ],
    )

    def load(self, pledge: Pledge) -> None:
        super().load(pledge)
        self.take_up.data = pledge.take_up.value if pledge.take_up else None

    def values(self) -> dict[str, Any]:
        values = super().values()
        values["take_up"] = TakeUp(self.take_up.data)
        values["contact_email"] = (values["contact_email"] or "").lower() or None
        values["contact_phone"] = values["contact_phone"] or None
        return values


class SafeguardingForm(SectionForm):
    """What a DBS-aware employer can truthfully say: the level of check the people involved have (DBS
    certificates do not expire), and, where under-18s will have unsupervised contact with them, when the
    organisation last confirmed that everyone in the role has that check."""

    under_18_contact = yes_no_field(
        "Will care leavers under 18 have contact with your staff or volunteers?",
        "Select yes if care leavers under 18 will have contact with your staff or volunteers",
    )
    contact_supervised = RadioField(
        "Will that contact always be supervised?",
        widget=GovRadioInput(),
        description="Only if under-18s will have contact with your staff or volunteers.",
        choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No")],
        coerce=yes_no_coerce,
        validators=[
            RequiredWhen("under_18_contact", "yes", "Select yes if the contact will always be supervised")
        ],
    )
    dbs_level = RadioField(
        "What level of DBS check does everyone in this role have?",
        widget=GovRadioInput(),
        description="The check everyone involved has. We record your answer, never the certificates themselves.",
        choices=vocabulary_choices(DbsLevel),
        validators=[InputRequired(message="Select the level of DBS check")],
    )
    dbs_confirmed_on = GovDateField(
        "When did you last confirm that everyone in this role has that check?",
        "the date you last confirmed the checks",
        description="Only if under-18s will have contact that is not always supervised. For example, 27 3 2026. "
        "We will ask you to confirm again every 12 months.",
    )
    dbs_update_service = BooleanField(
        "We check certificates through the DBS Update Service", widget=GovCheckboxInput()
    )

    def unsupervised_minors(self) -> bool:
        return self.under_18_contact.data == "yes" and self.contact_supervised.data == "no"

    def validate_dbs_confirmed_on(self, field: GovDateField) -> None:
        if not self.unsupervised_minors() or field.errors:
            return
        if field.data is None:
            raise ValidationError("Enter the date you last confirmed everyone in this role has the check")
        today = uk_today()
        if field.data > today:
            raise ValidationError("The date you last confirmed the checks must be today or in the past")
        if field.data <= today - timedelta(days=365):
            raise ValidationError(
                "You last confirmed the checks more than 12 months ago. Check them again, then enter today’s date"
            )

    def validate_dbs_level(self, field: RadioField) -> None:
        if self.unsupervised_minors() and field.data != DbsLevel.ENHANCED_BARRED.value:
            raise ValidationError(
                "If under-18s will have unsupervised contact, the people involved need an enhanced DBS check with the children’s barred list"
            )

    def load(self, pledge: Pledge) -> None:
        self.under_18_contact.data = yes_no_coerce(pledge.under_18_contact)
        self.contact_supervised.data = yes_no_coerce(pledge.contact_supervised)
        self.dbs_level.data = pledge.dbs_level.value if pledge.dbs_level else None
        self.dbs_confirmed_on.data = pledge.dbs_confirmed_on
        self.dbs_update_service.data = pledge.dbs_update_service

    def values(self) -> dict[str, Any]:
        under_18 = as_bool(self.under_18_contact.data)
        unsupervised = self.unsupervised_minors()
        return {
            "under_18_contact": under_18,
            "contact_supervised": as_bool(self.contact_supervised.data) if under_18 else None,
            "dbs_level": DbsLevel(self.dbs_level.data),
            "dbs_confirmed_on": self.dbs_confirmed_on.data if unsupervised else None,
            "dbs_update_service": bool(self.dbs_update_service.data) if unsupervised else False,
        }


class AdjustmentsForm(SectionForm):
    render_params = {"adjustments": {"maxlength": 2000, "rows": 5}}
    adjustments = TextAreaField(
        "What reasonable adjustments can you offer? (optional)",
        widget=GovCharacterCount(),
        description="For example, flexible start times, a quiet place to work, help with travel, information in easy read.",
        validators=[
            Optional(),
            Length(max=2000, message="Reasonable adjustments must be 2,000 characters or fewer"),
        ],
    )

    def load(self, pledge: Pledge) -> None:
        self.adjustments.data = pledge.adjustments

    def values(self) -> dict[str, Any]:
        return {"adjustments": self.adjustments.data or None, "adjustments_answered": True}
