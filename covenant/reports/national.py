"""The coordinators' national dashboard: who has signed, what is pledged where, how it is taken up, and what
needs chasing (organisations with nothing live, pledges nobody is referred to, slow replies, the review queue).

Figures here are counts across authorities and organisations, never about one care leaver.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from markupsafe import Markup
from sqlalchemy import exists, func, select

from covenant.clock import working_days_between
from covenant.extensions import db
from covenant.models import (
    CareLeaver,
    LocalAuthority,
    Organisation,
    Pledge,
    PledgeOutcomeArea,
    Referral,
    ReferralEvent,
)
from covenant.reports import sql
from covenant.reports.charts import Series, bar_chart
from covenant.reports.periods import Period
from covenant.reports.tables import Report
from covenant.sqltypes import uk_today, utcnow
from covenant.vocab import (
    LIVE_STATUSES,
    RESPONSE_WORKING_DAYS,
    UK_TIME_ZONE,
    OutcomeArea,
    PledgeKind,
    PledgeStatus,
    ReferralStatus,
    Region,
)

# A live pledge nobody has been referred to for this long is listed, to nudge its organisation.
QUIET_PLEDGE_DAYS = 60
# Coordinators promise to review a submitted pledge within this many working days.
REVIEW_WORKING_DAYS = 5
LIST_LIMIT = 50
STAGE_HEADERS = [sql.STAGE_NAMES[stage] for stage in sql.STAGES]
NUMERIC_STAGES = [False] + [True] * len(sql.STAGES)


@dataclass(frozen=True)
class Dashboard:
    reports: dict[str, Report]
    charts: dict[str, Markup]


def _day(moment: datetime | None) -> date | None:
    return moment.astimezone(UK_TIME_ZONE).date() if moment else None


def _live() -> Any:
    return Pledge.status.in_(LIVE_STATUSES)


def by_region() -> Report:
    """Signatories (not suspended), live pledges and their places, by the organisation's region, today."""
    signatories = dict(
        db.session.execute(
            select(Organisation.region, func.count())
            .where(Organisation.suspended_at.is_(None))
            .group_by(Organisation.region)
        ).all()
    )
    pledged = {
        region: (pledges, int(places or 0), int(unlimited or 0))
        for region, pledges, places, unlimited in db.session.execute(
            select(
                Organisation.region,
                func.count(Pledge.id),
                func.sum(Pledge.places),
                func.sum(sql.case_true(Pledge.places_unlimited)),
            )
            .join(Organisation, Organisation.id == Pledge.organisation_id)
            .where(_live())
            .group_by(Organisation.region)
        )
    }
    rows = [[region.label, signatories.get(region, 0), *pledged.get(region, (0, 0, 0))] for region in Region]
    return Report(
        "by-region",
        "Signatories, live pledges and places by region today",
        ["Region", "Signatories", "Live pledges", "Places", "Pledges with unlimited places"],
        rows,
        [False, True, True, True, True],
    )


def by_kind() -> Report:
    """Live pledges and their places by kind, today."""
    found = {
        kind: (pledges, int(places or 0), int(unlimited or 0))
        for kind, pledges, places, unlimited in db.session.execute(
            select(
                Pledge.kind,
                func.count(),
                func.sum(Pledge.places),
                func.sum(sql.case_true(Pledge.places_unlimited)),
            )
            .where(_live())
            .group_by(Pledge.kind)
        )
    }
    return Report(
        "by-kind",
        "Live pledges and places by kind today",
        ["Kind", "Live pledges", "Places", "Pledges with unlimited places"],
        [[kind.label, *found.get(kind, (0, 0, 0))] for kind in PledgeKind],
        [False, True, True, True],
    )


def _take_up(
    name: str, caption: str, heading: str, period: Period, group: Any, joins: Any, groups: Any
) -> Report:
    counts = sql.stage_counts(period, [], group=group, joins=joins)
    if groups is None:
        groups = [
            (key, key) for key in sorted(counts, key=lambda key: (-counts[key][ReferralStatus.REFERRED], key))
        ]
    rows = []
    for key, label in groups:
        found = counts.get(key, dict.fromkeys(sql.STAGES, 0))
        rows.append([label, *(found[stage] for stage in sql.STAGES)])
    return Report(name, caption, [heading, *STAGE_HEADERS], rows, NUMERIC_STAGES)


def take_up_by_region(period: Period) -> Report:
    joins = (
        (CareLeaver, CareLeaver.id == Referral.care_leaver_id),
        (LocalAuthority, LocalAuthority.id == CareLeaver.local_authority_id),
    )
    groups = [(region.value, region.label) for region in Region]
    return _take_up(
        "take-up-by-region", "Take-up by region", "Region", period, LocalAuthority.region, joins, groups
    )


def take_up_by_authority(period: Period) -> Report:
    joins = (
        (CareLeaver, CareLeaver.id == Referral.care_leaver_id),
        (LocalAuthority, LocalAuthority.id == CareLeaver.local_authority_id),
    )
    return _take_up(
        "take-up-by-authority",
        "Take-up by local authority",
        "Local authority",
        period,
        LocalAuthority.name,
        joins,
        None,
    )


def take_up_by_outcome_area(period: Period) -> Report:
    joins = ((PledgeOutcomeArea, PledgeOutcomeArea.pledge_id == Referral.pledge_id),)
    groups = [(area.value, area.label) for area in OutcomeArea]
    return _take_up(
        "take-up-by-outcome-area",
        "Take-up by outcome area",
        "Outcome area",
        period,
        PledgeOutcomeArea.area,
        joins,
        groups,
    )


def without_live_pledge() -> Report:
    """Signatories (not suspended) with no live pledge today."""
    live = exists().where(Pledge.organisation_id == Organisation.id, _live())
    rows = db.session.execute(
        select(Organisation.name, Organisation.region, Organisation.signed_at)
        .where(Organisation.suspended_at.is_(None), ~live)
        .order_by(Organisation.signed_at, Organisation.name)
        .limit(LIST_LIMIT)
    ).all()
    return Report(
        "no-live-pledge",
        "Organisations with no live pledge",
        ["Organisation", "Region", "Signed"],
        [[name, region.label, _day(signed)] for name, region, signed in rows],
        empty="Every organisation has a live pledge.",
    )


def quiet_pledges() -> Report:
    """Live pledges, published at least 60 days ago, nobody has been referred to in the last 60 days."""
    since = utcnow() - timedelta(days=QUIET_PLEDGE_DAYS)
    recent = exists().where(Referral.pledge_id == Pledge.id, Referral.created_at >= since)
    last = select(func.max(Referral.created_at)).where(Referral.pledge_id == Pledge.id).scalar_subquery()
    rows = db.session.execute(
        select(Pledge.title, Organisation.name, Pledge.published_at, last)
        .join(Organisation, Organisation.id == Pledge.organisation_id)
        .where(_live(), Pledge.published_at < since, ~recent)
        .order_by(Pledge.published_at, Pledge.id)
        .limit(LIST_LIMIT)
    ).all()
    return Report(
        "quiet-pledges",
        f"Live pledges with no referral in {QUIET_PLEDGE_DAYS} days",
        ["Pledge", "Organisation", "Published", "Last referral"],
        [
            [
                title,
                name,
                _day(published),
                _day(last_at) or "Never",
            ]
            for title, name, published, last_at in rows
        ],
        empty=f"Every live pledge has had a referral in the last {QUIET_PLEDGE_DAYS} days.",
    )


def slowest_responders(period: Period) -> Report:
    """Organisations by their median working days to reply to referrals in the period, slowest first."""
    sent = db.aliased(ReferralEvent)
    reply = db.aliased(ReferralEvent)
    replies = (
        select(
            Organisation.name,
            sql.working_days_between(sql.uk_date(sent.occurred_at), sql.uk_date(reply.occurred_at)),
        )
        .select_from(reply)
        .join(sent, (sent.referral_id == reply.referral_id) & (sent.to_status == ReferralStatus.REFERRED))
        .join(Referral, Referral.id == reply.referral_id)
        .join(Pledge, Pledge.id == Referral.pledge_id)
        .join(Organisation, Organisation.id == Pledge.organisation_id)
        .where(
            reply.to_status.in_((ReferralStatus.ACCEPTED, ReferralStatus.DECLINED)),
            sql.in_period(reply.occurred_at, period),
        )
    )
    medians = sql.grouped_medians(replies)
    inner = replies.subquery()
    counts: dict[str, int] = dict(
        db.session.execute(select(inner.c[0], func.count()).group_by(inner.c[0])).all()
    )
    slowest = sorted(medians, key=lambda name: (-medians[name], name))[:LIST_LIMIT]
    return Report(
        "slowest-responders",
        "Slowest to reply to referrals",
        ["Organisation", "Median working days", "Replies", f"More than {RESPONSE_WORKING_DAYS} working days"],
        [
            [name, medians[name], counts[name], "Yes" if medians[name] > RESPONSE_WORKING_DAYS else "No"]
            for name in slowest
        ],
        [False, True, True, False],
        empty="No organisation replied to a referral in these dates.",
    )


def review_queue() -> Report:
    """Pledges waiting for review today, oldest first, against the 5-working-day promise."""
    rows = db.session.execute(
        select(Pledge.title, Organisation.name, Pledge.submitted_at)
        .join(Organisation, Organisation.id == Pledge.organisation_id)
        .where(Pledge.status == PledgeStatus.SUBMITTED)
        .order_by(Pledge.submitted_at, Pledge.id)
        .limit(LIST_LIMIT)
    ).all()
    today = uk_today()
    table = []
    for title, name, submitted in rows:
        submitted_on = submitted.astimezone(UK_TIME_ZONE).date() if submitted else today
        waited = working_days_between(submitted_on, today)
        table.append([title, name, submitted_on, waited, "Yes" if waited > REVIEW_WORKING_DAYS else "No"])
    return Report(
        "review-queue",
        "Pledges waiting for review",
        [
            "Pledge",
            "Organisation",
            "Submitted",
            "Working days waiting",
            f"Over {REVIEW_WORKING_DAYS} working days",
        ],
        table,
        [False, False, False, True, False],
        empty="No pledges are waiting for review.",
    )


# Every table on the page, in its order, by the name its CSV is downloaded by.
BUILDERS: dict[str, Callable[[Period], Report]] = {
    "by-region": lambda period: by_region(),
    "by-kind": lambda period: by_kind(),
    "take-up-by-region": take_up_by_region,
    "take-up-by-authority": take_up_by_authority,
    "take-up-by-outcome-area": take_up_by_outcome_area,
    "no-live-pledge": lambda period: without_live_pledge(),
    "quiet-pledges": lambda period: quiet_pledges(),
    "slowest-responders": slowest_responders,
    "review-queue": lambda period: review_queue(),
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
