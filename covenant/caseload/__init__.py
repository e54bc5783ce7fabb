"""Caseloads: the care leavers a local authority supports, each on one personal adviser's caseload."""

from flask import Blueprint

bp = Blueprint("caseload", __name__, url_prefix="/caseload", template_folder="templates")

from covenant.caseload import views  # noqa: E402, F401 - registers the routes
