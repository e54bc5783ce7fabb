"""The organisation sign-up form."""

from __future__ import annotations

import re

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovTextInput,
)
from wtforms import BooleanField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import URL, DataRequired, InputRequired, Length, Optional, Regexp

from covenant.auth.forms import email_field, full_name_field, new_password_fields
from covenant.forms import BaseForm, GovSubmit, compact_upper, vocabulary_choices, with_scheme
from covenant.vocab import OrganisationType, Region

# [0-9], not \d, which would accept digits from other scripts.
COMPANIES_HOUSE_NUMBER = re.compile(r"^([0-9]{8}|[A-Z]{2}[0-9]{6})$")
CHARITY_NUMBER = re.compile(r"^[0-9]{6,7}(-[0-9]{1,2})?$")


class OrganisationSignUpForm(BaseForm):
    organisation_name = StringField(
        "Organisation name",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter your organisation’s name"),
            Length(max=200, message="Organisation name must be 200 characters or fewer"),
        ],
    )
    organisation_type = RadioField(
        "What type of organisation is it?",
        widget=GovRadioInput(),
        choices=vocabulary_choices(OrganisationType),
        validators=[InputRequired(message="Select the type of organisation")],
    )
    companies_house_number = StringField(
        "Companies House number (optional)",
        widget=GovTextInput(),
        description="8 characters, like 01234567 or SC123456",
        filters=[compact_upper],
        validators=[
            Optional(),
            Regexp(
                COMPANIES_HOUSE_NUMBER,
                message="Enter a Companies House number in the correct format, like 01234567 or SC123456",
            ),
        ],
    )
    charity_number = StringField(
        "Registered charity number (optional)",
        widget=GovTextInput(),
        description="6 or 7 digits, like 1012345",
        filters=[compact_upper],
        validators=[
            Optional(),
            Regexp(CHARITY_NUMBER, message="Enter a charity number in the correct format, like 1012345"),
        ],
    )
    website = StringField(
        "Website (optional)",
        widget=GovTextInput(),
        description="For example, www.example.org.uk",
        filters=[with_scheme],
        validators=[
            Optional(),
            Length(max=500, message="Website address must be 500 characters or fewer"),
            URL(message="Enter a website address in the correct format, like www.example.org.uk"),
        ],
    )
    region = SelectField(
        "Which region is your organisation based in?",
        widget=GovSelect(),
        description="If you work across England, choose the region of your head office.",
        choices=vocabulary_choices(Region, blank="Choose a region"),
        validators=[InputRequired(message="Select the region your organisation is based in")],
    )
    name = full_name_field()
    email = email_field("Your work email address", hint="We’ll send a link to this address to confirm it.")
    password, confirm_password = new_password_fields()
    agree = BooleanField(
        "I confirm that my organisation agrees to the principles of the Care Leaver Covenant",
        widget=GovCheckboxInput(),
        validators=[
            DataRequired(  # InputRequired would accept a posted "false"
                message="Confirm that your organisation agrees to the principles of the Care Leaver Covenant"
            )
        ],
    )
    submit = SubmitField("Sign up", widget=GovSubmit())
