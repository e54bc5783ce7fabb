"""The visibility rule: a pledge the public may see is live, its organisation not suspended, and not past its
closing or end date. Every search, count and opportunity page applies it; the indexes the search reads lead with
the status and hold the dates, so it costs a test of values in hand.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    ColumnElement,
    String,
    func,
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
    """What makes a pledge visible to the public: live, not past its dates, its organisation not suspended.

    The tests of the pledge's own columns come first and the list of suspended organisations last: SQLite tests
    a row's conditions in the order they are written and stops at the first that fails, so a row another
    condition rules out is never looked up in the list (PostgreSQL orders them by cost itself).

    On SQLite a missing date is compared as the last day there is (`coalesce`): one test where `IS NULL OR` is
    two, and one that SQLite cannot read as two ranges of the closing-date index, which with statistics it
    would do instead of reading one covering index. PostgreSQL keeps `IS NULL OR`, which its statistics (the
    share of NULLs, the histogram) estimate well; it would guess a third of the rows for the `coalesce`.

    Without `status_index`, SQLite is kept from reading live pledges through their index (SQLite's unary `+`),
    for a statement that should read a short list of pledges by id instead.
    """
    suspended = select(Organisation.id).where(Organisation.suspended_at.is_not(None))
    live = Pledge.status == PledgeStatus.PUBLISHED
    if dialect() == "sqlite":
        if not status_index:
            live = literal_column("+pledge.status", String) == PledgeStatus.PUBLISHED.value
        not_closed = func.coalesce(Pledge.closes_on, date.max) >= today
        not_ended = or_(Pledge.ongoing.is_(True), func.coalesce(Pledge.ends_on, date.max) >= today)
    else:
        not_closed = or_(Pledge.closes_on.is_(None), Pledge.closes_on >= today)
        not_ended = or_(Pledge.ongoing.is_(True), Pledge.ends_on.is_(None), Pledge.ends_on >= today)
    return [live, not_closed, not_ended, Pledge.organisation_id.not_in(suspended)]


def dialect() -> str:
    return db.session.get_bind().dialect.name


def visible_pledge(pledge_id: int, today: date | None = None) -> Pledge | None:
    """A pledge the public may see, or None."""
    return db.session.scalars(
        select(Pledge).join(Pledge.organisation).where(Pledge.id == pledge_id, *visible(today or uk_today()))
    ).first()
