"""The date range every report covers: the last 3, 6 or 12 months, or from one day to another.

The range is read from GET parameters (`?period=6`, or `?period=custom&from=1&from=4&from=2026&to=...`), so a
report is an address anyone may bookmark. `read_period` gives back the form, to show with its errors, and the
`Period` it chose, or None when what was sent cannot be read (the page answers 400 with an error summary).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput
from werkzeug.datastructures import MultiDict
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice

from covenant.clock import months_after, months_before, uk_today
from covenant.fields import GovDateField
from covenant.forms import BaseForm
from covenant.vocab import UK_TIME_ZONE, LabelledEnum

# Nobody needs a report from before the covenant's records began, and a far-off year is a typing slip.
EARLIEST_YEAR = 2000


class PeriodChoice(LabelledEnum):
    """The ranges offered, as the `period` parameter spells them."""

    LAST_3_MONTHS = "3", "Last 3 months"
    LAST_6_MONTHS = "6", "Last 6 months"
    LAST_12_MONTHS = "12", "Last 12 months"
    CUSTOM = "custom", "Choose the dates"


DEFAULT_CHOICE = PeriodChoice.LAST_12_MONTHS


@dataclass(frozen=True)
class Period:
    """A range of UK calendar days, both ends included."""

    start: date
    end: date
    choice: PeriodChoice = DEFAULT_CHOICE

    @classmethod
    def last_months(cls, months: int, today: date | None = None) -> Period:
        """The last `months` months up to and including today (3 months to 3 December starts on 4 September)."""
        today = today or uk_today()
        offered = {choice.value for choice in PeriodChoice}
        choice = PeriodChoice(str(months)) if str(months) in offered else PeriodChoice.CUSTOM
        return cls(months_before(today, months) + timedelta(days=1), today, choice)

    @property
    def start_at(self) -> datetime:
        """The first moment of the range, in UTC, for comparing with stored times."""
        return datetime.combine(self.start, time(), UK_TIME_ZONE).astimezone(UTC)

    @property
    def end_before(self) -> datetime:
        """The first moment after the range, in UTC: a time is in the range when start_at <= it < end_before."""
        return datetime.combine(self.end + timedelta(days=1), time(), UK_TIME_ZONE).astimezone(UTC)

    @property
    def label(self) -> str:
        """What a heading says: '4 September 2026 to 3 December 2026'."""
        return f"{_day(self.start)} to {_day(self.end)}"

    @property
    def months(self) -> list[date]:
        """The first day of each calendar month the range touches, in order (for 'by month' figures)."""
        first = self.start.replace(day=1)
        months = []
        while first <= self.end:
            months.append(first)
            first = months_after(first, 1)
        return months

    def query_args(self) -> dict[str, Any]:
        """GET parameters that choose this range again (for CSV links and links between reports)."""
        if self.choice is not PeriodChoice.CUSTOM:
            return {"period": self.choice.value}
        return {
            "period": self.choice.value,
            "from": [str(self.start.day), str(self.start.month), str(self.start.year)],
            "to": [str(self.end.day), str(self.end.month), str(self.end.year)],
        }


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


class PeriodForm(BaseForm):
    """The report's date range: a GET form with no CSRF token, since it only chooses what to show."""

    class Meta:
        csrf = False

    period = RadioField(
        "Date range",
        widget=GovRadioInput(),
        choices=[SelectChoice(choice.value, choice.label) for choice in PeriodChoice],
        default=DEFAULT_CHOICE.value,
    )
    # The parameters are `from` and `to` (see `read_period`); `from` is a Python keyword.
    from_date = GovDateField("From", "the start date", name="from", description="For example, 1 4 2026")
    to_date = GovDateField("To", "the end date", name="to", description="For example, 31 3 2027")

    def validate_on_read(self, today: date) -> bool:
        """Check the choice and, for chosen dates, that both are given, real and in order."""
        if not self.validate():
            return False
        if self.period.data != PeriodChoice.CUSTOM.value:
            return True
        for field, message in (
            (self.from_date, "Enter the start date"),
            (self.to_date, "Enter the end date"),
        ):
            if field.data is None and not field.errors:
                self.error_on(field, message)
        for field, subject in ((self.from_date, "The start date"), (self.to_date, "The end date")):
            if field.data is not None and field.data.year < EARLIEST_YEAR:
                self.error_on(field, f"{subject} must be in or after {EARLIEST_YEAR}")
            elif field.data is not None and field.data > today:
                self.error_on(field, f"{subject} must be today or in the past")
        start, end = self.from_date.data, self.to_date.data
        if self.errors or start is None or end is None:
            return False
        if end < start:
            self.error_on(self.to_date, "The end date must be the same as or after the start date")
            return False
        return True


def read_period(args: MultiDict[str, str], today: date | None = None) -> tuple[PeriodForm, Period | None]:
    """The form filled from GET parameters, and the range they choose (None when they need correcting).

    With no `period` parameter the range is the default (the last 12 months)."""
    today = today or uk_today()
    formdata = args if args.get("period") or args.get("from") or args.get("to") else None
    form = PeriodForm(formdata=formdata)
    if formdata is None:
        form.period.data = DEFAULT_CHOICE.value
        return form, Period.last_months(int(DEFAULT_CHOICE.value), today)
    if not form.validate_on_read(today):
        return form, None
    choice = PeriodChoice(form.period.data)
    if choice is PeriodChoice.CUSTOM and form.from_date.data and form.to_date.data:
        return form, Period(form.from_date.data, form.to_date.data, choice)
    return form, Period.last_months(int(choice.value), today)
