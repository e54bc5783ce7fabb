"""The report pages: thin views that read the date range, ask the dashboard modules for figures and render.

Each dashboard has a page and a CSV download per table (`<name>.csv`), both taking the same GET filters.
"""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from covenant import audit
from covenant.access import roles
from covenant.extensions import db
from covenant.models import LocalAuthority, Organisation
from covenant.reports import authority, bp, national, organisation
from covenant.reports.periods import Period, PeriodForm, read_period
from covenant.reports.tables import Report
from covenant.vocab import ORGANISATION_ROLES, Role

AUTHORITY_STAFF = (Role.PERSONAL_ADVISER, Role.AUTHORITY_MANAGER)
REPORT_ROLES = (*AUTHORITY_STAFF, *ORGANISATION_ROLES, Role.COORDINATOR)


@bp.route("")
@roles(*REPORT_ROLES)
def index() -> Response:
    """Send each person to the dashboard for what they look after."""
    if current_user.role in AUTHORITY_STAFF:
        target = url_for("reports.authority_dashboard", gss_code=current_user.local_authority.gss_code)
    elif current_user.role in ORGANISATION_ROLES:
        target = url_for("reports.organisation_dashboard", organisation_id=current_user.organisation_id)
    else:
        target = url_for("reports.national_dashboard")
    return redirect(target)


def _period() -> tuple[PeriodForm, Period | None]:
    return read_period(request.args)


def _csv(report: Report, prefix: str) -> Response:
    return Response(
        report.csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{prefix}-{report.name}.csv"'},
    )


def _page(template: str, form: PeriodForm, period: Period | None, **context: Any) -> tuple[str, int]:
    return render_template(template, form=form, period=period, **context), 200 if period else 400


def _own_authority(gss_code: str) -> LocalAuthority:
    """The authority in the address, which must be the signed-in adviser's or manager's own."""
    found = db.session.scalars(select(LocalAuthority).where(LocalAuthority.gss_code == gss_code)).first()
    if found is None:
        abort(404)
    if found.id != current_user.local_authority_id:
        abort(403)
    return found


@bp.route("/authority/<gss_code>")
@roles(*AUTHORITY_STAFF)
def authority_dashboard(gss_code: str) -> tuple[str, int]:
    """Take-up of the authority's care leavers (an adviser's: their own caseload's)."""
    scope = authority.Scope.for_user(_own_authority(gss_code), current_user)
    form, period = _period()
    board = authority.dashboard(scope, period) if period else None
    if board is not None:
        audit.record_list_read("caseload_viewed", scope.authority, current_user, board.care_leaver_ids)
    return _page("reports/authority.html", form, period, scope=scope, board=board)


@bp.route("/authority/<gss_code>/<name>.csv")
@roles(*AUTHORITY_STAFF)
def authority_csv(gss_code: str, name: str) -> Response:
    scope = authority.Scope.for_user(_own_authority(gss_code), current_user)
    if name not in authority.BUILDERS:
        abort(404)
    form, period = _period()
    if period is None:
        abort(400)
    board = authority.dashboard(scope, period, only=name)
    audit.record_list_read("caseload_viewed", scope.authority, current_user, board.care_leaver_ids)
    return _csv(board.reports[name], f"take-up-{gss_code}")


def _organisation(organisation_id: int) -> Organisation:
    """The organisation in the address: an organisation's own people, or a coordinator, may see it."""
    found = db.session.get(Organisation, organisation_id)
    if found is None:
        abort(404)
    if current_user.role != Role.COORDINATOR and current_user.organisation_id != found.id:
        abort(403)
    return found


@bp.route("/organisation/<int:organisation_id>")
@roles(*ORGANISATION_ROLES, Role.COORDINATOR)
def organisation_dashboard(organisation_id: int) -> tuple[str, int]:
    """An organisation's pledges: places filled, referrals, replies, outcomes and what care leavers said."""
    found = _organisation(organisation_id)
    form, period = _period()
    board = organisation.dashboard(found, period) if period else None
    return _page("reports/organisation.html", form, period, organisation=found, board=board)


@bp.route("/organisation/<int:organisation_id>/<name>.csv")
@roles(*ORGANISATION_ROLES, Role.COORDINATOR)
def organisation_csv(organisation_id: int, name: str) -> Response:
    found = _organisation(organisation_id)
    if name not in organisation.BUILDERS:
        abort(404)
    form, period = _period()
    if period is None:
        abort(400)
    board = organisation.dashboard(found, period, only=name)
    return _csv(board.reports[name], f"organisation-{found.id}")


@bp.route("/national")
@roles(Role.COORDINATOR)
def national_dashboard() -> tuple[str, int]:
    """The whole covenant: signatories, pledges, take-up, and what needs chasing."""
    form, period = _period()
    board = national.dashboard(period) if period else None
    return _page("reports/national.html", form, period, board=board)


@bp.route("/national/<name>.csv")
@roles(Role.COORDINATOR)
def national_csv(name: str) -> Response:
    if name not in national.BUILDERS:
        abort(404)
    form, period = _period()
    if period is None:
        abort(400)
    board = national.dashboard(period, only=name)
    return _csv(board.reports[name], "national")
