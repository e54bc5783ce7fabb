"""An organisation's history for coordinators: its audit trail (who did what, when), newest first.

It covers the organisation itself (signing up, nudges, suspensions), its pledges and its invitations. It never
covers referrals: those name care leavers, whom coordinators do not see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, or_, select

from covenant.extensions import db
from covenant.models import AuditEvent, Invitation, Organisation, Pledge
from covenant.vocab import PledgeStatus

# What each action means, for a coordinator reading the history. An action missing here reads as its own words.
ACTIONS = {
    "invitation_accepted": "Accepted an invitation and joined",
    "invitation_revoked": "Withdrew an invitation",
    "invitation_sent": "Invited someone to join",
    "organisation_nudged": "Reminded the organisation to pledge",
    "organisation_reinstated": "Reinstated the organisation",
    "organisation_signed_up": "Signed the organisation up to the covenant",
    "organisation_suspended": "Suspended the organisation",
    "pledge_changed": "Changed a pledge",
    "pledge_copied": "Copied a pledge",
    "pledge_created": "Started a pledge",
    "pledge_wording_checked": "Checked a pledge’s new wording",
}
# A pledge's move through the lifecycle, by the status it moved to.
STATUS_ACTIONS = {
    PledgeStatus.SUBMITTED.value: "Submitted a pledge for review",
    PledgeStatus.PUBLISHED.value: "Approved or resumed a pledge",
    PledgeStatus.CHANGES_REQUESTED.value: "Asked for changes to a pledge",
    PledgeStatus.REJECTED.value: "Rejected a pledge",
    PledgeStatus.PAUSED.value: "Paused a pledge",
    PledgeStatus.CLOSED.value: "Closed a pledge",
}


def history(organisation: Organisation) -> Select[Any]:
    """The organisation's audit events, newest first."""
    pledges = select(Pledge.id).where(Pledge.organisation_id == organisation.id)
    invitations = select(Invitation.id).where(Invitation.organisation_id == organisation.id)
    return (
        select(AuditEvent)
        .where(
            or_(
                and_(AuditEvent.subject_type == "organisation", AuditEvent.subject_id == organisation.id),
                and_(AuditEvent.subject_type == "pledge", AuditEvent.subject_id.in_(pledges)),
                and_(AuditEvent.subject_type == "invitation", AuditEvent.subject_id.in_(invitations)),
            )
        )
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    )


@dataclass(frozen=True)
class Entry:
    """One event, in words."""

    event: AuditEvent
    what: str
    detail: str


def _what(event: AuditEvent) -> str:
    if event.action == "pledge_status_changed":
        after = (event.changes or {}).get("status", {}).get("after")
        return STATUS_ACTIONS.get(after, "Changed a pledge’s status")
    return ACTIONS.get(event.action) or event.action.replace("_", " ").capitalize()


def _detail(event: AuditEvent, pledge_titles: dict[int, str]) -> str:
    changes: dict[str, Any] = event.changes or {}
    parts = []
    if event.subject_type == "pledge" and event.subject_id in pledge_titles:
        parts.append(f"‘{pledge_titles[event.subject_id]}’")
    if event.action == "invitation_sent" and changes.get("email"):
        parts.append(str(changes["email"]))
    if changes.get("reason"):
        parts.append(f"Reason: {changes['reason']}")
    return ". ".join(parts)


def describe(events: list[AuditEvent]) -> list[Entry]:
    """Each event with what it was, and which pledge it was about, loaded at once."""
    pledge_ids = {event.subject_id for event in events if event.subject_type == "pledge"}
    rows = db.session.execute(select(Pledge.id, Pledge.title).where(Pledge.id.in_(pledge_ids)))
    titles = {pledge_id: title for pledge_id, title in rows}
    return [Entry(event=event, what=_what(event), detail=_detail(event, titles)) for event in events]
