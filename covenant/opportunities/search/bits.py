"""A pledge's outcome areas and regions as bits on its own row, kept in step with its lists.

A search for an outcome area or a region would otherwise look each pledge up in another table: one index probe
per pledge read, which is most of the cost of a search that reads many pledges to find a few. As bits on the
row (and in the covering indexes the search reads), each test is arithmetic on a value already in hand, on
SQLite and PostgreSQL alike, and every filter but a local authority's list is a condition on the pledge alone.

`outcome_area_bits` has a bit for each of the pledge's outcome areas. `region_bits` has a bit for each region the
pledge is offered in: a regional pledge's regions, a local pledge's authorities' regions; none for a remote or
England-wide pledge. The ORM keeps them in step before every flush (`init_app`); code that inserts pledges in
bulk, bypassing the ORM, sets them with `area_bits` and `region_bits_of`.

`place_ids` lists the same places as numbers (`place_ids_of`): a local pledge's authorities, a regional pledge's
regions, or England or remote. PostgreSQL indexes it (GIN), for searches that read the pledges' rows anyway.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask.sansio.app import App
from sqlalchemy import ColumnElement, event, literal, select
from sqlalchemy.orm import Session, attributes

from covenant.models import LocalAuthority, Pledge, PledgeLocalAuthority
from covenant.vocab import OutcomeArea, Reach, Region

# One bit for each, in the vocabulary's order. Migration 0004 wrote the same values into existing rows.
AREA_BIT = {area: 1 << index for index, area in enumerate(OutcomeArea)}
REGION_BIT = {region: 1 << index for index, region in enumerate(Region)}


def area_bits(areas: Iterable[OutcomeArea]) -> int:
    """The bits of these outcome areas."""
    return sum(AREA_BIT[area] for area in set(areas))


def region_bits_of(
    reach: Reach | None, regions: Iterable[Region], authority_regions: Iterable[Region]
) -> int:
    """The bits of the regions a pledge of this reach is offered in."""
    if reach == Reach.REGIONS:
        return sum(REGION_BIT[region] for region in set(regions))
    if reach == Reach.LOCAL_AUTHORITIES:
        return sum(REGION_BIT[region] for region in set(authority_regions))
    return 0


# A pledge's places (`Pledge.place_ids`): its authorities' ids (positive), its regions, England, remote. Migration
# 0014 wrote the same values into existing rows.
REGION_PLACE = {region: -1 - index for index, region in enumerate(Region)}
NATIONAL_PLACE, REMOTE_PLACE = -100, -101


def place_ids_of(reach: Reach | None, regions: Iterable[Region], authority_ids: Iterable[int]) -> list[int]:
    """The numbers of the places a pledge of this reach is offered in, in order."""
    if reach == Reach.LOCAL_AUTHORITIES:
        return sorted(set(authority_ids))
    if reach == Reach.REGIONS:
        return sorted({REGION_PLACE[region] for region in regions})
    if reach == Reach.NATIONAL:
        return [NATIONAL_PLACE]
    if reach == Reach.REMOTE:
        return [REMOTE_PLACE]
    return []


def has_any(column: Any, bits: int) -> ColumnElement[bool]:
    """The row's `column` has one of these bits."""
    return column.op("&")(literal(bits)) != 0


def _keep_in_step(pledge: Pledge) -> None:
    pledge.outcome_area_bits = area_bits(row.area for row in pledge.outcome_area_rows)
    regions = [row.region for row in pledge.region_rows]
    pledge.region_bits = region_bits_of(
        pledge.reach, regions, (authority.region for authority in pledge.local_authorities)
    )
    pledge.place_ids = place_ids_of(
        pledge.reach, regions, (authority.id for authority in pledge.local_authorities)
    )


def _before_flush(session: Session, flush_context: Any, instances: Any) -> None:
    """Work the bits out again for every pledge added or changed, and for the pledges of an authority whose
    region changed."""
    pledges = {pledge for pledge in (*session.new, *session.dirty) if isinstance(pledge, Pledge)}
    moved = [
        authority.id
        for authority in session.dirty
        if isinstance(authority, LocalAuthority)
        and authority.id is not None
        and attributes.get_history(authority, "region").has_changes()
    ]
    if moved:
        with session.no_autoflush:
            pledges.update(
                session.scalars(
                    select(Pledge).where(
                        Pledge.id.in_(
                            select(PledgeLocalAuthority.pledge_id).where(
                                PledgeLocalAuthority.local_authority_id.in_(moved)
                            )
                        )
                    )
                )
            )
    with session.no_autoflush:
        for pledge in pledges:
            _keep_in_step(pledge)


def init_app(app: App) -> None:
    """Keep the bits in step in every ORM session of the process (listened to once, whichever app is first)."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
