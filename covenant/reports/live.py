"""The live pledges counted by their organisation's region and their kind (`LivePledgeCount`), kept in step in
the same flush as every change to what they count.

The national dashboard shows live pledges and their places by region and by kind. Counted when the page is
shown, every live pledge had to be joined to its organisation for its region: the most costly statement on the
page. The counts change only when a pledge is added, removed, goes live or stops being live, or changes its kind
or places, or when an organisation moves region, so the ORM adds the difference each such flush makes
(`init_app`), with the upsert the monthly take-up counts use (`sql.add_to_counts`), so two transactions
changing the same count at once both count. Code that writes pledges in bulk, bypassing the ORM (the bench),
counts them again with `recount`; migration 0013 counted the pledges there were.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask.sansio.app import App
from sqlalchemy import delete, event, func, insert, select
from sqlalchemy.orm import Session, attributes

from covenant.models import LivePledgeCount, Organisation, Pledge
from covenant.reports.sql import add_to_counts, case_true
from covenant.vocab import LIVE_STATUSES, PledgeKind, Region

FIGURES = ("pledges", "places", "unlimited")
# What a pledge's part in the counts depends on.
COUNTED = ("status", "kind", "places", "places_unlimited", "organisation_id")

Key = tuple[Region, PledgeKind]


def _before(instance: Any, name: str) -> Any:
    """An attribute's value before this flush."""
    history = attributes.get_history(instance, name)
    if history.deleted:
        return history.deleted[0]
    if history.unchanged:
        return history.unchanged[0]
    return getattr(instance, name)


def _region_before(session: Session, organisation_id: int) -> Region:
    organisation = session.get(Organisation, organisation_id)
    assert organisation is not None  # noqa: S101 - the pledge's foreign key
    return _before(organisation, "region")


def _values(pledge: Pledge, before: bool = False) -> dict[str, Any]:
    """What a pledge's part in the counts depends on, as it is now or as it was before the flush."""
    return {name: _before(pledge, name) if before else getattr(pledge, name) for name in COUNTED}


def _count(session: Session, counts: dict[Key, Counter[str]], values: dict[str, Any], sign: int) -> None:
    """Add (sign 1) or take away (-1) a pledge's part, given its `_values`, under its organisation's region
    before the flush (an organisation that moved region has its live pledges moved after, by
    `_organisation_changes`)."""
    if values["status"] not in LIVE_STATUSES:
        return
    region = _region_before(session, values["organisation_id"])
    figures = counts.setdefault((region, values["kind"]), Counter())
    figures["pledges"] += sign
    figures["places"] += sign * (values["places"] or 0)
    figures["unlimited"] += sign * (1 if values["places_unlimited"] else 0)


def _pledge_changes(session: Session, counts: dict[Key, Counter[str]]) -> None:
    """Each added, changed or removed pledge's part: what it counted before the flush taken away, what it
    counts after added."""
    for pledge in session.new:
        if isinstance(pledge, Pledge):
            _count(session, counts, _values(pledge), 1)
    for pledge in session.dirty:
        if isinstance(pledge, Pledge) and any(
            attributes.get_history(pledge, name).has_changes() for name in COUNTED
        ):
            _count(session, counts, _values(pledge, before=True), -1)
            _count(session, counts, _values(pledge), 1)
    for pledge in session.deleted:
        if isinstance(pledge, Pledge):
            _count(session, counts, _values(pledge, before=True), -1)


def _organisation_changes(session: Session, counts: dict[Key, Counter[str]]) -> None:
    """Move the live pledges (as they are after the flush) of each organisation that moved region."""
    for organisation in session.dirty:
        if not isinstance(organisation, Organisation):
            continue
        history = attributes.get_history(organisation, "region")
        if not history.has_changes() or not history.deleted:
            continue
        old, new = history.deleted[0], organisation.region
        for kind, pledges, places, unlimited in session.execute(
            select(
                Pledge.kind,
                func.count(),
                func.sum(Pledge.places),
                func.sum(case_true(Pledge.places_unlimited)),
            )
            .where(Pledge.organisation_id == organisation.id, Pledge.status.in_(LIVE_STATUSES))
            .group_by(Pledge.kind)
        ):
            moved = Counter(pledges=pledges, places=int(places or 0), unlimited=int(unlimited or 0))
            counts.setdefault((old, kind), Counter()).subtract(moved)
            counts.setdefault((new, kind), Counter()).update(moved)


def recount(connection: Any) -> None:
    """Count every live pledge again (after pledges were written in bulk, bypassing the ORM)."""
    connection.execute(delete(LivePledgeCount))
    connection.execute(
        insert(LivePledgeCount).from_select(
            ["region", "kind", *FIGURES],
            select(
                Organisation.region,
                Pledge.kind,
                func.count(),
                func.coalesce(func.sum(Pledge.places), 0),
                func.sum(case_true(Pledge.places_unlimited)),
            )
            .join(Organisation, Organisation.id == Pledge.organisation_id)
            .where(Pledge.status.in_(LIVE_STATUSES))
            .group_by(Organisation.region, Pledge.kind),
        )
    )


def _after_flush(session: Session, flush_context: Any) -> None:
    if not any(
        isinstance(instance, Pledge | Organisation)
        for instance in (*session.new, *session.dirty, *session.deleted)
    ):
        return
    counts: dict[Key, Counter[str]] = {}
    with session.no_autoflush:
        _pledge_changes(session, counts)
        _organisation_changes(session, counts)
    rows = [
        {"region": region, "kind": kind, **{name: figures[name] for name in FIGURES}}
        for (region, kind), figures in counts.items()
    ]
    add_to_counts(session.connection(), LivePledgeCount, ["region", "kind"], rows)


def init_app(app: App) -> None:
    """Keep the counts in every ORM session of the process (listened to once, whichever app is first)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
