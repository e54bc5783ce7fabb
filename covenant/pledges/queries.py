"""Reading pledges for the organisation's pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import abort
from sqlalchemy import select

from covenant.clock import uk_today
from covenant.extensions import db
from covenant.models import Organisation, Pledge, User
from covenant.unit_of_work import locked
from covenant.vocab import CLOSING_SOON_DAYS, PledgeStatus

# The order statuses appear in on the organisation's dashboard.
DASHBOARD_ORDER = (
    PledgeStatus.CHANGES_REQUESTED,
    PledgeStatus.DRAFT,
    PledgeStatus.SUBMITTED,
    PledgeStatus.PUBLISHED,
    PledgeStatus.PAUSED,
    PledgeStatus.CLOSED,
    PledgeStatus.REJECTED,
)


def organisation_pledge(pledge_id: int, user: User, lock: bool = False) -> Pledge:
    """A pledge of the user's own organisation, or 404: another organisation's pledges do not exist for them.

    With `lock`, for a change that depends on the pledge's state, it is locked until the request commits.
    """
    pledge = locked(Pledge, pledge_id) if lock else db.session.get(Pledge, pledge_id)
    if pledge is None or pledge.organisation_id != user.organisation_id:
        abort(404)
    return pledge


@dataclass(frozen=True)
class Attention:
    """Something on the dashboard that needs the organisation to act."""

    pledge: Pledge
    message: str


def pledges_by_status(organisation: Organisation) -> dict[PledgeStatus, list[Pledge]]:
    """The organisation's pledges grouped by their status as of today, newest first within each."""
    pledges = db.session.scalars(
        select(Pledge).where(Pledge.organisation_id == organisation.id).order_by(Pledge.updated_at.desc())
    ).all()
    grouped: dict[PledgeStatus, list[Pledge]] = {status: [] for status in DASHBOARD_ORDER}
    for pledge in pledges:
        grouped[pledge.effective_status].append(pledge)
    return grouped


def needs_attention(grouped: dict[PledgeStatus, list[Pledge]]) -> list[Attention]:
    """What the organisation should act on: requested changes, closing soon, DBS renewals, full pledges."""
    today = uk_today()
    soon = today + timedelta(days=CLOSING_SOON_DAYS)
    items = [
        Attention(pledge, "A coordinator has asked for changes")
        for pledge in grouped[PledgeStatus.CHANGES_REQUESTED]
    ]
    for pledge in grouped[PledgeStatus.PUBLISHED] + grouped[PledgeStatus.PAUSED]:
        if pledge.closes_on is not None and pledge.closes_on <= soon:
            items.append(Attention(pledge, f"Closes for referrals in {(pledge.closes_on - today).days} days"))
        if pledge.dbs_confirmed_on and pledge.dbs_confirmed_on <= today - timedelta(days=365 - 30):
            items.append(
                Attention(pledge, "Confirm your DBS checks again: it is nearly 12 months since you last did")
            )
        if pledge.places_left == 0:
            items.append(Attention(pledge, "All places are taken"))
    return items
