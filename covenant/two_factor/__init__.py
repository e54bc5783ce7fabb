"""Two-factor sign-in: setting up an authenticator app, entering its codes, recovery codes, emailed codes."""

from flask import Blueprint

bp = Blueprint("two_factor", __name__, template_folder="templates")

from covenant.two_factor import views  # noqa: E402, F401 - registers the routes
