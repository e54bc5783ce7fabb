"""The start page, information pages and the health check."""

from flask import Blueprint

bp = Blueprint("main", __name__, template_folder="templates")

from covenant.main import views  # noqa: E402, F401 - registers the routes
