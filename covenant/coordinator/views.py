"""Coordinator pages: an overview, every local authority, every organisation."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from covenant.access import roles
from covenant.authorities.forms import LocalOfferForm
from covenant.authorities.operations import set_local_offer_url
from covenant.coordinator import bp
from covenant.coordinator.operations import (
    OversightRefused,
    last_nudges,
    nudge,
    reinstate,
    suspend,
    without_live_pledge,
)
from covenant.extensions import db
from covenant.models import LocalAuthority, Organisation, Pledge, User
from covenant.pagination import govuk_pagination, paginate, requested_page
from covenant.pledges.forms import ConfirmForm, ReasonForm
from covenant.sqltypes import utcnow
from covenant.vocab import Role

PER_PAGE = 50


@bp.route("/")
@roles(Role.COORDINATOR)
def dashboard() -> str:
    counts = {
        "organisations": db.session.scalar(select(func.count(Organisation.id))),
        "authorities": db.session.scalar(select(func.count(LocalAuthority.id))),
        "authorities_with_manager": db.session.scalar(
            select(func.count(func.distinct(User.local_authority_id))).where(
                User.role == Role.AUTHORITY_MANAGER
            )
        ),
    }
    return render_template("coordinator/dashboard.html", counts=counts)


@bp.route("/authorities")
@roles(Role.COORDINATOR)
def authorities() -> str:
    query = select(LocalAuthority).order_by(LocalAuthority.name)
    page = paginate(query, PER_PAGE)
    managers = dict(
        db.session.execute(
            select(User.local_authority_id, func.count(User.id))
            .where(User.role == Role.AUTHORITY_MANAGER)
            .where(User.local_authority_id.in_([authority.id for authority in page.items]))
            .group_by(User.local_authority_id)
        ).all()
    )
    return render_template(
        "coordinator/authorities.html",
        page=page,
        managers=managers,
        pagination=govuk_pagination(page, "coordinator.authorities"),
    )


@bp.route("/authorities/<int:authority_id>/local-offer", methods=["GET", "POST"])
@roles(Role.COORDINATOR)
def local_offer(authority_id: int) -> Response | tuple[str, int]:
    authority = db.session.get(LocalAuthority, authority_id) or abort(404)
    form = LocalOfferForm(obj=authority)
    if form.validate_on_submit():
        if set_local_offer_url(authority, form.local_offer_url.data, current_user):
            db.session.commit()
        flash(f"The local offer link for {authority.name} has been saved", "success")
        return redirect(url_for("coordinator.authorities"))
    return render_template(
        "authorities/local_offer.html",
        form=form,
        authority=authority,
        back=url_for("coordinator.authorities"),
    ), 400 if form.errors else 200


@bp.route("/organisations")
@roles(Role.COORDINATOR)
def organisations() -> str:
    query = select(Organisation).order_by(Organisation.name, Organisation.id)
    page = paginate(query, PER_PAGE)
    return render_template(
        "coordinator/organisations.html",
        page=page,
        pagination=govuk_pagination(page, "coordinator.organisations"),
    )


@bp.route("/organisations/<int:organisation_id>", methods=["GET", "POST"])
@roles(Role.COORDINATOR)
def organisation(organisation_id: int) -> Response | tuple[str, int]:
    organisation = db.session.get(Organisation, organisation_id) or abort(404)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            if organisation.is_suspended:
                reinstate(organisation, current_user, form.reason.data or "")
                message = f"{organisation.name} is reinstated. Its live pledges are visible again"
            else:
                suspend(organisation, current_user, form.reason.data or "")
                message = f"{organisation.name} is suspended. Its pledges are hidden"
        except OversightRefused as refusal:
            form.error_on(form.reason, str(refusal))
        else:
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("coordinator.organisation", organisation_id=organisation.id))
    pledges = db.session.scalars(
        select(Pledge).where(Pledge.organisation_id == organisation.id).order_by(Pledge.updated_at.desc())
    ).all()
    admins = db.session.scalars(
        select(User).where(User.organisation_id == organisation.id).order_by(User.name)
    ).all()
    return render_template(
        "coordinator/organisation.html", organisation=organisation, pledges=pledges, people=admins, form=form
    ), 400 if form.errors else 200


@bp.route("/signatories-without-pledges")
@roles(Role.COORDINATOR)
def without_pledges() -> str:
    page = paginate(without_live_pledge(), PER_PAGE)
    return render_template(
        "coordinator/without_pledges.html",
        page=page,
        nudged=last_nudges([organisation.id for organisation in page.items]),
        now=utcnow(),
        pagination=govuk_pagination(page, "coordinator.without_pledges"),
        form=ConfirmForm(),
    )


@bp.route("/organisations/<int:organisation_id>/nudge", methods=["POST"])
@roles(Role.COORDINATOR)
def nudge_organisation(organisation_id: int) -> Response:
    organisation = db.session.get(Organisation, organisation_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        sent = nudge(organisation, current_user)
    except OversightRefused as refusal:
        flash(str(refusal), "info")
    else:
        db.session.commit()
        flash(
            f"We have emailed a reminder to {sent} admin{'s' if sent != 1 else ''} at {organisation.name}",
            "success",
        )
    return redirect(url_for("coordinator.without_pledges", page=requested_page()))
