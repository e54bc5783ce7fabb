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
from covenant.extensions import db
from covenant.models import LocalAuthority, Organisation, User
from covenant.pagination import govuk_pagination, requested_page
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
    page = db.paginate(query, page=requested_page(), per_page=PER_PAGE, error_out=False)
    managers = dict(
        db.session.execute(
            select(User.local_authority_id, func.count(User.id))
            .where(User.role == Role.AUTHORITY_MANAGER)
            .where(User.local_authority_id.in_([authority.id for authority in page.items]))
            .group_by(User.local_authority_id)
        ).tuples()
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
    page = db.paginate(query, page=requested_page(), per_page=PER_PAGE, error_out=False)
    return render_template(
        "coordinator/organisations.html",
        page=page,
        pagination=govuk_pagination(page, "coordinator.organisations"),
    )
