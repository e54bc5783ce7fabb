"""SQL pieces the dashboards share, so every figure is counted in the database on SQLite and PostgreSQL alike.

- `uk_date`: a stored UTC time as its UK calendar date (British Summer Time included).
- `working_days_between`: working days (no weekends, no England and Wales bank holidays from
  `covenant.clock`) as `clock.working_days_between` counts them: weekdays by arithmetic, less the bank holidays
  between the two days.
- `median` and `grouped_medians`: the middle value(s) picked out by an ordered query, never every row loaded.
- `stage_counts`: how many referrals reached each take-up stage (referred, accepted, started, completed) in a
  period, from `ReferralEvent`, so a period counts the moves made in it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import Date, Integer, String, and_, case, cast, column, func, literal, or_, select, values
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement, FromClause
from sqlalchemy.sql.functions import FunctionElement

from covenant.clock import _holidays
from covenant.extensions import db
from covenant.models import Referral, ReferralEvent
from covenant.reports.periods import Period
from covenant.vocab import ReferralStatus

# The take-up funnel, in order: the referral reached the organisation, was accepted, started, completed.
STAGES = (
    ReferralStatus.REFERRED,
    ReferralStatus.ACCEPTED,
    ReferralStatus.STARTED,
    ReferralStatus.COMPLETED,
)
STAGE_NAMES = {
    ReferralStatus.REFERRED: "Referred",
    ReferralStatus.ACCEPTED: "Accepted",
    ReferralStatus.STARTED: "Started",
    ReferralStatus.COMPLETED: "Completed",
}
# Working days are counted from this Monday.
EPOCH = "2000-01-03"


class uk_date(FunctionElement[date]):  # noqa: N801 - reads as the SQL function it stands for
    """The UK calendar date of a stored UTC time."""

    type = Date()
    inherit_cache = True


@compiles(uk_date, "postgresql")
def _uk_date_postgresql(element: uk_date, compiler: Any, **kw: Any) -> str:
    return f"CAST(timezone('Europe/London', {compiler.process(element.clauses, **kw)}) AS DATE)"


@compiles(uk_date, "sqlite")
def _uk_date_sqlite(element: uk_date, compiler: Any, **kw: Any) -> str:
    # British Summer Time runs from 01:00 UTC on the last Sunday of March (the first Sunday on or after
    # 25 March) to 01:00 UTC on the last Sunday of October.
    moment = compiler.process(element.clauses, **kw)
    year = f"strftime('%Y', {moment})"
    starts = f"datetime(date({year} || '-03-25', 'weekday 0'), '+1 hour')"
    ends = f"datetime(date({year} || '-10-25', 'weekday 0'), '+1 hour')"
    return (
        f"CASE WHEN datetime({moment}) >= {starts} AND datetime({moment}) < {ends} "
        f"THEN date({moment}, '+1 hour') ELSE date({moment}) END"
    )


class day_number(FunctionElement[int]):  # noqa: N801 - reads as the SQL function it stands for
    """Days from Monday 3 January 2000 to a date."""

    type = Integer()
    inherit_cache = True


@compiles(day_number, "postgresql")
def _day_number_postgresql(element: day_number, compiler: Any, **kw: Any) -> str:
    return f"(CAST({compiler.process(element.clauses, **kw)} AS DATE) - DATE '{EPOCH}')"


@compiles(day_number, "sqlite")
def _day_number_sqlite(element: day_number, compiler: Any, **kw: Any) -> str:
    return f"CAST(julianday({compiler.process(element.clauses, **kw)}) - julianday('{EPOCH}') AS INTEGER)"


def month_key(day: ColumnElement[Any]) -> ColumnElement[str]:
    """'2026-09' for any day in September 2026."""
    if db.engine.dialect.name == "postgresql":
        return func.to_char(day, "YYYY-MM")
    return func.strftime("%Y-%m", day)


@cache
def _bank_holidays() -> FromClause:
    """The weekday bank holidays as a common table expression, one object so a statement names it once."""
    weekday_holidays = sorted(day for day in _holidays() if day.weekday() < 5)
    # A common table expression: `(VALUES ...) AS name (column)` is PostgreSQL's, not SQLite's.
    return (
        values(column("day", Date), name="bank_holiday_days")
        .data([(day,) for day in weekday_holidays])
        .cte("bank_holiday")
    )


def weekday_number(day: ColumnElement[Any]) -> ColumnElement[int]:
    """How many weekdays there are from the epoch up to and including `day`."""
    days = day_number(day) + 1
    return cast((days // 7) * 5 + case((days % 7 > 5, 5), else_=days % 7), Integer)


def working_days_between(start: ColumnElement[Any], end: ColumnElement[Any]) -> ColumnElement[int]:
    """Working days after `start` up to and including `end`, for UK dates: the weekdays, less the weekday bank
    holidays among them (0 when end is not after start)."""
    holidays = _bank_holidays()
    holidays_between = (
        select(func.count())
        .select_from(holidays)
        .where(holidays.c.day > start, holidays.c.day <= end)
        .scalar_subquery()
    )
    return case((end > start, weekday_number(end) - weekday_number(start) - holidays_between), else_=0)


def working_day_number(day: ColumnElement[Any]) -> ColumnElement[int]:
    """How many working days there are from the epoch up to and including `day`: its weekdays, less the weekday
    bank holidays up to it. The working days after one day up to and including a later one are the difference."""
    holidays = _bank_holidays()
    holidays_so_far = (
        select(func.count()).select_from(holidays).where(holidays.c.day <= day).scalar_subquery()
    )
    return weekday_number(day) - holidays_so_far


REPLIES = (ReferralStatus.ACCEPTED, ReferralStatus.DECLINED)


def moves_from_referred(to: tuple[ReferralStatus, ...], period: Period, *columns: Any) -> Any:
    """Each move to one of `to` made in the period, after any `columns`, with the UK dates the referral reached
    the organisation (`start_day`) and moved (`end_day`), for `working_days_of`. `Referral` is joined: callers
    join on from it and add their own conditions."""
    sent = db.aliased(ReferralEvent)
    later = db.aliased(ReferralEvent)
    return (
        select(
            *columns,
            uk_date(sent.occurred_at).label("start_day"),
            uk_date(later.occurred_at).label("end_day"),
        )
        .select_from(later)
        .join(sent, (sent.referral_id == later.referral_id) & (sent.to_status == ReferralStatus.REFERRED))
        .join(Referral, Referral.id == later.referral_id)
        .where(later.to_status.in_(to), in_period(later.occurred_at, period))
    )


def working_days_of(pairs: Any, name: str) -> Any:
    """For each row of a query with UK dates labelled `start_day` and `end_day` (and any columns before them), the
    working days between the two, labelled `days`, after those other columns.

    The dates are worked out once per row, in a materialised common table expression. Each different date (a
    few hundred, however many rows) is then given its working-day number once, and a row's working days are the
    difference of its two dates' numbers, found by equality: counting the bank holidays between each row's two
    dates compared every row with every holiday, which was most of the national dashboard's time."""
    rows = pairs.cte(name).prefix_with("MATERIALIZED")
    days = select(rows.c.start_day.label("day")).union(select(rows.c.end_day)).subquery(f"{name}_day")
    numbers = (
        select(days.c.day, working_day_number(days.c.day).label("number"))
        .cte(f"{name}_number")
        .prefix_with("MATERIALIZED")
    )
    start, end = numbers.alias(f"{name}_start"), numbers.alias(f"{name}_end")
    others = [column for column in rows.c if column.key not in ("start_day", "end_day")]
    days_between = case((rows.c.end_day > rows.c.start_day, end.c.number - start.c.number), else_=0)
    return (
        select(*others, days_between.label("days"))
        .select_from(rows)
        .outerjoin(start, start.c.day == rows.c.start_day)
        .outerjoin(end, end.c.day == rows.c.end_day)
    )


def median(values_query: Any) -> float | None:
    """The median of a one-column query's values (None when it has none), reading only the middle row(s)."""
    inner = values_query.subquery()
    value = inner.c[0]
    how_many = db.session.scalar(select(func.count()).select_from(inner).where(value.is_not(None))) or 0
    if not how_many:
        return None
    middle = db.session.scalars(
        select(value)
        .where(value.is_not(None))
        .order_by(value)
        .offset((how_many - 1) // 2)
        .limit(2 - how_many % 2)
    ).all()
    return sum(middle) / len(middle)


def median_and_count(values_query: Any) -> tuple[float | None, int]:
    """The median of a one-column query's values (None when it has none) and how many values it has, in one
    statement: counting first and then reading the middle worked the whole query out twice more."""
    inner = values_query.subquery()
    found = grouped_medians_and_sizes(select(literal(1).label("grp"), inner.c[0]))
    middle, size = found.get(1, (None, 0))
    return middle, size


def grouped_medians(values_query: Any) -> dict[Any, float]:
    """The median for each group of a two-column query (group, value), by window functions over the groups."""
    return {grp: middle for grp, (middle, _) in grouped_medians_and_sizes(values_query).items()}


def grouped_medians_and_sizes(values_query: Any) -> dict[Any, tuple[float, int]]:
    """The median and the number of values for each group of a two-column query (group, value), by window
    functions over the groups, in one statement."""
    inner = values_query.subquery()
    group, value = inner.c[0], inner.c[1]
    ranked = (
        select(
            group.label("grp"),
            value.label("value"),
            func.row_number().over(partition_by=group, order_by=value).label("position"),
            func.count().over(partition_by=group).label("size"),
        )
        .where(value.is_not(None))
        .subquery()
    )
    middle = or_(
        ranked.c.position == (ranked.c.size + 1) // 2,
        ranked.c.position == (ranked.c.size + 2) // 2,
    )
    rows = db.session.execute(
        select(ranked.c.grp, func.avg(cast(ranked.c.value, db.Float)), func.max(ranked.c.size))
        .where(middle)
        .group_by(ranked.c.grp)
    ).all()
    return {grp: (float(avg), int(size)) for grp, avg, size in rows}


def stage_of() -> ColumnElement[str]:
    """The take-up stage a referral event records, or None: a referral counts as referred when it first
    reaches the organisation (straight away, or from the waiting list when a place frees up)."""
    return case(
        (ReferralEvent.to_status == ReferralStatus.REFERRED, literal(ReferralStatus.REFERRED.value)),
        (ReferralEvent.to_status == ReferralStatus.ACCEPTED, literal(ReferralStatus.ACCEPTED.value)),
        (ReferralEvent.to_status == ReferralStatus.STARTED, literal(ReferralStatus.STARTED.value)),
        (ReferralEvent.to_status == ReferralStatus.COMPLETED, literal(ReferralStatus.COMPLETED.value)),
        else_=None,
    )


def in_period(moment: Any, period: Period) -> ColumnElement[bool]:
    """A stored time falls in the period (whole UK days)."""
    return and_(moment >= period.start_at, moment < period.end_before)


def stage_counts(
    period: Period, scope: Iterable[ColumnElement[bool]], group: Any = None, joins: Any = ()
) -> dict[Any, dict[ReferralStatus, int]]:
    """{group: {stage: referrals}} for the referrals (limited by `scope`, over `joins`) that reached each stage
    in the period; with no group, the one key is None."""
    stage = stage_of().label("stage")
    key = (group if group is not None else literal(None, String)).label("grp")
    query = select(key, stage, func.count(func.distinct(ReferralEvent.referral_id))).select_from(
        ReferralEvent
    )
    query = query.join(Referral, Referral.id == ReferralEvent.referral_id)
    for target, on in joins:
        query = query.join(target, on)
    query = query.where(
        ReferralEvent.to_status.in_(STAGES), in_period(ReferralEvent.occurred_at, period), *scope
    ).group_by(key, stage)
    counts: dict[Any, dict[ReferralStatus, int]] = {}
    for grp, stage_value, how_many in db.session.execute(query):
        counts.setdefault(grp, dict.fromkeys(STAGES, 0))[ReferralStatus(stage_value)] = how_many
    return counts


def case_true(condition: Any) -> ColumnElement[int]:
    """1 when a yes/no column is yes, else 0, for summing."""
    return case((condition.is_(True), 1), else_=0)
