"""The statistics pages: the public figures (anyone), and where offers are needed (coordinators). Each reads its
date range from GET parameters, renders its charts and tables, and gives the same figures as CSV."""

from __future__ import annotations

from flask import Response, abort, render_template, request, url_for

from covenant.access import public, roles
from covenant.reports.periods import Period, PeriodForm, read_period
from covenant.statistics import bp, figures
from covenant.statistics.disclosure import FEWER_THAN_5, HIDDEN, SMALLEST_SHOWN
from covenant.vocab import NEARBY_MILES, Role

PUBLIC_REPORTS = ("headline", "take-up")


def _period() -> tuple[PeriodForm, Period | None]:
    return read_period(request.args)


def _csv(text: str, name: str, period: Period) -> Response:
    filename = f"covenant-{name}-{period.start.isoformat()}-to-{period.end.isoformat()}.csv"
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/")
@public
def index() -> tuple[str, int]:
    form, period = _period()
    if period is None:
        return render_template("statistics/index.html", form=form, sections=[], period=None), 400
    return render_template(
        "statistics/index.html",
        form=form,
        period=period,
        sections=figures.public_statistics(period),
        fewer_than=FEWER_THAN_5,
        hidden=HIDDEN,
        smallest_shown=SMALLEST_SHOWN,
        csv_href=lambda name: url_for("statistics.download", name=name, **period.query_args()),
    ), 200


@bp.route("/<name>.csv")
@public
def download(name: str) -> Response:
    if name not in PUBLIC_REPORTS:
        abort(404)
    _, period = _period()
    if period is None:
        abort(400)
    for section in figures.public_statistics(period):
        if section.report.name == name:
            return _csv(section.report.csv(), name, period)
    abort(404)


@bp.route("/needs")
@roles(Role.COORDINATOR)
def needs() -> tuple[str, int]:
    form, period = _period()
    if period is None:
        return render_template("statistics/needs.html", form=form, section=None, period=None, year=None), 400
    section, year = figures.needs(period)
    return render_template(
        "statistics/needs.html",
        form=form,
        period=period,
        section=section,
        year=figures.year_label(year) if year else None,
        miles=NEARBY_MILES,
        csv_href=url_for("statistics.needs_csv", **period.query_args()),
    ), 200


@bp.route("/needs.csv")
@roles(Role.COORDINATOR)
def needs_csv() -> Response:
    _, period = _period()
    if period is None:
        abort(400)
    section, _ = figures.needs(period)
    return _csv(section.report.csv(), "needs", period)
