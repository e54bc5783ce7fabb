"""The base form every Covenant form builds on."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import Field
from wtforms.fields.choices import SelectChoice

from covenant.vocab import LabelledEnum


def strip_whitespace(value: Any) -> Any:
    """Trim leading and trailing spaces from text people type or paste."""
    return value.strip() if isinstance(value, str) else value


class BaseForm(FlaskForm):
    """A CSRF-protected form whose text fields arrive without surrounding spaces."""

    class Meta:
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Field:
            filters = list(unbound_field.kwargs.get("filters", []))
            if strip_whitespace not in filters:
                filters.append(strip_whitespace)
            return unbound_field.bind(form=form, filters=filters, **options)

    def error_on(self, field: Field, message: str) -> None:
        """Attach an error found after validation (for example a database clash) to a field."""
        field.errors = [*field.errors, message]


def vocabulary_choices(vocabulary: type[LabelledEnum], blank: str | None = None) -> list[SelectChoice]:
    """Form choices for a vocabulary, in its own order, optionally after a blank 'Choose…' option."""
    choices = [SelectChoice(member.value, member.label) for member in vocabulary]
    return ([SelectChoice("", blank)] if blank else []) + choices
