"""The coordinator's decision on a submitted pledge."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovTextArea
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from covenant.fields import RequiredWhen
from covenant.forms import BaseForm, GovSubmit

APPROVE, CHANGES, REJECT = "approve", "request_changes", "reject"


class DecisionForm(BaseForm):
    decision = RadioField(
        "What is your decision?",
        widget=GovRadioInput(),
        choices=[
            SelectChoice(APPROVE, "Approve it: the pledge goes live"),
            SelectChoice(CHANGES, "Ask for changes: the organisation can edit and submit it again"),
            SelectChoice(REJECT, "Reject it: the pledge cannot go live"),
        ],
        validators=[InputRequired(message="Select your decision")],
    )
    reason = TextAreaField(
        "Reason for the organisation",
        widget=GovTextArea(),
        description="Needed if you ask for changes or reject it. The organisation sees exactly what you write, so be specific and kind.",
        validators=[
            RequiredWhen("decision", CHANGES, "Enter what the organisation needs to change"),
            RequiredWhen("decision", REJECT, "Enter why the pledge is rejected"),
            Optional(),
            Length(max=2000, message="Reason must be 2,000 characters or fewer"),
        ],
    )
    submit = SubmitField("Confirm decision", widget=GovSubmit())
