"""A manager's view of their authority's audit trail: what their staff did, and what anyone did or saw about
their care leavers and referrals, filtered by person and date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, and_, func, or_, select

from covenant.care_leavers.lifecycle import about
from covenant.extensions import db
from covenant.models import AuditEvent, CareLeaver, Referral, User
from covenant.vocab import UK_TIME_ZONE

# What each action means, for a manager reading the trail. An action missing here reads as its own words.
ACTIONS = {
    "audit_trail_viewed": "Looked at the audit trail",
    "adviser_deactivated": "Deactivated an adviser",
    "care_leaver_added": "Added a care leaver",
    "care_leaver_anonymised": "Removed a care leaver’s personal details",
    "care_leaver_changed": "Changed a care leaver’s record",
    "care_leaver_exported": "Downloaded a care leaver’s data",
    "care_leaver_invited": "Invited a care leaver to make an account",
    "care_leaver_joined": "Made their account",
    "care_leaver_reassigned": "Moved a care leaver to another caseload",
    "care_leaver_viewed": "Looked at a care leaver’s record",
    "caseload_viewed": "Saw a list of care leavers",
    "feedback_given": "Said how a referral went",
    "interest_answered": "Answered an ‘I’m interested’",
    "interest_shown": "Said ‘I’m interested’",
    "referral_acknowledged": "Saw a new referral",
    "referral_made": "Made a referral",
    "referral_moved": "Moved a referral on",
    "referral_viewed": "Looked at a referral",
    "referrals_viewed": "Saw a list of referrals",
    "signed_in": "Signed in",
    "signed_out": "Signed out",
    "still_there_answered": "Said whether they are still there",
}


def action_text(action: str) -> str:
    return ACTIONS.get(action) or action.replace("_", " ").capitalize()


def _authority_events(local_authority_id: int) -> Select[Any]:
    """Every event the authority's managers may see: their own staff's, and anyone's about their care leavers
    or referrals."""
    staff = select(User.id).where(User.local_authority_id == local_authority_id)
    care_leavers = select(CareLeaver.id).where(CareLeaver.local_authority_id == local_authority_id)
    referrals = (
        select(Referral.id)
        .join(CareLeaver, CareLeaver.id == Referral.care_leaver_id)
        .where(CareLeaver.local_authority_id == local_authority_id)
    )
    return select(AuditEvent).where(
        or_(
            AuditEvent.actor_id.in_(staff),
            and_(AuditEvent.subject_type == "care_leaver", AuditEvent.subject_id.in_(care_leavers)),
            and_(AuditEvent.subject_type == "referral", AuditEvent.subject_id.in_(referrals)),
        )
    )


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UK_TIME_ZONE)


def find_care_leaver(local_authority_id: int, reference: str) -> CareLeaver | None:
    """The authority's care leaver with this reference (in any case), including one whose details are removed
    (their reference then reads REMOVED-<number>)."""
    return db.session.scalar(
        select(CareLeaver).where(
            CareLeaver.local_authority_id == local_authority_id,
            func.lower(CareLeaver.reference) == reference.lower(),
        )
    )


def trail(
    local_authority_id: int,
    who: int | None = None,
    care_leaver: CareLeaver | None = None,
    since: date | None = None,
    until: date | None = None,
) -> Select[Any]:
    """The authority's audit events, newest first, filtered by who did it, which care leaver it was about, and
    the UK dates it happened between (inclusive)."""
    query = _authority_events(local_authority_id)
    if who is not None:
        query = query.where(AuditEvent.actor_id == who)
    if care_leaver is not None:
        ids = [event.id for event in about(care_leaver, _referral_ids(care_leaver))]
        query = query.where(AuditEvent.id.in_(ids))
    if since is not None:
        query = query.where(AuditEvent.occurred_at >= _start_of(since))
    if until is not None:
        query = query.where(AuditEvent.occurred_at < _start_of(until + timedelta(days=1)))
    return query.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())


def _referral_ids(care_leaver: CareLeaver) -> list[int]:
    return list(db.session.scalars(select(Referral.id).where(Referral.care_leaver_id == care_leaver.id)))


@dataclass(frozen=True)
class Row:
    event: AuditEvent
    what: str
    care_leavers: list[CareLeaver]  # whom it was about (several for a list), of this authority only
    pledge_title: str | None


def describe(events: list[AuditEvent], local_authority_id: int) -> list[Row]:
    """Each event with the care leavers (of this authority) and the opportunity it was about, loaded at once."""
    referral_ids = {event.subject_id for event in events if event.subject_type == "referral"}
    referrals = {
        referral.id: referral
        for referral in db.session.scalars(select(Referral).where(Referral.id.in_(referral_ids)))
    }
    wanted: set[int] = {referral.care_leaver_id for referral in referrals.values()}
    for event in events:
        if event.subject_type == "care_leaver" and event.subject_id is not None:
            wanted.add(event.subject_id)
        wanted.update((event.changes or {}).get("care_leavers", []))
    care_leavers = {
        care_leaver.id: care_leaver
        for care_leaver in db.session.scalars(
            select(CareLeaver).where(
                CareLeaver.id.in_(wanted), CareLeaver.local_authority_id == local_authority_id
            )
        )
    }
    rows = []
    for event in events:
        ids: list[int] = list((event.changes or {}).get("care_leavers", []))
        title = None
        if event.subject_type == "care_leaver" and event.subject_id is not None:
            ids.append(event.subject_id)
        elif event.subject_type == "referral" and event.subject_id in referrals:
            referral = referrals[event.subject_id]
            ids.append(referral.care_leaver_id)
            title = referral.pledge.title
        rows.append(
            Row(
                event=event,
                what=action_text(event.action),
                care_leavers=[care_leavers[id_] for id_ in dict.fromkeys(ids) if id_ in care_leavers],
                pledge_title=title,
            )
        )
    return rows


def people(local_authority_id: int) -> list[User]:
    """The authority's own people whose actions the trail can be filtered by, including those deactivated."""
    return list(
        db.session.scalars(
            select(User).where(User.local_authority_id == local_authority_id).order_by(User.name, User.id)
        )
    )
