"""The local offer link form."""

from __future__ import annotations

import re
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import EmailField, StringField, SubmitField
from wtforms.validators import URL, Email, Length, Optional, Regexp

from covenant.forms import BaseForm, GovSubmit, with_scheme


class LocalOfferForm(BaseForm):
    local_offer_url = StringField(
        "Link to the local offer for care leavers",
        widget=GovTextInput(),
        description="The web page where the council publishes what it offers care leavers. Leave it empty if there is none.",
        filters=[with_scheme],
        validators=[
            Optional(),
            Length(max=500, message="Link must be 500 characters or fewer"),
            URL(message="Enter a link in the correct format, like https://www.example.gov.uk/care-leavers"),
        ],
    )
    submit = SubmitField("Save link", widget=GovSubmit())


PHONE = re.compile(r"^[0-9 +()\-]{7,20}$")


class TeamContactForm(BaseForm):
    """How care leavers who do not know their adviser reach the leaving care team."""

    team_phone = StringField(
        "Phone number",
        widget=GovTextInput(),
        description="The number a care leaver can call, like 0113 378 0000.",
        validators=[Optional(), Regexp(PHONE, message="Enter a phone number, like 0113 378 0000")],
    )
    team_email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            Optional(),
            Length(max=320, message="Email address must be 320 characters or fewer"),
            Email(
                message="Enter an email address in the correct format, like leavingcare@example.gov.uk",
                check_deliverability=False,
            ),
        ],
    )
    team_hours = StringField(
        "When can they get in touch?",
        widget=GovTextInput(),
        description="Like ‘Monday to Friday, 9am to 5pm’.",
        validators=[Optional(), Length(max=200, message="Opening hours must be 200 characters or fewer")],
    )
    submit = SubmitField("Save the team’s details", widget=GovSubmit())

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if valid and not self.team_phone.data and not self.team_email.data:
            self.error_on(
                self.team_phone, "Enter a phone number or an email address, so care leavers can get in touch"
            )
            return False
        return bool(valid)
