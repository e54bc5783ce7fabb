"""Local authorities: their home page and their published local offer for care leavers."""

from flask import Blueprint

bp = Blueprint("authorities", __name__, template_folder="templates")

from covenant.authorities import views  # noqa: E402, F401 - registers the routes
