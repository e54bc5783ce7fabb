"""Jinja set-up: GOV.UK Frontend macros, our templates, and undefined names that raise."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Any

from flask import Flask
from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader, Undefined, meta
from jinja2.utils import missing

from covenant.vocab import RESPONSE_WORKING_DAYS, REVIEW_WORKING_DAYS, UK_TIME_ZONE

GOVUK_LOADER = PrefixLoader(
    {
        "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
        "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
    }
)


@lru_cache(maxsize=1)
def govuk_lenient_names() -> frozenset[str]:
    """Names the GOV.UK macros read without always defining (ported from Nunjucks, they test `undefined`,
    `null` and optional page variables): these stay lenient, every other undefined name raises."""
    env = Environment(loader=GOVUK_LOADER, autoescape=True)
    names = {"caller"}  # macros test `caller` to see whether they were called with a body
    for name in env.list_templates(extensions=["html"]):
        source, _, _ = GOVUK_LOADER.get_source(env, name)
        names |= meta.find_undeclared_variables(env.parse(source))
    return frozenset(names)


class TopLevelStrictUndefined(Undefined):
    """Raise on an undefined top-level name (a typo in our templates) but not on a missing dict key.

    GOV.UK macros read optional parameters as `params.hint` and test them, so a missing key must stay
    falsy; a misspelt variable in one of our templates must fail loudly instead.
    """

    __slots__ = ()

    def _strict(self) -> bool:
        return (
            self._undefined_obj is missing
            and self._undefined_name is not None
            and self._undefined_name not in govuk_lenient_names()
        )

    def _fail_if_strict(self) -> None:
        if self._strict():
            self._fail_with_undefined_error()

    def __str__(self) -> str:
        self._fail_if_strict()
        return ""

    def __iter__(self) -> Any:
        self._fail_if_strict()
        return iter(())

    def __bool__(self) -> bool:
        self._fail_if_strict()
        return False

    def __len__(self) -> int:
        self._fail_if_strict()
        return 0

    def __eq__(self, other: object) -> bool:
        self._fail_if_strict()
        return type(self) is type(other)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return id(type(self))


def date_text(value: date | datetime | None) -> str:
    """A date as GOV.UK writes it: 29 November 2026."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(UK_TIME_ZONE)
    return f"{value.day} {value:%B %Y}"


def datetime_text(value: datetime | None) -> str:
    """A moment as GOV.UK writes it, in UK time: 29 November 2026 at 3:04pm."""
    if value is None:
        return ""
    local = value.astimezone(UK_TIME_ZONE)
    hour = local.hour % 12 or 12
    return f"{local.day} {local:%B %Y} at {hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"


def tel_href(phone: str) -> str:
    """A phone number as a `tel:` link wants it: digits, with a leading + kept ("0113 496 0000" -> "01134960000")."""
    digits = "".join(character for character in phone if character.isdigit())
    return f"+{digits}" if phone.strip().startswith("+") else digits


def init_templating(app: Flask) -> None:
    """Load our templates first, then the GOV.UK Frontend macros under their package prefixes."""
    app.jinja_loader = ChoiceLoader(
        [
            PackageLoader("covenant"),
            GOVUK_LOADER,
        ]
    )
    govuk_lenient_names()  # parse the GOV.UK templates once, at start-up
    app.jinja_env.undefined = TopLevelStrictUndefined
    app.jinja_env.filters["date_text"] = date_text
    app.jinja_env.filters["datetime_text"] = datetime_text
    app.jinja_env.filters["tel_href"] = tel_href
    # The service's promises, said the same on every page and email that makes them.
    app.jinja_env.globals["review_working_days"] = REVIEW_WORKING_DAYS
    app.jinja_env.globals["response_working_days"] = RESPONSE_WORKING_DAYS
    app.jinja_env.add_extension(
        "jinja2.ext.do"
    )  # `{% do rows.append(...) %}` builds macro parameters in loops
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
