"""The lists on an authority's dashboard that name care leavers: referrals waiting for a reply, and care leavers
with no recent referral. Only the authority's own staff see them, and each view is audited."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import exists, func, select

from covenant.clock import uk_date, uk_today, working_days_between
from covenant.extensions import db
from covenant.models import CareLeaver, Organisation, Pledge, Referral, User
from covenant.reports.periods import Period
from covenant.reports.tables import Report
from covenant.vocab import ReferralStatus

if TYPE_CHECKING:
    from covenant.reports.authority import Scope

# A care leaver with no referral for this long is listed, so their adviser can look for something.
NO_REFERRAL_MONTHS = 6
LIST_LIMIT = 50


def waiting(scope: Scope) -> Report:
    """Referrals still waiting for the organisation's reply today, oldest first."""
    rows = db.session.execute(
        select(
            Referral.status_changed_at, CareLeaver.id, CareLeaver.reference, Pledge.title, Organisation.name
        )
        .join(CareLeaver, CareLeaver.id == Referral.care_leaver_id)
        .join(Pledge, Pledge.id == Referral.pledge_id)
        .join(Organisation, Organisation.id == Pledge.organisation_id)
        .where(Referral.status == ReferralStatus.REFERRED, *scope.conditions())
        .order_by(Referral.status_changed_at, Referral.id)
        .limit(LIST_LIMIT)
    ).all()
    today = uk_today()
    table = [
        [uk_date(sent), reference, title, name, working_days_between(uk_date(sent), today)]
        for sent, _, reference, title, name in rows
    ]
    return Report(
        "waiting",
        "Referrals waiting for a reply, oldest first",
        ["Referred on", "Care leaver reference", "Pledge", "Organisation", "Working days waiting"],
        table,
        [False, False, False, False, True],
        empty="No referrals are waiting for a reply.",
        care_leaver_ids=[care_leaver_id for _, care_leaver_id, *_ in rows],
    )


def no_recent_referral(scope: Scope) -> Report:
    """Care leavers on the caseload with no referral in the last 6 months (and on it that long)."""
    since = Period.last_months(NO_REFERRAL_MONTHS).start_at
    recent = exists().where(Referral.care_leaver_id == CareLeaver.id, Referral.created_at >= since)
    last = (
        select(func.max(Referral.created_at))
        .where(Referral.care_leaver_id == CareLeaver.id)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(CareLeaver.id, CareLeaver.reference, CareLeaver.first_name, User.name, last)
        .join(User, User.id == CareLeaver.adviser_id)
        .where(
            *scope.conditions(), CareLeaver.anonymised_at.is_(None), CareLeaver.created_at < since, ~recent
        )
        .order_by(CareLeaver.first_name, CareLeaver.id)
        .limit(LIST_LIMIT)
    ).all()
    table = [
        [reference, first_name, adviser, uk_date(last_referred) if last_referred else "Never"]
        for _, reference, first_name, adviser, last_referred in rows
    ]
    return Report(
        "no-recent-referral",
        f"Care leavers with no referral in {NO_REFERRAL_MONTHS} months",
        ["Reference", "First name", "Personal adviser", "Last referred"],
        table,
        empty=f"Every care leaver has had a referral in the last {NO_REFERRAL_MONTHS} months.",
        care_leaver_ids=[row[0] for row in rows],
    )
