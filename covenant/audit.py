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


def changed_fields(model: Any, values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Set `values` on `model` and return {field: {"before": old, "after": new}} for those that changed."""
    changes: dict[str, dict[str, Any]] = {}
    for field, new in values.items():
        old = getattr(model, field)
        if old != new:
            changes[field] = as_dict({"before": old, "after": new})
            setattr(model, field, new)
    return changes
