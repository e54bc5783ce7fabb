"""The public statistics at /statistics and the coordinators' report of where offers are needed."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask.testing import FlaskClient

from covenant.clock import utcnow
from covenant.extensions import db
from covenant.models import CareLeaverStatistic, LocalAuthority, Pledge, PostcodeDistrict, User
from covenant.statistics.importer import AGED_19_TO_21, NEET
from covenant.vocab import OutcomeArea, PledgeStatus, Reach, ReferralStatus, Region, Role
from tests.conftest import ClientRequest, error_summary, normalise

LEEDS, CAMDEN, CORNWALL, BRADFORD = "E08000035", "E09000007", "E06000052", "E08000032"
ISLINGTON = "E09000019"


def table_rows(page: BeautifulSoup, caption_start: str) -> list[list[str]]:
    """The rows (heading row first) of the table whose caption starts with `caption_start`."""
    for table in page.select("table"):
        caption = table.select_one("caption")
        if caption is not None and normalise(caption.get_text()).startswith(caption_start):
            return [
                [normalise(cell.get_text()) for cell in row.select("th, td")] for row in table.select("tr")
            ]
    raise AssertionError(f"no table captioned {caption_start!r}")


def csv_rows(client: FlaskClient, url: str) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def csv_link(page: BeautifulSoup, report: str) -> str:
    for link in page.select("a[download]"):
        href = str(link["href"])
        if f"/{report}.csv" in href:
            return href
    raise AssertionError(f"no CSV link for {report}")


@pytest.fixture
def starts(
    make_care_leaver: Callable[..., Any],
    make_pledge: Callable[..., Pledge],
    make_referral: Callable[..., Any],
    make_user: Callable[..., User],
    authority: Callable[[str], LocalAuthority],
) -> Callable[[str, int, list[OutcomeArea]], None]:
    """Record `number` care leavers of an authority starting a pledge in some outcome areas, a month ago."""

    def start(code: str, number: int, areas: list[OutcomeArea]) -> None:
        adviser = make_user(Role.PERSONAL_ADVISER, local_authority=authority(code))
        pledge = make_pledge(outcome_areas=areas, places_unlimited=True, places=None)
        when = utcnow() - timedelta(days=30)
        for _ in range(number):
            # Its history: one move, into "started", a month ago.
            make_referral(make_care_leaver(adviser=adviser), pledge, ReferralStatus.STARTED, created_at=when)
        db.session.flush()

    return start


def test_the_public_statistics_need_no_sign_in_and_hide_small_numbers(
    client_request: ClientRequest, client: FlaskClient, starts: Callable[..., None]
) -> None:
    starts(LEEDS, 7, [OutcomeArea.EDUCATION_EMPLOYMENT])
    starts(LEEDS, 3, [OutcomeArea.HEALTH])
    starts(CAMDEN, 6, [OutcomeArea.EDUCATION_EMPLOYMENT])
    starts(CAMDEN, 8, [OutcomeArea.HEALTH])

    page = client_request.get("statistics.index")

    headline = table_rows(page, "Headline figures")
    assert ["Opportunities started by care leavers", "24"] in headline
    take_up = table_rows(page, "Opportunities started by region and outcome area")
    heading = take_up[0]
    assert heading[0] == "Region"
    assert heading[-1] == "All outcome areas"
    education = heading.index("Education, employment and training")
    health = heading.index("Mental and physical health")
    yorkshire = next(row for row in take_up if row[0] == "Yorkshire and the Humber")
    london = next(row for row in take_up if row[0] == "London")
    england = take_up[-1]
    # Leeds's 3 is fewer than 5; its row total and the column would give it away, so a second cell is hidden
    # in its row (the 7) and in its column (London's 8), and London's row then hides its 6.
    assert yorkshire[health] == "fewer than 5"
    assert yorkshire[education] == "[c]"
    assert yorkshire[-1] == "10"
    assert london[health] == "[c]"
    assert london[education] == "[c]"
    assert england[education] == "13"
    assert england[health] == "11"
    assert england[-1] == "24"
    assert "3" not in yorkshire
    assert "7" not in yorkshire
    charts = page.select("svg[role=img]")
    assert len(charts) == 2
    for chart in charts:
        assert chart.select_one("title") is not None
        assert chart.select_one("desc") is not None


def test_the_public_csv_files_hold_exactly_the_tables_figures(
    client_request: ClientRequest, client: FlaskClient, starts: Callable[..., None]
) -> None:
    starts(LEEDS, 2, [OutcomeArea.FINANCE])
    starts(CORNWALL, 9, [OutcomeArea.FINANCE, OutcomeArea.INDEPENDENT_LIVING])

    page = client_request.get_url("/statistics/?period=6")

    for report, caption in (("headline", "Headline figures"), ("take-up", "Opportunities started by region")):
        link = csv_link(page, report)
        assert "period=6" in link
        assert csv_rows(client, link) == table_rows(page, caption)


def test_a_date_range_that_cannot_be_read_is_a_400_with_an_error_summary(
    client_request: ClientRequest,
) -> None:
    page = client_request.get_url(
        "/statistics/?period=custom&from=31&from=2&from=2026&to=1&to=1&to=2026", _expected_status=400
    )
    assert error_summary(page)
    assert page.title is not None
    assert page.title.get_text().startswith("Error: ")


def test_the_public_page_names_no_organisation(
    client_request: ClientRequest, starts: Callable[..., None]
) -> None:
    starts(LEEDS, 6, [OutcomeArea.EDUCATION_EMPLOYMENT])
    page = client_request.get("statistics.index")
    assert "Test Organisation" not in page.get_text()


def neet_figure(code: str, count: int | None, period: str = "2024") -> None:
    db.session.add(
        CareLeaverStatistic(
            authority_code=code,
            period=period,
            age_band=AGED_19_TO_21,
            activity=NEET,
            count=count,
            source_file="test.csv",
        )
    )


def test_the_needs_report_ranks_authorities_by_young_people_out_of_work_beyond_the_places_near_them(
    client_request: ClientRequest,
    client: FlaskClient,
    make_user: Callable[..., User],
    make_pledge: Callable[..., Pledge],
    authority: Callable[[str], LocalAuthority],
) -> None:
    neet_figure(LEEDS, 120)
    neet_figure(CAMDEN, 90)
    neet_figure(CORNWALL, None)  # DfE suppressed it
    neet_figure(LEEDS, 5, period="2023")  # an older year is not read
    # Postcode district centres: in Leeds, in Islington (2 miles from Camden's centre), in Bradford (14 miles from
    # Leeds's centre) and in Camden.
    for code, latitude, longitude in (
        ("LS1", 53.7965, -1.5478),
        ("N1", 51.5390, -0.0990),
        ("BD1", 53.7940, -1.7520),
        ("NW1", 51.5347, -0.1426),
    ):
        db.session.add(PostcodeDistrict(code=code, latitude=latitude, longitude=longitude))
    local = {"reach": Reach.LOCAL_AUTHORITIES}
    # Near Leeds: 40 places in LS1. Near Camden: 30 in N1, 10 in a regional pledge in NW1 (7 of them taken),
    # and one with no limit.
    make_pledge(**local, local_authorities=[authority(LEEDS)], postcode_district="LS1", places=40)
    make_pledge(**local, local_authorities=[authority(ISLINGTON)], postcode_district="N1", places=30)
    make_pledge(
        reach=Reach.REGIONS, regions=[Region.LONDON], postcode_district="NW1", places=10, places_taken=7
    )
    make_pledge(
        **local,
        local_authorities=[authority(CAMDEN)],
        postcode_district="NW1",
        places=None,
        places_unlimited=True,
    )
    # Not counted: no help with education, employment or training; too far; national; a draft; closed.
    make_pledge(
        **local,
        local_authorities=[authority(LEEDS)],
        postcode_district="LS1",
        places=50,
        outcome_areas=[OutcomeArea.HEALTH],
    )
    make_pledge(**local, local_authorities=[authority(BRADFORD)], postcode_district="BD1", places=30)
    make_pledge(reach=Reach.NATIONAL, places=70)
    make_pledge(
        PledgeStatus.DRAFT, **local, local_authorities=[authority(CAMDEN)], postcode_district="NW1", places=80
    )
    make_pledge(
        PledgeStatus.CLOSED,
        **local,
        local_authorities=[authority(CAMDEN)],
        postcode_district="NW1",
        places=80,
    )
    client_request.login(make_user(Role.COORDINATOR))

    page = client_request.get("statistics.needs")

    rows = table_rows(page, "Where offers are needed")
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Leeds"][2:6] == ["120", "40", "0", "80"]
    assert by_name["Camden"][2:6] == ["90", "33", "1", "57"]
    assert by_name["Cornwall"][2] == "not published"
    names = [row[0] for row in rows[1:]]
    assert names[0] == "Leeds"
    assert names.index("Leeds") < names.index("Camden") < names.index("Cornwall")
    chart = page.select_one("svg[role=img]")
    assert chart is not None
    assert "Leeds" in chart.get_text()
    assert "Camden" in chart.get_text()
    assert csv_rows(client, csv_link(page, "needs")) == rows


def test_only_coordinators_see_the_needs_report(
    client_request: ClientRequest, make_user: Callable[..., User]
) -> None:
    client_request.get("statistics.needs", _expected_status=302)
    client_request.login(make_user(Role.AUTHORITY_MANAGER))
    client_request.get("statistics.needs", _expected_status=403, _test_page_title=False)
    client_request.get("statistics.needs_csv", _expected_status=403, _test_page_title=False)
