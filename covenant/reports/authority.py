"""A local authority's take-up dashboard: how its care leavers' referrals went, and where they are stuck.

A manager sees the whole authority; a personal adviser sees their own caseload. Figures are counted in SQL
(`covenant.reports.sql`); the lists (referrals waiting for a reply, care leavers with no recent referral) are
limited to what a page shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.sql import ColumnElement

from covenant.extensions import db
from covenant.models import (
    CareLeaver,
    LocalAuthority,
    Organisation,
    Pledge,
    Referral,
    SustainmentCheck,
    TakeUpMove,
    User,
)
from covenant.reports import authority_lists, sql
from covenant.reports.charts import Series, bar_chart
from covenant.reports.periods import Period
from covenant.reports.tables import Rate, Report
from covenant.vocab import (
    SUSTAINED_KINDS,
    SUSTAINMENT_MONTHS,
    OutcomeArea,
    PledgeKind,
    ReferralStatus,
    Role,
)

MAX_CHART_ROWS = 30
STAGE_HEADERS = [sql.STAGE_NAMES[stage] for stage in sql.STAGES]


@dataclass(frozen=True)
class Scope:
    """Whose care leavers: the authority's, or one adviser's caseload."""

    authority: LocalAuthority
    adviser: User | None = None

    @classmethod
    def for_user(cls, authority: LocalAuthority, user: User) -> Scope:
        """A manager sees the authority; an adviser their own caseload."""
        return cls(authority, None if user.role == Role.AUTHORITY_MANAGER else user)

    def conditions(self) -> list[ColumnElement[bool]]:
        """Conditions on `CareLeaver` (joined) that keep to this scope."""
        conditions = [CareLeaver.local_authority_id == self.authority.id]
        if self.adviser is not None:
            conditions.append(CareLeaver.adviser_id == self.adviser.id)
        return conditions

    def move_conditions(self) -> list[ColumnElement[bool]]:
        """Conditions on `TakeUpMove` that keep to this scope: the authority's moves, or those of the adviser's
        caseload as it is now."""
        conditions = [TakeUpMove.local_authority_id == self.authority.id]
        if self.adviser is not None:
            caseload = (
                select(Referral.id)
                .join(CareLeaver, CareLeaver.id == Referral.care_leaver_id)
                .where(CareLeaver.adviser_id == self.adviser.id)
            )
            conditions.append(TakeUpMove.referral_id.in_(caseload))
        return conditions


@dataclass(frozen=True)
class Dashboard:
    """Every table on the page, by name, and the charts that go with some."""

    reports: dict[str, Report]
    charts: dict[str, Markup]
    #: Care leavers named on the page, for the audit record of who saw them.
    care_leaver_ids: list[int]


def _stage_rows(
    counts: dict[Any, dict[ReferralStatus, int]], groups: list[tuple[Any, str]]
) -> list[list[Any]]:
    rows = []
    for key, label in groups:
        found = counts.get(key, dict.fromkeys(sql.STAGES, 0))
        rows.append([label, *(found[stage] for stage in sql.STAGES)])
    return rows


def funnel(scope: Scope, period: Period) -> Report:
    """Referred, accepted, started and completed in the period, each with its rate from the stage before."""
    found = sql.stage_counts(period, scope.move_conditions()).get(None, dict.fromkeys(sql.STAGES, 0))
    rows: list[list[Any]] = []
    before: int | None = None
    for stage in sql.STAGES:
        rows.append(
            [sql.STAGE_NAMES[stage], found[stage], None if before is None else Rate(found[stage], before)]
        )
        before = found[stage]
    return Report(
        "funnel",
        "Take-up: referred, accepted, started and completed",
        ["Stage", "Referrals", "Of the stage before"],
        rows,
        numeric=[False, True, True],
    )


def by_month(scope: Scope, period: Period) -> Report:
    """The funnel's stages in each calendar month of the period."""
    month = sql.month_key(TakeUpMove.moved_on)
    counts = sql.stage_counts(period, scope.move_conditions(), group=month)
    groups = [(first.strftime("%Y-%m"), first.strftime("%B %Y")) for first in period.months]
    return Report(
        "by-month",
        "Take-up by month",
        ["Month", *STAGE_HEADERS],
        _stage_rows(counts, groups),
        [False] + [True] * 4,
    )


def by_outcome_area(scope: Scope, period: Period) -> Report:
    """The funnel by the pledges' outcome areas (a pledge in two areas counts in both)."""
    area, join = sql.by_area()
    counts = sql.stage_counts(period, scope.move_conditions(), group=area, joins=((area.table, join),))
    groups = [(area.value, area.label) for area in OutcomeArea]
    return Report(
        "by-outcome-area",
        "Take-up by outcome area",
        ["Outcome area", *STAGE_HEADERS],
        _stage_rows(counts, groups),
        [False] + [True] * 4,
    )


def by_kind(scope: Scope, period: Period) -> Report:
    """The funnel by the kind of pledge, kinds with no referrals left out."""
    counts = sql.stage_counts(period, scope.move_conditions(), group=TakeUpMove.kind)
    groups = [(kind.value, kind.label) for kind in PledgeKind if kind.value in counts]
    return Report(
        "by-kind",
        "Take-up by kind of pledge",
        ["Kind", *STAGE_HEADERS],
        _stage_rows(counts, groups),
        [False] + [True] * 4,
    )


def by_organisation(scope: Scope, period: Period) -> Report:
    """The funnel by organisation, most referred first."""
    # By the organisation's id (two organisations may share a name), then named.
    counts = sql.stage_counts(period, scope.move_conditions(), group=TakeUpMove.organisation_id)
    names = dict(
        db.session.execute(
            select(Organisation.id, Organisation.name).where(Organisation.id.in_(list(counts)))
        ).all()
    )
    order = sorted(counts, key=lambda key: (-counts[key][ReferralStatus.REFERRED], names[key], key))
    return Report(
        "by-organisation",
        "Take-up by organisation",
        ["Organisation", *STAGE_HEADERS],
        _stage_rows(counts, [(key, names[key]) for key in order]),
        [False] + [True] * 4,
    )


def response_times(scope: Scope, period: Period) -> Report:
    """Median working days from a referral reaching the organisation to its reply, and to starting."""
    started = select(TakeUpMove.working_days).where(
        TakeUpMove.to_status == ReferralStatus.STARTED, sql.moved_in(period), *scope.move_conditions()
    )
    # Every move has its working days (0 on the same day), so the number of values is the number of referrals.
    rows = [
        [
            "From referral to accepted or declined",
            *sql.median_and_count(sql.replies(period, *scope.move_conditions())),
        ],
        ["From referral to starting", *sql.median_and_count(started)],
    ]
    return Report(
        "response-times",
        "Median working days",
        ["From and to", "Median working days", "Referrals"],
        rows,
        [False, True, True],
    )


def still_there(scope: Scope, period: Period) -> Report:
    """Of the jobs and apprenticeships checked on in the period, how many were still there at 3 and 6 months."""
    query = (
        select(
            Pledge.kind,
            SustainmentCheck.months,
            func.count(),
            func.sum(sql.case_true(SustainmentCheck.still_there)),
        )
        .join(Referral, Referral.id == SustainmentCheck.referral_id)
        .join(CareLeaver, CareLeaver.id == Referral.care_leaver_id)
        .join(Pledge, Pledge.id == Referral.pledge_id)
        .where(
            Pledge.kind.in_(SUSTAINED_KINDS),
            SustainmentCheck.still_there.is_not(None),
            sql.in_period(SustainmentCheck.answered_at, period),
            *scope.conditions(),
        )
        .group_by(Pledge.kind, SustainmentCheck.months)
    )
    found = {
        (kind, months): (answered, int(there or 0))
        for kind, months, answered, there in db.session.execute(query)
    }
    rows = []
    for kind in (PledgeKind.JOB, PledgeKind.APPRENTICESHIP):
        for months in SUSTAINMENT_MONTHS:
            answered, there = found.get((kind, months), (0, 0))
            rows.append([kind.label, f"{months} months", answered, there, Rate(there, answered)])
    return Report(
        "still-there",
        "Still there after 3 and 6 months",
        ["Kind", "After", "Answers", "Still there", "Still-there rate"],
        rows,
        [False, False, True, True, True],
    )


# Every table on the page, in its order, by the name its CSV is downloaded by.
BUILDERS: dict[str, Callable[[Scope, Period], Report]] = {
    "funnel": funnel,
    "by-month": by_month,
    "by-outcome-area": by_outcome_area,
    "by-kind": by_kind,
    "by-organisation": by_organisation,
    "response-times": response_times,
    "waiting": lambda scope, period: authority_lists.waiting(scope),
    "no-recent-referral": lambda scope, period: authority_lists.no_recent_referral(scope),
    "still-there": still_there,
}


def dashboard(scope: Scope, period: Period, only: str | None = None) -> Dashboard:
    """Every table and chart on the authority's page, or just the one table `only` names (for its CSV)."""
    reports = {name: build(scope, period) for name, build in BUILDERS.items() if only in (None, name)}
    ids = [care_leaver_id for report in reports.values() for care_leaver_id in report.care_leaver_ids]
    return Dashboard(reports, charts(reports, period) if only is None else {}, ids)


def charts(reports: dict[str, Report], period: Period) -> dict[str, Markup]:
    """Charts for the take-up tables."""
    funnel_report = reports["funnel"]
    counts = [row[1] for row in funnel_report.rows]
    result = {
        "funnel": bar_chart(
            "Take-up funnel",
            f"From {period.label}: "
            + ", ".join(
                f"{count} {str(row[0]).lower()}"
                for row, count in zip(funnel_report.rows, counts, strict=True)
            )
            + ".",
            [str(row[0]) for row in funnel_report.rows],
            [Series("Referrals", counts)],
        )
    }
    for name in ("by-month", "by-outcome-area", "by-kind", "by-organisation"):
        report = reports[name]
        # Past 30 bars' worth (two and a half years of months, or 30 organisations) a chart is too long to
        # read on a phone: the table says it more clearly.
        if not report.rows or len(report.rows) > MAX_CHART_ROWS:
            continue
        # Short month names keep a year's labels readable on a phone.
        by_month = name == "by-month"
        labels = (
            [f"{first:%b %Y}" for first in period.months]
            if by_month
            else [str(row[0]) for row in report.rows]
        )
        result[name] = bar_chart(
            report.caption,
            f"{report.caption} from {period.label}: referrals referred and started for each "
            f"{report.headers[0].lower()}. The table below gives every figure.",
            labels,
            [
                Series("Referred", [row[1] for row in report.rows]),
                Series("Started", [row[3] for row in report.rows]),
            ],
        )
    return result
