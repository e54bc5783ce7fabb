"""The lifecycle of a care leaver's data: removed when they pass their 26th birthday or nothing has happened for
24 months (`flask anonymise-expired`), erased when they ask, and copied out in full when they ask to see it.

Removing personal data keeps what statistics need: the referrals, their states and dates, and the answers given
(usefulness, would recommend), tied to an anonymous record with only the year of birth and the authority. The
first name, the reference, the postcode district, interests, every piece of free text (notes, reasons, messages,
comments), their own account (email, mobile) and the emails queued to them go.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Select, delete, func, or_, select

from covenant import audit
from covenant.clock import months_before, uk_today, utcnow
from covenant.extensions import db
from covenant.models import (
    AuditEvent,
    CareLeaver,
    InterestRequest,
    Invitation,
    OutboundEmail,
    Referral,
    ReferralEvent,
    ReferralFeedback,
    User,
)
from covenant.vocab import UK_TIME_ZONE

REMOVED = "Removed"


def last_activity(care_leaver: CareLeaver) -> datetime:
    """The last time anything happened about them: a change to their record, a referral move, an "I'm
    interested", or their own sign-in."""
    moments = [
        care_leaver.updated_at,
        db.session.scalar(
            select(func.max(ReferralEvent.occurred_at))
            .join(Referral, Referral.id == ReferralEvent.referral_id)
            .where(Referral.care_leaver_id == care_leaver.id)
        ),
        db.session.scalar(
            select(func.max(InterestRequest.created_at)).where(
                InterestRequest.care_leaver_id == care_leaver.id
            )
        ),
        care_leaver.user.last_signed_in_at if care_leaver.user else None,
    ]
    return max(moment for moment in moments if moment is not None)


def expired(today: date, age: int, inactive_months: int) -> Select[Any]:
    """Care leavers to anonymise: aged `age` or more, or with nothing recorded for `inactive_months`. The
    last-activity test is finished in Python for the (few) candidates whose record itself is that old."""
    born_before = (
        today.replace(year=today.year - age)
        if not (today.month == 2 and today.day == 29)
        else date(today.year - age, 2, 28)
    )
    quiet_since = datetime.combine(
        months_before(today, inactive_months), datetime.min.time(), tzinfo=UK_TIME_ZONE
    )
    return select(CareLeaver).where(
        CareLeaver.anonymised_at.is_(None),
        or_(CareLeaver.date_of_birth <= born_before, CareLeaver.updated_at < quiet_since),
    )


def anonymise_expired(
    today: date | None = None, age: int | None = None, inactive_months: int | None = None
) -> int:
    """Remove the personal data of every care leaver who has passed their 26th birthday (`age`) or had no
    activity for 24 months (`inactive_months`); returns how many. Running it again changes nothing."""
    today = today or uk_today()
    age = age or current_app.config["ANONYMISE_AT_AGE"]
    inactive_months = inactive_months or current_app.config["ANONYMISE_AFTER_MONTHS_INACTIVE"]
    quiet_since = datetime.combine(
        months_before(today, inactive_months), datetime.min.time(), tzinfo=UK_TIME_ZONE
    )
    removed = 0
    for care_leaver in db.session.scalars(expired(today, age, inactive_months)).all():
        too_old = care_leaver.age(today) >= age
        if too_old or last_activity(care_leaver) < quiet_since:
            anonymise(care_leaver, None, "aged 26" if too_old else "no activity for 24 months")
            removed += 1
    return removed


def anonymise(care_leaver: CareLeaver, actor: User | None, reason: str) -> None:
    """Remove a care leaver's personal data, keeping what statistics need (see the module's docstring)."""
    if care_leaver.anonymised_at is not None:
        return
    born = care_leaver.date_of_birth
    care_leaver.first_name = REMOVED
    care_leaver.reference = f"REMOVED-{care_leaver.id}"
    care_leaver.date_of_birth = date(born.year, 1, 1)  # the year alone, for statistics by age
    care_leaver.postcode_district = None
    care_leaver.kinds = []
    care_leaver.outcome_areas = []
    care_leaver.anonymised_at = utcnow()
    referral_ids = list(
        db.session.scalars(select(Referral.id).where(Referral.care_leaver_id == care_leaver.id))
    )
    for referral in db.session.scalars(select(Referral).where(Referral.id.in_(referral_ids))):
        referral.note = REMOVED
        for event in referral.events:
            event.reason = None
    db.session.query(ReferralFeedback).filter(ReferralFeedback.referral_id.in_(referral_ids)).update(
        {ReferralFeedback.comment: None}, synchronize_session=False
    )
    db.session.query(InterestRequest).filter(InterestRequest.care_leaver_id == care_leaver.id).update(
        {InterestRequest.message: None, InterestRequest.reply: None}, synchronize_session=False
    )
    account = care_leaver.user
    if account is not None:
        care_leaver.user = None
        db.session.execute(
            delete(OutboundEmail).where(
                OutboundEmail.to_address.in_(filter(None, [account.email, account.mobile]))
            )
        )
        db.session.execute(delete(Invitation).where(Invitation.care_leaver_id == care_leaver.id))
        db.session.flush()
        db.session.delete(account)
    db.session.flush()
    audit.record("care_leaver_anonymised", care_leaver, actor, {"reason": reason})


def erase(care_leaver: CareLeaver, manager: User) -> None:
    """Erase a care leaver's personal data when they ask: their referrals become anonymous, outcomes stay."""
    anonymise(care_leaver, manager, "erased on request")


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def subject_access_export(care_leaver: CareLeaver) -> dict[str, Any]:
    """Everything Covenant holds about a care leaver, for a subject access request: their record, their account,
    their referrals (with every move), what they said, what they asked about, and who saw or changed what."""
    referrals = list(
        db.session.scalars(
            select(Referral).where(Referral.care_leaver_id == care_leaver.id).order_by(Referral.id)
        )
    )
    referral_ids = [referral.id for referral in referrals]
    feedback = {
        row.referral_id: row
        for row in db.session.scalars(
            select(ReferralFeedback).where(ReferralFeedback.referral_id.in_(referral_ids))
        )
    }
    account = care_leaver.user
    return {
        "exported_at": utcnow().isoformat(),
        "record": {
            "reference": care_leaver.reference,
            "first_name": care_leaver.first_name,
            "date_of_birth": _iso(care_leaver.date_of_birth),
            "local_authority": care_leaver.local_authority.name,
            "lives_in": care_leaver.lives_in.name,
            "postcode_district": care_leaver.postcode_district,
            "interested_in": [kind.label for kind in care_leaver.kinds]
            + [area.label for area in care_leaver.outcome_areas],
            "agreed_to_referrals_on": _iso(care_leaver.consented_on),
            "adviser": care_leaver.adviser.name,
            "added": _iso(care_leaver.created_at),
            "personal_data_removed": _iso(care_leaver.anonymised_at),
        },
        "account": None
        if account is None
        else {
            "email": account.email,
            "mobile": account.mobile,
            "contact_by": account.contact_by,
            "created": _iso(account.created_at),
            "last_signed_in": _iso(account.last_signed_in_at),
        },
        "referrals": [
            {
                "opportunity": referral.pledge.title,
                "organisation": referral.pledge.organisation.name,
                "status": referral.status.label,
                "note_to_the_organisation": referral.note,
                "referred_on": _iso(referral.created_at),
                "first_day": _iso(referral.started_on),
                "history": [
                    {
                        "status": event.to_status.label,
                        "when": _iso(event.occurred_at),
                        "by": event.actor.name if event.actor else "Care Leaver Covenant",
                        "reason": event.reason,
                    }
                    for event in referral.events
                ],
                "how_it_went": None
                if referral.id not in feedback
                else {
                    "useful_out_of_5": feedback[referral.id].useful,
                    "would_recommend": feedback[referral.id].recommend,
                    "comment": feedback[referral.id].comment,
                },
            }
            for referral in referrals
        ],
        "asked_about": [
            {
                "opportunity": asked.pledge.title,
                "message": asked.message,
                "asked_on": _iso(asked.created_at),
                "answer": asked.status,
                "reply": asked.reply,
            }
            for asked in db.session.scalars(
                select(InterestRequest).where(InterestRequest.care_leaver_id == care_leaver.id)
            )
        ],
        "who_saw_or_changed_it": [
            {
                "when": _iso(event.occurred_at),
                "who": event.actor.name if event.actor else "Care Leaver Covenant",
                "what": event.action,
            }  # fmt: skip
            for event in about(care_leaver, referral_ids)
        ],
    }


def about(care_leaver: CareLeaver, referral_ids: list[int]) -> list[AuditEvent]:
    """The audit trail's events about a care leaver: their record, their referrals, and lists that named them."""
    direct = db.session.scalars(
        select(AuditEvent)
        .where(
            or_(
                (AuditEvent.subject_type == "care_leaver") & (AuditEvent.subject_id == care_leaver.id),
                (AuditEvent.subject_type == "referral") & AuditEvent.subject_id.in_(referral_ids),
            )
        )
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
    ).all()
    lists = [
        event
        for event in db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action.in_(["audit_trail_viewed", "caseload_viewed", "referrals_viewed"]))
            .where(AuditEvent.occurred_at >= care_leaver.created_at - timedelta(days=1))
            .order_by(AuditEvent.occurred_at, AuditEvent.id)
        )
        if care_leaver.id in (event.changes or {}).get("care_leavers", [])
    ]
    return sorted([*direct, *lists], key=lambda event: (event.occurred_at, event.id))
