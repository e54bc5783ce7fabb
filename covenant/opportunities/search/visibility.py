"""The visibility rule: a pledge the public may see is live, its organisation not suspended, and not past its
closing or end date. Every search, count and opportunity page applies it; the indexes the search reads lead with
the status and hold the dates, so it costs a test of values in hand.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    ColumnElement,
    String,
    literal_column,
    or_,
    select,
)

from covenant.clock import uk_today
from covenant.extensions import db
from covenant.models import (
    Organisation,
    Pledge,
)
from covenant.vocab import PledgeStatus


def visible(today: date, status_index: bool = True) -> list[ColumnElement[bool]]:
    """What makes a pledge visible to the public: live, its organisation not suspended, not past its dates.

    Without `status_index`, SQLite is kept from reading live pledges through their index (SQLite's unary `+`),
    for a statement that should read a short list of pledges by id instead.
    """
    suspended = select(Organisation.id).where(Organisation.suspended_at.is_not(None))
    live = Pledge.status == PledgeStatus.PUBLISHED
    if not status_index and dialect() == "sqlite":
        live = literal_column("+pledge.status", String) == PledgeStatus.PUBLISHED.value
    return [
        live,
        Pledge.organisation_id.not_in(suspended),
        or_(Pledge.closes_on.is_(None), Pledge.closes_on >= today),
        or_(Pledge.ongoing.is_(True), Pledge.ends_on.is_(None), Pledge.ends_on >= today),
    ]


def dialect() -> str:
    return db.session.get_bind().dialect.name


def visible_pledge(pledge_id: int, today: date | None = None) -> Pledge | None:
    """A pledge the public may see, or None."""
    return db.session.scalars(
        select(Pledge).join(Pledge.organisation).where(Pledge.id == pledge_id, *visible(today or uk_today()))
    ).first()
