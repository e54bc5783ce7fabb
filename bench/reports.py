"""The reports section of the bench: take-up figures over 3 years (150 authorities, 10,000 organisations,
1,000,000 referral state changes), then each dashboard rendered in process, timed, with its SQL statements.

The rows go into the search's bench database beside its pledges (which they refer to), in bulk inserts; they are
generated once and reused while the database holds them (`--rebuild` starts again). Each page is fetched
through Flask's test client, signed in as whoever may see it, `WARM_UP` times untimed, then `runs` times timed.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import func, insert, select, text

from bench.timing import StatementCounter, percentile
from covenant.auth.sessions import SECOND_FACTOR_PASSED
from covenant.extensions import db
from covenant.models import (
    CareLeaver,
    CareLeaverStatistic,
    LocalAuthority,
    Organisation,
    Pledge,
    Referral,
    ReferralEvent,
    TakeUpMove,
    User,
)
from covenant.reports.moves import MonthlyCounts, MoveFacts, move_rows
from covenant.security import hash_password
from covenant.statistics.importer import AGED_19_TO_21, NEET
from covenant.vocab import PledgeKind, PledgeStatus, ReferralStatus, Role

AUTHORITIES = 150
CARE_LEAVERS_PER_AUTHORITY = 100
EVENTS = 1_000_000
YEARS = 3
BATCH = 10_000
SEED = 20261203
P95_TARGET_MS = 300.0
WARM_UP = 3
COORDINATOR_EMAIL = "bench.coordinator@example.org"
MANAGER_EMAIL = "bench.manager@example.org"
SOURCE_FILE = "bench"

S = ReferralStatus
# The ways a referral goes, each with its weight: about 3 moves per referral.
PATHS: list[tuple[tuple[ReferralStatus, ...], int]] = [
    ((S.REFERRED, S.DECLINED), 20),
    ((S.REFERRED, S.ACCEPTED, S.STARTED, S.COMPLETED), 35),
    ((S.REFERRED, S.ACCEPTED, S.STARTED, S.ENDED_EARLY), 10),
    ((S.REFERRED, S.ACCEPTED, S.DID_NOT_START), 10),
    ((S.REFERRED, S.WITHDRAWN), 10),
    ((S.REFERRED,), 5),
    ((S.REFERRED, S.ACCEPTED), 5),
    ((S.REFERRED, S.ACCEPTED, S.STARTED), 5),
]


@dataclass(frozen=True)
class Page:
    """A dashboard to time: its name, its address and who may see it (None: anyone)."""

    name: str
    path: str
    role: Role | None


PAGES = [
    Page("national take-up", "/reports/national", Role.COORDINATOR),
    Page("authority take-up (manager)", "/reports/authority/{authority}", Role.AUTHORITY_MANAGER),
    Page("organisation take-up", "/reports/organisation/{organisation}", Role.COORDINATOR),
    Page("public statistics", "/statistics/", None),
    Page("public statistics, 3 months", "/statistics/?period=3", None),
    Page("where offers are needed", "/statistics/needs", Role.COORDINATOR),
    Page("needs, as CSV", "/statistics/needs.csv", Role.COORDINATOR),
]


@dataclass(frozen=True)
class PageTiming:
    name: str
    path: str
    p50_ms: float
    p95_ms: float
    statements: int
    statements_constant: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "path": self.path,
            "p50_ms": round(self.p50_ms, 2),
            "p95_ms": round(self.p95_ms, 2),
            "statements": self.statements,
            "statements_constant": self.statements_constant,
        }


def prepare_reports(app: Flask) -> tuple[bool, float, dict[str, int]]:
    """The report rows in the bench database, generated when missing: (generated, seconds, counts)."""
    started = time.perf_counter()
    with app.app_context():
        try:
            generated = False
            manager = db.session.scalar(select(func.count()).where(User.email == MANAGER_EMAIL))
            counts = _counts()
            current = counts["referral_events"] == counts["take_up_moves"] == EVENTS and manager == 1
            db.session.commit()  # end the read: on SQLite it holds the write lock the inserts need
            if not current:
                generate_reports(random.Random(SEED))  # noqa: S311 - made-up data, not security
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                    connection.execute(
                        text("VACUUM ANALYZE" if db.engine.dialect.name == "postgresql" else "ANALYZE")
                    )
                generated = True
            return generated, time.perf_counter() - started, _counts()
        finally:
            db.session.remove()


def _counts() -> dict[str, int]:
    def count(model: Any) -> int:
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)

    return {
        "care_leavers": count(CareLeaver),
        "referrals": count(Referral),
        "referral_events": count(ReferralEvent),
        "take_up_moves": count(TakeUpMove),
        "organisations": count(Organisation),
    }


def generate_reports(rng: random.Random) -> None:
    """Bulk-insert advisers, care leavers, referrals and their moves, and DfE figures for every authority
    (anything left from an earlier run is deleted first)."""
    with db.engine.begin() as connection:
        for table in (
            "take_up_area_month",
            "take_up_month",
            "take_up_move",
            "referral_event",
            "referral",
            "care_leaver",
            "care_leaver_statistic",
        ):
            connection.execute(text(f"DELETE FROM {table}"))  # noqa: S608 - fixed names
        connection.execute(text("DELETE FROM user_account WHERE email LIKE 'bench.%'"))
    authorities = list(
        db.session.execute(select(LocalAuthority.id, LocalAuthority.gss_code).order_by(LocalAuthority.id))
    )
    pledges = {
        pledge_id: (organisation_id, kind, bits)
        for pledge_id, organisation_id, kind, bits in db.session.execute(
            select(Pledge.id, Pledge.organisation_id, Pledge.kind, Pledge.outcome_area_bits).where(
                Pledge.status == PledgeStatus.PUBLISHED
            )
        )
    }
    db.session.commit()
    now = datetime.now(UTC)
    password = hash_password("bench password that nobody uses")
    with db.engine.begin() as connection:
        connection.execute(
            insert(User),
            [
                {
                    "email": COORDINATOR_EMAIL,
                    "name": "Bench Coordinator",
                    "role": Role.COORDINATOR,
                    "password_hash": password,
                    "email_confirmed_at": now,
                    "session_token": "bench",
                    "created_at": now,
                }
            ],
        )
        connection.execute(
            insert(User),
            [
                {
                    "email": MANAGER_EMAIL,
                    "name": "Bench Manager",
                    "role": Role.AUTHORITY_MANAGER,
                    "local_authority_id": authorities[0][0],
                    "password_hash": password,
                    "email_confirmed_at": now,
                    "session_token": "bench-manager",
                    "created_at": now,
                }
            ],
        )
        # A second statement: an executemany takes its columns from the first row.
        connection.execute(
            insert(User),
            [
                {
                    "email": f"bench.adviser{authority_id}@example.org",
                    "name": f"Adviser {authority_id}",
                    "role": Role.PERSONAL_ADVISER,
                    "local_authority_id": authority_id,
                    "password_hash": password,
                    "email_confirmed_at": now,
                    "session_token": f"bench{authority_id}",
                    "created_at": now,
                }
                for authority_id, _ in authorities[:AUTHORITIES]
            ],
        )
        advisers: dict[int, int] = dict(
            connection.execute(
                select(func.coalesce(User.local_authority_id, 0), User.id).where(
                    User.role == Role.PERSONAL_ADVISER, User.email.like("bench.%")
                )
            ).all()
        )
        care_leavers = _care_leavers(connection, rng, authorities[:AUTHORITIES], advisers, now)
        _referrals(connection, rng, care_leavers, pledges, now)
        connection.execute(
            insert(CareLeaverStatistic),
            [
                {
                    "authority_code": code,
                    "period": period,
                    "age_band": AGED_19_TO_21,
                    "activity": NEET,
                    "count": None if rng.random() < 0.05 else rng.randint(5, 400),
                    "source_file": SOURCE_FILE,
                    "imported_at": now,
                }
                for _, code in authorities
                for period in ("2023", "2024")
            ],
        )


def _care_leavers(
    connection: Any, rng: random.Random, authorities: list[Any], advisers: dict[int, int], now: datetime
) -> list[tuple[int, int, int]]:
    """(id, authority id, adviser id) of each care leaver inserted."""
    start = int(connection.scalar(select(func.coalesce(func.max(CareLeaver.id), 0)))) + 1
    rows = []
    made: list[tuple[int, int, int]] = []
    today = now.date()
    for authority_id, _ in authorities:
        for number in range(CARE_LEAVERS_PER_AUTHORITY):
            care_leaver_id = start + len(made)
            rows.append(
                {
                    "id": care_leaver_id,
                    "local_authority_id": authority_id,
                    "adviser_id": advisers[authority_id],
                    "reference": f"BENCH-{number:05d}",
                    "first_name": rng.choice(("Sam", "Jade", "Alex", "Kai", "Mia", "Leo")),
                    "date_of_birth": date(
                        today.year - rng.randint(16, 25), rng.randint(1, 12), rng.randint(1, 28)
                    ),
                    "lives_in_id": authority_id,
                    "consented_on": today - timedelta(days=rng.randint(1, 1000)),
                    "created_at": now,
                    "updated_at": now,
                }
            )
            made.append((care_leaver_id, authority_id, advisers[authority_id]))
    connection.execute(insert(CareLeaver), rows)
    if connection.dialect.name == "postgresql":
        connection.execute(
            text(
                "SELECT setval(pg_get_serial_sequence('care_leaver', 'id'), (SELECT max(id) FROM care_leaver))"
            )
        )
    return made


def _referrals(
    connection: Any,
    rng: random.Random,
    care_leavers: list[tuple[int, int, int]],
    pledges: dict[int, tuple[int, PledgeKind, int]],
    now: datetime,
) -> None:
    """Referrals and their moves until there are EVENTS moves, spread over the last YEARS years, each move also
    recorded for the reports (`TakeUpMove`), as the app records it."""
    pledge_ids = sorted(pledges)
    paths = [path for path, _ in PATHS]
    weights = [weight for _, weight in PATHS]
    start = int(connection.scalar(select(func.coalesce(func.max(Referral.id), 0)))) + 1
    span = timedelta(days=365 * YEARS).total_seconds()
    referrals: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    facts: dict[int, MoveFacts] = {}
    # Counted over every batch and written once at the end, as migration 0010 does: adding to each month's rows
    # batch by batch would leave PostgreSQL's tables full of dead row versions a real one would not have.
    monthly = MonthlyCounts(Counter(), Counter())
    made = 0
    taken: set[tuple[int, int]] = set()
    referral_id = start
    while made < EVENTS:
        care_leaver_id, authority_id, adviser_id = rng.choice(care_leavers)
        pledge_id = rng.choice(pledge_ids)
        if (care_leaver_id, pledge_id) in taken:
            continue
        taken.add((care_leaver_id, pledge_id))
        path = rng.choices(paths, weights)[0][: EVENTS - made]
        when = now - timedelta(seconds=rng.random() * span)
        created = when
        previous: ReferralStatus | None = None
        for status in path:
            events.append(
                {
                    "referral_id": referral_id,
                    "from_status": previous,
                    "to_status": status,
                    "occurred_at": when,
                    "actor_id": adviser_id if status is S.REFERRED else None,
                }
            )
            previous = status
            when = min(now, when + timedelta(days=rng.randint(1, 30), seconds=rng.randint(0, 86_399)))
        referrals.append(
            {
                "id": referral_id,
                "care_leaver_id": care_leaver_id,
                "pledge_id": pledge_id,
                "referred_by_id": adviser_id,
                "note": "Keen and reliable.",
                "status": previous,
                "created_at": created,
                "status_changed_at": events[-1]["occurred_at"],
            }
        )
        organisation_id, kind, bits = pledges[pledge_id]
        facts[referral_id] = MoveFacts(authority_id, organisation_id, pledge_id, kind, bits)
        referral_id += 1
        made += len(path)
        if len(events) >= BATCH:
            _insert(connection, referrals, events, facts, monthly)
            referrals, events, facts = [], [], {}
    if referrals:
        _insert(connection, referrals, events, facts, monthly)
    monthly.write(connection)
    if connection.dialect.name == "postgresql":
        connection.execute(
            text("SELECT setval(pg_get_serial_sequence('referral', 'id'), (SELECT max(id) FROM referral))")
        )


def _insert(
    connection: Any,
    referrals: list[dict[str, Any]],
    events: list[dict[str, Any]],
    facts: dict[int, MoveFacts],
    monthly: MonthlyCounts,
) -> None:
    connection.execute(insert(Referral), referrals)
    connection.execute(insert(ReferralEvent), events)
    moves = ((event["referral_id"], event["to_status"], event["occurred_at"]) for event in events)
    rows = move_rows(moves, facts, {})
    connection.execute(insert(TakeUpMove), rows)
    monthly.add_rows(rows)


def time_reports(app: Flask, runs: int, pages: list[Page] | None = None) -> list[PageTiming]:
    """Each page `WARM_UP` times untimed, then `runs` times timed, with its statements counted."""
    with app.app_context():
        coordinator = db.session.scalars(select(User).where(User.email == COORDINATOR_EMAIL)).one()
        manager = db.session.scalars(select(User).where(User.email == MANAGER_EMAIL)).one()
        signed_in = {Role.COORDINATOR: coordinator.get_id(), Role.AUTHORITY_MANAGER: manager.get_id()}
        # The organisation with the most referrals, as the busiest dashboard.
        busiest = db.session.execute(
            select(Pledge.organisation_id)
            .join(Referral, Referral.pledge_id == Pledge.id)
            .group_by(Pledge.organisation_id)
            .order_by(func.count().desc())
            .limit(1)
        ).scalar_one()
        gss_code = db.session.scalar(
            select(LocalAuthority.gss_code).where(LocalAuthority.id == manager.local_authority_id)
        )
        names = {"authority": str(gss_code), "organisation": busiest}
        db.session.remove()
    timings = []
    with StatementCounter(app) as counter:
        for page in pages or PAGES:
            client = app.test_client()
            if page.role is not None:
                with client.session_transaction() as session:
                    session["_user_id"] = signed_in[page.role]
                    session["_fresh"] = True
                    session["signed_in_at"] = datetime.now(UTC).timestamp()
                    session[SECOND_FACTOR_PASSED] = True  # the dashboards are timed, not the two-factor step
            path = page.path.format(**names)
            for _ in range(WARM_UP):
                _fetch(client, path)
            samples, counts = [], set()
            for _ in range(runs):
                counter.statements = 0
                started = time.perf_counter()
                _fetch(client, path)
                samples.append((time.perf_counter() - started) * 1000)
                counts.add(counter.statements)
            timings.append(
                PageTiming(
                    name=page.name,
                    path=path,
                    p50_ms=percentile(samples, 50),
                    p95_ms=percentile(samples, 95),
                    statements=max(counts),
                    statements_constant=len(counts) == 1,
                )
            )
    return timings


def _fetch(client: Any, path: str) -> None:
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")


def print_reports(name: str, timings: list[PageTiming], runs: int) -> None:
    print(f"\n{name}: dashboards, server time in process (whole request, page rendered), {runs} runs each")
    header = f"  {'dashboard':<32} {'path':<36} {'p50':>7} {'p95':>7} {'SQL':>4}"
    print(header)
    print("  " + "-" * (len(header) - 2))
    for timing in timings:
        flag = "" if timing.p95_ms <= P95_TARGET_MS else "  > target"
        constant = "" if timing.statements_constant else "*"
        print(
            f"  {timing.name:<32} {timing.path:<36} {timing.p50_ms:>7.1f} {timing.p95_ms:>7.1f} "
            f"{timing.statements:>3}{constant:1}{flag}"
        )


def judge_reports(results: list[tuple[str, list[PageTiming]]]) -> str:
    slow = [
        f"{name} {timing.name} {timing.p95_ms:.0f} ms"
        for name, timings in results
        for timing in timings
        if timing.p95_ms > P95_TARGET_MS
    ]
    worst = max((timing.p95_ms for _, timings in results for timing in timings), default=0.0)
    if not results:
        return "dashboards: not measured"
    return f"p95 <= {P95_TARGET_MS:.0f} ms for every dashboard: " + (
        f"MISSED: {'; '.join(slow)}" if slow else f"met (slowest p95 {worst:.1f} ms)"
    )
