"""The care leaver record form, and the manager's reassignment of caseloads, in GOV.UK voice."""

from __future__ import annotations

import re
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSelect, GovTextInput
from wtforms import SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, Regexp, ValidationError

from covenant.clock import uk_today
from covenant.fields import DateRequired, GovDateField
from covenant.forms import BaseForm, GovSubmit, compact_upper, vocabulary_choices
from covenant.models import CareLeaver
from covenant.models.care_leaver import age_on
from covenant.vocab import MAX_CARE_LEAVER_AGE, MIN_CARE_LEAVER_AGE, OutcomeArea, PledgeKind

REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 /_.-]*$")
POSTCODE_DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")


class CareLeaverForm(BaseForm):
    """Only what referrals need: a reference, a first name, a date of birth, where they live, what interests
    them, and when they agreed to their details being used."""

    reference = StringField(
        "Your authority’s reference for them",
        widget=GovTextInput(),
        description="The reference in your case records, like LCS-104233. Not their name.",
        validators=[
            InputRequired(message="Enter your authority’s reference for them"),
            Length(max=40, message="Reference must be 40 characters or fewer"),
            Regexp(REFERENCE, message="Reference must be letters, numbers, spaces, dashes or slashes"),
        ],
    )
    first_name = StringField(
        "First name",
        widget=GovTextInput(),
        description="Only their first name. Organisations see it when you refer them.",
        validators=[
            InputRequired(message="Enter their first name"),
            Length(max=60, message="First name must be 60 characters or fewer"),
        ],
    )
    date_of_birth = GovDateField(
        "Date of birth",
        "their date of birth",
        description="For example, 27 3 2007. Organisations see their age, never this date.",
        validators=[DateRequired("Enter their date of birth")],
    )
    lives_in = SelectField(
        "Which council area do they live in?",
        widget=GovSelect(),
        description="Where they live now, which may not be your authority.",
        validators=[InputRequired(message="Select the council area they live in")],
    )
    postcode_district = StringField(
        "The first part of their postcode (optional)",
        widget=GovTextInput(),
        description="Like LS6. Only the first part: it helps find opportunities near them.",
        filters=[compact_upper],
        validators=[
            Optional(),
            Regexp(POSTCODE_DISTRICT, message="Enter the first part of a postcode, like LS6 or SW1A"),
        ],
    )
    kinds = SelectMultipleField(
        "What kinds of opportunity interest them? (optional)",
        widget=GovCheckboxesInput(),
        choices=vocabulary_choices(PledgeKind),
    )
    outcome_areas = SelectMultipleField(
        "Which outcome areas matter to them? (optional)",
        widget=GovCheckboxesInput(),
        choices=vocabulary_choices(OutcomeArea),
    )
    consented_on = GovDateField(
        "When did they agree to their details being used for referrals?",
        "the date they agreed",
        description="Tell them which details you keep here and who sees them, and ask before you add them. "
        "For example, 3 12 2026.",
        validators=[DateRequired("Enter the date they agreed to their details being used")],
    )
    adviser = SelectField("Whose caseload are they on?", widget=GovSelect())
    submit = SubmitField("Save", widget=GovSubmit())

    def validate_date_of_birth(self, field: GovDateField) -> None:
        if field.data is None:
            return
        age = age_on(field.data, uk_today())
        if not MIN_CARE_LEAVER_AGE <= age <= MAX_CARE_LEAVER_AGE:
            raise ValidationError(
                f"They must be aged {MIN_CARE_LEAVER_AGE} to {MAX_CARE_LEAVER_AGE}. By that date of birth they are {age}"
            )

    def validate_consented_on(self, field: GovDateField) -> None:
        if field.data is not None and field.data > uk_today():
            raise ValidationError("The date they agreed must be today or in the past")

    def load(self, care_leaver: CareLeaver) -> None:
        for name in ("reference", "first_name", "date_of_birth", "postcode_district", "consented_on"):
            self[name].data = getattr(care_leaver, name)
        self.lives_in.data = str(care_leaver.lives_in_id)
        self.kinds.data = [kind.value for kind in care_leaver.kinds]
        self.outcome_areas.data = [area.value for area in care_leaver.outcome_areas]
        if "adviser" in self:
            self.adviser.data = str(care_leaver.adviser_id)

    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            "reference": self.reference.data,
            "first_name": self.first_name.data,
            "date_of_birth": self.date_of_birth.data,
            "lives_in_id": int(self.lives_in.data or 0),
            "postcode_district": self.postcode_district.data or None,
            "kinds": [PledgeKind(kind) for kind in self.kinds.data or []],
            "outcome_areas": [OutcomeArea(area) for area in self.outcome_areas.data or []],
            "consented_on": self.consented_on.data,
        }
        if "adviser" in self:
            values["adviser_id"] = int(self.adviser.data or 0)
        return values


def care_leaver_form(
    councils: list[SelectChoice], advisers: list[SelectChoice] | None, formdata: Any = None
) -> CareLeaverForm:
    """The form, with the council areas to choose from, and an adviser question for managers."""
    form = CareLeaverForm(formdata=formdata) if formdata is not None else CareLeaverForm()
    form.lives_in.choices = [SelectChoice("", "Choose a council area"), *councils]
    if advisers is None:
        del form.adviser
    else:
        form.adviser.choices = [SelectChoice("", "Choose an adviser"), *advisers]
        form.adviser.validators = [InputRequired(message="Select whose caseload they are on")]
    return form


class ReassignForm(BaseForm):
    adviser = SelectField(
        "Move them to which adviser’s caseload?",
        widget=GovSelect(),
        validators=[InputRequired(message="Select an adviser")],
    )
    submit = SubmitField("Move to this caseload", widget=GovSubmit())


class AuditFilterForm(BaseForm):
    """The manager's filter on their authority's audit trail: who did it, about whom, and between which dates.
    A plain GET address, so a filtered trail can be bookmarked or shared with a colleague who may see it."""

    class Meta:
        csrf = False

    who = SelectField("Who did it", widget=GovSelect(), default="")
    reference = StringField(
        "About which care leaver (optional)",
        widget=GovTextInput(),
        description="Their reference, like LCS-104233",
        validators=[Optional(), Length(max=40, message="Reference must be 40 characters or fewer")],
    )
    since = GovDateField("From (optional)", "the from date", description="For example, 1 11 2026")
    until = GovDateField("To (optional)", "the to date", description="For example, 30 11 2026")
    submit = SubmitField("Show events", widget=GovSubmit())

    def validate_until(self, field: GovDateField) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError("The to date must be the same as or after the from date")
