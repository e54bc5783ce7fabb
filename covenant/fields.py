"""WTForms fields with GOV.UK error messages, for whole numbers, money, dates and yes/no questions."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovRadioInput, GovTextInput
from wtforms import Field, Form, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation


class WholeNumberField(Field):
    """A whole number typed into a text box; `invalid` is the message for anything else."""

    widget = GovTextInput()

    def __init__(self, label: str, invalid: str, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.invalid = invalid

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return "" if self.data is None else str(self.data)

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        if not valuelist or not str(valuelist[0]).strip():
            return
        text = str(valuelist[0]).strip().replace(",", "")
        # Nine digits at most: every whole-number column holds that (PostgreSQL's integer tops 2,147,483,647).
        if not re.fullmatch(r"-?[0-9]{1,9}", text):
            raise ValueError(self.invalid)
        self.data = int(text)


class MoneyField(Field):
    """An amount in pounds and pence, typed as people type it: £11.44, 11.44, 25,000."""

    widget = GovTextInput()

    def __init__(self, label: str, invalid: str, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.invalid = invalid

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return "" if self.data is None else f"{self.data:.2f}"

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        if not valuelist or not str(valuelist[0]).strip():
            return
        text = str(valuelist[0]).strip().replace("£", "").replace(",", "").strip()
        if not re.fullmatch(r"[0-9]{1,9}(\.[0-9]{1,2})?", text):
            raise ValueError(self.invalid)
        try:
            self.data = Decimal(text)
        except InvalidOperation as error:  # pragma: no cover - the pattern above already rules this out
            raise ValueError(self.invalid) from error


class GovDateInputWithoutRequired(GovDateInput):
    """GOV.UK date input that does not write an invalid `required` attribute onto its `<div>`."""

    def __call__(self, field: Field, **kwargs: Any) -> Any:
        kwargs["required"] = False
        return super().__call__(field, **kwargs)

    def map_gov_params(self, field: Field, **kwargs: Any) -> dict[str, Any]:
        params = super().map_gov_params(field, **kwargs)
        params["attributes"].pop("required", None)
        for item, autocomplete in zip(params["items"], ("off", "off", "off"), strict=True):
            item.setdefault("autocomplete", autocomplete)
            item.setdefault("inputmode", "numeric")
        return params


class GovDateField(Field):
    """A date typed as day, month and year, with the GOV.UK messages for missing parts and unreal dates."""

    widget = GovDateInputWithoutRequired()

    def __init__(self, label: str, name_in_messages: str, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.name_in_messages = name_in_messages

    def _value(self) -> str:
        return ""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        if not valuelist:
            self.raw_data = None  # the widget reads raw_data as exactly day, month and year
            return
        parts = [str(value).strip() for value in (list(valuelist) + ["", "", ""])[:3]]
        self.raw_data = parts
        if not any(parts):
            return
        missing = [name for name, value in zip(("day", "month", "year"), parts, strict=True) if not value]
        subject = self.name_in_messages[0].upper() + self.name_in_messages[1:]
        if missing:
            raise ValueError(f"{subject} must include a {' and '.join(missing)}")
        day, month, year = parts
        if not all(part.isascii() and part.isdigit() for part in parts) or len(year) != 4:
            raise ValueError(f"{subject} must be a real date")
        if len(day) > 2 or len(month) > 2:
            raise ValueError(f"{subject} must be a real date")
        try:
            self.data = date(int(year), int(month), int(day))
        except (ValueError, OverflowError) as error:
            raise ValueError(f"{subject} must be a real date") from error


class DateRequired:
    """A date must be given (no `required` flag, so no invalid attribute is rendered)."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: Form, field: Field) -> None:
        if field.data is None and not field.errors:
            raise StopValidation(self.message)


class RequiredWhen:
    """Required when another answer has a value (pay, when the pledge is paid); otherwise optional."""

    def __init__(self, other: str, value: Any, message: str) -> None:
        self.other, self.value, self.message = other, value, message

    def __call__(self, form: Form, field: Field) -> None:
        if field.process_errors:
            return  # what was typed could not be read: that message says more than "enter ..."
        if field.data in (None, "", []):
            field.errors[:] = []  # an unanswered radio is also "not a valid choice": say what to do instead
            if form[self.other].data == self.value:
                raise StopValidation(self.message)
            raise StopValidation()


YES_NO = [SelectChoice("yes", "Yes"), SelectChoice("no", "No")]


def yes_no_field(label: str, message: str, hint: str = "", **kwargs: Any) -> RadioField:
    """A yes/no question whose data is True, False or None."""
    from wtforms.validators import InputRequired

    return RadioField(
        label,
        widget=GovRadioInput(),
        description=hint,
        choices=YES_NO,
        coerce=yes_no_coerce,
        validators=[InputRequired(message=message), *kwargs.pop("validators", [])],
        **kwargs,
    )


def yes_no_coerce(value: Any) -> Any:
    """'yes' and 'no' from the form, True and False from the model, both to the radio's value."""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return value


def as_bool(value: str | None) -> bool | None:
    """A yes/no radio's value as True, False or None."""
    return {"yes": True, "no": False}.get(value or "")
