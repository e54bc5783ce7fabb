"""An authority's home page and its local offer link."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from covenant.access import roles
from covenant.authorities import bp
from covenant.authorities.forms import LocalOfferForm, TeamContactForm
from covenant.authorities.operations import set_local_offer_url, set_team_contact
from covenant.extensions import db
from covenant.models import LocalAuthority
from covenant.vocab import Role


@bp.route("/authority")
@roles(Role.PERSONAL_ADVISER, Role.AUTHORITY_MANAGER)
def dashboard() -> str:
    return render_template("authorities/dashboard.html", authority=current_user.local_authority)


@bp.route("/authorities/<int:authority_id>/local-offer", methods=["GET", "POST"])
@roles(Role.AUTHORITY_MANAGER, Role.COORDINATOR)
def local_offer(authority_id: int) -> Response | tuple[str, int]:
    """A coordinator keeps any authority's local offer link; a manager their own authority's."""
    authority = db.session.get(LocalAuthority, authority_id)
    coordinator = current_user.role == Role.COORDINATOR
    if authority is None or not (coordinator or authority.id == current_user.local_authority_id):
        abort(404)
    back = url_for("coordinator.authorities") if coordinator else url_for("authorities.dashboard")
    form = LocalOfferForm(obj=authority)
    if form.validate_on_submit():
        set_local_offer_url(authority, form.local_offer_url.data, current_user)
        flash(
            f"The local offer link for {authority.name} has been saved"
            if coordinator
            else "The local offer link has been saved",
            "success",
        )
        return redirect(back)
    return render_template(
        "authorities/local_offer.html", form=form, authority=authority, back=back
    ), 400 if form.errors else 200


@bp.route("/authority/leaving-care-team", methods=["GET", "POST"])
@roles(Role.AUTHORITY_MANAGER)
def team_contact() -> Response | tuple[str, int]:
    """The manager keeps the leaving care team's contact details, shown on every opportunity's page to care
    leavers who are not sure who their adviser is."""
    authority = current_user.local_authority
    form = TeamContactForm(obj=authority)
    if form.validate_on_submit():
        set_team_contact(
            authority,
            {
                "team_phone": form.team_phone.data,
                "team_email": form.team_email.data,
                "team_hours": form.team_hours.data,
            },
            current_user,
        )
        flash("The leaving care team’s details are saved", "success")
        return redirect(url_for("authorities.dashboard"))
    return render_template(
        "authorities/team_contact.html", form=form, authority=authority
    ), 400 if form.errors else 200
