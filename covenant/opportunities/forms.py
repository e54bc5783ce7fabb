"""The quickest way into the search: your council area, then what is near it."""

from __future__ import annotations

from typing import Any

from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from covenant.forms import BaseForm


class NearYouForm(BaseForm):
    """The question "Find opportunities near you". The form checks the answer; the page renders the select itself
    (`component`), so the first page of search, the most visited, renders its 153 council areas once, not on
    every visit."""

    class Meta:
        csrf = False  # a search: a plain GET address anyone may bookmark or share

    # Its own id: the filters' place list is `where` too.
    where = SelectField(
        "Find opportunities near you",
        id="home",
        validators=[InputRequired(message="Choose your council area")],
    )


def near_you_form(councils: list[dict[str, Any]], formdata: Any = None) -> NearYouForm:
    form = NearYouForm(formdata=formdata)
    form.where.choices = [SelectChoice("", "Choose your council area")] + [
        SelectChoice(council["value"], council["text"]) for council in councils
    ]
    return form
