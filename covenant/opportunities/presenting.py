"""How the search page shows filters, chosen filters and results, in words a 16-year-old understands."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from flask import get_template_attribute, render_template, url_for
from markupsafe import Markup
from sqlalchemy import select

from covenant.extensions import db
from covenant.models import LocalAuthority, Pledge
from covenant.opportunities.cache import presentation_cache, search_cache
from covenant.opportunities.criteria import Criteria, filter_fields
from covenant.opportunities.forms import FilterField, FilterForm, NumberFilter, PlaceFilter, VocabularyFilter
from covenant.opportunities.places import Place
from covenant.pledges.sections import ages_text, pay_applies, pay_text, where_text
from covenant.templating import date_text
from covenant.vocab import (
    CLOSING_SOON_DAYS,
    PledgeKind,
    SearchSort,
)

# GOV.UK Frontend components that `component` renders, by the name of their folder.
CACHED_COMPONENTS = {"select": "govukSelect", "checkboxes": "govukCheckboxes", "input": "govukInput"}


def component(name: str, params: dict[str, Any]) -> Markup:
    """A GOV.UK Frontend select, checkboxes or text input, as its macro renders it, made once for each set of
    parameters (in this app's presentation cache).

    The search form's place list (160 options) and checkbox groups were most of the page's rendering time,
    yet take few distinct forms. A macro's output depends only on its parameters, which must be plain values:
    `text`, never `html` (markup would come back escaped).
    """
    key = ("component", name, json.dumps(_plain(params), sort_keys=True))
    cache = presentation_cache()
    rendered: Markup | None = cache.get(key)
    if rendered is None:
        macro = get_template_attribute(
            f"govuk_frontend_jinja/components/{name}/macro.html", CACHED_COMPONENTS[name]
        )
        rendered = Markup(macro(params))  # noqa: S704 - the macro's own output, escaped by it
        cache.put(key, rendered)
    return rendered


def _plain(value: Any) -> Any:
    if isinstance(value, Markup):
        raise TypeError("component() takes plain text, not markup")
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def filter_form(criteria: Criteria, token: str) -> Markup:
    """The search form, filled in for these criteria: made once for each distinct search under the search token,
    since its dozens of GOV.UK components cost more than the rest of the page."""
    if criteria.place_problem is not None:  # shows what was typed, and what is wrong with it: never kept
        return _render_filter_form(replace(criteria, page=1), token)
    cache = search_cache()
    key = ("filters", token, criteria.url_query(page=1))
    rendered: Markup | None = cache.get(key)
    if rendered is None:
        rendered = _render_filter_form(replace(criteria, page=1), token)
        cache.put(key, rendered)
    return rendered


def _render_filter_form(criteria: Criteria, token: str) -> Markup:
    fields = {field.name: field for field in filter_fields()}
    components = [
        _field_component(fields[entry], criteria)
        if isinstance(entry, str)
        else _flags_component(entry, fields, criteria)
        for entry in FilterForm.LAYOUT
    ]
    return Markup(  # noqa: S704 - a template rendered with autoescaping
        render_template(
            "opportunities/_filters.html",
            criteria=criteria,
            clear_href=url_for("opportunities.index"),
            components=components,
            sort_name=fields["sort"].name,
            component=component,
        )
    )


def _field_component(field: FilterField, criteria: Criteria) -> tuple[str, Any]:
    """The GOV.UK component for one filter, filled in with the search's value: a select, checkboxes or an input."""
    value = getattr(criteria, field.criterion)
    extra = {key: item for key, item in field.govuk.items() if key != "blank"}
    common = {"id": field.name, "name": field.name, **extra}
    label = {"text": field.label.text, "classes": "govuk-label--s"}
    hint = {"hint": {"text": field.hint}} if field.hint else {}
    items: list[dict[str, Any]] | None = None
    if isinstance(field, NumberFilter) and field.choice:
        items = [
            {"value": str(number), "text": field.choice.format(number), "selected": value == number}
            for number in field.allowed
        ]
    if items is not None:
        blank = [{"value": "", "text": _blank_choice(field, criteria)}]
        if field.criterion == "distance" and criteria.near is not None and criteria.where is None:
            blank = []  # a town or postcode is always searched within a distance
        return "select", {**common, "label": label, **hint, "items": blank + items}
    if isinstance(field, VocabularyFilter):
        checked = [
            {"value": member.value, "text": member.label, "checked": member in value}
            | ({"hint": {"text": field.hints[member]}} if member in field.hints else {})
            for member in field.vocabulary
        ]
        legend = {"legend": {"text": field.label.text, "classes": "govuk-fieldset__legend--s"}}
        return "checkboxes", {
            "idPrefix": field.name,
            "name": field.name,
            "classes": "govuk-checkboxes--small",
            "fieldset": legend,
            "items": checked,
        }
    if isinstance(field, PlaceFilter):
        attributes = {
            **extra.get("attributes", {}),
            "data-source": url_for("opportunities.place_suggestions"),
        }
        common["attributes"] = attributes
        return "input", {**common, "value": _where_text(criteria), "label": label, **hint} | (
            {"errorMessage": {"text": criteria.place_problem[1]}} if criteria.place_problem else {}
        )
    shown = value.code if isinstance(value, Place) else ("" if value is None else value)
    return "input", {**common, "value": shown, "label": label, **hint}


def _where_text(criteria: Criteria) -> str:
    """What the "Where" box shows: what was typed when it could not be placed, else the place searched near."""
    if criteria.place_problem is not None:
        return criteria.place_problem[0]
    place = criteria.near or criteria.where
    return place.name if place is not None else ""


def _blank_choice(field: FilterField, criteria: Criteria) -> str:
    """The words for a select's empty choice: "How far" without a distance is only the council area or region
    chosen; before any place is chosen, its hint says what no distance means."""
    if field.criterion != "distance":
        return str(field.govuk["blank"])
    if criteria.where is not None:
        return f"Only in {criteria.where.name}"
    return "No distance"


def _flags_component(
    group: tuple[str, str, tuple[str, ...]], fields: dict[str, FilterField], criteria: Criteria
) -> tuple[str, Any]:
    """Tick boxes under a legend, each a filter of its own name."""
    legend, prefix, names = group
    items = [
        {
            "value": "1",
            "text": fields[name].label.text,
            "name": name,
            "id": name,
            "checked": bool(getattr(criteria, fields[name].criterion)),
        }
        for name in names
    ]
    return "checkboxes", {
        "idPrefix": prefix,
        "name": f"{prefix}-options",
        "classes": "govuk-checkboxes--small",
        "fieldset": {"legend": {"text": legend, "classes": "govuk-fieldset__legend--s"}},
        "items": items,
    }


@dataclass(frozen=True)
class Tag:
    """A chosen filter, shown as a tag that removes it when followed; or a filter to add, as a link."""

    text: str
    href: str


# One tap from any search to the kinds of opportunity young people look for most, without opening the filters.
SHORTCUTS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("paid work experience", {"kinds": (PledgeKind.WORK_EXPERIENCE,), "paid_only": True}),
    ("apprenticeships", {"kinds": (PledgeKind.APPRENTICESHIP,)}),
    ("jobs", {"kinds": (PledgeKind.JOB,)}),
    ("mentoring", {"kinds": (PledgeKind.MENTORING,)}),
    ("training or qualifications", {"kinds": (PledgeKind.TRAINING,)}),
)


def shortcuts(criteria: Criteria, base: str) -> list[Tag]:
    """Links that narrow this search to one popular kind of opportunity, while none is chosen."""
    if criteria.kinds:
        return []
    return [Tag(text, criteria.results_href(base, page=1, **changes)) for text, changes in SHORTCUTS]


def council_choices(token: str) -> list[dict[str, Any]]:
    """Options for "Where do you live?": every local authority, by name."""
    return [{"value": code, "text": name} for code, name in _authority_names(token)]


def _authority_names(token: str) -> tuple[tuple[str, str], ...]:
    """Every authority's GSS code and name, kept under the search token: loading or changing the authorities
    renews it (`freshness`)."""
    cache = presentation_cache()
    key = ("authorities", token)
    names: tuple[tuple[str, str], ...] | None = cache.get(key)
    if names is None:
        rows = db.session.execute(
            select(LocalAuthority.gss_code, LocalAuthority.name).order_by(LocalAuthority.name)
        )
        names = tuple((code, name) for code, name in rows)
        cache.put(key, names)
    return names


def chosen_filters(criteria: Criteria, base: str) -> list[tuple[str, list[Tag]]]:
    """The filters in use, grouped, each with a link to the same search without it."""

    def without(**changes: Any) -> str:
        return criteria.results_href(base, page=1, **changes)

    groups: list[tuple[str, list[Tag]]] = []
    if criteria.keyword:
        groups.append(("Search words", [Tag(criteria.keyword, without(keyword=""))]))
    if criteria.kinds:
        groups.append(
            (
                "Kind",
                [
                    Tag(k.label, without(kinds=tuple(o for o in criteria.kinds if o != k)))
                    for k in criteria.kinds
                ],
            )
        )
    if criteria.areas:
        groups.append(
            (
                "Outcome area",
                [
                    Tag(a.label, without(areas=tuple(o for o in criteria.areas if o != a)))
                    for a in criteria.areas
                ],
            )
        )
    for heading, tags in (
        ("Where", _place_tags(criteria, without)),
        ("Other", _other_tags(criteria, without)),
    ):
        if tags:
            groups.append((heading, tags))
    return groups


def _place_tags(criteria: Criteria, without: Callable[..., str]) -> list[Tag]:
    if criteria.near and not criteria.where:
        # A postcode is searched within a distance of it, so one tag says both and takes both away.
        text = f"Within {criteria.distance} miles of {criteria.near.name}"
        return [Tag(text, without(near=None, distance=None)), *_also_tags(criteria, without)]
    tags = []
    if criteria.where:
        tags.append(
            Tag(
                criteria.where.name,
                without(where=None, distance=criteria.distance if criteria.near else None),
            )
        )
    if criteria.near:
        tags.append(Tag(f"Near {criteria.near.name}", without(near=None)))
    if criteria.distance:
        tags.append(Tag(f"Within {criteria.distance} miles", without(distance=None)))
    return tags + _also_tags(criteria, without)


def _also_tags(criteria: Criteria, without: Callable[..., str]) -> list[Tag]:
    """With a place, whether remote and national opportunities are shown too."""
    tags = []
    if criteria.where or criteria.near:
        if criteria.include_remote:
            tags.append(Tag("Also from home or online", without(include_remote=False)))
        if criteria.include_national:
            tags.append(Tag("Also anywhere in England", without(include_national=False)))
    return tags


def _other_tags(criteria: Criteria, without: Callable[..., str]) -> list[Tag]:
    tags = []
    if criteria.age is not None:
        tags.append(Tag(f"For someone aged {criteria.age}", without(age=None)))
    for chosen, text, change in (
        (criteria.paid_only, "Paid only", {"paid_only": False}),
        (criteria.open_now, "Has places now", {"open_now": False}),
        (criteria.closing_soon, f"Closing in the next {CLOSING_SOON_DAYS} days", {"closing_soon": False}),
    ):
        if chosen:
            tags.append(Tag(text, without(**change)))
    return tags


def sort_choices(criteria: Criteria) -> list[SearchSort]:
    """The orders that make sense for this search."""
    choices = [SearchSort.RELEVANCE] if criteria.keyword else []
    choices += [SearchSort.NEWEST, SearchSort.CLOSING]
    if criteria.origin is not None:
        choices.append(SearchSort.NEAREST)
    return choices


def distance_text(miles: float) -> str:
    """ "less than 1 mile away", "1 mile away", "3 miles away": to the nearest mile, as a young person would
    say it."""
    if miles < 1:
        return "less than 1 mile away"
    rounded = round(miles)
    return "1 mile away" if rounded == 1 else f"{rounded} miles away"


def facts(pledge: Pledge) -> list[tuple[str, str]]:
    """The few facts shown under a result."""
    rows = [("Where", where_text(pledge))]
    if pay_applies(pledge):  # "Pay: Unpaid" means nothing on a discount or housing support
        rows.append(("Pay", pay_text(pledge)))
    rows.append(("Ages", ages_text(pledge)))
    if pledge.closes_on:
        rows.append(("Apply by", date_text(pledge.closes_on)))
    left = pledge.places_left
    if left is not None:
        rows.append(("Places left", "None – it is full" if left <= 0 else str(left)))
    return rows
