"""The pieces every report page shares: the date range, charts and tables with their CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from typing import Any

from bs4 import BeautifulSoup
from flask import render_template_string
from sqlalchemy import Integer, literal, select, union_all
from werkzeug.datastructures import MultiDict

from covenant.reports import sql
from covenant.reports.charts import Series, bar_chart
from covenant.reports.periods import Period, PeriodChoice, read_period
from covenant.reports.tables import Rate, Report

TODAY = date(2026, 12, 3)


def period_from(**args: str | list[str]) -> tuple[list[str], Period | None]:
    form, period = read_period(MultiDict(args), today=TODAY)
    return [message for messages in form.errors.values() for message in messages], period


def test_the_last_12_months_is_the_default(app):
    with app.test_request_context():
        errors, period = period_from()
    assert errors == []
    assert period == Period(date(2025, 12, 4), TODAY, PeriodChoice.LAST_12_MONTHS)


def test_the_last_3_and_6_months_end_today(app):
    with app.test_request_context():
        assert period_from(period="3")[1] == Period(date(2026, 9, 4), TODAY, PeriodChoice.LAST_3_MONTHS)
        assert period_from(period="6")[1] == Period(date(2026, 6, 4), TODAY, PeriodChoice.LAST_6_MONTHS)


def test_chosen_dates_cover_whole_uk_days(app):
    with app.test_request_context():
        errors, period = period_from(
            period="custom", **{"from": ["1", "6", "2026"], "to": ["30", "6", "2026"]}
        )
    assert errors == []
    assert period is not None
    assert (period.start, period.end) == (date(2026, 6, 1), date(2026, 6, 30))
    # Midnight in the UK in summer is 11pm the evening before in UTC.
    assert period.start_at == datetime(2026, 5, 31, 23, tzinfo=UTC)
    assert period.end_before == datetime(2026, 6, 30, 23, tzinfo=UTC)
    assert period.label == "1 June 2026 to 30 June 2026"
    assert period.months == [date(2026, 6, 1)]
    assert period.query_args() == {"period": "custom", "from": ["1", "6", "2026"], "to": ["30", "6", "2026"]}


def test_chosen_dates_must_be_given_real_and_in_order(app):
    with app.test_request_context():
        assert period_from(period="custom")[0] == ["Enter the start date", "Enter the end date"]
        assert period_from(period="custom", **{"from": ["31", "2", "2026"], "to": ["", "3", "2026"]}) == (
            ["The start date must be a real date", "The end date must include a day"],
            None,
        )
        assert period_from(period="custom", **{"from": ["2", "3", "2026"], "to": ["1", "3", "2026"]})[0] == [
            "The end date must be the same as or after the start date"
        ]
        assert period_from(period="custom", **{"from": ["2", "3", "2026"], "to": ["1", "3", "2027"]})[0] == [
            "The end date must be today or in the past"
        ]
        assert period_from(period="custom", **{"from": ["2", "3", "1999"], "to": ["1", "3", "2026"]})[0] == [
            "The start date must be in or after 2000"
        ]
        assert period_from(period="every")[0] == ["Select one of the options shown"]


GOVUK_TABLE = """{% from "govuk_frontend_jinja/components/table/macro.html" import govukTable %}
{{ govukTable(params) }}"""
REPORT_TABLE = """{% from "reports/_macros.html" import report_table %}{{ report_table(report) }}"""


def markup(html: str) -> list[tuple[str, dict[str, Any], str]]:
    """Every element's name, attributes and own text, in order, whatever the white space between them."""
    return [
        (tag.name, dict(tag.attrs), "".join(tag.find_all(string=True, recursive=False)).strip())
        for tag in BeautifulSoup(html, "html.parser").find_all(True)
    ]


def test_a_report_table_is_a_govuk_table_and_its_csv_holds_the_same_figures(app):
    report = Report(
        name="by-organisation",
        caption="Take-up by organisation",
        headers=["Organisation", "Referred", "Accepted", "Acceptance rate"],
        rows=[["=HYPERLINK(1)", 1234, 2, Rate(2, 3)], ["Acme <b>", 0, 0, Rate(0, 0)]],
        numeric=[False, True, True, True],
    )
    texts = [["=HYPERLINK(1)", "1,234", "2", "66.7%"], ["Acme <b>", "0", "0", "–"]]
    # The same markup as GOV.UK Frontend's table component given the same figures.
    numeric = {"format": "numeric"}
    params = {
        "caption": "Take-up by organisation (table)",
        "captionClasses": "govuk-visually-hidden",
        "firstCellIsHeader": True,
        "head": [
            {"text": heading, **(numeric if index else {})} for index, heading in enumerate(report.headers)
        ],
        "rows": [
            [{"text": text, **(numeric if index else {})} for index, text in enumerate(row)] for row in texts
        ],
    }
    with app.test_request_context():
        ours = render_template_string(REPORT_TABLE, report=report)
        theirs = render_template_string(GOVUK_TABLE, params=params)
    assert markup(ours) == markup(theirs)
    assert [
        cell.get_text()
        for cell in BeautifulSoup(ours, "html.parser").select("tbody tr")[1].children
        if cell.name
    ] == texts[1]
    rows = list(csv.reader(io.StringIO(report.csv())))
    # A spreadsheet would run a cell starting with "=" as a formula: it is written as text.
    assert rows == [
        ["Organisation", "Referred", "Accepted", "Acceptance rate"],
        ["'=HYPERLINK(1)", "1,234", "2", "66.7%"],
        ["Acme <b>", "0", "0", "–"],
    ]


def test_a_chart_is_an_image_with_a_title_and_description_and_no_script_or_style():
    svg = bar_chart(
        "Take-up funnel",
        "5 referred, 3 accepted",
        ["Referred", "Accepted"],
        [Series("Care leavers", [5, 3])],
    )
    assert svg.startswith("<svg")
    assert 'role="img"' in svg
    assert "<title id=" in svg
    assert ">Take-up funnel</title>" in svg
    assert ">5 referred, 3 accepted</desc>" in svg
    for refused in ("<script", "<style", "style="):
        assert refused not in svg
    assert "#1d70b8" in svg  # GOV.UK blue bars


def test_medians_are_the_middle_value_or_the_mean_of_the_two_middle_ones(app):
    values = [(1, 4), (1, None), (1, 1), (1, 9), (2, 7), (2, 1), (2, 2), (2, 10), (3, None)]
    rows = union_all(
        *(select(literal(group).label("grp"), literal(value, Integer).label("v")) for group, value in values)
    )
    with app.app_context():
        # Group 3 has no values: it has no median rather than a median of nought.
        assert sql.grouped_medians_and_sizes(select(rows.subquery())) == {1: (4.0, 3), 2: (4.5, 4)}
        assert sql.median_and_count(select(literal(5, Integer)).where(literal(False))) == (None, 0)
