"""Signing an organisation up to the covenant. The caller commits."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for

from covenant import audit
from covenant.auth.operations import send_email_confirmation, set_password
from covenant.auth.sessions import find_user_by_email
from covenant.email import external_url, queue_email
from covenant.extensions import db
from covenant.models import Organisation, User
from covenant.vocab import OrganisationType, Region, Role


@dataclass(frozen=True)
class SignUp:
    """What someone typed to sign their organisation up."""

    organisation_name: str
    organisation_type: OrganisationType
    companies_house_number: str | None
    charity_number: str | None
    website: str | None
    region: Region
    name: str
    email: str
    password: str


def sign_up_organisation(details: SignUp) -> Organisation | None:
    """Create the organisation and its first admin, waiting for email confirmation.

    When the email address already has an account nothing is created: the owner of that address is told
    instead, so the page someone sees never reveals whether an address has an account.
    """
    if find_user_by_email(details.email) is not None:
        queue_email(
            details.email.strip(),
            "already_registered",
            sign_in_link=external_url(url_for("auth.sign_in")),
            reset_link=external_url(url_for("auth.forgot_password")),
        )
        return None
    organisation = Organisation(
        name=details.organisation_name,
        kind=details.organisation_type,
        companies_house_number=details.companies_house_number or None,
        charity_number=details.charity_number or None,
        website=details.website or None,
        region=details.region,
    )
    admin = User(
        email=details.email.strip().lower(),
        name=details.name,
        password_hash="",
        role=Role.ORGANISATION_ADMIN,
        organisation=organisation,
    )
    set_password(admin, details.password, actor=None)
    db.session.add_all([organisation, admin])
    db.session.flush()
    audit.record(
        "organisation_signed_up",
        organisation,
        admin,
        {"name": organisation.name, "kind": organisation.kind, "region": organisation.region},
    )
    send_email_confirmation(admin)
    queue_email(
        admin.email,
        "welcome_organisation",
        user=admin,
        organisation=organisation,
        link=external_url(url_for("auth.sign_in")),
    )
    return organisation
