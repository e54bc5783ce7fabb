"""Error pages in GOV.UK style, for every error a user can run into."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from covenant.extensions import db

ERROR_PAGES = {
    400: "error/400.html",
    403: "error/403.html",
    404: "error/404.html",
    405: "error/404.html",
    409: "error/409.html",
    413: "error/413.html",
    429: "error/429.html",
    500: "error/500.html",
}


def _render(code: int):
    if request.path.startswith("/healthz") or request.accept_mimetypes.best == "application/json":
        return jsonify({"error": code}), code
    return render_template(ERROR_PAGES.get(code, "error/500.html"), code=code), code


def init_errors(app: Flask) -> None:
    """Register handlers so no user sees a stack trace or a bare Werkzeug page."""

    @app.errorhandler(CSRFError)
    def csrf_failed(error: CSRFError):
        return render_template("error/session_expired.html"), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        if code >= 500:
            db.session.rollback()
        return _render(code if code in ERROR_PAGES else (500 if code >= 500 else 400))

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        if app.config.get("TESTING") and app.config.get("PROPAGATE_TEST_ERRORS", True):
            raise error
        return _render(InternalServerError.code)
