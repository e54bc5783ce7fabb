"""Development only: the outbox, with every email's links working, like mailcatcher.

Registered only when COVENANT_ENV is development (and in the tests): production never has these routes.
"""

from flask import Blueprint

bp = Blueprint("dev", __name__, url_prefix="/dev", template_folder="templates")

from covenant.dev import views  # noqa: E402, F401 - registers the routes
