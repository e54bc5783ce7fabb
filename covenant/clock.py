"""Time and dates: now in UTC, today in the UK, months on and back, and working days in England (not weekends,
not England and Wales bank holidays).

The bank holidays come from the `govuk-bank-holidays` package's own copy of GOV.UK's list, so nothing is
fetched at run time (a deployment may have no internet access).
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import UTC, date, datetime, timedelta
from functools import cache

from govuk_bank_holidays.bank_holidays import BankHolidays

from covenant.vocab import UK_TIME_ZONE

DIVISION = BankHolidays.ENGLAND_AND_WALES


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def uk_today() -> date:
    """Today's date in the UK: pledge dates (start, end, closing) are UK calendar dates."""
    return datetime.now(UK_TIME_ZONE).date()


def uk_date(moment: datetime) -> date:
    """The UK calendar date of a stored (UTC) time."""
    return moment.astimezone(UK_TIME_ZONE).date()


@cache
def bank_holidays() -> frozenset[date]:
    """England and Wales bank holidays."""
    calendar = BankHolidays(use_cached_holidays=True)
    return frozenset(holiday["date"] for holiday in calendar.get_holidays(division=DIVISION))


@cache
def _weekday_holidays() -> list[date]:
    return sorted(day for day in bank_holidays() if day.weekday() < 5)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays()


def working_day_number(day: date) -> int:
    """Working days from 1 January of year 1 up to and including `day`: its weekdays, less the weekday bank
    holidays up to it. The working days after one day up to and including a later one are the difference."""
    days = day.toordinal()  # Monday 1 January of year 1 is day 1
    weekdays = (days // 7) * 5 + min(days % 7, 5)
    return weekdays - bisect_right(_weekday_holidays(), day)


def working_days_between(start: date, end: date) -> int:
    """How many working days there are after `start` up to and including `end` (0 when end <= start)."""
    return working_day_number(end) - working_day_number(start) if end > start else 0


def add_working_days(start: date, days: int) -> date:
    """The working day `days` working days after `start`."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day


def months_after(day: date, months: int) -> date:
    """The same day `months` months on (the month's last day when it has no such day: 31 January + 1 month is
    28 or 29 February); negative months go back."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    for day_of_month in range(day.day, 0, -1):
        try:
            return date(year, month + 1, day_of_month)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover - every month has a 28th


def months_before(day: date, months: int) -> date:
    return months_after(day, -months)
