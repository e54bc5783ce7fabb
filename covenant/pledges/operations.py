"""Pledge behaviour: drafts, sections, the lifecycle state table, copying and closing. The caller commits."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import url_for
from sqlalchemy import or_, select

from covenant import audit
from covenant.clock import uk_today, utcnow
from covenant.email import external_url, queue_email
from covenant.extensions import db
from covenant.models import LocalAuthority, Organisation, Pledge, PledgeTextEdit, User
from covenant.pledges.sections import Section, sections_for
from covenant.sqltypes import as_dict
from covenant.vocab import (
    EDITABLE_STATUSES,
    LIVE_STATUSES,
    PLEDGE_TRANSITIONS,
    PledgeKind,
    PledgeStatus,
    Role,
)

# A live pledge's wording can change without review; coordinators read each change afterwards.
TEXT_FIELDS = ("summary", "description", "what_you_get", "adjustments")


class PledgeRuleBroken(Exception):
    """Something the rules do not allow, with the reason in words for the person who tried."""


def create_draft(organisation: Organisation, author: User, title: str, kind: PledgeKind) -> Pledge:
    """Start a draft pledge with its name and kind."""
    pledge = Pledge(
        organisation=organisation, created_by=author, title=title, kind=kind, status=PledgeStatus.DRAFT
    )
    db.session.add(pledge)
    db.session.flush()
    audit.record("pledge_created", pledge, author, {"title": title, "kind": kind})
    return pledge


def _current(pledge: Pledge, field: str) -> Any:
    if field == "local_authority_ids":
        return sorted(authority.id for authority in pledge.local_authorities)
    value = getattr(pledge, field)
    return list(value) if isinstance(value, list) else value


def needs_review(pledge: Pledge, section: Section, values: dict[str, Any]) -> bool:
    """Whether saving these values on a live pledge would send it back for review."""
    if pledge.status not in LIVE_STATUSES:
        return False
    return any(
        field in section.review_fields and _comparable(value) != _comparable(_current(pledge, field))
        for field, value in values.items()
    )


def _comparable(value: Any) -> Any:
    return sorted(value) if isinstance(value, list) else value


def save_section(pledge: Pledge, section: Section, values: dict[str, Any], actor: User) -> bool:
    """Save a section's answers; returns True when a live pledge went back for review as a result.

    Changes to a live pledge's wording keep it live, and are kept for coordinators to read (`PledgeTextEdit`).
    """
    close_if_expired(pledge)
    if pledge.status not in EDITABLE_STATUSES:
        raise PledgeRuleBroken(f"You cannot change a pledge that is {pledge.status.label.lower()}")
    if "places" in values and values["places"] is not None and values["places"] < pledge.places_taken:
        raise PledgeRuleBroken(
            f"There must be at least {pledge.places_taken} places, as {pledge.places_taken} are already taken"
        )
    back_to_review = needs_review(pledge, section, values)
    if back_to_review and pledge.organisation.is_suspended:
        raise PledgeRuleBroken(
            "Your organisation is suspended, so you cannot make changes that need a coordinator to review them"
        )
    live = pledge.status in LIVE_STATUSES
    changes: dict[str, dict[str, Any]] = {}
    for field, value in values.items():
        before = _current(pledge, field)
        if _comparable(before) == _comparable(value):
            continue
        if field == "local_authority_ids":
            pledge.local_authorities = list(
                db.session.scalars(select(LocalAuthority).where(LocalAuthority.id.in_(value)))
            )
        else:
            setattr(pledge, field, value)
        changes[field] = as_dict({"before": before, "after": value})
    if changes:
        audit.record("pledge_changed", pledge, actor, {"section": section.key, **changes})
    if back_to_review:
        transition(pledge, PledgeStatus.SUBMITTED, actor)
    elif live:
        wording = {field: change for field, change in changes.items() if field in TEXT_FIELDS}
        if wording:
            db.session.add(PledgeTextEdit(pledge=pledge, edited_by=actor, changes=wording))
    return back_to_review


def incomplete_sections(pledge: Pledge) -> list[Section]:
    """Sections still to answer."""
    return [section for section in sections_for(pledge) if not section.is_complete(pledge)]


def submission_problems(pledge: Pledge, today: date | None = None) -> list[str]:
    """Why the pledge cannot be submitted yet, in words; empty when it can."""
    today = today or uk_today()
    problems = [f"Complete the section ‘{section.title}’" for section in incomplete_sections(pledge)]
    if pledge.closes_on is not None and pledge.closes_on < today:
        problems.append("The closing date for referrals must be today or in the future")
    if not pledge.ongoing and pledge.ends_on is not None and pledge.ends_on < today:
        problems.append("The end date must be today or in the future")
    if (
        pledge.under_18_contact
        and pledge.contact_supervised is False
        and pledge.dbs_confirmed_on is not None
        and pledge.dbs_confirmed_on <= today - timedelta(days=365)
    ):
        problems.append("You last confirmed the DBS checks more than 12 months ago: confirm them again")
    if pledge.organisation.is_suspended:
        problems.append("Your organisation is suspended, so it cannot submit pledges")
    return problems


def transition(pledge: Pledge, to: PledgeStatus, actor: User | None, reason: str | None = None) -> None:
    """Move a pledge along the lifecycle table, or refuse with a reason; records the change."""
    if to not in PLEDGE_TRANSITIONS[pledge.status]:
        raise PledgeRuleBroken(
            f"A pledge that is {pledge.status.label.lower()} cannot become {to.label.lower()}"
        )
    before = pledge.status
    now = utcnow()
    pledge.status = to
    if to == PledgeStatus.SUBMITTED:
        pledge.submitted_at = now
        pledge.review_reason = None
    elif to == PledgeStatus.PUBLISHED:
        if before == PledgeStatus.SUBMITTED:
            pledge.published_at = now
        pledge.review_reason = None
    elif to in (PledgeStatus.CHANGES_REQUESTED, PledgeStatus.REJECTED):
        pledge.review_reason = reason
    elif to == PledgeStatus.CLOSED:
        pledge.closed_at = now
    audit.record(
        "pledge_status_changed",
        pledge,
        actor,
        {"status": {"before": before.value, "after": to.value}, **({"reason": reason} if reason else {})},
    )


def submit(pledge: Pledge, actor: User) -> None:
    """Send a complete pledge to the coordinators for review."""
    problems = submission_problems(pledge)
    if problems:
        raise PledgeRuleBroken(problems[0])
    transition(pledge, PledgeStatus.SUBMITTED, actor)


def _tell_organisation(pledge: Pledge, template: str) -> None:
    """Email the pledge's author and the organisation's admins about a decision, with a link to the pledge (and
    to its public page, once it is live)."""
    recipients = {
        user.email
        for user in db.session.scalars(
            select(User).where(
                User.organisation_id == pledge.organisation_id,
                or_(User.role == Role.ORGANISATION_ADMIN, User.id == pledge.created_by_id),
            )
        )
    }
    link = external_url(url_for("pledges.show", pledge_id=pledge.id))
    public_link = external_url(url_for("opportunities.show", pledge_id=pledge.id))
    for email in sorted(recipients):
        queue_email(email, template, pledge=pledge, link=link, public_link=public_link)


def approve(pledge: Pledge, coordinator: User) -> None:
    """Publish a submitted pledge and tell the organisation."""
    if pledge.organisation.is_suspended:
        raise PledgeRuleBroken("This organisation is suspended, so its pledges cannot be published")
    transition(pledge, PledgeStatus.PUBLISHED, coordinator)
    _tell_organisation(pledge, "pledge_approved")


def request_changes(pledge: Pledge, coordinator: User, reason: str) -> None:
    """Send a submitted pledge back to the organisation with what to change."""
    transition(pledge, PledgeStatus.CHANGES_REQUESTED, coordinator, reason)
    _tell_organisation(pledge, "pledge_changes_requested")


def reject(pledge: Pledge, coordinator: User, reason: str) -> None:
    """Turn a submitted pledge down for good, with the reason."""
    transition(pledge, PledgeStatus.REJECTED, coordinator, reason)
    _tell_organisation(pledge, "pledge_rejected")


def pause(pledge: Pledge, actor: User) -> None:
    """Hide a live pledge for a while."""
    transition(pledge, PledgeStatus.PAUSED, actor)


def resume(pledge: Pledge, actor: User) -> None:
    """Make a paused pledge live again, if it has not passed its dates."""
    if pledge.is_expired():
        raise PledgeRuleBroken("This pledge has passed its closing or end date, so it cannot go live again")
    if pledge.organisation.is_suspended:
        raise PledgeRuleBroken("Your organisation is suspended, so its pledges cannot go live")
    transition(pledge, PledgeStatus.PUBLISHED, actor)


def close(pledge: Pledge, actor: User | None) -> None:
    """Close a live or paused pledge for good."""
    transition(pledge, PledgeStatus.CLOSED, actor)


def close_if_expired(pledge: Pledge) -> bool:
    """Record the closing of a live or paused pledge that has passed its dates, before a change to it (pages
    only read it as closed: `Pledge.effective_status`)."""
    if pledge.status in LIVE_STATUSES and pledge.is_expired():
        close(pledge, None)
        return True
    return False


def close_expired(today: date | None = None) -> int:
    """Close every live or paused pledge past its closing or end date; returns how many closed."""
    today = today or uk_today()
    expired = db.session.scalars(
        select(Pledge).where(
            Pledge.status.in_(LIVE_STATUSES),
            or_(Pledge.closes_on < today, (Pledge.ongoing.is_(False)) & (Pledge.ends_on < today)),
        )
    ).all()
    for pledge in expired:
        close(pledge, None)
    return len(expired)


COPIED_FIELDS = (
    "kind", "summary", "description", "what_you_get", "paid", "pay_amount", "pay_period", "min_age", "max_age",
    "requirements", "reach", "postcode_district", "places", "places_unlimited", "take_up", "contact_name",
    "contact_email", "contact_phone", "under_18_contact", "contact_supervised", "dbs_level", "dbs_confirmed_on",
    "dbs_update_service",
    "adjustments", "adjustments_answered",
)  # fmt: skip


def copy_pledge(original: Pledge, author: User) -> Pledge:
    """Start a new draft from an existing pledge; dates are left for the author to set."""
    copy = Pledge(
        organisation_id=original.organisation_id,
        created_by=author,
        title=f"Copy of {original.title}"[:120],
        status=PledgeStatus.DRAFT,
        **{field: getattr(original, field) for field in COPIED_FIELDS},
    )
    copy.outcome_areas = original.outcome_areas
    copy.regions = original.regions
    copy.local_authorities = list(original.local_authorities)
    db.session.add(copy)
    db.session.flush()
    audit.record("pledge_copied", copy, author, {"copied_from": original.id})
    return copy
