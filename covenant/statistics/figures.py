"""The statistics pages' reports: figures from `queries`, protected by `disclosure` where the public sees them,
as `Report` tables (shown as GOV.UK tables and downloaded as CSV, the same text in both) and charts."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from covenant.clock import uk_today
from covenant.reports.charts import Series, bar_chart
from covenant.reports.periods import Period
from covenant.reports.tables import Report
from covenant.statistics import queries
from covenant.statistics.disclosure import Figure, protect, protect_table
from covenant.vocab import NEARBY_MILES, OutcomeArea, Region

#: How many authorities the needs chart draws (the table has them all).
CHART_AUTHORITIES = 15
NOT_PUBLISHED = "not published"


@dataclass(frozen=True)
class Section:
    """One report on a page: its figures and the chart of them."""

    report: Report
    chart: Markup | None = None


def _drawn(figure: Figure) -> int | None:
    """A protected figure as a chart draws it: not at all when it is hidden."""
    return None if figure.suppressed else figure.value


def public_statistics(period: Period) -> list[Section]:
    """The headline figures and take-up by region and outcome area, small numbers suppressed."""
    today = uk_today()
    counts = queries.headline(period, today)
    headline_figures = [
        ("Referrals made", protect(counts.referrals)),
        ("Opportunities started by care leavers", protect(counts.starts)),
        ("Opportunities completed", protect(counts.completions)),
        ("Live opportunities today", protect(counts.live_pledges)),
        ("Organisations offering them", protect(counts.organisations)),
    ]
    headline = Report(
        name="headline",
        caption=f"Headline figures, {period.label}",
        headers=["Figure", "Number"],
        rows=[[label, figure.shown] for label, figure in headline_figures],
        numeric=[False, True],
    )
    headline_chart = bar_chart(
        "Referrals, starts and completions",
        f"Bar chart of referrals made ({headline_figures[0][1].shown}), opportunities started "
        f"({headline_figures[1][1].shown}) and completed ({headline_figures[2][1].shown}) "
        f"from {period.label}.",
        [label for label, _ in headline_figures[:3]],
        [Series("Number", [_drawn(figure) for _, figure in headline_figures[:3]])],
    )

    starts = queries.starts_by_region_and_area(period)
    regions, areas = list(Region), list(OutcomeArea)
    table = protect_table([[starts.get((region, area), 0) for area in areas] for region in regions])
    rows: list[list[str]] = [
        [region.label, *(cell.shown for cell in cells), total.shown]
        for region, cells, total in zip(regions, table.cells, table.row_totals, strict=True)
    ]
    rows.append(["England", *(total.shown for total in table.column_totals), table.grand_total.shown])
    take_up = Report(
        name="take-up",
        caption=f"Opportunities started by region and outcome area, {period.label}",
        headers=["Region", *(area.label for area in areas), "All outcome areas"],
        rows=rows,
        numeric=[False, *([True] * (len(areas) + 1))],
    )
    hidden = [
        region.label for region, total in zip(regions, table.row_totals, strict=True) if total.suppressed
    ]
    take_up_chart = bar_chart(
        "Opportunities started, by region",
        "Bar chart of opportunities started by care leavers in each region from "
        f"{period.label}, counted under each outcome area of the opportunity. "
        + (f"Not drawn, because the number is small or hidden: {', '.join(hidden)}. " if hidden else "")
        + "The same figures are in the table.",
        [region.label for region in regions],
        [Series("Opportunities started", [_drawn(total) for total in table.row_totals])],
    )
    return [Section(headline, headline_chart), Section(take_up, take_up_chart)]


def needs(period: Period) -> tuple[Section, str | None]:
    """The needs report: every authority's care leavers not in education, employment or training beside the live
    places near it, the biggest gap first; and the year of DfE's figures (None when none are imported)."""
    year = queries.latest_neet_period()
    rows = queries.needs_by_authority(period.start_at, period.end_before, uk_today())
    dfe = f"Care leavers aged 19 to 21 not in education, employment or training ({year_label(year)})"
    report = Report(
        name="needs",
        caption=f"Where offers are needed: referrals from {period.label}",
        headers=[
            "Local authority",
            "Region",
            dfe,
            f"Places left within {NEARBY_MILES} miles",
            "Opportunities with no limit on places",
            "Gap",
            "Referrals made",
        ],
        rows=[
            [
                need.name,
                need.region.label,
                NOT_PUBLISHED if need.not_in_work is None else need.not_in_work,
                need.places,
                need.unlimited,
                need.gap,
                need.referrals,
            ]
            for need in rows
        ],
        numeric=[False, False, True, True, True, True, True],
        empty="There are no local authorities yet: run flask load-authorities.",
    )
    top = [need for need in rows if need.gap is not None][:CHART_AUTHORITIES]
    chart = None
    if top:
        chart = bar_chart(
            f"The {len(top)} authorities with the biggest gap",
            f"Bar chart of the {len(top)} local authorities with the most care leavers aged 19 to 21 not in "
            f"education, employment or training ({year_label(year)}) beyond the places left on live "
            f"opportunities within {NEARBY_MILES} miles, biggest gap first: "
            + "; ".join(f"{need.name} {need.not_in_work} and {need.places} places" for need in top)
            + ".",
            [need.name for need in top],
            [
                Series("Not in education, employment or training", [need.not_in_work for need in top]),
                Series(f"Places left within {NEARBY_MILES} miles", [need.places for need in top]),
            ],
        )
    return Section(report, chart), year


def year_label(period: str | None) -> str:
    """DfE's time period as words: 2024, or 2023 to 2024 for 202324."""
    if period is None:
        return "no figures imported"
    if len(period) == 6:
        return f"{period[:4]} to {period[:2]}{period[4:]}"
    return f"year to 31 March {period}"
