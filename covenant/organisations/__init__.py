"""Organisations: signing up to the covenant and the organisation's home page."""

from flask import Blueprint

bp = Blueprint("organisations", __name__, template_folder="templates")

from covenant.organisations import views  # noqa: E402, F401 - registers the routes
