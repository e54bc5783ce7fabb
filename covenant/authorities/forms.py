"""The local offer link form."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import StringField, SubmitField
from wtforms.validators import URL, Length, Optional

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
