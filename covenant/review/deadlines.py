"""The review promise: a decision on a submitted pledge within REVIEW_WORKING_DAYS working days (England's
bank holidays from `covenant.clock`). Which pledges wait, and which are overdue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from covenant.clock import add_working_days, uk_date, uk_today
from covenant.extensions import db
from covenant.models import Pledge
from covenant.vocab import REVIEW_WORKING_DAYS, UK_TIME_ZONE, PledgeStatus


def due_on(pledge: Pledge) -> date:
    """The last working day for a decision: REVIEW_WORKING_DAYS working days after the UK day it was submitted."""
    if pledge.submitted_at is None:  # pragma: no cover - a submitted pledge always has its time
        return uk_today()
    return decision_due(uk_date(pledge.submitted_at))


def decision_due(submitted_on: date) -> date:
    """The last working day for a decision on a pledge submitted on this UK day."""
    return add_working_days(submitted_on, REVIEW_WORKING_DAYS)


def is_overdue(pledge: Pledge, today: date | None = None) -> bool:
    """Whether the promised decision date has passed."""
    return due_on(pledge) < (today or uk_today())


def overdue_cutoff(today: date) -> datetime:
    """The moment before which a pledge submitted is overdue today: the start (UK time) of the day after the
    last submission day whose decision date has passed."""
    day = today
    while add_working_days(day, REVIEW_WORKING_DAYS) >= today:
        day -= timedelta(days=1)
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UK_TIME_ZONE)


@dataclass(frozen=True)
class Waiting:
    """The review queue in figures: how many wait, how many are overdue, and the oldest overdue ones."""

    total: int
    overdue: int
    oldest_overdue: list[Pledge]


def waiting_for_review(today: date | None = None, shown: int = 10) -> Waiting:
    """How many pledges wait for a decision, how many are past the promised date, and the oldest of those."""
    cutoff = overdue_cutoff(today or uk_today())
    waiting = select(Pledge).where(Pledge.status == PledgeStatus.SUBMITTED)
    overdue = waiting.where(Pledge.submitted_at < cutoff)
    return Waiting(
        total=db.session.scalar(select(func.count()).select_from(waiting.subquery())) or 0,
        overdue=db.session.scalar(select(func.count()).select_from(overdue.subquery())) or 0,
        oldest_overdue=list(
            db.session.scalars(overdue.order_by(Pledge.submitted_at, Pledge.id).limit(shown))
        ),
    )
