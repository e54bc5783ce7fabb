"""Covenant: the Care Leaver Covenant pledge registry."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from covenant.config import Config, config_class_from_environment, finalise
from covenant.unit_of_work import CovenantFlask

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config_class: type[Config] | None = None, **overrides: object) -> Flask:
    """Build the Flask app from a settings class (chosen by COVENANT_ENV when not given)."""
    instance_path = os.environ.get("COVENANT_INSTANCE_PATH", str(PROJECT_ROOT / "instance"))
    app = CovenantFlask(__name__, instance_path=instance_path, instance_relative_config=True)
    app.config.from_object((config_class or config_class_from_environment())())
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(overrides)
    finalise(app.config, app.instance_path)

    register_extensions(app)
    register_static_files(app)
    register_url_converters(app)
    register_blueprints(app)
    register_request_hooks(app)
    register_errors(app)
    register_commands(app)
    trusted_proxies = int(app.config.get("TRUSTED_PROXIES", 0))
    if trusted_proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=trusted_proxies, x_proto=trusted_proxies)  # type: ignore[method-assign]
    if not app.testing:
        from covenant.runtime import settle_garbage_collection

        settle_garbage_collection()  # the process now serves requests (`covenant/runtime.py` says why)
    return app


def register_extensions(app: Flask) -> None:
    """Bind the extensions and the GOV.UK template set-up to this app."""
    from flask_talisman import Talisman
    from govuk_frontend_wtf.main import WTFormsHelpers

    from covenant import database, models, unit_of_work  # noqa: F401 - engine events; every model on the metadata
    from covenant.extensions import compress, csrf, db, limiter, login_manager, migrate
    from covenant.opportunities import cache, freshness
    from covenant.opportunities.search import bits
    from covenant.reports import live, moves
    from covenant.templating import init_templating

    db.init_app(app)
    unit_of_work.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to see that page"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.extensions["talisman"] = Talisman(
        app,
        force_https=app.config["FORCE_HTTPS"],
        strict_transport_security=True,
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        content_security_policy={
            "default-src": "'self'",
            "script-src": "'self'",
            "style-src": "'self'",
            "img-src": "'self' data:",
            "font-src": "'self'",
            "connect-src": "'self'",
            "form-action": "'self'",
            "frame-ancestors": "'none'",
            "base-uri": "'self'",
            "object-src": "'none'",
        },
        content_security_policy_nonce_in=["script-src"],
    )
    compress.init_app(app)
    init_templating(app)
    WTFormsHelpers(app)
    cache.init_app(app)  # the search page's caches, this app's own
    freshness.init_app(app)  # every change to what a search reads renews the search token
    bits.init_app(app)  # a pledge's outcome areas and regions as bits on its row, for the search
    moves.init_app(app)  # each referral move recorded for the take-up reports as it is made
    live.init_app(app)  # live pledges counted by region and kind as they change, for the national report


def register_static_files(app: Flask) -> None:
    """WhiteNoise serves the built front end, under content-hashed names, before Flask sees the request."""
    from covenant.static_files import init_static_files

    init_static_files(app)


def register_url_converters(app: Flask) -> None:
    """Ids in URLs only match when the database could hold them (before any route is added)."""
    from covenant.database import RowIdConverter

    app.url_map.converters["int"] = RowIdConverter


def register_blueprints(app: Flask) -> None:
    """One blueprint per user-facing capability."""
    from covenant.alerts import bp as alerts_bp
    from covenant.auth import bp as auth_bp
    from covenant.authorities import bp as authorities_bp
    from covenant.care_leavers import bp as care_leavers_bp
    from covenant.caseload import bp as caseload_bp
    from covenant.coordinator import bp as coordinator_bp
    from covenant.main import bp as main_bp
    from covenant.opportunities import bp as opportunities_bp
    from covenant.organisations import bp as organisations_bp
    from covenant.pledges import bp as pledges_bp
    from covenant.referrals import bp as referrals_bp
    from covenant.reports import bp as reports_bp
    from covenant.review import bp as review_bp
    from covenant.statistics import bp as statistics_bp
    from covenant.team import bp as team_bp
    from covenant.two_factor import bp as two_factor_bp

    for blueprint in (
        main_bp,
        opportunities_bp,
        alerts_bp,
        auth_bp,
        organisations_bp,
        pledges_bp,
        review_bp,
        authorities_bp,
        caseload_bp,
        referrals_bp,
        care_leavers_bp,
        coordinator_bp,
        team_bp,
        reports_bp,
        two_factor_bp,
        statistics_bp,
    ):
        app.register_blueprint(blueprint)
    if app.config["ENVIRONMENT"] in ("development", "test"):
        from covenant.dev import bp as dev_bp

        app.register_blueprint(dev_bp)


def register_request_hooks(app: Flask) -> None:
    """Login by default, the user loader, and what every template may use."""
    from covenant.access import enforce_access, no_store_when_signed_in
    from covenant.auth.sessions import load_user
    from covenant.extensions import login_manager
    from covenant.navigation import template_context

    login_manager.user_loader(load_user)
    app.before_request(enforce_access)
    app.after_request(no_store_when_signed_in)
    app.context_processor(template_context)


def register_errors(app: Flask) -> None:
    """GOV.UK-style error pages for everything a user can run into."""
    from covenant.errors import init_errors

    init_errors(app)


def register_commands(app: Flask) -> None:
    """`flask` commands for operators and cron."""
    from covenant.cli import init_commands

    init_commands(app)
