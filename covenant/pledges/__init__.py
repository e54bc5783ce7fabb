"""Pledges: organisations write, submit, pause, close and copy their offers to care leavers."""

from flask import Blueprint

bp = Blueprint("pledges", __name__, url_prefix="/pledges", template_folder="templates")

from covenant.pledges import views  # noqa: E402, F401 - registers the routes
