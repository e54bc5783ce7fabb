"""Writing the audit trail, in the caller's transaction."""

from __future__ import annotations

from typing import Any

from covenant.extensions import db
from covenant.models import AuditEvent, User
from covenant.sqltypes import as_dict


def record(
    action: str,
    subject: Any,
    actor: User | None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event for `action` on `subject` (a model instance) by `actor`; the request commits."""
    if hasattr(subject, "_get_current_object"):  # `current_user` as the subject: the model behind the proxy
        subject = subject._get_current_object()
    event = AuditEvent(
        action=action,
        subject_type=type(subject).__tablename__,
        subject_id=subject.id,
        actor_id=actor.id if actor is not None else None,
        changes=as_dict(changes or {}),
    )
    db.session.add(event)
    return event


# Reads of personal data (a care leaver's record, a referral) are recorded too. They are the one thing a page
# view (GET) may write: `unit_of_work` commits a GET whose only changes are these.
READ_ACTIONS = frozenset({"care_leaver_viewed", "caseload_viewed", "referral_viewed", "referrals_viewed"})


def record_read(action: str, subject: Any, actor: User) -> AuditEvent:
    """Record that someone read a record of personal data (who, what, when)."""
    if action not in READ_ACTIONS:
        raise ValueError(f"{action} is not a read")
    return record(action, subject, actor)


def record_list_read(action: str, subject: Any, actor: User, care_leaver_ids: list[int]) -> None:
    """Record that someone saw a list naming these care leavers (nothing when it named none)."""
    if care_leaver_ids:
        event = record_read(action, subject, actor)
        event.changes = {"care_leavers": sorted(set(care_leaver_ids))}


def is_read_record(instance: Any) -> bool:
    """Whether a pending change is only the record of a read."""
    return isinstance(instance, AuditEvent) and instance.action in READ_ACTIONS


def changed_fields(model: Any, values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Set `values` on `model` and return {field: {"before": old, "after": new}} for those that changed."""
    changes: dict[str, dict[str, Any]] = {}
    for field, new in values.items():
        old = getattr(model, field)
        if old != new:
            changes[field] = as_dict({"before": old, "after": new})
            setattr(model, field, new)
    return changes
