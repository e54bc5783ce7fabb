"""The coordinator's forms: a reason for suspending or reinstating an organisation."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovTextArea
from wtforms import SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from covenant.forms import BaseForm, GovSubmit


class ReasonForm(BaseForm):
    """A coordinator's reason, for example for suspending or reinstating an organisation."""

    reason = TextAreaField(
        "Reason",
        widget=GovTextArea(),
        validators=[
            InputRequired(message="Enter a reason"),
            Length(max=2000, message="Reason must be 2,000 characters or fewer"),
        ],
    )
    submit = SubmitField("Confirm", widget=GovSubmit())
