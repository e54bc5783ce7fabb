"""Care leavers' own accounts: what is suggested for them and why, their referrals, and their say."""

from flask import Blueprint

bp = Blueprint("care_leavers", __name__, template_folder="templates")

from covenant.care_leavers import views  # noqa: E402, F401 - registers the routes
