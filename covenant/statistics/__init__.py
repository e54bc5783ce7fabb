"""Statistics: the public figures at /statistics, with small numbers suppressed, and the coordinators' report
of where offers are needed (DfE's care leavers not in education, employment or training beside the places near
them)."""

from flask import Blueprint

bp = Blueprint("statistics", __name__, url_prefix="/statistics", template_folder="templates")

from covenant.statistics import views  # noqa: E402, F401 - registers the routes
