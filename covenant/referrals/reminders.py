"""`flask send-reminders`: what is due today, sent once however often the command runs (cron-friendly).

- An organisation that has not accepted or declined a referral within 5 working days (weekends and England's
  bank holidays left out) is reminded; at 10 working days the adviser and the coordinators are told.
- 3 and 6 months after a care leaver starts a job or an apprenticeship, the organisation is asked, in one click,
  whether they are still there; the answers are kept as outcomes for reports.
- An organisation whose DBS attestation for a pledge with unsupervised contact with under-18s is nearly 12 months
  old is asked to confirm its checks again.

Each reminder is recorded (`ReferralReminder`, `SustainmentCheck`) in the same transaction as its email, and each
is committed on its own, so a run that stops half way sends nothing twice when it runs again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import url_for
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from covenant.clock import months_after, months_before, uk_date, uk_today, working_days_between
from covenant.email import external_url, queue_email
from covenant.extensions import db
from covenant.models import Pledge, Referral, ReferralReminder, SustainmentCheck, User
from covenant.referrals.operations import STILL_THERE, organisation_recipients
from covenant.security import make_token
from covenant.templating import date_text
from covenant.vocab import (
    DBS_ATTESTATION_MONTHS,
    LIVE_STATUSES,
    RESPONSE_WORKING_DAYS,
    SUSTAINED_KINDS,
    SUSTAINMENT_MONTHS,
    UK_TIME_ZONE,
    ReferralStatus,
    Role,
)

# Organisations are asked to confirm their DBS checks again this long before the 12 months are up.
DBS_NOTICE = timedelta(days=30)


@dataclass
class ReminderRun:
    """What one run sent."""

    reminded: int = 0
    escalated: int = 0
    asked: int = 0
    dbs_reminded: int = 0


def _record_once(row: ReferralReminder | SustainmentCheck) -> bool:
    """Add the record of a reminder unless one is there already (another run may have just sent it)."""
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        return False
    return True


def send_reminders(today: date | None = None) -> ReminderRun:
    """Send what is due today; returns what was sent."""
    today = today or uk_today()
    run = ReminderRun()
    _responses(today, run)
    _still_there(today, run)
    _dbs_attestations(today, run)
    return run


def _responses(today: date, run: ReminderRun) -> None:
    """Referrals with no reply: reminders at 5 working days, and at 10 the adviser and coordinators."""
    # 5 working days are at least 7 calendar days: older ones are the candidates.
    oldest = datetime.combine(today - timedelta(days=6), datetime.min.time(), tzinfo=UK_TIME_ZONE)
    waiting = db.session.scalars(
        select(Referral)
        .where(Referral.status == ReferralStatus.REFERRED, Referral.status_changed_at < oldest)
        .order_by(Referral.status_changed_at, Referral.id)
    ).all()
    for referral in waiting:
        days = working_days_between(uk_date(referral.status_changed_at), today)
        if days >= RESPONSE_WORKING_DAYS and _record_once(
            ReferralReminder(
                referral_id=referral.id, kind=f"response_due:{referral.status_changed_at.isoformat()}"
            )
        ):
            link = external_url(url_for("referrals.organisation_referral", referral_id=referral.id))
            for email in organisation_recipients(referral.pledge):
                queue_email(email, "referral_reminder", pledge=referral.pledge, link=link, days=days)
            run.reminded += 1
        if days >= 2 * RESPONSE_WORKING_DAYS and _record_once(
            ReferralReminder(
                referral_id=referral.id, kind=f"response_overdue:{referral.status_changed_at.isoformat()}"
            )
        ):
            _escalate(referral, days)
            run.escalated += 1
        db.session.commit()


def _escalate(referral: Referral, days: int) -> None:
    adviser = referral.care_leaver.adviser
    if adviser is not None and adviser.deactivated_at is None:
        link = external_url(url_for("referrals.referral", referral_id=referral.id))
        queue_email(adviser.email, "referral_overdue", pledge=referral.pledge, link=link, days=days)
    organisation = referral.pledge.organisation
    link = external_url(url_for("coordinator.organisation", organisation_id=organisation.id))
    for coordinator in db.session.scalars(
        select(User.email).where(User.role == Role.COORDINATOR, User.deactivated_at.is_(None))
    ):
        queue_email(
            coordinator, "referral_overdue_coordinator", pledge=referral.pledge, organisation=organisation,
            link=link, days=days,
        )  # fmt: skip


def _still_there(today: date, run: ReminderRun) -> None:
    """Ask about starts in jobs and apprenticeships 3 and 6 months on."""
    started = db.session.scalars(
        select(Referral)
        .join(Referral.pledge)
        .where(
            Referral.status.in_([ReferralStatus.STARTED, ReferralStatus.COMPLETED]),
            Referral.started_on.is_not(None),
            Referral.started_on <= months_before(today, min(SUSTAINMENT_MONTHS)),
            Pledge.kind.in_(SUSTAINED_KINDS),
        )
        .order_by(Referral.started_on, Referral.id)
    ).all()
    for referral in started:
        assert referral.started_on is not None  # noqa: S101 - selected above
        due = [months for months in SUSTAINMENT_MONTHS if months_after(referral.started_on, months) <= today]
        for months in due[-1:]:  # a start found late is asked about its latest milestone only
            check = SustainmentCheck(referral_id=referral.id, months=months)
            if _record_once(check):
                _ask_still_there(referral, check)
                run.asked += 1
        db.session.commit()


def still_there_token(check: SustainmentCheck) -> str:
    return make_token(STILL_THERE, {"check": check.id})


def _ask_still_there(referral: Referral, check: SustainmentCheck) -> None:
    token = still_there_token(check)
    yes = external_url(url_for("referrals.still_there", token=token, answer="yes"))
    no = external_url(url_for("referrals.still_there", token=token, answer="no"))
    for email in organisation_recipients(referral.pledge):
        queue_email(
            email,
            "still_there",
            pledge=referral.pledge,
            started=date_text(referral.started_on),
            months=check.months,
            yes=yes,
            no=no,
        )


def _dbs_attestations(today: date, run: ReminderRun) -> None:
    """Ask organisations to confirm their DBS checks again before their attestation is 12 months old."""
    due_by = months_before(today + DBS_NOTICE, DBS_ATTESTATION_MONTHS)
    pledges = db.session.scalars(
        select(Pledge)
        .where(
            Pledge.status.in_(LIVE_STATUSES),
            Pledge.under_18_contact.is_(True),
            Pledge.contact_supervised.is_(False),
            Pledge.dbs_confirmed_on.is_not(None),
            Pledge.dbs_confirmed_on <= due_by,
            or_(Pledge.dbs_reminded_for.is_(None), Pledge.dbs_reminded_for != Pledge.dbs_confirmed_on),
        )
        .order_by(Pledge.id)
    ).all()
    for pledge in pledges:
        if pledge.dbs_reminded_for == pledge.dbs_confirmed_on:
            continue  # told already about this attestation
        link = external_url(url_for("pledges.edit_section", pledge_id=pledge.id, section_key="safeguarding"))
        for email in organisation_recipients(pledge):
            queue_email(
                email,
                "dbs_attestation_due",
                pledge=pledge,
                confirmed=date_text(pledge.dbs_confirmed_on),
                link=link,
            )
        pledge.dbs_reminded_for = pledge.dbs_confirmed_on
        run.dbs_reminded += 1
        db.session.commit()
