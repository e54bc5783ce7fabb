"""Referrals: advisers refer care leavers to pledges, organisations respond, and take-up is followed to the end."""

from flask import Blueprint

bp = Blueprint("referrals", __name__, template_folder="templates")

from covenant.referrals import views  # noqa: E402, F401 - registers the routes
