"""Saved searches: keeping a search, and emails of new opportunities that match it."""

from flask import Blueprint

bp = Blueprint("alerts", __name__, url_prefix="/alerts", template_folder="templates")

from covenant.alerts import views  # noqa: E402, F401 - registers the routes
