"""Coordinators review submitted pledges before they go live."""

from flask import Blueprint

bp = Blueprint("review", __name__, url_prefix="/review", template_folder="templates")

from covenant.review import views  # noqa: E402, F401 - registers the routes
