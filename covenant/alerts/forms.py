"""Forms for saving a search and choosing how often to hear about new matches."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovTextInput
from wtforms import RadioField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, ValidationError

from covenant.alerts.operations import MAX_NAME_LENGTH
from covenant.forms import BaseForm, GovSubmit, vocabulary_choices
from covenant.vocab import AlertFrequency

CHOOSE_FREQUENCY = "Select how often you want emails"


class FrequencyField(RadioField):
    """Daily or weekly; anything else sent in gets the same message as no answer."""

    def pre_validate(self, form: BaseForm) -> None:
        if self.data is not None and self.data not in {frequency.value for frequency in AlertFrequency}:
            raise ValidationError(CHOOSE_FREQUENCY)


class SavedSearchForm(BaseForm):
    """A name for the search, and daily or weekly emails."""

    name = StringField(
        "Name this search",
        widget=GovTextInput(),
        description="So you can tell your saved searches apart, for example ‘Paid jobs near Leeds’",
        validators=[
            InputRequired(message="Enter a name for this search"),
            Length(max=MAX_NAME_LENGTH, message=f"Name must be {MAX_NAME_LENGTH} characters or fewer"),
        ],
    )
    frequency = FrequencyField(
        "How often do you want emails about new opportunities?",
        widget=GovRadioInput(),
        choices=vocabulary_choices(AlertFrequency),
        validators=[InputRequired(message=CHOOSE_FREQUENCY)],
    )
    submit = SubmitField("Save search", widget=GovSubmit())


class ConfirmDeleteForm(BaseForm):
    """A button that needs only the CSRF token."""

    submit = SubmitField("Delete saved search", widget=GovSubmit())
