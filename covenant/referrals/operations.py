"""Referrals: an adviser refers a care leaver to a pledge, the organisation responds, and take-up is followed
to the end. The request commits.

Every move is in `REFERRAL_TRANSITIONS` (vocab) and recorded as a `ReferralEvent` (the timeline) and in the audit
trail, and emails the people who must act next, through the outbox, with no care leaver's name in any subject.

Places: `Pledge.places_taken` counts the referrals holding a place (accepted, started, completed). It is only
ever changed here, by one conditional UPDATE that succeeds only while a place is free, and the database's own
check (`places_taken <= places`) backs it: of many acceptances at once into the last places, exactly as many
succeed as there were places; the rest are told there are none left. A referral to a full pledge joins its
waiting list, and a place that frees up is offered to the first in line.
"""

from __future__ import annotations

from datetime import date

from flask import url_for
from sqlalchemy import or_, select, update

from covenant import audit
from covenant.clock import months_before, uk_today, utcnow
from covenant.email import external_url, notify, queue_email
from covenant.extensions import db
from covenant.models import CareLeaver, Pledge, Referral, ReferralEvent, SustainmentCheck, User
from covenant.opportunities.search import visible_pledge
from covenant.security import read_token
from covenant.unit_of_work import locked
from covenant.vocab import (
    ACTIVE_REFERRAL_STATUSES,
    ADULT_AGE,
    DBS_ATTESTATION_MONTHS,
    ORGANISATION_MOVES,
    PLACE_HOLDING_STATUSES,
    REFERRAL_TRANSITIONS,
    DbsLevel,
    ReferralStatus,
    Role,
)

STILL_THERE = "still-there"
# A still-there link works for this long: long enough for a busy manager to get round to it.
STILL_THERE_MAX_AGE = 120 * 24 * 60 * 60


class ReferralRefused(Exception):
    """A referral or a move the rules do not allow, with the reason in plain words for the person who tried."""


class NoPlacesLeft(ReferralRefused):
    """Every place is taken."""


def safeguarding_problem(care_leaver: CareLeaver, pledge: Pledge, today: date) -> str | None:
    """Why a care leaver under 18 cannot be referred to this pledge, in plain words; None when they can.

    A pledge with unsupervised contact with under-18s needs the organisation to have said, within the last 12
    months, that everyone in the role has an enhanced DBS check with the children's barred list.
    """
    if care_leaver.age(today) >= ADULT_AGE or not pledge.under_18_contact or pledge.contact_supervised:
        return None
    if pledge.dbs_level != DbsLevel.ENHANCED_BARRED:
        return (
            f"{care_leaver.first_name} is under 18, and this opportunity involves time alone with its staff or "
            "volunteers, but the organisation has not said they have enhanced DBS checks with the children’s "
            "barred list. Refer them when they are 18, or ask the organisation about their checks"
        )
    if not dbs_attestation_current(pledge, today):
        return (
            f"{care_leaver.first_name} is under 18, and the organisation last confirmed its DBS checks for this "
            "role more than 12 months ago. Ask them to confirm their checks again before you refer someone under 18"
        )
    return None


def dbs_attestation_current(pledge: Pledge, today: date) -> bool:
    """Whether the organisation confirmed its DBS checks for the pledge within the last 12 months."""
    confirmed = pledge.dbs_confirmed_on
    return confirmed is not None and confirmed > months_before(today, DBS_ATTESTATION_MONTHS)


def referral_problem(care_leaver: CareLeaver, pledge: Pledge, today: date) -> str | None:
    """Why this care leaver cannot be referred to this pledge, in plain words; None when they can."""
    age = care_leaver.age(today)
    if (
        pledge.min_age is not None
        and pledge.max_age is not None
        and not pledge.min_age <= age <= pledge.max_age
    ):
        return (
            f"{care_leaver.first_name} is {age}, and this opportunity is for people aged "
            f"{pledge.min_age} to {pledge.max_age}"
        )
    return safeguarding_problem(care_leaver, pledge, today)


def active_referral(care_leaver: CareLeaver, pledge: Pledge) -> Referral | None:
    """The care leaver's referral to this pledge that is still going on, if any."""
    return db.session.scalars(
        select(Referral).where(
            Referral.care_leaver_id == care_leaver.id,
            Referral.pledge_id == pledge.id,
            Referral.status.in_(ACTIVE_REFERRAL_STATUSES),
        )
    ).first()


def refer(
    care_leaver: CareLeaver, pledge_id: int, adviser: User, note: str, today: date | None = None
) -> Referral:
    """Refer a care leaver to a live pledge, or put them on its waiting list when every place is taken."""
    today = today or uk_today()
    if visible_pledge(pledge_id, today) is None:
        raise ReferralRefused("This opportunity is no longer open to referrals")
    pledge = locked(Pledge, pledge_id)  # its places are counted as they stand
    if pledge is None:  # pragma: no cover - visible a moment ago
        raise ReferralRefused("This opportunity is no longer open to referrals")
    problem = referral_problem(care_leaver, pledge, today)
    if problem:
        raise ReferralRefused(problem)
    if active_referral(care_leaver, pledge) is not None:
        raise ReferralRefused(f"{care_leaver.first_name} has already been referred to this opportunity")
    full = pledge.places_left == 0
    now = utcnow()
    referral = Referral(
        care_leaver=care_leaver,
        pledge=pledge,
        referred_by=adviser,
        note=note,
        status=ReferralStatus.WAITING if full else ReferralStatus.REFERRED,
        created_at=now,
        status_changed_at=now,
    )
    db.session.add(referral)
    db.session.flush()
    referral.events.append(
        ReferralEvent(from_status=None, to_status=referral.status, occurred_at=now, actor_id=adviser.id)
    )
    audit.record("referral_made", referral, adviser, {"pledge": pledge.id, "status": referral.status})
    _email_organisation(referral, "referral_waiting" if full else "referral_received")
    return referral


def moves_for(referral: Referral, user: User) -> list[ReferralStatus]:
    """The moves this person may make on this referral now: the organisation its responses, the adviser's
    authority withdrawing it."""
    allowed = REFERRAL_TRANSITIONS[referral.status]
    if user.role in (Role.ORGANISATION_ADMIN, Role.ORGANISATION_MEMBER):
        if user.organisation_id != referral.pledge.organisation_id:
            return []
        return [status for status in allowed if status in ORGANISATION_MOVES]
    if user.role in (Role.PERSONAL_ADVISER, Role.AUTHORITY_MANAGER):
        if user.local_authority_id != referral.care_leaver.local_authority_id:
            return []
        return [status for status in allowed if status == ReferralStatus.WITHDRAWN]
    return []


def move(
    referral: Referral,
    to: ReferralStatus,
    actor: User | None,
    reason: str | None = None,
    started_on: date | None = None,
    first_day: date | None = None,
) -> None:
    """Move a referral on, or refuse with a reason. The caller has locked the referral (`locked`). An
    acceptance may give the first day the organisation expects them."""
    before = referral.status
    if to not in REFERRAL_TRANSITIONS[before]:
        raise ReferralRefused(
            f"This referral is {before.label.lower()}, so it cannot be marked {to.label.lower()}"
        )
    pledge = referral.pledge
    if to in PLACE_HOLDING_STATUSES and before not in PLACE_HOLDING_STATUSES:
        _take_place(pledge)
    freed = before in PLACE_HOLDING_STATUSES and to not in PLACE_HOLDING_STATUSES
    if freed:
        _free_place(pledge)
    now = utcnow()
    referral.status = to
    referral.status_changed_at = now
    if to == ReferralStatus.ACCEPTED:
        referral.first_day = first_day
    if to == ReferralStatus.STARTED:
        referral.started_on = started_on or uk_today()
    referral.events.append(
        ReferralEvent(
            from_status=before,
            to_status=to,
            occurred_at=now,
            actor_id=actor.id if actor else None,
            reason=reason,
        )
    )
    by_organisation = actor is None or actor.organisation_id is not None
    by_young_person = actor is not None and actor.role == Role.CARE_LEAVER
    referral.adviser_attention_since = now if by_organisation or by_young_person else None
    audit.record(
        "referral_moved",
        referral,
        actor,
        {"status": {"before": before.value, "after": to.value}, **({"reason": reason} if reason else {})},
    )
    if by_organisation or by_young_person:
        _email_adviser(referral, "referral_update")
    if not by_organisation:
        _email_organisation(referral, "referral_withdrawn")
    young_person = referral.care_leaver.user
    if young_person is not None and not by_young_person and young_person.deactivated_at is None:
        notify(young_person, "your_referral", pledge=pledge, link=external_url(url_for("care_leavers.home")))
    if freed or (before == ReferralStatus.REFERRED and to != ReferralStatus.ACCEPTED):
        offer_freed_places(pledge)


def _take_place(pledge: Pledge) -> None:
    """Take one of the pledge's places, only if one is free, in one statement (the database checks it too)."""
    if pledge.places_unlimited or pledge.places is None:
        return
    taken = db.session.execute(
        update(Pledge)
        .where(Pledge.id == pledge.id, or_(Pledge.places.is_(None), Pledge.places_taken < Pledge.places))
        .values(places_taken=Pledge.places_taken + 1)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        raise NoPlacesLeft(
            "There are no places left on this opportunity. Decline the referral, or add a place first"
        )
    db.session.refresh(pledge, ["places_taken"])


def _free_place(pledge: Pledge) -> None:
    if pledge.places_unlimited or pledge.places is None:
        return
    db.session.execute(
        update(Pledge)
        .where(Pledge.id == pledge.id, Pledge.places_taken > 0)
        .values(places_taken=Pledge.places_taken - 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(pledge, ["places_taken"])


def offer_freed_places(pledge: Pledge) -> list[Referral]:
    """Offer free places to the first on the pledge's waiting list, in order: each becomes a referral the
    organisation can accept. Free places are those not taken and not already offered to someone referred."""
    if pledge.places_unlimited or pledge.places is None:
        free = None
    else:
        pending = db.session.scalar(
            select(db.func.count()).where(
                Referral.pledge_id == pledge.id, Referral.status == ReferralStatus.REFERRED
            )
        )
        free = pledge.places - pledge.places_taken - (pending or 0)
        if free <= 0:
            return []
    waiting = (
        select(Referral)
        .where(Referral.pledge_id == pledge.id, Referral.status == ReferralStatus.WAITING)
        .order_by(Referral.created_at, Referral.id)
        .with_for_update()
    )
    if free is not None:
        waiting = waiting.limit(free)
    offered = list(db.session.scalars(waiting))
    for referral in offered:
        move(referral, ReferralStatus.REFERRED, None, reason="A place became free")
        _email_organisation(referral, "referral_received")
    return offered


def acknowledge(referral: Referral, adviser: User) -> None:
    """The adviser has seen what the organisation did: the referral leaves their 'needs you' list."""
    if referral.adviser_attention_since is not None:
        referral.adviser_attention_since = None
        audit.record("referral_acknowledged", referral, adviser)


def organisation_recipients(pledge: Pledge) -> list[str]:
    """Who hears about a pledge's referrals: its contact and the organisation's admins."""
    admins = db.session.scalars(
        select(User.email).where(
            User.organisation_id == pledge.organisation_id,
            User.role == Role.ORGANISATION_ADMIN,
            User.deactivated_at.is_(None),
        )
    )
    return sorted(
        {
            *(email.lower() for email in admins),
            *([pledge.contact_email.lower()] if pledge.contact_email else []),
        }
    )


def _email_organisation(referral: Referral, template: str) -> None:
    link = external_url(url_for("referrals.organisation_referral", referral_id=referral.id))
    for email in organisation_recipients(referral.pledge):
        queue_email(email, template, referral=referral, pledge=referral.pledge, link=link)


def _email_adviser(referral: Referral, template: str) -> None:
    adviser = referral.care_leaver.adviser
    if adviser is None or adviser.deactivated_at is not None:
        return
    link = external_url(url_for("referrals.referral", referral_id=referral.id))
    queue_email(adviser.email, template, referral=referral, pledge=referral.pledge, link=link)


def referral_age(referral: Referral, today: date | None = None) -> int:
    """The care leaver's age today: what the organisation sees, never the date of birth."""
    return referral.care_leaver.age(today or uk_today())


def sustainment_check_for(token: str, lock: bool = False) -> SustainmentCheck | None:
    """The still-there question a link is for, or None when the link is not genuine or too old."""
    payload = read_token(STILL_THERE, token, STILL_THERE_MAX_AGE)
    check_id = payload.get("check") if payload else None
    if not isinstance(check_id, int):
        return None
    return locked(SustainmentCheck, check_id) if lock else db.session.get(SustainmentCheck, check_id)


def record_still_there(check: SustainmentCheck, still_there: bool, actor: User | None) -> None:
    """Keep the organisation's answer (a later answer corrects an earlier one), for reports."""
    before = check.still_there
    check.still_there = still_there
    check.answered_at = utcnow()
    check.answered_by_id = actor.id if actor is not None else None
    if before != still_there:
        audit.record(
            "still_there_answered",
            check.referral,
            actor,
            {"months": check.months, "still_there": still_there},
        )


def referral_counts(organisation_id: int) -> dict[ReferralStatus, int]:
    """How many referrals to the organisation's pledges are in each status (for its home page)."""
    rows = db.session.execute(
        select(Referral.status, db.func.count())
        .join(Referral.pledge)
        .where(Pledge.organisation_id == organisation_id)
        .group_by(Referral.status)
    ).all()
    return {status: count for status, count in rows}
