"""What every template may use: the service navigation for the signed-in person's role."""

from __future__ import annotations

from typing import Any

from flask import request, url_for
from flask_login import current_user

from covenant.auth.sessions import half_signed_in
from covenant.email import texts_enabled
from covenant.vocab import ALERT_ROLES, ORGANISATION_ROLES, Role

# Who has a take-up dashboard (covenant/reports).
REPORT_ROLES = (*ORGANISATION_ROLES, Role.PERSONAL_ADVISER, Role.AUTHORITY_MANAGER, Role.COORDINATOR)


def navigation_items() -> list[dict[str, Any]]:
    """Service navigation links for the current user's role, marking the one for this page (none while a
    second factor is owed: those pages would only send them back to enter it)."""
    if half_signed_in():
        return []
    items: list[tuple[str, str]] = [("Find opportunities", "opportunities.index")]
    search_args: dict[str, Any] = {}
    if not current_user.is_authenticated:
        items += [("Sign in", "auth.sign_in"), ("Sign up your organisation", "organisations.sign_up")]
    else:
        role = current_user.role
        if role in ORGANISATION_ROLES:
            items.append(("Your pledges", "organisations.dashboard"))
            items.append(("Referrals", "referrals.organisation_referrals"))
        elif role in (Role.PERSONAL_ADVISER, Role.AUTHORITY_MANAGER):
            # An adviser's search starts in their own authority.
            search_args["where"] = current_user.local_authority.gss_code
            items.append(
                ("Care leavers" if role == Role.AUTHORITY_MANAGER else "Your caseload", "caseload.index")
            )
            items.append(("Your local authority", "authorities.dashboard"))
        elif role == Role.CARE_LEAVER:
            items.append(("Your page", "care_leavers.home"))
        elif role == Role.COORDINATOR:
            items.append(("Coordinator home", "coordinator.dashboard"))
            items.append(("Review pledges", "review.queue"))
        if role in REPORT_ROLES:
            items.append(("Reports", "reports.index"))
        if role in ALERT_ROLES:
            items.append(("Saved searches", "alerts.index"))
        if role in (Role.ORGANISATION_ADMIN, Role.AUTHORITY_MANAGER, Role.COORDINATOR):
            items.append(("Team", "team.index"))
        items.append(("Your account", "auth.account"))
    current = request.endpoint or ""
    return [
        {
            "text": text,
            "href": url_for(endpoint, **(search_args if endpoint == "opportunities.index" else {})),
            "active": current == endpoint or current.split(".")[0] == endpoint.split(".")[0] != "auth",
        }
        for text, endpoint in items
    ]


def template_context() -> dict[str, Any]:
    """Variables for every template."""
    return {"navigation_items": navigation_items, "Role": Role, "texts_enabled": texts_enabled}
