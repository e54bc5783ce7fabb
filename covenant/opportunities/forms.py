"""The search's forms: the filters, and the quickest way in (your council area, then what is near it).

Both are GET forms (no CSRF token): a search is a plain address anyone may bookmark or share. The filter form
declares each filter once, as a field: its name in the address, its label and hint, its choices and what is
wrong with a value. A search address never causes an error page: a wrong value is dropped (or cut short) and the
field's message says so above the results (`criteria.parse_criteria`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from wtforms import Field, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from covenant.forms import BaseForm
from covenant.opportunities.places import Place, find_coded_place, find_near
from covenant.pagination import whole_number
from covenant.vocab import (
    CLOSING_SOON_DAYS,
    DISTANCES_MILES,
    MAX_CARE_LEAVER_AGE,
    MIN_CARE_LEAVER_AGE,
    NEARBY_MILES,
    LabelledEnum,
    OutcomeArea,
    PledgeKind,
    SearchSort,
)

# Plain words for kinds of opportunity, as a young person would look for them.
KIND_HINTS = {
    PledgeKind.WORK_EXPERIENCE: "Try out a job for a few days or weeks",
    PledgeKind.INTERNSHIP: "A few weeks or months of work, often in the summer",
    PledgeKind.APPRENTICESHIP: "A paid job where you also train for a qualification",
    PledgeKind.JOB: "A paid job",
    PledgeKind.GUARANTEED_INTERVIEW: "You will get an interview if you apply",
    PledgeKind.MENTORING: "Someone to talk to about your plans",
    PledgeKind.TRAINING: "Courses, lessons and certificates",
    PledgeKind.DISCOUNT: "Money off, or help with money",
    PledgeKind.HOUSING: "Help with somewhere to live",
    PledgeKind.HEALTH: "Help to feel well, in body and mind",
    PledgeKind.OTHER: "Anything else",
}
MAX_KEYWORD_LENGTH = 200
MAX_PAGE = 10_000
TRUE_WORDS = frozenset({"1", "true", "yes", "on", "y"})


class FilterField(Field):
    """A filter: the `Criteria` attribute it fills (`criterion`), and the value it leaves when what was sent
    is wrong (`fallback`), with a message among its errors."""

    fallback: Any = None

    def __init__(
        self,
        label: str = "",
        *,
        criterion: str,
        hint: str = "",
        govuk: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(label, **kwargs)
        self.criterion = criterion
        self.hint = hint
        self.govuk = govuk or {}  # more parameters for its GOV.UK component (`presenting.filter_form`)

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = self.read(valuelist)

    def read(self, valuelist: list[Any]) -> Any:
        """The value sent, as the search uses it; `wrong(...)` when it cannot be used."""
        raise NotImplementedError

    def wrong(self, message: str) -> Any:
        self.process_errors.append(message)
        return self.fallback

    def url_values(self, value: Any) -> list[str]:
        """The criterion's value as this field's values in a search address (none for the default)."""
        return [] if value in (None, "", False, ()) else [str(value)]


class TextFilter(FilterField):
    """Words typed: spaces run together, at most `max_length` characters, cut at a word."""

    fallback = ""

    def __init__(self, label: str = "", *, max_length: int, too_long: str, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.max_length, self.too_long = max_length, too_long

    def read(self, valuelist: list[Any]) -> Any:
        text = re.sub(r"\s+", " ", valuelist[0] if valuelist else "").strip()
        if len(text) > self.max_length:
            self.process_errors.append(self.too_long)
            text = text[: self.max_length].rsplit(" ", 1)[0]
        return text


class PlaceFilter(FilterField):
    """A place chosen or typed, found by `find`: a Place, or a message (an error on the "Where" box, and nothing is
    searched: `criteria.parse_criteria`)."""

    def __init__(self, label: str = "", *, find: Callable[[str], Place | str], **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.find = find

    def read(self, valuelist: list[Any]) -> Any:
        text = (valuelist[0] if valuelist else "").strip()
        self.typed = text[:100]  # shown again in the box when it cannot be placed
        if not text:
            return None
        found = self.find(text)
        return self.wrong(found) if isinstance(found, str) else found

    def url_values(self, value: Any) -> list[str]:
        return [value.code] if value is not None else []


class NumberFilter(FilterField):
    """A whole number, one of `allowed`."""

    def __init__(
        self,
        label: str = "",
        *,
        allowed: range | tuple[int, ...],
        problem: str,
        choice: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(label, **kwargs)
        # With `choice`, the words for each number ("Within {} miles"), the page offers a list to choose from.
        self.allowed, self.problem, self.choice = allowed, problem, choice

    def read(self, valuelist: list[Any]) -> Any:
        raw = (valuelist[0] if valuelist else "").strip()
        if not raw:
            return None
        number = whole_number(raw)
        return number if number is not None and number in self.allowed else self.wrong(self.problem)


class OneOfFilter(FilterField):
    """One of a vocabulary's values."""

    def __init__(
        self, label: str = "", *, vocabulary: type[LabelledEnum], problem: str, **kwargs: Any
    ) -> None:
        super().__init__(label, **kwargs)
        self.vocabulary, self.problem = vocabulary, problem

    def read(self, valuelist: list[Any]) -> Any:
        raw = (valuelist[0] if valuelist else "").strip()
        if not raw:
            return None
        try:
            return self.vocabulary(raw)
        except ValueError:
            return self.wrong(self.problem)

    def url_values(self, value: Any) -> list[str]:
        return [value.value] if value is not None else []


class FlagFilter(FilterField):
    """A tick box: on for "1" (or "true", "yes", "on", "y"), off for anything else."""

    fallback = False

    def read(self, valuelist: list[Any]) -> Any:
        return bool(valuelist) and valuelist[0].strip().lower() in TRUE_WORDS

    def url_values(self, value: Any) -> list[str]:
        return ["1"] if value else []


class VocabularyFilter(FilterField):
    """Any of a vocabulary's values, each once, in the order sent; a message for each unknown one."""

    fallback = ()

    def __init__(
        self,
        label: str = "",
        *,
        vocabulary: type[LabelledEnum],
        unknown: str,
        hints: dict[Any, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(label, **kwargs)
        self.vocabulary, self.unknown, self.hints = vocabulary, unknown, hints or {}

    def read(self, valuelist: list[Any]) -> Any:
        chosen: list[LabelledEnum] = []
        for value in valuelist:
            try:
                member = self.vocabulary(value)
            except ValueError:
                self.process_errors.append(f"We ignored an unknown {self.unknown}: ‘{value[:40]}’")
                continue
            if member not in chosen:
                chosen.append(member)
        return tuple(chosen)

    def url_values(self, value: Any) -> list[str]:
        return [member.value for member in value]


def _miles() -> str:
    return ", ".join(map(str, DISTANCES_MILES[:-1])) + f" or {DISTANCES_MILES[-1]}"


class FilterForm(BaseForm):
    """The search's filters, in the order of the address (and of the page, but for `LAYOUT`'s groups)."""

    class Meta:
        csrf = False  # a search: a plain GET address anyone may bookmark or share

    q = TextFilter(
        "Search words",
        criterion="keyword",
        hint="For example, mentoring or driving lessons",
        govuk={"type": "search", "spellcheck": False},
        max_length=MAX_KEYWORD_LENGTH,
        too_long=f"Your search words were too long, so we used the first {MAX_KEYWORD_LENGTH} characters",
    )
    kind = VocabularyFilter(
        "What kind of opportunity",
        criterion="kinds",
        vocabulary=PledgeKind,
        unknown="kind of opportunity",
        hints=KIND_HINTS,
    )
    area = VocabularyFilter(
        "What it helps with", criterion="areas", vocabulary=OutcomeArea, unknown="outcome area"
    )
    # A council area or region by its GSS code: the address of "Find opportunities near you" and of searches
    # saved before the one "Where" box (`near`), which shows this place too and fills it when it names one.
    where = PlaceFilter("Council area or region", criterion="where", find=find_coded_place)
    near = PlaceFilter(
        "Where",
        criterion="near",
        find=find_near,
        govuk={
            "classes": "govuk-!-width-full",
            "spellcheck": False,
            "autocomplete": "off",
            "attributes": {"data-module": "covenant-where"},  # its suggestions' address: `presenting`
        },
        hint="A town, a postcode like LS6 or LS6 1AA, a council area or a region. We search within "
        f"{NEARBY_MILES} miles of a town or postcode unless you choose how far",
    )
    remote = FlagFilter("Opportunities you can do from home or online", criterion="include_remote")
    national = FlagFilter(
        "Opportunities open to young people anywhere in England", criterion="include_national"
    )
    distance = NumberFilter(
        "How far from there",
        criterion="distance",
        allowed=DISTANCES_MILES,
        problem=f"Distance must be {_miles()} miles, so we ignored it",
        choice="Within {} miles",
        hint=f"With no distance, we search within {NEARBY_MILES} miles of a town or postcode, or only in a council "
        "area or region",
        govuk={"blank": "", "classes": "govuk-!-width-full"},  # its words depend on the place (`presenting`)
    )
    age = NumberFilter(
        "How old are you?",
        criterion="age",
        hint="We will only show things you are old enough for",
        govuk={"classes": "govuk-input--width-2", "inputmode": "numeric"},
        allowed=range(MIN_CARE_LEAVER_AGE, MAX_CARE_LEAVER_AGE + 1),
        problem=f"Age must be a whole number from {MIN_CARE_LEAVER_AGE} to {MAX_CARE_LEAVER_AGE}, so we ignored it",
    )
    paid = FlagFilter("Paid opportunities", criterion="paid_only")
    open = FlagFilter("Opportunities with places left now", criterion="open_now")
    closing = FlagFilter(
        f"Opportunities closing in the next {CLOSING_SOON_DAYS} days", criterion="closing_soon"
    )
    # The order is also checked against the rest of the search (`criteria.parse_criteria`).
    sort = OneOfFilter(
        "Sort by",
        criterion="sort",
        vocabulary=SearchSort,
        problem="We did not recognise that order, so we used the usual one",
    )
    page = NumberFilter(
        "Page",
        criterion="page",
        allowed=range(1, MAX_PAGE + 1),
        problem="That page does not exist, so we showed the first page",
    )

    # How the page shows the filters: a field, or tick boxes under a legend (with an id prefix and a name for the
    # group, since each box has its own name).
    LAYOUT: tuple[str | tuple[str, str, tuple[str, ...]], ...] = (
        "q",
        "near",
        "distance",
        ("Also show", "reach", ("remote", "national")),
        "kind",
        ("Only show", "other", ("paid", "open", "closing")),
        "age",
        "area",
    )


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
