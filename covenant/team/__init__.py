"""Teams: inviting colleagues, and accepting an invitation."""

from flask import Blueprint

bp = Blueprint("team", __name__, template_folder="templates")

from covenant.team import views  # noqa: E402, F401 - registers the routes
