"""Start page, information pages, the home redirect and the health check."""

from __future__ import annotations

from flask import jsonify, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from covenant.access import public, signed_in
from covenant.extensions import db, talisman
from covenant.main import bp
from covenant.vocab import ORGANISATION_ROLES, Role


@bp.route("/")
@public
def index() -> str:
    return render_template("main/index.html")


@bp.route("/home")
@signed_in
def home() -> Response:
    """Send a signed-in person to the page for their role."""
    role = current_user.role
    if role in ORGANISATION_ROLES:
        return redirect(url_for("organisations.dashboard"))
    if role in (Role.PERSONAL_ADVISER, Role.AUTHORITY_MANAGER):
        return redirect(url_for("caseload.index"))
    if role == Role.COORDINATOR:
        return redirect(url_for("coordinator.dashboard"))
    if role == Role.CARE_LEAVER:
        return redirect(url_for("care_leavers.home"))
    return redirect(url_for("auth.account"))


@bp.route("/accessibility")
@public
def accessibility() -> str:
    return render_template("main/accessibility.html")


@bp.route("/privacy")
@public
def privacy() -> str:
    return render_template("main/privacy.html")


@bp.route("/cookies")
@public
def cookies() -> str:
    return render_template("main/cookies.html")


@bp.route("/healthz")
@public
@talisman(force_https=False)  # a load balancer probes over plain HTTP: it must see 200 or 503, not a redirect
def healthz() -> tuple[Response, int]:
    """For load balancers and monitoring: is the app up, and can it reach its database?"""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify({"status": "unavailable", "database": "unreachable"}), 503
    return jsonify({"status": "ok", "database": "ok"}), 200
