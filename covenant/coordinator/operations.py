"""Coordinators' oversight of organisations: nudging signatories, suspending and reinstating. The caller commits."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import url_for
from sqlalchemy import Select, exists, func, select

from covenant import audit
from covenant.clock import utcnow
from covenant.email import external_url, queue_email
from covenant.extensions import db
from covenant.models import Organisation, OrganisationNudge, Pledge, User
from covenant.vocab import PledgeStatus, Role

# An organisation is reminded at most once a week, however many times the button is pressed.
NUDGE_INTERVAL = timedelta(days=7)


class OversightRefused(Exception):
    """An action on an organisation that does not apply, with the reason in words."""


def admin_emails(organisation: Organisation) -> list[str]:
    """The addresses of the organisation's admins, whom reminders and decisions go to."""
    return list(
        db.session.scalars(
            select(User.email)
            .where(User.organisation_id == organisation.id, User.role == Role.ORGANISATION_ADMIN)
            .order_by(User.email)
        )
    )


def without_live_pledge() -> Select[Organisation]:
    """Organisations that signed the covenant and have no live pledge, longest-waiting first."""
    live = exists().where(Pledge.organisation_id == Organisation.id, Pledge.status == PledgeStatus.PUBLISHED)
    return (
        select(Organisation)
        .where(~live, Organisation.suspended_at.is_(None))
        .order_by(Organisation.signed_at, Organisation.id)
    )


def last_nudges(organisation_ids: list[int]) -> dict[int, datetime]:
    """When each of these organisations was last nudged (absent if never)."""
    rows = db.session.execute(
        select(OrganisationNudge.organisation_id, func.max(OrganisationNudge.sent_at))
        .where(OrganisationNudge.organisation_id.in_(organisation_ids))
        .group_by(OrganisationNudge.organisation_id)
    ).all()
    return {organisation_id: sent_at for organisation_id, sent_at in rows}


def nudge(organisation: Organisation, coordinator: User) -> int:
    """Email the organisation's admins a reminder to pledge; returns how many emails were queued."""
    emails = admin_emails(organisation)
    if not emails:
        raise OversightRefused(f"{organisation.name} has no admin to email")
    last = last_nudges([organisation.id]).get(organisation.id)
    if last is not None and utcnow() - last < NUDGE_INTERVAL:
        raise OversightRefused(
            f"{organisation.name} was nudged less than a week ago, so we did not email them again"
        )
    link = external_url(url_for("pledges.start"))
    for email in emails:
        queue_email(email, "nudge", organisation=organisation, link=link)
    db.session.add(
        OrganisationNudge(organisation_id=organisation.id, sent_by_id=coordinator.id, sent_at=utcnow())
    )
    audit.record("organisation_nudged", organisation, coordinator, {"emails": len(emails)})
    return len(emails)


def suspend(organisation: Organisation, coordinator: User, reason: str) -> None:
    """Hide the organisation's pledges and stop it publishing, with the reason; its users can still sign in."""
    if organisation.is_suspended:
        raise OversightRefused(f"{organisation.name} is already suspended")
    organisation.suspended_at = utcnow()
    organisation.suspension_reason = reason
    audit.record("organisation_suspended", organisation, coordinator, {"reason": reason})
    for email in admin_emails(organisation):
        queue_email(email, "organisation_suspended", organisation=organisation, reason=reason)


def reinstate(organisation: Organisation, coordinator: User, reason: str) -> None:
    """Lift a suspension, with the reason; live pledges become visible again."""
    if not organisation.is_suspended:
        raise OversightRefused(f"{organisation.name} is not suspended")
    audit.record(
        "organisation_reinstated",
        organisation,
        coordinator,
        {"reason": reason, "suspension_reason": organisation.suspension_reason},
    )
    organisation.suspended_at = None
    organisation.suspension_reason = None
    link = external_url(url_for("organisations.dashboard"))
    for email in admin_emails(organisation):
        queue_email(email, "organisation_reinstated", organisation=organisation, reason=reason, link=link)
