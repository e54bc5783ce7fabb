"""Signing an organisation up to the covenant. The caller commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import url_for
from sqlalchemy import exists, func, select

from covenant import audit
from covenant.auth.operations import send_email_confirmation, set_password
from covenant.auth.sessions import email_lookup_key, find_user_by_email
from covenant.clock import utcnow
from covenant.email import external_url, queue_email
from covenant.extensions import db
from covenant.models import Organisation, OrganisationNudge, OutboundEmail, Pledge, User
from covenant.unit_of_work import locked
from covenant.vocab import OrganisationType, Region, Role

# However many sign-ups name an address that has an account, its owner hears about it at most once a day.
ALREADY_REGISTERED_INTERVAL = timedelta(days=1)


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
    password_hash: str


def existing_signatory(name: str) -> Organisation | None:
    """The organisation that has already signed the covenant under this name (ignoring case and runs of
    spaces), if any. One whose admin never confirmed their email address does not count: it holds no name for
    long, and must not keep the real organisation out."""
    wanted = " ".join(name.split()).lower()
    if not wanted:
        return None
    return db.session.scalars(
        select(Organisation)
        .where(func.lower(Organisation.name) == wanted)
        .where(exists().where(User.organisation_id == Organisation.id, User.email_confirmed_at.is_not(None)))
        .order_by(Organisation.id)
        .limit(1)
    ).first()


def sign_up_organisation(details: SignUp) -> Organisation | None:
    """Create the organisation and its first admin, waiting for email confirmation.

    When the email address already has an account nothing is created: the owner of that address is told
    instead (at most once a day), so the page someone sees never reveals whether an address has an account.
    The password is hashed before, on both paths, so the time taken does not reveal it either.
    """
    email = email_lookup_key(details.email)
    existing = find_user_by_email(email)
    if existing is not None:
        # Locked, so that of several sign-ups naming the address at once only the first tells its owner.
        locked(User, existing.id)
        _tell_already_registered(email)
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
        email=email,
        name=details.name,
        password_hash="",
        role=Role.ORGANISATION_ADMIN,
        organisation=organisation,
    )
    set_password(admin, details.password_hash, actor=None)
    db.session.add_all([organisation, admin])
    db.session.flush()
    audit.record(
        "organisation_signed_up",
        organisation,
        admin,
        {"name": organisation.name, "kind": organisation.kind, "region": organisation.region},
    )
    send_email_confirmation(admin)  # the welcome follows once the address is confirmed
    return organisation


def _tell_already_registered(email: str) -> None:
    told_lately = db.session.scalar(
        select(OutboundEmail.id)
        .where(
            OutboundEmail.to_address == email,
            OutboundEmail.template == "already_registered",
            OutboundEmail.created_at > utcnow() - ALREADY_REGISTERED_INTERVAL,
        )
        .limit(1)
    )
    if told_lately is None:
        queue_email(
            email,
            "already_registered",
            sign_in_link=external_url(url_for("auth.sign_in")),
            reset_link=external_url(url_for("auth.forgot_password")),
        )


def prune_unconfirmed_accounts(before: datetime) -> tuple[int, int]:
    """Delete accounts made before this moment whose email address was never confirmed, and the organisations
    signed up with them that have nobody else and no pledges; returns (accounts, organisations) deleted.

    Their audit rows stay; the database forgets the deleted account as their actor.
    """
    users = list(
        db.session.scalars(select(User).where(User.email_confirmed_at.is_(None), User.created_at < before))
    )
    if not users:
        return 0, 0
    organisation_ids = {user.organisation_id for user in users if user.organisation_id is not None}
    for user in users:
        db.session.delete(user)
    db.session.flush()
    empty = list(
        db.session.scalars(
            select(Organisation).where(
                Organisation.id.in_(organisation_ids),
                ~exists().where(User.organisation_id == Organisation.id),
                ~exists().where(Pledge.organisation_id == Organisation.id),
                ~exists().where(OrganisationNudge.organisation_id == Organisation.id),
            )
        )
    )
    for organisation in empty:
        db.session.delete(organisation)
    db.session.flush()
    return len(users), len(empty)
