"""The covenant coordinators' pages: authorities and organisations across England."""

from flask import Blueprint

bp = Blueprint("coordinator", __name__, url_prefix="/coordinator", template_folder="templates")

from covenant.coordinator import views  # noqa: E402, F401 - registers the routes
