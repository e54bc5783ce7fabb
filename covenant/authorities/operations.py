"""Changing an authority's details. The caller commits."""

from __future__ import annotations

from covenant import audit
from covenant.models import LocalAuthority, User


def set_local_offer_url(authority: LocalAuthority, url: str | None, actor: User) -> bool:
    """Record where the authority publishes its local offer; True when it changed."""
    changes = audit.changed_fields(authority, {"local_offer_url": url or None})
    if changes:
        audit.record("local_offer_changed", authority, actor, changes)
    return bool(changes)
