"""Reports: take-up dashboards for local authorities, organisations and the covenant's coordinators.

Shared pieces for any report page: `periods` (the date range from GET parameters), `charts` (server-drawn SVG)
and `tables` (a `Report` of figures shown as a GOV.UK table and downloaded as CSV).
"""

from flask import Blueprint

bp = Blueprint("reports", __name__, template_folder="templates", url_prefix="/reports")

from covenant.reports import views  # noqa: E402, F401 - registers the routes
