"""A pledge's outcome areas and regions as bits on its row, and its places as numbers, stay in step with its lists,
however they change."""

from __future__ import annotations

from sqlalchemy import select, update

from covenant.extensions import db
from covenant.models import Pledge
from covenant.opportunities.search.bits import (
    AREA_BIT,
    NATIONAL_PLACE,
    REGION_BIT,
    REGION_PLACE,
    REMOTE_PLACE,
)
from covenant.vocab import OutcomeArea, Reach, Region
from tests.conftest import run_migration_step


def test_the_bits_follow_the_outcome_areas_and_the_regions(make_pledge, authority):
    leeds, cornwall = authority("E08000035"), authority("E06000052")
    pledge = make_pledge(
        reach=Reach.LOCAL_AUTHORITIES,
        local_authorities=[leeds, cornwall],
        outcome_areas=[OutcomeArea.HEALTH, OutcomeArea.FINANCE],
    )
    db.session.flush()
    assert pledge.outcome_area_bits == AREA_BIT[OutcomeArea.HEALTH] | AREA_BIT[OutcomeArea.FINANCE]
    assert pledge.region_bits == REGION_BIT[Region.YORKSHIRE] | REGION_BIT[Region.SOUTH_WEST]
    assert pledge.place_ids == sorted([leeds.id, cornwall.id])

    pledge.outcome_areas = [OutcomeArea.SAFETY]
    pledge.local_authorities = [cornwall]
    db.session.flush()
    assert pledge.outcome_area_bits == AREA_BIT[OutcomeArea.SAFETY]
    assert pledge.region_bits == REGION_BIT[Region.SOUTH_WEST]
    assert pledge.place_ids == [cornwall.id]

    # A regional pledge is in its own regions; a remote or England-wide one in none.
    pledge.reach = Reach.REGIONS
    pledge.regions = [Region.LONDON, Region.NORTH_EAST]
    db.session.flush()
    assert pledge.region_bits == REGION_BIT[Region.LONDON] | REGION_BIT[Region.NORTH_EAST]
    assert pledge.place_ids == sorted([REGION_PLACE[Region.LONDON], REGION_PLACE[Region.NORTH_EAST]])
    pledge.reach = Reach.NATIONAL
    db.session.flush()
    assert pledge.region_bits == 0
    assert pledge.place_ids == [NATIONAL_PLACE]
    pledge.reach = Reach.REMOTE
    db.session.flush()
    db.session.expire(pledge)
    assert pledge.place_ids == [REMOTE_PLACE]  # as stored, read back


def test_an_authority_that_moves_region_moves_its_pledges(make_pledge, authority):
    leeds = authority("E08000035")
    pledge = make_pledge(reach=Reach.LOCAL_AUTHORITIES, local_authorities=[leeds])
    db.session.flush()
    leeds.region = Region.NORTH_EAST
    db.session.flush()
    db.session.refresh(pledge)
    assert pledge.region_bits == REGION_BIT[Region.NORTH_EAST]


def test_the_migration_numbers_the_vocabularies_as_the_app_does():
    """Migration 0004 wrote the bits of the pledges there were with its own copy of the vocabularies' order."""
    from importlib import import_module

    migration = import_module("migrations.versions.0004_search_bits")
    assert migration.OUTCOME_AREAS == [area.value for area in OutcomeArea]
    assert migration.REGIONS == [region.value for region in Region]
    places = import_module("migrations.versions.0014_pledge_place_ids")
    assert places.REGIONS == migration.REGIONS
    assert [-1 - places.REGIONS.index(region.value) for region in Region] == list(REGION_PLACE.values())
    assert (places.NATIONAL, places.REMOTE) == (NATIONAL_PLACE, REMOTE_PLACE)


def test_the_migration_writes_each_pledges_places_as_the_app_does(make_pledge, authority):
    """Migration 0014 worked out the places of the pledges there were with its own copy of the numbering."""
    leeds, cornwall = authority("E08000035"), authority("E06000052")
    pledges = [
        make_pledge(reach=Reach.LOCAL_AUTHORITIES, local_authorities=[leeds, cornwall]),
        make_pledge(reach=Reach.REGIONS, regions=[Region.SOUTH_WEST, Region.LONDON]),
        make_pledge(reach=Reach.NATIONAL),
        make_pledge(reach=Reach.REMOTE),
    ]
    db.session.flush()
    expected = {pledge.id: pledge.place_ids for pledge in pledges}
    assert all(expected.values())
    db.session.execute(update(Pledge).values(place_ids=[]))
    run_migration_step("0014_pledge_place_ids.py", "_fill_in_places")
    db.session.expire_all()
    assert {
        pledge_id: places for pledge_id, places in db.session.execute(select(Pledge.id, Pledge.place_ids))
    } == expected
