"""Invitations: who may invite whom, sending them, and accepting them. The caller commits."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, url_for
from sqlalchemy import Select, select

from covenant import audit
from covenant.auth.operations import set_password
from covenant.auth.sessions import email_lookup_key, find_user_by_email
from covenant.clock import utcnow
from covenant.email import external_url, queue_email
from covenant.extensions import db
from covenant.models import Invitation, LocalAuthority, User
from covenant.security import make_token, read_token
from covenant.unit_of_work import locked
from covenant.vocab import AUTHORITY_ROLES, INVITABLE_ROLES, ORGANISATION_ROLES, Role

INVITATION = "invitation"


class InvitationRefused(Exception):
    """An invitation that cannot be sent, with the reason in words for the form."""


def team_members(user: User) -> Select[tuple[User]]:
    """The people a team page shows: the user's organisation, authority, or for coordinators the national team."""
    query = select(User).order_by(User.name, User.id)
    if user.role in ORGANISATION_ROLES:
        return query.where(User.organisation_id == user.organisation_id)
    if user.role in AUTHORITY_ROLES:
        return query.where(
            User.local_authority_id == user.local_authority_id,
            User.role.in_([Role.PERSONAL_ADVISER, Role.AUTHORITY_MANAGER]),
        )
    return query.where(User.role.in_([Role.COORDINATOR, Role.AUTHORITY_MANAGER]))


def open_invitations(user: User) -> list[Invitation]:
    """Invitations this user could have sent (their team, roles they may invite) that are waiting."""
    query = select(Invitation).where(
        Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None),
        Invitation.expires_at > utcnow(),
        Invitation.role.in_(INVITABLE_ROLES.get(user.role, ())),
    )
    if user.role in ORGANISATION_ROLES:
        query = query.where(Invitation.organisation_id == user.organisation_id)
    elif user.role in AUTHORITY_ROLES:
        query = query.where(Invitation.local_authority_id == user.local_authority_id)
    return list(db.session.scalars(query.order_by(Invitation.created_at.desc())))


def invite(
    inviter: User, email: str, role: Role, local_authority: LocalAuthority | None = None
) -> Invitation | None:
    """Invite someone into the inviter's scope (or, for a coordinator, into the chosen authority).

    When the address already has an account, nothing is sent but a note to its owner, and None is returned:
    the inviter is told the same as for anyone else, so the form never reveals who has an account.
    """
    if role not in INVITABLE_ROLES.get(inviter.role, ()):
        raise InvitationRefused(f"You cannot invite a {role.label.lower()}")
    email = email_lookup_key(email)
    if find_user_by_email(email) is not None:
        queue_email(
            email, "invitation_to_existing_account", sign_in_link=external_url(url_for("auth.sign_in"))
        )
        audit.record("invitation_to_existing_account", inviter, inviter, {"role": role})
        return None
    invitation = Invitation(email=email, role=role, invited_by=inviter)
    if role in ORGANISATION_ROLES:
        invitation.organisation_id = inviter.organisation_id
    elif role == Role.COORDINATOR:
        pass  # the covenant team: no organisation, no authority
    elif inviter.role == Role.COORDINATOR:
        if local_authority is None:
            raise InvitationRefused("Select the local authority they work for")
        invitation.local_authority_id = local_authority.id
    else:
        invitation.local_authority_id = inviter.local_authority_id
    now = utcnow()
    invitation.created_at = now
    invitation.expires_at = now + timedelta(seconds=current_app.config["INVITATION_MAX_AGE"])
    # A new invitation to the same person for the same place replaces any still open; another team's
    # invitation to them is not this inviter's to withdraw.
    for earlier in db.session.scalars(
        select(Invitation).where(
            Invitation.email == email,
            Invitation.organisation_id == invitation.organisation_id,
            Invitation.local_authority_id == invitation.local_authority_id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
    ):
        earlier.revoked_at = now
    db.session.add(invitation)
    db.session.flush()
    audit.record("invitation_sent", invitation, inviter, {"email": email, "role": role})
    token = make_token(INVITATION, {"invitation": invitation.id})
    queue_email(
        email,
        "invitation",
        invitation=invitation,
        link=external_url(url_for("team.accept_invitation", token=token)),
        days=current_app.config["INVITATION_MAX_AGE"] // 86400,
    )
    return invitation


def invitation_for_token(token: str, lock: bool = False) -> Invitation | None:
    """The open invitation a link is for, or None if the link is not genuine, expired, used or withdrawn.

    With `lock`, the invitation is locked until the request commits, so of several acceptances at once one
    makes the account and the others find the invitation used.
    """
    payload = read_token(INVITATION, token, current_app.config["INVITATION_MAX_AGE"])
    if not payload or not isinstance(payload.get("invitation"), int):
        return None
    invitation_id = payload["invitation"]
    invitation = locked(Invitation, invitation_id) if lock else db.session.get(Invitation, invitation_id)
    if invitation is None or not invitation.is_open(utcnow()):
        return None
    return invitation


def accept(invitation: Invitation, name: str, password_hash: str) -> User | None:
    """Create the invited person's account (its password hashed already); None when their email address got an
    account meanwhile."""
    if find_user_by_email(invitation.email) is not None:
        return None
    now = utcnow()
    user = User(
        email=invitation.email,
        name=name,
        password_hash="",
        role=invitation.role,
        organisation_id=invitation.organisation_id,
        local_authority_id=invitation.local_authority_id,
        email_confirmed_at=now,  # the invitation link came to this address
    )
    set_password(user, password_hash, actor=None)
    invitation.accepted_at = now
    db.session.add(user)
    db.session.flush()
    audit.record("invitation_accepted", invitation, user, {"user_id": user.id})
    return user


def revoke(invitation: Invitation, actor: User) -> None:
    """Withdraw an invitation so its link stops working."""
    invitation.revoked_at = utcnow()
    audit.record("invitation_revoked", invitation, actor, {"email": invitation.email})


def can_manage(user: User, invitation: Invitation) -> bool:
    """Whether this user could have sent the invitation: a role they may invite, into their own team."""
    if invitation.role not in INVITABLE_ROLES.get(user.role, ()):
        return False
    if user.role == Role.COORDINATOR:
        return True
    if user.role in ORGANISATION_ROLES:
        return invitation.organisation_id == user.organisation_id
    return invitation.local_authority_id == user.local_authority_id
