"""Finding opportunities: public browsing and search of published pledges."""

from flask import Blueprint

bp = Blueprint("opportunities", __name__, url_prefix="/opportunities", template_folder="templates")


from covenant.opportunities import views  # noqa: E402, F401 - registers the routes
