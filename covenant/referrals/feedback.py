"""What young people said when referrals ended, as organisations and coordinators see it: never with a name, and
for an organisation only once at least 5 have answered about a pledge (fewer could point to someone)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, case, func, select

from covenant.extensions import db
from covenant.models import Organisation, Pledge, Referral, ReferralFeedback

# Fewer answers than this about one pledge could identify who gave them.
SHOWN_FROM = 5


@dataclass(frozen=True)
class PledgeFeedback:
    """The answers about one pledge: how many, average usefulness (1 to 5), how many would recommend it, and
    the comments (newest first)."""

    pledge_id: int
    answers: int
    usefulness: float
    recommend: int
    comments: list[str]

    @property
    def shown(self) -> bool:
        return self.answers >= SHOWN_FROM

    @property
    def recommend_percent(self) -> int:
        return round(100 * self.recommend / self.answers) if self.answers else 0


def _summaries() -> Select[Any]:
    return (
        select(
            Referral.pledge_id,
            func.count(ReferralFeedback.id),
            func.avg(ReferralFeedback.useful),
            func.sum(case((ReferralFeedback.recommend.is_(True), 1), else_=0)),
        )
        .join(Referral, Referral.id == ReferralFeedback.referral_id)
        .group_by(Referral.pledge_id)
    )


def _comments(pledge_ids: list[int]) -> dict[int, list[str]]:
    rows = db.session.execute(
        select(Referral.pledge_id, ReferralFeedback.comment)
        .join(Referral, Referral.id == ReferralFeedback.referral_id)
        .where(Referral.pledge_id.in_(pledge_ids), ReferralFeedback.comment.is_not(None))
        .order_by(ReferralFeedback.given_at.desc())
    ).all()
    comments: dict[int, list[str]] = {}
    for pledge_id, comment in rows:
        comments.setdefault(pledge_id, []).append(str(comment))
    return comments


def for_pledge(pledge_id: int) -> PledgeFeedback:
    """The answers about a pledge (its comments only once there are enough to show)."""
    row = db.session.execute(_summaries().where(Referral.pledge_id == pledge_id)).first()
    if row is None:
        return PledgeFeedback(pledge_id, 0, 0.0, 0, [])
    _, answers, usefulness, recommend = row
    comments = _comments([pledge_id]).get(pledge_id, []) if answers >= SHOWN_FROM else []
    return PledgeFeedback(pledge_id, int(answers), float(usefulness or 0), int(recommend or 0), comments)


@dataclass(frozen=True)
class CovenantFeedback:
    pledge: Pledge
    organisation: Organisation
    feedback: PledgeFeedback


def across_the_covenant(limit: int = 100) -> list[CovenantFeedback]:
    """For coordinators: every pledge's answers, most answered first (no names, whatever the number)."""
    rows = db.session.execute(
        _summaries().order_by(func.count(ReferralFeedback.id).desc()).limit(limit)
    ).all()
    pledge_ids = [row[0] for row in rows]
    comments = _comments(pledge_ids)
    pledges = {
        pledge.id: pledge for pledge in db.session.scalars(select(Pledge).where(Pledge.id.in_(pledge_ids)))
    }
    return [
        CovenantFeedback(
            pledges[pledge_id],
            pledges[pledge_id].organisation,
            PledgeFeedback(
                pledge_id,
                int(answers),
                float(usefulness or 0),
                int(recommend or 0),
                comments.get(pledge_id, []),
            ),
        )
        for pledge_id, answers, usefulness, recommend in rows
    ]
