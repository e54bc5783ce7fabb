"""Take-up dashboards, checked figure by figure against a known history of referrals.

The history runs from June to September 2026 (British Summer Time, so UTC and UK dates agree at 10am) and
includes the summer bank holiday (Monday 31 August 2026), so working days are counted as `covenant.clock`
counts them. Lists that depend on today (referrals waiting, care leavers with no recent referral) are checked
against today's date.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask import url_for
from sqlalchemy import func, select

from covenant.clock import uk_today, utcnow, working_days_between
from covenant.extensions import db
from covenant.models import AuditEvent, ReferralEvent, ReferralFeedback, SustainmentCheck
from covenant.models.referral import Referral
from covenant.reports import national_lists
from covenant.reports.periods import Period
from covenant.review.deadlines import decision_due, is_overdue, waiting_for_review
from covenant.vocab import OutcomeArea, PledgeKind, PledgeStatus, ReferralStatus, Region, Role
from tests.conftest import error_summary, referral_moved

LEEDS, BRADFORD = "E08000035", "E08000032"
SUMMER = {"period": "custom", "from": ["1", "6", "2026"], "to": ["30", "9", "2026"]}
S = ReferralStatus


def at(day: str) -> datetime:
    """10am UTC (11am in the UK in summer) on an ISO day."""
    return datetime.fromisoformat(day).replace(hour=10, tzinfo=UTC)


class History:
    """The known history every test here reads."""

    def __init__(self, make_user, make_organisation, make_pledge, make_care_leaver, authority) -> None:
        leeds, bradford = authority(LEEDS), authority(BRADFORD)
        self.manager = make_user(Role.AUTHORITY_MANAGER, local_authority=leeds)
        self.adviser = make_user(Role.PERSONAL_ADVISER, local_authority=leeds, name="Alex Adviser")
        self.other_adviser = make_user(Role.PERSONAL_ADVISER, local_authority=leeds, name="Bo Adviser")
        self.bradford_manager = make_user(Role.AUTHORITY_MANAGER, local_authority=bradford)
        bradford_adviser = make_user(Role.PERSONAL_ADVISER, local_authority=bradford)
        self.coordinator = make_user(Role.COORDINATOR)
        self.acme = make_organisation(name="Acme Trains", region=Region.YORKSHIRE)
        self.bright = make_organisation(name="Bright Futures", region=Region.LONDON)
        self.quiet = make_organisation(name="Quiet Ltd", region=Region.NORTH_EAST)
        self.acme_admin = make_user(Role.ORGANISATION_ADMIN, organisation=self.acme)
        published = at("2026-01-05")
        self.job = make_pledge(
            organisation=self.acme,
            title="A rail engineer job",
            kind=PledgeKind.JOB,
            places=3,
            published_at=published,
        )
        self.mentoring = make_pledge(
            organisation=self.acme,
            title="Mentoring with Acme",
            kind=PledgeKind.MENTORING,
            places=2,
            outcome_areas=[OutcomeArea.INDEPENDENT_LIVING, OutcomeArea.HEALTH],
            published_at=published,
        )
        self.apprenticeship = make_pledge(
            organisation=self.bright,
            title="Bright apprenticeship",
            kind=PledgeKind.APPRENTICESHIP,
            places=5,
            published_at=published,
        )
        self.submitted = make_pledge(
            PledgeStatus.SUBMITTED,
            organisation=self.bright,
            title="Housing help",
            kind=PledgeKind.HOUSING,
            submitted_at=at("2026-11-02"),
        )
        long_ago = at("2026-01-01")
        self.c1 = make_care_leaver(self.adviser, reference="LDS-1", first_name="Ash", created_at=long_ago)
        self.c2 = make_care_leaver(self.adviser, reference="LDS-2", first_name="Ben", created_at=long_ago)
        self.c3 = make_care_leaver(
            self.other_adviser, reference="LDS-3", first_name="Cal", created_at=long_ago
        )
        self.c4 = make_care_leaver(
            self.other_adviser, reference="LDS-4", first_name="Dee", created_at=long_ago
        )
        self.c5 = make_care_leaver(bradford_adviser, reference="BRD-5", first_name="Eve", created_at=long_ago)
        self.r1 = self.refer(
            self.c1,
            self.job,
            ("2026-06-01", S.REFERRED),
            ("2026-06-04", S.ACCEPTED),
            ("2026-06-15", S.STARTED),
        )
        self.r2 = self.refer(self.c2, self.job, ("2026-07-06", S.REFERRED), ("2026-07-14", S.DECLINED))
        self.r3 = self.refer(
            self.c3,
            self.mentoring,
            ("2026-07-01", S.REFERRED),
            ("2026-07-03", S.ACCEPTED),
            ("2026-07-06", S.STARTED),
            ("2026-07-31", S.COMPLETED),
        )
        self.r4 = self.refer(self.c1, self.apprenticeship, ("2026-09-01", S.REFERRED))
        self.r5 = self.refer(
            self.c5,
            self.job,
            ("2026-06-02", S.REFERRED),
            ("2026-06-05", S.ACCEPTED),
            ("2026-06-08", S.STARTED),
        )
        # Across the summer bank holiday: Friday 28 August to Wednesday 2 September is 2 working days.
        self.r6 = self.refer(
            self.c3, self.apprenticeship, ("2026-08-28", S.REFERRED), ("2026-09-02", S.ACCEPTED)
        )
        # Before the period: counted nowhere in it.
        self.refer(self.c2, self.mentoring, ("2026-03-02", S.REFERRED), ("2026-03-03", S.WITHDRAWN))
        self.job.places_taken, self.mentoring.places_taken, self.apprenticeship.places_taken = 2, 1, 1
        db.session.add_all(
            [
                SustainmentCheck(
                    referral_id=self.r1.id,
                    months=3,
                    asked_at=at("2026-09-15"),
                    still_there=True,
                    answered_at=at("2026-09-15"),
                ),
                SustainmentCheck(referral_id=self.r1.id, months=6, asked_at=at("2026-09-20")),
                SustainmentCheck(
                    referral_id=self.r5.id,
                    months=3,
                    asked_at=at("2026-09-08"),
                    still_there=False,
                    answered_at=at("2026-09-08"),
                ),
                ReferralFeedback(referral_id=self.r3.id, useful=4, recommend=True, given_at=at("2026-08-03")),
            ]
        )
        db.session.flush()

    def refer(self, care_leaver, pledge, *moves: tuple[str, ReferralStatus]) -> Referral:
        """A referral moved through these statuses on these days."""
        return referral_moved(care_leaver, pledge, *((at(day), status) for day, status in moves))


@pytest.fixture
def history(make_user, make_organisation, make_pledge, make_care_leaver, authority) -> History:
    return History(make_user, make_organisation, make_pledge, make_care_leaver, authority)


def tables(page: BeautifulSoup) -> dict[str, list[list[str]]]:
    """Each report's table on the page, by its name: the heading row, then each row, as text."""
    found = {}
    for section in page.select("section.app-report"):
        name = section.h2["id"].removeprefix("report-")
        table = section.find("table")
        found[name] = (
            []
            if table is None
            else [
                [cell.get_text(" ", strip=True) for cell in row.find_all(["th", "td"])]
                for row in table.find_all("tr")
            ]
        )
    return found


def query(args: dict[str, Any]) -> str:
    pairs = []
    for key, value in args.items():
        for one in value if isinstance(value, list) else [value]:
            pairs.append(f"{key}={one}")
    return "&".join(pairs)


def dashboard(
    client_request, endpoint: str, args: dict[str, Any] | None = None, **kwargs: Any
) -> dict[str, list[list[str]]]:
    page = client_request.get_url(url_for(endpoint, **kwargs) + "?" + query(args or SUMMER))
    assert page.select_one("svg[role=img] > title"), "every dashboard has a chart with a title"
    return tables(page)


def waiting_days(day: str) -> str:
    return str(working_days_between(date.fromisoformat(day), uk_today()))


def test_a_manager_sees_the_authoritys_take_up_figure_by_figure(client_request, history):
    client_request.login(history.manager)
    figures = dashboard(client_request, "reports.authority_dashboard", gss_code=LEEDS)
    assert figures["funnel"] == [
        ["Stage", "Referrals", "Of the stage before"],
        ["Referred", "5", "–"],
        ["Accepted", "3", "60%"],
        ["Started", "2", "66.7%"],
        ["Completed", "1", "50%"],
    ]
    assert figures["by-month"] == [
        ["Month", "Referred", "Accepted", "Started", "Completed"],
        ["June 2026", "1", "1", "1", "0"],
        ["July 2026", "2", "1", "1", "1"],
        ["August 2026", "1", "0", "0", "0"],
        ["September 2026", "1", "1", "0", "0"],
    ]
    assert figures["by-outcome-area"] == [
        ["Outcome area", "Referred", "Accepted", "Started", "Completed"],
        ["Independent living", "1", "1", "1", "1"],
        ["Education, employment and training", "4", "2", "1", "0"],
        ["Safety and security", "0", "0", "0", "0"],
        ["Mental and physical health", "1", "1", "1", "1"],
        ["Finance", "0", "0", "0", "0"],
    ]
    assert figures["by-kind"] == [
        ["Kind", "Referred", "Accepted", "Started", "Completed"],
        ["Apprenticeship", "2", "1", "0", "0"],
        ["Job", "2", "1", "1", "0"],
        ["Mentoring", "1", "1", "1", "1"],
    ]
    assert figures["by-organisation"] == [
        ["Organisation", "Referred", "Accepted", "Started", "Completed"],
        ["Acme Trains", "3", "2", "2", "1"],
        ["Bright Futures", "2", "1", "0", "0"],
    ]
    # Replies after 3 (R1), 6 (R2), 2 (R3) and 2 (R6, over the bank holiday) working days; starts after 10 and 3.
    assert figures["response-times"] == [
        ["From and to", "Median working days", "Referrals"],
        ["From referral to accepted or declined", "2.5", "4"],
        ["From referral to starting", "6.5", "2"],
    ]
    assert figures["waiting"] == [
        ["Referred on", "Care leaver reference", "Pledge", "Organisation", "Working days waiting"],
        ["1 September 2026", "LDS-1", "Bright apprenticeship", "Bright Futures", waiting_days("2026-09-01")],
    ]
    since = Period.last_months(6).start
    last_referred = {"LDS-1": "2026-09-01", "LDS-2": "2026-07-06", "LDS-3": "2026-08-28"}
    quiet = [
        [reference, name, adviser, "Never" if reference == "LDS-4" else f"{day.day} {day:%B %Y}"]
        for reference, name, adviser, day in [
            ("LDS-1", "Ash", "Alex Adviser", date(2026, 9, 1)),
            ("LDS-2", "Ben", "Alex Adviser", date(2026, 7, 6)),
            ("LDS-3", "Cal", "Bo Adviser", date(2026, 8, 28)),
            ("LDS-4", "Dee", "Bo Adviser", None),
        ]
        if reference == "LDS-4" or date.fromisoformat(last_referred[reference]) < since
    ]
    assert figures["no-recent-referral"] == [
        ["Reference", "First name", "Personal adviser", "Last referred"],
        *quiet,
    ]
    assert figures["still-there"] == [
        ["Kind", "After", "Answers", "Still there", "Still-there rate"],
        ["Job", "3 months", "1", "1", "100%"],
        ["Job", "6 months", "0", "0", "–"],
        ["Apprenticeship", "3 months", "0", "0", "–"],
        ["Apprenticeship", "6 months", "0", "0", "–"],
    ]


def test_a_manager_sees_started_completed_and_stuck_at_the_top(client_request, history):
    client_request.login(history.manager)
    page = client_request.get_url(
        url_for("reports.authority_dashboard", gss_code=LEEDS) + "?" + query(SUMMER)
    )
    headlines = {
        row.select_one(".govuk-summary-list__key").get_text(strip=True): row.select_one(
            ".govuk-summary-list__value"
        ).get_text(strip=True)
        for row in page.select(".app-report-headlines .govuk-summary-list__row")
    }
    assert headlines == {
        "Placements started": "2",
        "Placements completed": "1",
        "Referrals waiting for a reply today": "1",
    }
    assert page.select_one(".app-report-headlines a")["href"] == "#report-waiting"


def test_the_authoritys_counts_agree_with_each_other_and_the_referral_records(client_request, history):
    client_request.login(history.manager)
    figures = dashboard(client_request, "reports.authority_dashboard", gss_code=LEEDS)
    funnel = [int(row[1]) for row in figures["funnel"][1:]]
    for name in ("by-month", "by-organisation", "by-kind"):
        totals = [sum(int(row[column]) for row in figures[name][1:]) for column in range(1, 5)]
        assert totals == funnel, name
    recorded = db.session.scalar(
        select(func.count(ReferralEvent.id))
        .join(Referral)
        .where(
            Referral.id.in_([history.r1.id, history.r2.id, history.r3.id, history.r4.id, history.r6.id]),
            ReferralEvent.to_status == S.REFERRED,
        )
    )
    assert recorded == funnel[0]


def test_an_adviser_sees_only_their_own_caseloads_figures(client_request, history):
    client_request.login(history.adviser)
    figures = dashboard(client_request, "reports.authority_dashboard", gss_code=LEEDS)
    assert [row[1] for row in figures["funnel"][1:]] == ["3", "1", "1", "0"]
    assert [row[0] for row in figures["by-organisation"][1:]] == ["Acme Trains", "Bright Futures"]
    assert all(row[2] == "Alex Adviser" for row in figures["no-recent-referral"][1:])


def test_an_organisation_sees_its_own_pledges_figure_by_figure(client_request, history):
    client_request.login(history.acme_admin)
    figures = dashboard(client_request, "reports.organisation_dashboard", organisation_id=history.acme.id)
    assert figures["places"] == [
        [
            "Pledge",
            "Places pledged",
            "Places filled",
            "Referrals received",
            "Accepted",
            "Declined",
            "Acceptance rate",
        ],
        ["A rail engineer job", "3", "2", "3", "2", "1", "66.7%"],
        ["Mentoring with Acme", "2", "1", "1", "1", "0", "100%"],
    ]
    # Replies after 3, 6, 3 (Bradford's) and 2 working days.
    assert figures["response-times"] == [
        ["Replies", "Median working days", "Expected within", "Within 5 working days", "Share on time"],
        ["4", "3.0", "5 working days", "3", "75%"],
    ]
    assert figures["outcomes"] == [
        ["Outcome", "Referrals"],
        ["Accepted", "3"],
        ["Declined", "1"],
        ["Withdrawn", "0"],
        ["Started", "3"],
        ["Did not start", "0"],
        ["Completed", "1"],
        ["Ended early", "0"],
    ]
    assert figures["feedback"] == [
        ["Pledge", "Answers", "Usefulness (average)", "Would recommend"],
        ["Mentoring with Acme", "1", "Fewer than 5 answers", "–"],
    ]


def test_what_care_leavers_said_shows_once_5_have_answered(client_request, history, make_care_leaver):
    for number, (useful, recommend) in enumerate([(5, True), (4, True), (3, False), (4, True)]):
        care_leaver = make_care_leaver(history.adviser, reference=f"FB-{number}")
        referral = history.refer(care_leaver, history.mentoring, ("2026-08-03", S.REFERRED))
        db.session.add(
            ReferralFeedback(
                referral_id=referral.id, useful=useful, recommend=recommend, given_at=at("2026-08-10")
            )
        )
    db.session.flush()
    client_request.login(history.acme_admin)
    figures = dashboard(client_request, "reports.organisation_dashboard", organisation_id=history.acme.id)
    # With R3's answer (4, would recommend): 5 answers, usefulness 20 / 5, 4 of 5 would recommend.
    assert figures["feedback"][1] == ["Mentoring with Acme", "5", "4.0 out of 5", "80%"]


def test_coordinators_see_the_whole_covenant_figure_by_figure(client_request, history):
    client_request.login(history.coordinator)
    figures = dashboard(client_request, "reports.national_dashboard")
    by_region = {row[0]: row[1:] for row in figures["by-region"][1:]}
    assert figures["by-region"][0] == [
        "Region",
        "Signatories",
        "Live pledges",
        "Places",
        "Pledges with unlimited places",
    ]
    assert by_region["Yorkshire and the Humber"][1:] == ["2", "5", "0"]
    assert by_region["London"][1:] == ["1", "5", "0"]
    assert by_region["North East"][1:] == ["0", "0", "0"]
    by_kind = {row[0]: row[1:] for row in figures["by-kind"][1:]}
    assert by_kind["Job"] == ["1", "3", "0"]
    assert by_kind["Mentoring"] == ["1", "2", "0"]
    assert by_kind["Apprenticeship"] == ["1", "5", "0"]
    assert by_kind["Housing support"] == ["0", "0", "0"]  # waiting for review, not live
    take_up = {row[0]: row[1:] for row in figures["take-up-by-region"][1:]}
    assert take_up["Yorkshire and the Humber"] == ["6", "4", "3", "1"]
    assert take_up["London"] == ["0", "0", "0", "0"]
    assert figures["take-up-by-authority"][1:] == [
        ["Leeds", "5", "3", "2", "1"],
        ["Bradford", "1", "1", "1", "0"],
    ]
    assert figures["take-up-by-outcome-area"][1:] == [
        ["Independent living", "1", "1", "1", "1"],
        ["Education, employment and training", "5", "3", "2", "0"],
        ["Safety and security", "0", "0", "0", "0"],
        ["Mental and physical health", "1", "1", "1", "1"],
        ["Finance", "0", "0", "0", "0"],
    ]
    assert ["Quiet Ltd", "North East"] in [row[:2] for row in figures["no-live-pledge"][1:]]
    assert "Acme Trains" not in [row[0] for row in figures["no-live-pledge"][1:]]
    since = (utcnow() - timedelta(days=60)).date()
    quiet_pledges = [
        [title, organisation, "5 January 2026", last]
        for title, organisation, last, day in [
            ("A rail engineer job", "Acme Trains", "6 July 2026", date(2026, 7, 6)),
            ("Mentoring with Acme", "Acme Trains", "1 July 2026", date(2026, 7, 1)),
            ("Bright apprenticeship", "Bright Futures", "1 September 2026", date(2026, 9, 1)),
        ]
        if day < since
    ]
    assert sorted(figures["quiet-pledges"][1:]) == sorted(quiet_pledges)
    assert figures["slowest-responders"] == [
        ["Organisation", "Median working days", "Replies", "More than 5 working days"],
        ["Acme Trains", "3.0", "4", "No"],
        ["Bright Futures", "2.0", "1", "No"],
    ]
    waited = working_days_between(date(2026, 11, 2), uk_today())
    overdue = decision_due(date(2026, 11, 2)) < uk_today()
    assert figures["review-queue"][1:] == [
        ["Housing help", "Bright Futures", "2 November 2026", str(waited), "Yes" if overdue else "No"]
    ]


def test_the_national_review_queue_agrees_with_the_coordinators_on_what_is_overdue(make_pledge):
    # Submitted on each day of a fortnight, weekends included, at noon in the UK (winter: UTC).
    pledges = {
        day: make_pledge(PledgeStatus.SUBMITTED, submitted_at=datetime(2026, 11, day, 12, tzinfo=UTC))
        for day in range(2, 16)
    }
    for today in (date(2026, 11, 14), date(2026, 11, 16), date(2026, 11, 21), date(2026, 11, 23)):
        listed = {row[0]: row[4] for row in national_lists.review_queue(today).rows}
        overdue = {pledge.title for pledge in waiting_for_review(today, shown=50).oldest_overdue}
        for pledge in pledges.values():
            assert (listed[pledge.title] == "Yes") == is_overdue(pledge, today) == (pledge.title in overdue)
    # Sent on Saturday 7 November: the 5 working days run Monday to Friday 13th, overdue from Saturday 14th,
    # when it has waited 5 working days, not more.
    saturday = national_lists.review_queue(date(2026, 11, 14)).rows
    assert [row[3:] for row in saturday if row[0] == pledges[7].title] == [[5, "Yes"]]


def csv_rows(client, url: str) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


@pytest.mark.parametrize(
    ("who", "endpoint", "csv_endpoint", "target"),
    [
        ("manager", "reports.authority_dashboard", "reports.authority_csv", {"gss_code": LEEDS}),
        ("acme_admin", "reports.organisation_dashboard", "reports.organisation_csv", "acme"),
        ("coordinator", "reports.national_dashboard", "reports.national_csv", {}),
    ],
)
def test_every_csv_holds_exactly_its_tables_figures(
    client, client_request, history, who, endpoint, csv_endpoint, target
):
    target = {"organisation_id": history.acme.id} if target == "acme" else target
    client_request.login(getattr(history, who))
    page = client_request.get_url(url_for(endpoint, **target) + "?" + query(SUMMER))
    figures = tables(page)
    links = {
        section.h2["id"].removeprefix("report-"): section.select_one("a[download]")["href"]
        for section in page.select("section.app-report")
    }
    assert links
    for name, rows in figures.items():
        assert links[name].startswith(url_for(csv_endpoint, name=name, **target))
        downloaded = csv_rows(client, links[name])
        if rows:
            assert downloaded == rows, name
        else:
            assert len(downloaded) == 1, name  # just the headings when there is nothing to show


def test_reports_takes_each_person_to_their_dashboard(client_request, history):
    for user, expected in [
        (history.manager, url_for("reports.authority_dashboard", gss_code=LEEDS)),
        (history.adviser, url_for("reports.authority_dashboard", gss_code=LEEDS)),
        (history.acme_admin, url_for("reports.organisation_dashboard", organisation_id=history.acme.id)),
        (history.coordinator, url_for("reports.national_dashboard")),
    ]:
        client_request.login(user)
        client_request.get("reports.index", _expected_status=302, _expected_redirect=expected)


def test_no_one_sees_another_authoritys_or_organisations_figures(client_request, history, make_user):
    client_request.login(history.bradford_manager)
    client_request.get("reports.authority_dashboard", gss_code=LEEDS, _expected_status=403)
    client_request.get("reports.authority_csv", gss_code=LEEDS, name="waiting", _expected_status=403)
    client_request.get("reports.authority_dashboard", gss_code="E99999999", _expected_status=404)
    client_request.get("reports.authority_csv", gss_code=BRADFORD, name="no-such-table", _expected_status=404)
    client_request.get("reports.national_dashboard", _expected_status=403)
    client_request.login(history.acme_admin)
    client_request.get(
        "reports.organisation_dashboard", organisation_id=history.bright.id, _expected_status=403
    )
    client_request.get(
        "reports.organisation_csv", organisation_id=history.bright.id, name="places", _expected_status=403
    )
    client_request.get("reports.authority_dashboard", gss_code=LEEDS, _expected_status=403)
    client_request.get("reports.national_csv", name="by-region", _expected_status=403)
    # Coordinators see organisations and the nation, never a care leaver's row.
    client_request.login(history.coordinator)
    client_request.get("reports.organisation_dashboard", organisation_id=history.bright.id)
    client_request.get("reports.authority_dashboard", gss_code=LEEDS, _expected_status=403)
    client_request.login(make_user(Role.CARE_LEAVER))
    client_request.get("reports.index", _expected_status=403)


def test_bradfords_manager_sees_none_of_leeds_care_leavers(client_request, history):
    client_request.login(history.bradford_manager)
    figures = dashboard(client_request, "reports.authority_dashboard", gss_code=BRADFORD)
    assert [row[1] for row in figures["funnel"][1:]] == ["1", "1", "1", "0"]
    assert "LDS" not in str(figures)


def test_seeing_care_leavers_on_a_report_is_recorded(client_request, history):
    client_request.login(history.manager)
    dashboard(client_request, "reports.authority_dashboard", gss_code=LEEDS)
    event = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.actor_id == history.manager.id, AuditEvent.action == "caseload_viewed"
        )
    ).one()
    assert history.c1.id in event.changes["care_leavers"]  # waiting for a reply
    assert history.c4.id in event.changes["care_leavers"]  # no referral in 6 months
    assert history.c5.id not in event.changes["care_leavers"]
    # Downloading the list of referrals waiting is recorded too; a table naming no one is not.
    client_request.client.get(url_for("reports.authority_csv", gss_code=LEEDS, name="waiting"))
    client_request.client.get(url_for("reports.authority_csv", gss_code=LEEDS, name="funnel"))
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.actor_id == history.manager.id, AuditEvent.action == "caseload_viewed")
        .order_by(AuditEvent.id)
    ).all()
    assert [event.changes["care_leavers"] for event in events[1:]] == [[history.c1.id]]


@pytest.mark.parametrize(
    ("args", "errors"),
    [
        ({"period": "custom"}, ["Enter the start date", "Enter the end date"]),
        (
            {"period": "custom", "from": ["31", "2", "2026"], "to": ["1", "3", "2026"]},
            ["The start date must be a real date"],
        ),
        (
            {"period": "custom", "from": ["2", "3", "2026"], "to": ["1", "3", "2026"]},
            ["The end date must be the same as or after the start date"],
        ),
        ({"period": "forever"}, ["Select one of the options shown"]),
    ],
)
def test_dates_that_cannot_be_read_say_what_to_correct(client, client_request, history, args, errors):
    client_request.login(history.manager)
    url = url_for("reports.authority_dashboard", gss_code=LEEDS) + "?" + query(args)
    page = client_request.get_url(url, _expected_status=400)
    assert error_summary(page) == errors
    assert page.title.string.startswith("Error: ")
    assert not page.select("section.app-report")
    assert (
        client.get(
            url_for("reports.authority_csv", gss_code=LEEDS, name="funnel") + "?" + query(args)
        ).status_code
        == 400
    )


def test_the_last_3_months_are_chosen_by_default_link_and_kept_in_the_csv_links(client_request, history):
    client_request.login(history.coordinator)
    page = client_request.get("reports.national_dashboard", period="3")
    assert page.select_one("input[name=period][value='3']").has_attr("checked")
    assert all("period=3" in link["href"] for link in page.select("a[download]"))
    page = client_request.get("reports.national_dashboard")
    assert page.select_one("input[name=period][value='12']").has_attr("checked")


def test_organisations_that_share_a_name_are_counted_apart(
    client_request, history, make_organisation, make_pledge
):
    twin = make_organisation(name="Acme Trains", region=Region.LONDON)
    pledge = make_pledge(organisation=twin, title="Twin job", kind=PledgeKind.JOB)
    history.refer(history.c4, pledge, ("2026-07-01", S.REFERRED), ("2026-07-20", S.ACCEPTED))
    client_request.login(history.manager)
    figures = dashboard(client_request, "reports.authority_dashboard", gss_code=LEEDS)
    assert figures["by-organisation"][1:] == [
        ["Acme Trains", "3", "2", "2", "1"],
        ["Bright Futures", "2", "1", "0", "0"],
        ["Acme Trains", "1", "1", "0", "0"],
    ]
    client_request.login(history.coordinator)
    figures = dashboard(client_request, "reports.national_dashboard")
    assert figures["slowest-responders"][1:] == [
        ["Acme Trains", "13.0", "1", "Yes"],
        ["Acme Trains", "3.0", "4", "No"],
        ["Bright Futures", "2.0", "1", "No"],
    ]


def test_each_home_page_and_the_navigation_lead_to_the_reports(client_request, history):
    for user, home, link_text, target in [
        (
            history.manager,
            "authorities.dashboard",
            "See take-up by your care leavers",
            url_for("reports.authority_dashboard", gss_code=LEEDS),
        ),
        (
            history.adviser,
            "authorities.dashboard",
            "See take-up by your caseload",
            url_for("reports.authority_dashboard", gss_code=LEEDS),
        ),
        (
            history.acme_admin,
            "organisations.dashboard",
            "See how your pledges are taken up",
            url_for("reports.organisation_dashboard", organisation_id=history.acme.id),
        ),
        (
            history.coordinator,
            "coordinator.dashboard",
            "Take-up across the covenant",
            url_for("reports.national_dashboard"),
        ),
    ]:
        client_request.login(user)
        page = client_request.get(home)
        assert page.find("a", string=link_text)["href"] == target
        assert (
            page.select_one(".govuk-service-navigation a[href='/reports']").get_text(strip=True) == "Reports"
        )


def test_a_long_range_keeps_every_month_in_the_table_but_draws_no_month_chart(client_request, history):
    client_request.login(history.manager)
    long_range = {"period": "custom", "from": ["1", "1", "2024"], "to": ["30", "9", "2026"]}
    page = client_request.get_url(
        url_for("reports.authority_dashboard", gss_code=LEEDS) + "?" + query(long_range)
    )
    by_month = page.select_one("#report-by-month").parent
    assert by_month.find("svg") is None
    assert len(by_month.select("tbody tr")) == 33  # January 2024 to September 2026
    assert tables(page)["funnel"][1] == ["Referred", "6", "–"]  # with March's withdrawn referral
