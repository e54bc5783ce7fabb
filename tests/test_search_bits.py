"""A pledge's outcome areas and regions as bits on its row stay in step with its lists, however they change."""

from __future__ import annotations

from covenant.extensions import db
from covenant.opportunities.search.bits import AREA_BIT, REGION_BIT
from covenant.vocab import OutcomeArea, Reach, Region


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

    pledge.outcome_areas = [OutcomeArea.SAFETY]
    pledge.local_authorities = [cornwall]
    db.session.flush()
    assert pledge.outcome_area_bits == AREA_BIT[OutcomeArea.SAFETY]
    assert pledge.region_bits == REGION_BIT[Region.SOUTH_WEST]

    # A regional pledge is in its own regions; a remote or England-wide one in none.
    pledge.reach = Reach.REGIONS
    pledge.regions = [Region.LONDON]
    db.session.flush()
    assert pledge.region_bits == REGION_BIT[Region.LONDON]
    pledge.reach = Reach.NATIONAL
    db.session.flush()
    assert pledge.region_bits == 0


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
