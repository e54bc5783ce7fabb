"""The lists on the national dashboard of what needs chasing: organisations with no live pledge, pledges nobody
is referred to, the slowest to reply, and the review queue against its promise."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, select, union_all

from covenant.clock import uk_date, uk_today, utcnow, working_days_between
from covenant.extensions import db
from covenant.models import Organisation, Pledge, Referral, TakeUpMove
from covenant.reports import sql
from covenant.reports.periods import Period
from covenant.reports.tables import Report
from covenant.review.deadlines import decision_due
from covenant.vocab import LIVE_STATUSES, RESPONSE_WORKING_DAYS, REVIEW_WORKING_DAYS, PledgeStatus

# A live pledge nobody has been referred to for this long is listed, to nudge its organisation.
QUIET_PLEDGE_DAYS = 60
LIST_LIMIT = 50


def _day(moment: datetime | None) -> date | None:
    return uk_date(moment) if moment else None


def _live() -> Any:
    return Pledge.status.in_(LIVE_STATUSES)


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
    # Oldest first, for each live status on its own: each reads its index of pledges by publication time only
    # as far as the list, where both statuses at once would test and sort every live pledge.
    oldest = union_all(
        *(
            select(Pledge.id, Pledge.published_at)
            .where(Pledge.status == status, Pledge.published_at < since, ~recent)
            .order_by(Pledge.published_at, Pledge.id)
            .limit(LIST_LIMIT)
            .subquery()
            .select()
            for status in sorted(LIVE_STATUSES)
        )
    ).subquery("oldest")
    last = select(func.max(Referral.created_at)).where(Referral.pledge_id == Pledge.id).scalar_subquery()
    rows = db.session.execute(
        select(Pledge.title, Organisation.name, Pledge.published_at, last)
        .join(oldest, oldest.c.id == Pledge.id)
        .join(Organisation, Organisation.id == Pledge.organisation_id)
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
    # Every reply has its working days (0 when on the same day), so each group's size is its count of replies.
    medians = sql.grouped_medians_query(sql.replies(period, group=TakeUpMove.organisation_id)).subquery()
    # Slowest first, then by name and id (two organisations may share a name): only the list is read back.
    slowest = db.session.execute(
        select(Organisation.name, medians.c.median, medians.c.size)
        .join(medians, medians.c.grp == Organisation.id)
        .order_by(medians.c.median.desc(), Organisation.name, Organisation.id)
        .limit(LIST_LIMIT)
    ).all()
    return Report(
        "slowest-responders",
        "Slowest to reply to referrals",
        ["Organisation", "Median working days", "Replies", f"More than {RESPONSE_WORKING_DAYS} working days"],
        [
            [name, float(middle), int(size), "Yes" if middle > RESPONSE_WORKING_DAYS else "No"]
            for name, middle, size in slowest
        ],
        [False, True, True, False],
        empty="No organisation replied to a referral in these dates.",
    )


def review_queue(today: date | None = None) -> Report:
    """Pledges waiting for review today, oldest first, against the 5-working-day promise (its decision date, as
    `covenant.review.deadlines` works it out)."""
    rows = db.session.execute(
        select(Pledge.title, Organisation.name, Pledge.submitted_at)
        .join(Organisation, Organisation.id == Pledge.organisation_id)
        .where(Pledge.status == PledgeStatus.SUBMITTED)
        .order_by(Pledge.submitted_at, Pledge.id)
        .limit(LIST_LIMIT)
    ).all()
    today = today or uk_today()
    table = []
    for title, name, submitted in rows:
        submitted_on = uk_date(submitted) if submitted else today
        waited = working_days_between(submitted_on, today)
        # Overdue as the review queue itself says it (the decision date has passed), so the pages agree: a
        # pledge sent at a weekend waits from the next working day.
        overdue = decision_due(submitted_on) < today
        table.append([title, name, submitted_on, waited, "Yes" if overdue else "No"])
    return Report(
        "review-queue",
        "Pledges waiting for review",
        [
            "Pledge",
            "Organisation",
            "Submitted",
            "Working days waiting",
            f"Overdue (a decision is due within {REVIEW_WORKING_DAYS} working days)",
        ],
        table,
        [False, False, False, True, False],
        empty="No pledges are waiting for review.",
    )
