"""Forms for referring a care leaver, and for each move an organisation or adviser makes."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovTextArea
from wtforms import HiddenField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from covenant.clock import uk_today
from covenant.fields import GovDateField
from covenant.forms import BaseForm, GovSubmit


class ReferralForm(BaseForm):
    """The adviser's note to the organisation; a second step shows exactly what the organisation will see."""

    note = TextAreaField(
        "Your note to the organisation",
        widget=GovTextArea(),
        description="Why this opportunity suits them, and anything that would help the organisation welcome "
        "them. Do not include their surname, address or health details.",
        validators=[
            InputRequired(message="Enter a note to the organisation"),
            Length(max=2000, message="Note must be 2,000 characters or fewer"),
        ],
    )
    checked = HiddenField()
    submit = SubmitField("Continue", widget=GovSubmit())


class MoveForm(BaseForm):
    """A move on a referral, with an optional reason for the people who will read it."""

    reason = TextAreaField(
        "Anything to add? (optional)",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=1000, message="Reason must be 1,000 characters or fewer")],
    )
    started_on = GovDateField(
        "What was their first day?",
        "their first day",
        description="For example, 12 1 2027. Leave it empty if it is today.",
    )
    first_day = GovDateField(
        "When will their first day be? (optional)",
        "their first day",
        description="For example, 12 1 2027. We tell them and their adviser. Leave it empty if you do not know yet.",
    )
    submit = SubmitField("Confirm", widget=GovSubmit())

    def validate_first_day(self, field: GovDateField) -> None:
        if field.data is not None and field.data < uk_today():
            raise ValidationError("Their first day must be today or in the future")

    def validate_started_on(self, field: GovDateField) -> None:
        if field.data is not None and field.data > uk_today():
            raise ValidationError("Their first day must be today or in the past")
