"""The base form every Covenant form builds on."""

from __future__ import annotations

import re
from typing import Any

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import Field
from wtforms.fields.choices import SelectChoice, SelectFieldBase

from covenant.vocab import LabelledEnum

# Control characters nobody means to type: PostgreSQL refuses NUL, and HTML cannot show the others.
# Tabs, line feeds and carriage returns stay for multi-line answers.
UNTYPEABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_text(value: Any) -> Any:
    """What someone typed, without untypeable control characters or surrounding spaces."""
    return UNTYPEABLE.sub("", value).strip() if isinstance(value, str) else value


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
            if issubclass(unbound_field.field_class, SelectFieldBase):
                # Only a tampered or out-of-date form sends a value that is not an option.
                options.setdefault("invalid_choice_message", INVALID_CHOICE)
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
