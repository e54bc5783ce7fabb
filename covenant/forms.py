"""The base form every Covenant form builds on."""

from __future__ import annotations

import re
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from werkzeug.datastructures import MultiDict
from wtforms import Field, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice, SelectFieldBase

from covenant.vocab import LabelledEnum

# Control characters nobody means to type: PostgreSQL refuses NUL, and HTML cannot show the others.
# Tabs, line feeds and carriage returns stay for multi-line answers.
UNTYPEABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


# Line breaks, which a one-line answer (a name, an email address) never holds: one could start a new line in an
# email's body or headers.
LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")


def clean_text(value: Any) -> Any:
    """What someone typed, without untypeable control characters or surrounding spaces."""
    return UNTYPEABLE.sub("", value).strip() if isinstance(value, str) else value


def single_line(value: Any) -> Any:
    """A one-line answer without line breaks (each run of them becomes a space)."""
    return LINE_BREAKS.sub(" ", value).strip() if isinstance(value, str) else value


class GovSubmit(GovSubmitInput):
    """A GOV.UK button that ignores a second click within a second (`preventDoubleClick`), so a double click
    sends a form once."""

    def map_gov_params(self, field: Field, **kwargs: Any) -> dict[str, Any]:
        params: dict[str, Any] = super().map_gov_params(field, **kwargs)
        params.setdefault("preventDoubleClick", True)
        return params


INVALID_CHOICE = "Select one of the options shown"


class BaseForm(FlaskForm):
    """A CSRF-protected form whose text fields arrive without surrounding spaces."""

    class Meta:
        def wrap_formdata(self, form: Any, formdata: Any) -> Any:
            """Clean the submitted text before any field sees it, so a field of only spaces counts as empty
            for `InputRequired` and filters such as `with_scheme` get the trimmed value."""
            formdata = super().wrap_formdata(form, formdata)  # type: ignore[misc]
            if formdata is None:
                return None
            cleaned: MultiDict[str, Any] = MultiDict()
            for key, value in formdata.items(multi=True):
                cleaned.add(key, clean_text(value))
            return cleaned

        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Field:
            field_class = unbound_field.field_class
            if issubclass(field_class, SelectFieldBase):
                # Only a tampered or out-of-date form sends a value that is not an option.
                options.setdefault("invalid_choice_message", INVALID_CHOICE)
            if issubclass(field_class, StringField) and not issubclass(field_class, TextAreaField):
                filters = options.get("filters", unbound_field.kwargs.get("filters", ()))
                options["filters"] = [single_line, *filters]
            return unbound_field.bind(form=form, **options)

    def error_on(self, field: Field, message: str) -> None:
        """Attach an error found after validation (for example a database clash) to a field."""
        field.errors = [*field.errors, message]


def compact_upper(value: str | None) -> str | None:
    """Codes typed with spaces and in any case (registration numbers, postcode districts): keep what matters."""
    return re.sub(r"\s+", "", value).upper() if value else value


def with_scheme(value: str | None) -> str | None:
    """People type `example.org`; store `https://example.org`."""
    if value and not re.match(r"^https?://", value, re.IGNORECASE):
        return "https://" + value
    return value


def vocabulary_choices(vocabulary: type[LabelledEnum], blank: str | None = None) -> list[SelectChoice]:
    """Form choices for a vocabulary, in its own order, optionally after a blank 'Choose…' option."""
    choices = [SelectChoice(member.value, member.label) for member in vocabulary]
    return ([SelectChoice("", blank)] if blank else []) + choices


class ConfirmForm(BaseForm):
    """A button that needs only the CSRF token: an action confirmed by pressing it."""

    submit = SubmitField("Confirm", widget=GovSubmit())
