"""Writing the audit trail, in the caller's transaction. It is append-only from the application's side:
`guard_append_only` refuses any change to, or deletion of, an audit row."""

from __future__ import annotations

from typing import Any

from covenant.clock import utcnow
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


# Reads of personal data (a care leaver's record, a referral) are recorded too. They are kept aside until the
# request ends, then written by `unit_of_work` in a short transaction of their own: a page view (GET) reads in a
# transaction that takes no write lock, and the records of what it read are the one thing it writes.
READ_ACTIONS = frozenset(
    {
        "audit_trail_viewed",
        "care_leaver_viewed",
        "care_leaver_exported",
        "caseload_viewed",
        "referral_viewed",
        "referrals_viewed",
    }
)
READS = "covenant.reads"


def record_read(action: str, subject: Any, actor: User, changes: dict[str, Any] | None = None) -> None:
    """Record that someone read a record of personal data (who, what, when), when the request ends."""
    if action not in READ_ACTIONS:
        raise ValueError(f"{action} is not a read")
    if hasattr(subject, "_get_current_object"):
        subject = subject._get_current_object()
    db.session.info.setdefault(READS, []).append(
        {
            "action": action,
            "subject_type": type(subject).__tablename__,
            "subject_id": subject.id,
            "actor_id": actor.id,
            "changes": changes or {},
            "occurred_at": utcnow(),
        }
    )


def record_list_read(action: str, subject: Any, actor: User, care_leaver_ids: list[int]) -> None:
    """Record that someone saw a list naming these care leavers (nothing when it named none)."""
    if care_leaver_ids:
        record_read(action, subject, actor, {"care_leavers": sorted(set(care_leaver_ids))})


def take_reads() -> list[AuditEvent]:
    """The reads this request recorded, as audit rows to add, forgetting them."""
    return [AuditEvent(**read) for read in db.session.info.pop(READS, [])]


def changed_fields(model: Any, values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Set `values` on `model` and return {field: {"before": old, "after": new}} for those that changed."""
    changes: dict[str, dict[str, Any]] = {}
    for field, new in values.items():
        old = getattr(model, field)
        if old != new:
            changes[field] = as_dict({"before": old, "after": new})
            setattr(model, field, new)
    return changes


class AuditTrailIsAppendOnly(RuntimeError):
    """Something tried to change or delete an audit row."""


def guard_append_only(session: Any, flush_context: Any, instances: Any) -> None:
    """`before_flush`: refuse a change to, or the deletion of, an audit row."""
    if any(isinstance(row, AuditEvent) for row in (*session.dirty, *session.deleted)):
        raise AuditTrailIsAppendOnly("The audit trail is append-only: its rows are never changed or deleted")


def guard_append_only_statements(state: Any) -> None:
    """`do_orm_execute`: refuse UPDATE and DELETE statements on the audit trail."""
    if (state.is_update or state.is_delete) and state.bind_mapper is not None:
        if state.bind_mapper.class_ is AuditEvent:
            raise AuditTrailIsAppendOnly(
                "The audit trail is append-only: its rows are never changed or deleted"
            )
