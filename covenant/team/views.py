"""Team pages: who is in the team, inviting colleagues, withdrawing and accepting invitations."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from covenant.access import public, roles
from covenant.auth import throttle
from covenant.auth.sessions import start_session
from covenant.extensions import db, limiter
from covenant.models import Invitation, LocalAuthority
from covenant.pagination import govuk_pagination, paginate
from covenant.security import hash_password
from covenant.team import bp
from covenant.team.forms import AcceptInvitationForm, invite_form
from covenant.team.operations import (
    InvitationRefused,
    accept,
    can_manage,
    invitation_for_token,
    invite,
    open_invitations,
    revoke,
    team_members,
)
from covenant.unit_of_work import locked
from covenant.vocab import INVITABLE_ROLES, Role

TEAM_MANAGERS = (Role.ORGANISATION_ADMIN, Role.AUTHORITY_MANAGER, Role.COORDINATOR)
PER_PAGE = 50


@bp.route("/team")
@roles(*TEAM_MANAGERS)
def index() -> str:
    members = paginate(team_members(current_user), PER_PAGE)
    return render_template(
        "team/index.html",
        members=members,
        pagination=govuk_pagination(members, "team.index"),
        invitations=open_invitations(current_user),
        can_reset_two_factor=current_user.role in (Role.AUTHORITY_MANAGER, Role.COORDINATOR),
    )


@bp.route("/team/invite", methods=["GET", "POST"])
@roles(*TEAM_MANAGERS)
@limiter.limit(throttle.invitation_limit, methods=["POST"], key_func=throttle.inviter)
@limiter.limit(throttle.invitation_recipient_limit, methods=["POST"], key_func=throttle.invitation_recipient)
def invite_colleague() -> Response | tuple[str, int]:
    invitable = INVITABLE_ROLES[current_user.role]
    authorities = None
    if current_user.role == Role.COORDINATOR:
        authorities = [
            SelectChoice(str(authority.id), authority.name)
            for authority in db.session.scalars(select(LocalAuthority).order_by(LocalAuthority.name))
        ]
    form = invite_form([SelectChoice(role.value, role.label) for role in invitable], authorities)
    if form.validate_on_submit():
        # `del form.role` leaves the attribute as None, so ask the form which questions it asked.
        role = Role(form.role.data) if "role" in form else invitable[0]
        if role == Role.COORDINATOR and form.confirmed.data != "yes":
            # A coordinator can approve pledges and suspend organisations: ask once more before inviting one.
            return render_template("team/confirm_coordinator.html", form=form), 200
        authority = None
        if "local_authority" in form and role == Role.AUTHORITY_MANAGER:
            authority = db.session.get(LocalAuthority, int(form.local_authority.data))
        try:
            invite(current_user, form.email.data or "", role, authority)
        except InvitationRefused as refusal:
            form.error_on(form.email, str(refusal))
        else:
            # The same words whether or not the address has an account already (its owner is told by email).
            flash(f"We have sent an invitation to {form.email.data}", "success")
            return redirect(url_for("team.index"))
    return render_template("team/invite.html", form=form), 400 if form.errors else 200


@bp.route("/team/invitations/<int:invitation_id>/withdraw", methods=["POST"])
@roles(*TEAM_MANAGERS)
def withdraw(invitation_id: int) -> Response:
    invitation = locked(Invitation, invitation_id)
    if invitation is None or not can_manage(current_user, invitation):
        abort(404)
    if invitation.accepted_at is None and invitation.revoked_at is None:
        revoke(invitation, current_user)
        flash(f"The invitation to {invitation.email} has been withdrawn", "success")
    return redirect(url_for("team.index"))


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str) -> Response | tuple[str, int]:
    form = AcceptInvitationForm()
    posted = form.validate_on_submit()
    password_hash = hash_password(form.password.data or "") if posted else ""  # before any lock is taken
    invitation = invitation_for_token(token, lock=posted)
    if invitation is None:
        return render_template("auth/link_expired.html", purpose="invitation"), 400
    if posted:
        user = accept(invitation, form.name.data or "", password_hash)
        if user is None:
            flash("You already have an account with this email address. Sign in instead", "info")
            return redirect(url_for("auth.sign_in"))
        start_session(user)
        flash(f"Welcome to the Care Leaver Covenant, {user.name}", "success")
        return redirect(url_for("main.home"))
    return render_template("team/accept.html", form=form, invitation=invitation), 400 if form.errors else 200
