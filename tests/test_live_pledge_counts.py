"""The live pledges counted by region and kind (`LivePledgeCount`) for the national dashboard: kept in step with
every change to what they count, in the same flush, and counted once by the migration that added them."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import case, delete, func, select

from covenant.extensions import db
from covenant.models import LivePledgeCount, Organisation, Pledge
from covenant.pledges.operations import transition
from covenant.vocab import LIVE_STATUSES, PledgeKind, PledgeStatus, Region, Role
from tests.conftest import run_migration_step

S = PledgeStatus


def kept() -> dict[tuple[Region, PledgeKind], tuple[int, int, int]]:
    """The counts as kept, leaving out those that came back to nought."""
    return {
        (row.region, row.kind): (row.pledges, row.places, row.unlimited)
        for row in db.session.scalars(select(LivePledgeCount))
        if (row.pledges, row.places, row.unlimited) != (0, 0, 0)
    }


def counted() -> dict[tuple[Region, PledgeKind], tuple[int, int, int]]:
    """The same counts worked out from the pledges as they are."""
    return {
        (region, kind): (pledges, int(places or 0), int(unlimited or 0))
        for region, kind, pledges, places, unlimited in db.session.execute(
            select(
                Organisation.region,
                Pledge.kind,
                func.count(),
                func.sum(Pledge.places),
                func.sum(case((Pledge.places_unlimited.is_(True), 1), else_=0)),
            )
            .join(Organisation, Organisation.id == Pledge.organisation_id)
            .where(Pledge.status.in_(LIVE_STATUSES))
            .group_by(Organisation.region, Pledge.kind)
        )
    }


def test_the_counts_follow_every_change_to_a_pledge_or_its_organisation(make_pledge, make_organisation):
    leeds_firm = make_organisation(region=Region.YORKSHIRE)
    london_firm = make_organisation(region=Region.LONDON)
    jobs = [make_pledge(organisation=leeds_firm, kind=PledgeKind.JOB, places=places) for places in (2, 3)]
    make_pledge(organisation=leeds_firm, kind=PledgeKind.MENTORING, places=None, places_unlimited=True)
    make_pledge(S.PAUSED, organisation=london_firm, kind=PledgeKind.JOB, places=4)
    waiting = make_pledge(S.SUBMITTED, organisation=london_firm, kind=PledgeKind.TRAINING, places=6)
    draft = make_pledge(S.DRAFT, organisation=leeds_firm, kind=PledgeKind.JOB, places=9)
    assert kept() == {
        (Region.YORKSHIRE, PledgeKind.JOB): (2, 5, 0),
        (Region.YORKSHIRE, PledgeKind.MENTORING): (1, 0, 1),
        (Region.LONDON, PledgeKind.JOB): (1, 4, 0),
    }

    transition(waiting, S.PUBLISHED, None)  # goes live
    transition(jobs[0], S.PAUSED, None)  # still live
    transition(jobs[1], S.CLOSED, None)  # no longer live
    db.session.flush()
    assert kept() == {
        (Region.YORKSHIRE, PledgeKind.JOB): (1, 2, 0),
        (Region.YORKSHIRE, PledgeKind.MENTORING): (1, 0, 1),
        (Region.LONDON, PledgeKind.JOB): (1, 4, 0),
        (Region.LONDON, PledgeKind.TRAINING): (1, 6, 0),
    }

    # A live pledge's kind and places change; a draft's change counts for nothing.
    waiting.kind = PledgeKind.APPRENTICESHIP
    waiting.places = 8
    draft.places = 1
    db.session.flush()
    assert kept()[Region.LONDON, PledgeKind.APPRENTICESHIP] == (1, 8, 0)
    assert (Region.LONDON, PledgeKind.TRAINING) not in kept()

    # A change made to a pledge not loaded since the last commit is counted from its old values too.
    db.session.commit()
    db.session.expire_all()
    jobs[0].status = S.CLOSED
    jobs[0].places = 7
    # An organisation that moves region takes its live pledges with it.
    leeds_firm.region = Region.NORTH_EAST
    db.session.flush()
    assert kept() == counted()
    assert kept() == {
        (Region.NORTH_EAST, PledgeKind.MENTORING): (1, 0, 1),
        (Region.LONDON, PledgeKind.JOB): (1, 4, 0),
        (Region.LONDON, PledgeKind.APPRENTICESHIP): (1, 8, 0),
    }

    db.session.delete(waiting)
    db.session.flush()
    assert kept() == counted()
    assert (Region.LONDON, PledgeKind.APPRENTICESHIP) not in kept()


def test_the_national_dashboard_shows_the_counts(client_request, make_user, make_pledge, make_organisation):
    firm = make_organisation(region=Region.SOUTH_WEST)
    make_pledge(organisation=firm, kind=PledgeKind.INTERNSHIP, places=3)
    make_pledge(S.PAUSED, organisation=firm, kind=PledgeKind.INTERNSHIP, places=None, places_unlimited=True)
    make_pledge(S.CLOSED, organisation=firm, kind=PledgeKind.INTERNSHIP, places=50)
    client_request.login(make_user(Role.COORDINATOR))
    page = client_request.get("reports.national_dashboard")
    region_rows = {
        row.th.get_text(strip=True): [cell.get_text(strip=True) for cell in row.find_all("td")]
        for row in page.select("#report-by-region ~ div table tbody tr")
    }
    # Signatories, live pledges, places, pledges with unlimited places.
    assert region_rows["South West"] == ["1", "2", "3", "1"]


def test_the_migration_counts_the_live_pledges_there_are(make_pledge, make_organisation):
    for region, kind, status, places in [
        (Region.LONDON, PledgeKind.JOB, S.PUBLISHED, 2),
        (Region.LONDON, PledgeKind.JOB, S.PAUSED, None),
        (Region.LONDON, PledgeKind.JOB, S.CLOSED, 5),
        (Region.EAST_MIDLANDS, PledgeKind.DISCOUNT, S.PUBLISHED, 1),
    ]:
        make_pledge(
            status,
            organisation=make_organisation(region=region),
            kind=kind,
            places=places,
            places_unlimited=places is None,
        )
    by_the_app = kept()
    assert Counter({key: figures[0] for key, figures in by_the_app.items()}) == Counter(
        {(Region.LONDON, PledgeKind.JOB): 2, (Region.EAST_MIDLANDS, PledgeKind.DISCOUNT): 1}
    )

    db.session.execute(delete(LivePledgeCount))
    run_migration_step("0013_live_pledges_counted_by_region_and_kind.py", "_count_live_pledges")
    db.session.expire_all()
    assert kept() == by_the_app == counted()
