"""SQL pieces the dashboards share, so every figure is counted in the database on SQLite and PostgreSQL alike.

Moves are read from `TakeUpMove` (`covenant.reports.moves`), which holds each move's UK date, the care leaver's
authority, the organisation, the pledge's kind and outcome areas, and the working days since the referral
reached the organisation, so no report joins a move to anything to count it.

- `stage_counts`: how many referrals reached each take-up stage (referred, accepted, started, completed) in a
  period, so a period counts the moves made in it; `by_area` groups moves by outcome area.
- `monthly_totals`: the same for every authority at once (the national and public pages): whole months added up
  from the monthly counts (`TakeUpMonth`, `TakeUpAreaMonth`), the days either side counted from the moves.
- `median` and `grouped_medians_query`: the middle value(s) found by the database's median aggregate, never
  every row loaded.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

from sqlalchemy import (
    Integer,
    String,
    and_,
    case,
    column,
    func,
    literal,
    select,
    values,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import ColumnElement, FromClause

from covenant.clock import months_after
from covenant.extensions import db
from covenant.models import TakeUpAreaMonth, TakeUpMonth, TakeUpMove
from covenant.opportunities.search.bits import AREA_BIT
from covenant.reports.periods import Period
from covenant.vocab import OutcomeArea, ReferralStatus

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


def month_key(day: Any) -> ColumnElement[str]:
    """'2026-09' for any day in September 2026."""
    if db.engine.dialect.name == "postgresql":
        return func.to_char(day, "YYYY-MM")
    return func.strftime("%Y-%m", day)


REPLIES = (ReferralStatus.ACCEPTED, ReferralStatus.DECLINED)


def moved_in(period: Period) -> ColumnElement[bool]:
    """A recorded move (`TakeUpMove`) was made in the period."""
    return TakeUpMove.moved_on.between(period.start, period.end)


@cache
def _areas() -> FromClause:
    """Each outcome area with its bit, as a common table expression: a move counts under each area whose bit
    its pledge has."""
    return (
        values(column("area", String), column("bit", Integer), name="area_bit_values")
        .data([(area.value, bit) for area, bit in AREA_BIT.items()])
        .cte("area_bit")
    )


def by_area() -> tuple[Any, ColumnElement[bool]]:
    """The outcome area to group moves by, and the join that gives a move one row per area of its pledge."""
    areas = _areas()
    return areas.c.area, TakeUpMove.outcome_area_bits.op("&")(areas.c.bit) != 0


def replies(period: Period, *conditions: Any, group: Any = None) -> Any:
    """The working days each reply (accepted or declined) in the period took: a one-column query, or with
    `group`, two columns (the group, the days) for `grouped_medians_query`."""
    columns = [TakeUpMove.working_days] if group is None else [group, TakeUpMove.working_days]
    return select(*columns).where(TakeUpMove.to_status.in_(REPLIES), moved_in(period), *conditions)


def median(values_query: Any) -> float | None:
    """The median of a one-column query's values (None when it has none)."""
    return median_and_count(values_query)[0]


def median_and_count(values_query: Any) -> tuple[float | None, int]:
    """The median of a one-column query's values (None when it has none) and how many values it has, in one
    statement."""
    inner = values_query.subquery()
    found = grouped_medians_and_sizes(select(literal(1).label("grp"), inner.c[0]))
    middle, size = found.get(1, (None, 0))
    return middle, size


def grouped_medians_and_sizes(values_query: Any) -> dict[Any, tuple[float, int]]:
    """The median and the number of values for each group of a two-column query (group, value), in one
    statement."""
    rows = db.session.execute(grouped_medians_query(values_query)).all()
    return {grp: (float(middle), int(size)) for grp, middle, size in rows}


def grouped_medians_query(values_query: Any) -> Any:
    """A query of (grp, median, size) for each group of a two-column query (group, value), to join on from.

    The median is an aggregate on both databases, so each group's few values are sorted on their own:
    PostgreSQL's `percentile_cont(0.5)` (the middle value, or the mean of the two middle ones), and on SQLite,
    which has none, `median` (`covenant.database.Median`, the same figure). Numbering every value of every
    group with window functions, as SQLite needed without it, sorted every value of the period at once."""
    inner = values_query.subquery()
    group, value = inner.c[0], inner.c[1]
    if db.engine.dialect.name == "postgresql":
        middle: Any = func.percentile_cont(0.5).within_group(value)
    else:
        middle = func.median(value, type_=db.Float)
    return (
        select(group.label("grp"), middle.label("median"), func.count(value).label("size"))
        .where(value.is_not(None))
        .group_by(group)
    )


@dataclass(frozen=True)
class Split:
    """A period as whole calendar months (`first` to `last`, their first days; None when it has none) and the
    days either side of them."""

    first: date | None
    last: date | None
    days: list[tuple[date, date]]

    def each_day(self) -> list[date]:
        """Every day of `days`."""
        return [
            start + timedelta(days=offset)
            for start, end in self.days
            for offset in range((end - start).days + 1)
        ]


def split(period: Period) -> Split:
    """The whole months in the period, and the days before and after them."""
    first = period.start if period.start.day == 1 else months_after(period.start.replace(day=1), 1)
    stop = (period.end + timedelta(days=1)).replace(day=1)  # the first month not wholly in the period
    if first >= stop:
        return Split(None, None, [(period.start, period.end)])
    days = []
    if period.start < first:
        days.append((period.start, first - timedelta(days=1)))
    if stop <= period.end:
        days.append((stop, period.end))
    return Split(first, months_after(stop, -1), days)


def monthly_totals(
    period: Period, statuses: Iterable[ReferralStatus], areas: bool = False
) -> list[tuple[int, Any, ReferralStatus, int]]:
    """(authority id, outcome area or None, stage, moves) for every authority's moves to these take-up stages
    in the period, by outcome area when `areas`, in two statements: whole months added up from the monthly
    counts (`TakeUpMonth`, `TakeUpAreaMonth`), then the days either side counted from the recorded moves, each
    outcome area a sum of its own in one pass (joining each move to the areas it counts under cost five
    times the rows); the two sets of counts are added together here."""
    statuses = list(statuses)
    parts = split(period)
    totals: Counter[tuple[int, Any, ReferralStatus]] = Counter()
    if parts.first is not None:
        table: Any = TakeUpAreaMonth if areas else TakeUpMonth
        area = table.outcome_area if areas else literal(None, String)
        for authority_id, area_value, status, moves in db.session.execute(
            select(table.local_authority_id, area, table.to_status, func.sum(table.moves))
            .where(table.to_status.in_(statuses), table.month.between(parts.first, parts.last))
            .group_by(table.local_authority_id, area, table.to_status)
        ):
            totals[authority_id, OutcomeArea(area_value) if areas else None, ReferralStatus(status)] += moves
    if parts.days:
        named = list(AREA_BIT.items()) if areas else []
        sums = [
            func.sum(case((TakeUpMove.outcome_area_bits.op("&")(bit) != 0, 1), else_=0)) for _, bit in named
        ]
        for authority_id, status, moves, *by_area in db.session.execute(
            select(TakeUpMove.local_authority_id, TakeUpMove.to_status, func.count(), *sums)
            .where(
                TakeUpMove.to_status.in_(statuses),
                # Each day (at most two months' worth) rather than two ranges: PostgreSQL reads a range with
                # OR by a bitmap of the table's pages, a list of days from the index alone.
                TakeUpMove.moved_on.in_(parts.each_day()),
            )
            .group_by(TakeUpMove.local_authority_id, TakeUpMove.to_status)
        ):
            if not areas:
                totals[authority_id, None, ReferralStatus(status)] += moves
            for (area_name, _), how_many in zip(named, by_area, strict=True):
                totals[authority_id, area_name, ReferralStatus(status)] += int(how_many or 0)
    return [
        (authority_id, area, status, moves) for (authority_id, area, status), moves in totals.items() if moves
    ]


def in_period(moment: Any, period: Period) -> ColumnElement[bool]:
    """A stored time falls in the period (whole UK days)."""
    return and_(moment >= period.start_at, moment < period.end_before)


def stage_counts(
    period: Period, scope: Iterable[ColumnElement[bool]], group: Any = None, joins: Any = ()
) -> dict[Any, dict[ReferralStatus, int]]:
    """{group: {stage: referrals}} for the referrals (limited by `scope`, over `joins`) that reached each stage
    in the period, from the recorded moves; with no group, the one key is None. A referral reaches each stage
    at most once (`REFERRAL_TRANSITIONS` has no way back), so its moves to a stage are its referrals."""
    key = (group if group is not None else literal(None, String)).label("grp")
    query = select(key, TakeUpMove.to_status, func.count()).select_from(TakeUpMove)
    for target, on in joins:
        query = query.join(target, on)
    query = query.where(TakeUpMove.to_status.in_(STAGES), moved_in(period), *scope).group_by(
        key, TakeUpMove.to_status
    )
    counts: dict[Any, dict[ReferralStatus, int]] = {}
    for grp, stage, how_many in db.session.execute(query):
        counts.setdefault(grp, dict.fromkeys(STAGES, 0))[ReferralStatus(stage)] = how_many
    return counts


def case_true(condition: Any) -> ColumnElement[int]:
    """1 when a yes/no column is yes, else 0, for summing."""
    return case((condition.is_(True), 1), else_=0)


def add_to_counts(connection: Any, model: Any, keys: list[str], rows: list[dict[str, Any]]) -> None:
    """Add each row's figures to a table of counts (`model`, whose primary key is `keys`) in one upsert
    (`INSERT … ON CONFLICT DO UPDATE`): a key not there yet is inserted, one there has the figures added, so two
    transactions adding to the same count at once both count. The rows go in key order, so two transactions lock
    the same rows in the same order (no deadlock); rows that add nothing are left out."""
    figures = [name for name in (rows[0] if rows else {}) if name not in keys]
    adding = sorted(
        (row for row in rows if any(row[name] for name in figures)),
        key=lambda row: tuple(row[key] for key in keys),
    )
    if not adding:
        return
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(model)
    statement = statement.on_conflict_do_update(
        index_elements=keys,
        set_={name: getattr(model, name) + getattr(statement.excluded, name) for name in figures},
    )
    connection.execute(statement, adding)
