"""Caseloads: adding and changing care leaver records, moving them between advisers, and what an adviser's
home page lists. The request commits.

Care leaver records belong to a local authority: its advisers and managers see and act on them; anyone else is
told they do not exist (404). Every read of a record, and every change, is in the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import abort
from sqlalchemy import Select, exists, func, select

from covenant import audit
from covenant.clock import utcnow
from covenant.extensions import db
from covenant.models import CareLeaver, InterestRequest, Referral, User
from covenant.models.people import new_session_token
from covenant.unit_of_work import locked
from covenant.vocab import AUTHORITY_ROLES, QUIET_CASELOAD_MONTHS, ReferralStatus, Role

STAFF_ROLES = (Role.PERSONAL_ADVISER, Role.AUTHORITY_MANAGER)


class CaseloadRefused(Exception):
    """A change the rules do not allow, with the reason in words for the form."""


def authority_care_leaver(
    care_leaver_id: int, user: User, lock: bool = False, read: str = "care_leaver_viewed"
) -> CareLeaver:
    """A care leaver of the user's own authority, or 404: another authority's records do not exist for them
    (nor do records whose personal details are removed). Reading it is recorded."""
    care_leaver = locked(CareLeaver, care_leaver_id) if lock else db.session.get(CareLeaver, care_leaver_id)
    if (
        care_leaver is None
        or care_leaver.local_authority_id != user.local_authority_id
        or care_leaver.anonymised_at is not None
    ):
        abort(404)
    if not lock:
        audit.record_read(read, care_leaver, user)
    return care_leaver


def advisers_of(local_authority_id: int) -> list[User]:
    """The authority's active personal advisers and managers, who can hold a caseload."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.local_authority_id == local_authority_id,
                User.role.in_(STAFF_ROLES),
                User.deactivated_at.is_(None),
            )
            .order_by(User.name, User.id)
        )
    )


def _reference_taken(local_authority_id: int, reference: str, apart_from: int | None = None) -> bool:
    query = select(CareLeaver.id).where(
        CareLeaver.local_authority_id == local_authority_id,
        func.lower(CareLeaver.reference) == reference.lower(),
    )
    if apart_from is not None:
        query = query.where(CareLeaver.id != apart_from)
    return db.session.scalar(query.limit(1)) is not None


def _adviser_in(local_authority_id: int, adviser_id: int) -> User:
    adviser = db.session.get(User, adviser_id)
    if (
        adviser is None
        or adviser.local_authority_id != local_authority_id
        or adviser.role not in STAFF_ROLES
        or adviser.deactivated_at is not None
    ):
        raise CaseloadRefused("Select an adviser from your authority")
    return adviser


def add_care_leaver(actor: User, values: dict[str, Any]) -> CareLeaver:
    """Record a care leaver on a caseload: the actor's own, or (for a manager) the adviser chosen."""
    authority_id = actor.local_authority_id
    assert authority_id is not None  # noqa: S101 - only authority staff reach this
    adviser = _adviser_in(authority_id, values.pop("adviser_id", actor.id))
    if _reference_taken(authority_id, values["reference"]):
        raise CaseloadRefused("Your authority already has a care leaver with this reference")
    kinds, areas = values.pop("kinds"), values.pop("outcome_areas")
    care_leaver = CareLeaver(local_authority_id=authority_id, adviser=adviser, **values)
    care_leaver.kinds = kinds
    care_leaver.outcome_areas = areas
    db.session.add(care_leaver)
    db.session.flush()
    audit.record("care_leaver_added", care_leaver, actor, {"adviser": adviser.id})
    return care_leaver


def change_care_leaver(care_leaver: CareLeaver, actor: User, values: dict[str, Any]) -> None:
    """Change a care leaver's details; which fields changed is recorded, never their values."""
    values.pop("adviser_id", None)  # moving caseloads is its own action (`reassign`)
    if _reference_taken(care_leaver.local_authority_id, values["reference"], apart_from=care_leaver.id):
        raise CaseloadRefused("Your authority already has a care leaver with this reference")
    changed = []
    for field, value in values.items():
        if getattr(care_leaver, field) != value:
            setattr(care_leaver, field, value)
            changed.append(field)
    if changed:
        audit.record("care_leaver_changed", care_leaver, actor, {"fields": sorted(changed)})


def reassign(care_leaver: CareLeaver, adviser_id: int, manager: User) -> User:
    """Move a care leaver to another adviser's caseload (managers only)."""
    adviser = _adviser_in(care_leaver.local_authority_id, adviser_id)
    if adviser.id != care_leaver.adviser_id:
        audit.record(
            "care_leaver_reassigned", care_leaver, manager, {"from": care_leaver.adviser_id, "to": adviser.id}
        )
        care_leaver.adviser = adviser
    return adviser


def caseload_size(adviser: User) -> int:
    return int(db.session.scalar(select(func.count()).where(CareLeaver.adviser_id == adviser.id)) or 0)


def deactivate(adviser: User, manager: User) -> None:
    """Stop a leaver signing in; their caseload must have moved to other advisers first."""
    if adviser.deactivated_at is not None:
        raise CaseloadRefused(f"{adviser.name} is already deactivated")
    if adviser.id == manager.id:
        raise CaseloadRefused("You cannot deactivate yourself. Ask another manager")
    waiting = caseload_size(adviser)
    if waiting:
        raise CaseloadRefused(
            f"Move {adviser.name}’s {waiting} care leaver{'s' if waiting != 1 else ''} to other advisers first"
        )
    adviser.deactivated_at = utcnow()
    adviser.session_token = new_session_token()  # signed out everywhere, at once
    audit.record("adviser_deactivated", adviser, manager)


def authority_staff(manager: User, user_id: int, lock: bool = False) -> User:
    """A personal adviser or manager of the manager's own authority, or 404."""
    user = locked(User, user_id) if lock else db.session.get(User, user_id)
    if (
        user is None
        or user.local_authority_id != manager.local_authority_id
        or user.role not in AUTHORITY_ROLES
    ):
        abort(404)
    if user.role not in STAFF_ROLES:
        abort(404)
    return user


@dataclass(frozen=True)
class Home:
    """An adviser's work: referrals that need them, referrals waiting on organisations (oldest first), and care
    leavers with no referral lately."""

    needs_you: list[Referral]
    waiting_on_organisations: list[Referral]
    quiet: list[CareLeaver]
    interested: list[InterestRequest]


def caseload_of(user: User) -> Select[CareLeaver]:
    """The care leavers on this person's caseload (for a manager: all of the authority's), by first name."""
    query = select(CareLeaver).where(
        CareLeaver.local_authority_id == user.local_authority_id, CareLeaver.anonymised_at.is_(None)
    )
    if user.role != Role.AUTHORITY_MANAGER:
        query = query.where(CareLeaver.adviser_id == user.id)
    return query.order_by(CareLeaver.first_name, CareLeaver.id)


def home(user: User, limit: int = 20) -> Home:
    """What the adviser's (or, across the authority, the manager's) home page lists."""
    mine = caseload_of(user).with_only_columns(CareLeaver.id).order_by(None).scalar_subquery()
    needs_you = db.session.scalars(
        select(Referral)
        .where(Referral.care_leaver_id.in_(mine), Referral.adviser_attention_since.is_not(None))
        .order_by(Referral.adviser_attention_since)
        .limit(limit)
    ).all()
    waiting = db.session.scalars(
        select(Referral)
        .where(Referral.care_leaver_id.in_(mine), Referral.status == ReferralStatus.REFERRED)
        .order_by(Referral.created_at)
        .limit(limit)
    ).all()
    since = utcnow() - timedelta(days=30 * QUIET_CASELOAD_MONTHS)
    recent = exists().where(Referral.care_leaver_id == CareLeaver.id, Referral.created_at >= since)
    quiet = db.session.scalars(
        caseload_of(user).where(~recent, CareLeaver.created_at < since).limit(limit)
    ).all()
    interested = db.session.scalars(
        select(InterestRequest)
        .where(InterestRequest.care_leaver_id.in_(mine), InterestRequest.status == "open")
        .order_by(InterestRequest.created_at)
        .limit(limit)
    ).all()
    return Home(list(needs_you), list(waiting), list(quiet), list(interested))
