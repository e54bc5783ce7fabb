"""Signing in and out, password resets, email confirmation and account settings."""

from flask import Blueprint

bp = Blueprint("auth", __name__, template_folder="templates")

from covenant.auth import views  # noqa: E402, F401 - registers the routes
