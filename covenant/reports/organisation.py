"""An organisation's dashboard: places pledged and filled, referrals and replies, outcomes, and what care
leavers said (only once enough of them have answered that no one can be picked out)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup
from sqlalchemy import func, select

from covenant.extensions import db
from covenant.models import Organisation, Pledge, Referral, ReferralFeedback, TakeUpMove
from covenant.reports import sql
from covenant.reports.charts import Series, bar_chart
from covenant.reports.periods import Period
from covenant.reports.tables import Rate, Report
from covenant.vocab import RESPONSE_WORKING_DAYS, PledgeStatus, ReferralStatus

# Organisations see what care leavers said about a pledge once at least this many have answered.
FEEDBACK_THRESHOLD = 5
MAX_CHART_ROWS = 30
OUTCOMES = (
    ReferralStatus.ACCEPTED,
    ReferralStatus.DECLINED,
    ReferralStatus.WITHDRAWN,
    ReferralStatus.STARTED,
    ReferralStatus.DID_NOT_START,
    ReferralStatus.COMPLETED,
    ReferralStatus.ENDED_EARLY,
)


@dataclass(frozen=True)
class Dashboard:
    reports: dict[str, Report]
    charts: dict[str, Markup]


def _events(organisation: Organisation, period: Period, statuses: Any) -> Any:
    """(pledge id, status, referrals) for the moves to these statuses in the period."""
    # A referral moves to each status at most once, so its moves to a status are its referrals.
    return db.session.execute(
        select(TakeUpMove.pledge_id, TakeUpMove.to_status, func.count())
        .where(
            TakeUpMove.organisation_id == organisation.id,
            TakeUpMove.to_status.in_(statuses),
            sql.moved_in(period),
        )
        .group_by(TakeUpMove.pledge_id, TakeUpMove.to_status)
    ).all()


def _pledges(organisation: Organisation) -> list[Any]:
    return list(
        db.session.execute(
            select(Pledge.id, Pledge.title, Pledge.places, Pledge.places_unlimited, Pledge.places_taken)
            .where(Pledge.organisation_id == organisation.id, Pledge.status != PledgeStatus.DRAFT)
            .order_by(Pledge.title, Pledge.id)
        ).all()
    )


def places(organisation: Organisation, period: Period) -> Report:
    """For each pledge: places pledged and filled today, referrals received, accepted and declined in the period."""
    counts: dict[int, dict[ReferralStatus, int]] = {}
    for pledge_id, status, how_many in _events(
        organisation, period, (ReferralStatus.REFERRED, ReferralStatus.ACCEPTED, ReferralStatus.DECLINED)
    ):
        counts.setdefault(pledge_id, {})[status] = how_many
    rows = []
    for pledge_id, title, pledged, unlimited, taken in _pledges(organisation):
        found = counts.get(pledge_id, {})
        accepted, declined = found.get(ReferralStatus.ACCEPTED, 0), found.get(ReferralStatus.DECLINED, 0)
        rows.append(
            [
                title,
                "Unlimited" if unlimited else pledged,
                taken,
                found.get(ReferralStatus.REFERRED, 0),
                accepted,
                declined,
                Rate(accepted, accepted + declined),
            ]
        )
    return Report(
        "places",
        "Places and referrals by pledge",
        [
            "Pledge",
            "Places pledged",
            "Places filled",
            "Referrals received",
            "Accepted",
            "Declined",
            "Acceptance rate",
        ],
        rows,
        [False] + [True] * 6,
        empty="You have no pledges yet.",
    )


def response_times(organisation: Organisation, period: Period) -> Report:
    """How quickly the organisation replied to referrals in the period, against the 5-working-day expectation."""
    replies = sql.replies(period, TakeUpMove.organisation_id == organisation.id)
    inner = replies.subquery()
    total, on_time = db.session.execute(
        select(func.count(), func.sum(sql.case_true(inner.c.working_days <= RESPONSE_WORKING_DAYS)))
    ).one()
    return Report(
        "response-times",
        "How quickly you replied to referrals",
        [
            "Replies",
            "Median working days",
            "Expected within",
            f"Within {RESPONSE_WORKING_DAYS} working days",
            "Share on time",
        ],
        [
            [
                total,
                sql.median(replies),
                f"{RESPONSE_WORKING_DAYS} working days",
                int(on_time or 0),
                Rate(int(on_time or 0), total),
            ]
        ],
        [True, True, False, True, True],
    )


def outcomes(organisation: Organisation, period: Period) -> Report:
    """How many referrals moved to each outcome in the period."""
    totals = dict.fromkeys(OUTCOMES, 0)
    for _, status, how_many in _events(organisation, period, OUTCOMES):
        totals[status] += how_many
    return Report(
        "outcomes",
        "What happened to referrals",
        ["Outcome", "Referrals"],
        [[status.label, totals[status]] for status in OUTCOMES],
        [False, True],
    )


def feedback(organisation: Organisation, period: Period) -> Report:
    """What care leavers said about each pledge in the period, shown for pledges with at least 5 answers."""
    rows_found = db.session.execute(
        select(
            Pledge.title,
            func.count(ReferralFeedback.id),
            func.avg(ReferralFeedback.useful * 1.0),
            func.sum(sql.case_true(ReferralFeedback.recommend)),
        )
        .join(Referral, Referral.id == ReferralFeedback.referral_id)
        .join(Pledge, Pledge.id == Referral.pledge_id)
        .where(Pledge.organisation_id == organisation.id, sql.in_period(ReferralFeedback.given_at, period))
        .group_by(Pledge.id, Pledge.title)
        .order_by(Pledge.title)
    ).all()
    rows: list[list[Any]] = []
    for title, answers, useful, recommend in rows_found:
        if answers < FEEDBACK_THRESHOLD:
            rows.append([title, answers, f"Fewer than {FEEDBACK_THRESHOLD} answers", None])
        else:
            rows.append([title, answers, f"{float(useful):.1f} out of 5", Rate(int(recommend or 0), answers)])
    return Report(
        "feedback",
        "What care leavers said",
        ["Pledge", "Answers", "Usefulness (average)", "Would recommend"],
        rows,
        [False, True, True, True],
        empty="No care leavers have said how it went in these dates.",
    )


# Every table on the page, in its order, by the name its CSV is downloaded by.
BUILDERS: dict[str, Callable[[Organisation, Period], Report]] = {
    "places": places,
    "response-times": response_times,
    "outcomes": outcomes,
    "feedback": feedback,
}


def dashboard(organisation: Organisation, period: Period, only: str | None = None) -> Dashboard:
    """Every table and chart on the organisation's page, or just the table `only` names (for its CSV)."""
    by_name = {name: build(organisation, period) for name, build in BUILDERS.items() if only in (None, name)}
    if only is not None:
        return Dashboard(by_name, {})
    charts: dict[str, Markup] = {}
    limited = [row for row in by_name["places"].rows if isinstance(row[1], int)]
    if 0 < len(limited) <= MAX_CHART_ROWS:  # a chart of more pledges is too long to read on a phone
        charts["places"] = bar_chart(
            "Places pledged and filled",
            "Places pledged and places filled today for each pledge with a set number of places. "
            "The table below gives every figure.",
            [str(row[0]) for row in limited],
            [
                Series("Places pledged", [row[1] for row in limited]),
                Series("Places filled", [row[2] for row in limited]),
            ],
        )
    outcome_rows = by_name["outcomes"].rows
    charts["outcomes"] = bar_chart(
        "What happened to referrals",
        f"From {period.label}: " + ", ".join(f"{row[1]} {str(row[0]).lower()}" for row in outcome_rows) + ".",
        [str(row[0]) for row in outcome_rows],
        [Series("Referrals", [row[1] for row in outcome_rows])],
    )
    return Dashboard(by_name, charts)
