"""An authority's home page and its local offer link."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from covenant.access import roles
from covenant.authorities import bp
from covenant.authorities.forms import LocalOfferForm
from covenant.authorities.operations import set_local_offer_url
from covenant.extensions import db
from covenant.vocab import Role


@bp.route("/authority")
@roles(Role.PERSONAL_ADVISER, Role.AUTHORITY_MANAGER)
def dashboard() -> str:
    return render_template("authorities/dashboard.html", authority=current_user.local_authority)


@bp.route("/authority/local-offer", methods=["GET", "POST"])
@roles(Role.AUTHORITY_MANAGER)
def local_offer() -> Response | tuple[str, int]:
    authority = current_user.local_authority
    form = LocalOfferForm(obj=authority)
    if form.validate_on_submit():
        if set_local_offer_url(authority, form.local_offer_url.data, current_user):
            db.session.commit()
        flash("The local offer link has been saved", "success")
        return redirect(url_for("authorities.dashboard"))
    return render_template(
        "authorities/local_offer.html",
        form=form,
        authority=authority,
        back=url_for("authorities.dashboard"),
    ), 400 if form.errors else 200
