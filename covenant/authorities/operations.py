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


def set_team_contact(authority: LocalAuthority, values: dict[str, str | None], actor: User) -> bool:
    """Keep the leaving care team's phone, email and hours; True when they changed."""
    changes = audit.changed_fields(authority, {name: value or None for name, value in values.items()})
    if changes:
        audit.record("team_contact_changed", authority, actor, changes)
    return bool(changes)
