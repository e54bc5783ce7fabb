"""The coordinators' national dashboard: who has signed, what is pledged where, how it is taken up, and what
needs chasing (organisations with nothing live, pledges nobody is referred to, slow replies, the review queue).

Figures here are counts across authorities and organisations, never about one care leaver.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import g
from markupsafe import Markup
from sqlalchemy import func, select

from covenant.extensions import db
from covenant.models import LivePledgeCount, LocalAuthority, Organisation
from covenant.reports import national_lists, sql
from covenant.reports.charts import Series, bar_chart
from covenant.reports.periods import Period
from covenant.reports.tables import Report
from covenant.vocab import (
    OutcomeArea,
    PledgeKind,
    ReferralStatus,
    Region,
)

STAGE_HEADERS = [sql.STAGE_NAMES[stage] for stage in sql.STAGES]
NUMERIC_STAGES = [False] + [True] * len(sql.STAGES)


@dataclass(frozen=True)
class Dashboard:
    reports: dict[str, Report]
    charts: dict[str, Markup]


LIVE_FIGURES = ("pledges", "places", "unlimited")


def _live_pledges() -> dict[tuple[Region, PledgeKind], Counter[str]]:
    """{(organisation's region, kind): {pledges, places, unlimited}} for the live pledges today, kept counted as
    pledges change (`covenant.reports.live`), read once for both tables that need it."""
    found = g.setdefault("report_counts", {})
    if "live-pledges" not in found:
        found["live-pledges"] = {
            (Region(row.region), PledgeKind(row.kind)): Counter(
                {figure: getattr(row, figure) for figure in LIVE_FIGURES}
            )
            for row in db.session.scalars(select(LivePledgeCount))
        }
    return found["live-pledges"]


def _summed(counts: dict[tuple[Any, Any], Counter[Any]], part: int) -> defaultdict[Any, Counter[Any]]:
    """Counts keyed by pairs, added up by one part of the pair (0 or 1); a missing key counts nought."""
    sums: defaultdict[Any, Counter[Any]] = defaultdict(Counter)
    for key, figures in counts.items():
        sums[key[part]].update(figures)
    return sums


def by_region() -> Report:
    """Signatories (not suspended), live pledges and their places, by the organisation's region, today."""
    signatories = dict(
        db.session.execute(
            select(Organisation.region, func.count())
            .where(Organisation.suspended_at.is_(None))
            .group_by(Organisation.region)
        ).all()
    )
    pledged = _summed(_live_pledges(), 0)
    rows = [
        [region.label, signatories.get(region, 0), *(pledged[region][figure] for figure in LIVE_FIGURES)]
        for region in Region
    ]
    return Report(
        "by-region",
        "Signatories, live pledges and places by region today",
        ["Region", "Signatories", "Live pledges", "Places", "Pledges with unlimited places"],
        rows,
        [False, True, True, True, True],
    )


def by_kind() -> Report:
    """Live pledges and their places by kind, today."""
    found = _summed(_live_pledges(), 1)
    return Report(
        "by-kind",
        "Live pledges and places by kind today",
        ["Kind", "Live pledges", "Places", "Pledges with unlimited places"],
        [[kind.label, *(found[kind][figure] for figure in LIVE_FIGURES)] for kind in PledgeKind],
        [False, True, True, True],
    )


def _rows(
    name: str, caption: str, heading: str, counts: Mapping[Any, Mapping[ReferralStatus, int]], groups: Any
) -> Report:
    if groups is None:
        groups = [
            (key, key) for key in sorted(counts, key=lambda key: (-counts[key][ReferralStatus.REFERRED], key))
        ]
    rows = []
    for key, label in groups:
        found = counts.get(key, dict.fromkeys(sql.STAGES, 0))
        rows.append([label, *(found[stage] for stage in sql.STAGES)])
    return Report(name, caption, [heading, *STAGE_HEADERS], rows, NUMERIC_STAGES)


def _by_authority(period: Period) -> dict[tuple[str, str], Counter[ReferralStatus]]:
    """{(region, authority name): {stage: referrals}}, counted once for both tables that need it: a referral has
    one care leaver, so one authority and one region, and a region's counts are its authorities' added up."""
    key = ("take-up-by-authority", period)
    found = g.setdefault("report_counts", {})
    if key not in found:
        names = {
            authority_id: (Region(region).value, authority_name)
            for authority_id, region, authority_name in db.session.execute(
                select(LocalAuthority.id, LocalAuthority.region, LocalAuthority.name)
            )
        }
        counts: defaultdict[tuple[str, str], Counter[ReferralStatus]] = defaultdict(Counter)
        for authority_id, _, stage, moves in sql.monthly_totals(period, sql.STAGES):
            counts[names[authority_id]][stage] += moves
        found[key] = dict(counts)
    return found[key]


def take_up_by_region(period: Period) -> Report:
    groups = [(region.value, region.label) for region in Region]
    counts = _summed(_by_authority(period), 0)
    return _rows("take-up-by-region", "Take-up by region", "Region", counts, groups)


def take_up_by_authority(period: Period) -> Report:
    counts = _summed(_by_authority(period), 1)
    return _rows("take-up-by-authority", "Take-up by local authority", "Local authority", counts, None)


def take_up_by_outcome_area(period: Period) -> Report:
    counts: defaultdict[str, Counter[ReferralStatus]] = defaultdict(Counter)
    for _, area, stage, moves in sql.monthly_totals(period, sql.STAGES, areas=True):
        counts[OutcomeArea(area).value][stage] += moves
    groups = [(area.value, area.label) for area in OutcomeArea]
    return _rows("take-up-by-outcome-area", "Take-up by outcome area", "Outcome area", counts, groups)


# Every table on the page, in its order, by the name its CSV is downloaded by.
BUILDERS: dict[str, Callable[[Period], Report]] = {
    "by-region": lambda period: by_region(),
    "by-kind": lambda period: by_kind(),
    "take-up-by-region": take_up_by_region,
    "take-up-by-authority": take_up_by_authority,
    "take-up-by-outcome-area": take_up_by_outcome_area,
    "no-live-pledge": lambda period: national_lists.without_live_pledge(),
    "quiet-pledges": lambda period: national_lists.quiet_pledges(),
    "slowest-responders": national_lists.slowest_responders,
    "review-queue": lambda period: national_lists.review_queue(),
}


def dashboard(period: Period, only: str | None = None) -> Dashboard:
    """Every table and chart on the national page, or just the table `only` names (for its CSV)."""
    by_name = {name: build(period) for name, build in BUILDERS.items() if only in (None, name)}
    if only is not None:
        return Dashboard(by_name, {})
    charts = {
        "by-region": bar_chart(
            "Live pledges by region",
            "Live pledges and signatories in each region today. The table below gives every figure.",
            [str(row[0]) for row in by_name["by-region"].rows],
            [
                Series("Signatories", [row[1] for row in by_name["by-region"].rows]),
                Series("Live pledges", [row[2] for row in by_name["by-region"].rows]),
            ],
        ),
        "take-up-by-region": bar_chart(
            "Take-up by region",
            f"From {period.label}: referrals referred and started in each region. The table below gives every figure.",
            [str(row[0]) for row in by_name["take-up-by-region"].rows],
            [
                Series("Referred", [row[1] for row in by_name["take-up-by-region"].rows]),
                Series("Started", [row[3] for row in by_name["take-up-by-region"].rows]),
            ],
        ),
    }
    return Dashboard(by_name, charts)
