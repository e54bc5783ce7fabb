"""The take-up reports' own record of referral moves (`TakeUpMove`) and their monthly counts (`TakeUpMonth`,
`TakeUpAreaMonth`), written in the same flush as each move.

A report counts moves over a period by authority, organisation, kind and outcome area. Read from
`ReferralEvent`, each move had to be joined to its referral, care leaver, pledge and organisation, and the
working days from referral to reply worked out per pair of moves: the national dashboard read every move of the
year that way. Each `TakeUpMove` row already holds all of it (the UK date, the care leaver's authority, the
organisation, the pledge's kind and outcome areas, the working days since the referral reached the
organisation), so a report reads a range of one covering index. A report over every authority (the national
and public pages) adds up whole months from the monthly counts, a few rows per authority and month, and reads
only the days either side of them move by move (`covenant.reports.sql.monthly_totals`).

The ORM writes the rows after every flush that adds a `ReferralEvent` (`init_app`), and keeps a pledge's rows
and its monthly counts by area in step when its kind or outcome areas change. The counts are added with an
upsert (`sql.add_to_counts`), so two transactions counting in the same month both count. Code that
inserts events in bulk, bypassing the ORM (the bench), writes the rows with `move_rows` and `MonthlyCounts`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask.sansio.app import App
from sqlalchemy import event, insert, select, update
from sqlalchemy.orm import Session, attributes

from covenant.clock import uk_date, working_days_between
from covenant.models import Pledge, Referral, ReferralEvent, TakeUpAreaMonth, TakeUpMonth, TakeUpMove
from covenant.opportunities.search.bits import AREA_BIT
from covenant.reports.sql import STAGES, add_to_counts
from covenant.vocab import OutcomeArea, PledgeKind, ReferralStatus

MonthKey = tuple[ReferralStatus, date, int]
AreaMonthKey = tuple[ReferralStatus, date, int, OutcomeArea]


@dataclass(frozen=True)
class MoveFacts:
    """What a report needs to know about a referral's pledge and care leaver."""

    local_authority_id: int
    organisation_id: int
    pledge_id: int
    kind: PledgeKind
    outcome_area_bits: int


def move_rows(
    moves: Iterable[tuple[int, ReferralStatus, datetime]],
    facts: dict[int, MoveFacts],
    referred_on: dict[int, date],
) -> list[dict[str, Any]]:
    """`TakeUpMove` rows for moves (referral id, status moved to, when) in the order they happened, given each
    referral's facts and the days referrals already reached the organisation (added to as moves are read)."""
    rows = []
    for referral_id, to_status, occurred_at in moves:
        day = uk_date(occurred_at)
        if to_status is ReferralStatus.REFERRED:
            referred_on.setdefault(referral_id, day)
        sent = referred_on.get(referral_id)
        fact = facts[referral_id]
        rows.append(
            {
                "referral_id": referral_id,
                "to_status": to_status,
                "moved_on": day,
                "local_authority_id": fact.local_authority_id,
                "organisation_id": fact.organisation_id,
                "pledge_id": fact.pledge_id,
                "kind": fact.kind,
                "outcome_area_bits": fact.outcome_area_bits,
                "working_days": None if sent is None else working_days_between(sent, day),
            }
        )
    return rows


def areas_of(bits: int) -> list[OutcomeArea]:
    return [area for area, bit in AREA_BIT.items() if bits & bit]


@dataclass
class MonthlyCounts:
    """Moves to add to (or, negative, take from) `TakeUpMonth` and `TakeUpAreaMonth`."""

    by_authority: Counter[MonthKey]
    by_area: Counter[AreaMonthKey]

    @classmethod
    def of(cls, rows: Iterable[dict[str, Any]]) -> MonthlyCounts:
        """The counts of `TakeUpMove` rows (as `move_rows` gives them)."""
        counts = cls(Counter(), Counter())
        counts.add_rows(rows)
        return counts

    def add_rows(self, rows: Iterable[dict[str, Any]]) -> None:
        """Count `TakeUpMove` rows (as `move_rows` gives them)."""
        for row in rows:
            self.add(row["moved_on"], row["to_status"], row["local_authority_id"], row["outcome_area_bits"])

    def add(self, day: date, status: ReferralStatus, authority_id: int, bits: int, moves: int = 1) -> None:
        if status not in STAGES:  # the monthly counts keep the take-up stages
            return
        month = day.replace(day=1)
        self.by_authority[status, month, authority_id] += moves
        for area in areas_of(bits):
            self.by_area[status, month, authority_id, area] += moves

    def write(self, connection: Any) -> None:
        """Add the counts to the tables, in a statement each (an upsert, so two transactions adding to one month
        at once both count)."""
        _add(connection, TakeUpMonth, ["to_status", "month", "local_authority_id"], self.by_authority)
        _add(
            connection,
            TakeUpAreaMonth,
            ["to_status", "month", "local_authority_id", "outcome_area"],
            self.by_area,
        )


def _add(connection: Any, model: Any, keys: list[str], counts: Counter[Any]) -> None:
    rows = [{**dict(zip(keys, key, strict=True)), "moves": moves} for key, moves in counts.items()]
    add_to_counts(connection, model, keys, rows)


def _follow_new_areas(session: Session, pledge: Pledge) -> None:
    """Move the pledge's monthly counts from its old outcome areas (still on its recorded moves) to its new."""
    counts = MonthlyCounts(Counter(), Counter())
    for day, status, authority_id, bits in session.execute(
        select(
            TakeUpMove.moved_on,
            TakeUpMove.to_status,
            TakeUpMove.local_authority_id,
            TakeUpMove.outcome_area_bits,
        ).where(TakeUpMove.pledge_id == pledge.id, TakeUpMove.outcome_area_bits != pledge.outcome_area_bits)
    ):
        counts.add(day, status, authority_id, bits, -1)
        counts.add(day, status, authority_id, pledge.outcome_area_bits)
    counts.by_authority.clear()  # the same moves, in the same months
    counts.write(session.connection())


def _record_moves(session: Session, events: list[ReferralEvent]) -> None:
    referral_ids = {moved.referral_id for moved in events}
    facts = {}
    for referral_id in referral_ids:
        referral = session.get(Referral, referral_id)
        assert referral is not None  # noqa: S101 - the event's foreign key
        pledge = referral.pledge
        facts[referral_id] = MoveFacts(
            referral.care_leaver.local_authority_id,
            pledge.organisation_id,
            pledge.id,
            pledge.kind,
            pledge.outcome_area_bits,
        )
    referred_on: dict[int, date] = {
        referral_id: day
        for referral_id, day in session.execute(
            select(TakeUpMove.referral_id, TakeUpMove.moved_on).where(
                TakeUpMove.referral_id.in_(referral_ids), TakeUpMove.to_status == ReferralStatus.REFERRED
            )
        )
    }
    ordered = sorted(events, key=lambda moved: (moved.occurred_at, moved.id))
    rows = move_rows(
        ((moved.referral_id, moved.to_status, moved.occurred_at) for moved in ordered), facts, referred_on
    )
    session.execute(insert(TakeUpMove), rows)
    MonthlyCounts.of(rows).write(session.connection())


def _after_flush(session: Session, flush_context: Any) -> None:
    """Record the moves just flushed, and follow a pledge's new kind or outcome areas."""
    events = [instance for instance in session.new if isinstance(instance, ReferralEvent)]
    changed = [
        pledge
        for pledge in session.dirty
        if isinstance(pledge, Pledge)
        and (
            attributes.get_history(pledge, "kind").has_changes()
            or attributes.get_history(pledge, "outcome_area_bits").has_changes()
        )
    ]
    if not events and not changed:
        return
    with session.no_autoflush:
        for pledge in changed:
            _follow_new_areas(session, pledge)
            session.execute(
                update(TakeUpMove)
                .where(TakeUpMove.pledge_id == pledge.id)
                .values(kind=pledge.kind, outcome_area_bits=pledge.outcome_area_bits)
            )
        if events:
            _record_moves(session, events)


def init_app(app: App) -> None:
    """Keep the record in every ORM session of the process (listened to once, whichever app is first)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
