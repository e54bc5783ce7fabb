"""The bench's rows: 10,000 organisations and 100,000 published pledges (plus drafts, submitted, paused and closed
ones), worded like the demo pledges, bulk-inserted (the full-text index's triggers keep up).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, insert, select, text

from covenant.clock import uk_today, utcnow
from covenant.demo_pledges import OFFERS, Offer
from covenant.extensions import db
from covenant.models import (
    LocalAuthority,
    Organisation,
    Pledge,
    PledgeLocalAuthority,
    PledgeOutcomeArea,
    PledgeRegion,
    PostcodeDistrict,
)
from covenant.opportunities.search.bits import area_bits, place_ids_of, region_bits_of
from covenant.reports import live
from covenant.vocab import (
    DbsLevel,
    OrganisationType,
    OutcomeArea,
    PledgeKind,
    PledgeStatus,
    Reach,
    Region,
    TakeUp,
)

ORGANISATIONS = 10_000
SUSPENDED_ORGANISATIONS = 50
PLEDGES = {
    PledgeStatus.PUBLISHED: 100_000,
    PledgeStatus.DRAFT: 10_000,
    PledgeStatus.CLOSED: 10_000,
    PledgeStatus.SUBMITTED: 2_000,
    PledgeStatus.PAUSED: 1_000,
}
DISTRICTS_PER_AUTHORITY = 3
BATCH = 5_000
SEED = 2026

TRADES: list[tuple[str, OrganisationType]] = [
    ("Engineering", OrganisationType.BUSINESS),
    ("Bakeries", OrganisationType.BUSINESS),
    ("Logistics", OrganisationType.BUSINESS),
    ("Building Supplies", OrganisationType.BUSINESS),
    ("Hotels", OrganisationType.BUSINESS),
    ("Law Partners", OrganisationType.BUSINESS),
    ("Bus Company", OrganisationType.BUSINESS),
    ("Digital", OrganisationType.BUSINESS),
    ("Media", OrganisationType.BUSINESS),
    ("Motors", OrganisationType.BUSINESS),
    ("Print Works", OrganisationType.BUSINESS),
    ("Energy", OrganisationType.BUSINESS),
    ("Insurance", OrganisationType.BUSINESS),
    ("Building Society", OrganisationType.BUSINESS),
    ("Garden Centre", OrganisationType.BUSINESS),
    ("Leisure Centres", OrganisationType.BUSINESS),
    ("Housing Trust", OrganisationType.CHARITY),
    ("Food Bank", OrganisationType.CHARITY),
    ("Youth Project", OrganisationType.CHARITY),
    ("Community Garage", OrganisationType.CHARITY),
    ("Football Foundation", OrganisationType.CHARITY),
    ("Outdoor Centre", OrganisationType.CHARITY),
    ("Arts Trust", OrganisationType.CHARITY),
    ("Mind", OrganisationType.CHARITY),
    ("College", OrganisationType.EDUCATION),
    ("University", OrganisationType.EDUCATION),
    ("Training Academy", OrganisationType.EDUCATION),
    ("Fire and Rescue Service", OrganisationType.PUBLIC_BODY),
    ("NHS Trust", OrganisationType.PUBLIC_BODY),
    ("Cooperative", OrganisationType.OTHER),
]
SUFFIXES = {
    OrganisationType.BUSINESS: ["Ltd", "Group", "and Sons", "Partnership", ""],
    OrganisationType.CHARITY: ["", "Trust", "Foundation", "Network"],
    OrganisationType.EDUCATION: ["", "Group"],
    OrganisationType.PUBLIC_BODY: [""],
    OrganisationType.OTHER: ["", "Society"],
}
CONTACTS = [
    "Sam Patel",
    "Jo Williams",
    "Chris Okoro",
    "Alex Murphy",
    "Priya Desai",
    "Tom Hughes",
    "Ana Silva",
]
REQUIREMENTS = [
    None,
    None,
    "Able to travel to the workplace by 9am",
    "Interested in working outdoors",
    "No qualifications needed",
]
ADJUSTMENTS = [
    None,
    "Flexible start times and a quiet room for breaks.",
    "Information in easy read, and help with travel planning.",
    "Step-free access and a named buddy.",
]


@dataclass(frozen=True)
class Authority:
    """What the generator needs to know about a local authority."""

    id: int
    name: str
    region: Region
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Home:
    """Where an organisation is: its local authority, a town name for the wording, a postcode district."""

    authority_id: int
    region: Region
    town: str
    district: str


@dataclass
class Rows:
    """Rows for one batch of pledges and their lists."""

    pledges: list[dict[str, Any]] = field(default_factory=list)
    areas: list[dict[str, Any]] = field(default_factory=list)
    regions: list[dict[str, Any]] = field(default_factory=list)
    authorities: list[dict[str, Any]] = field(default_factory=list)


def generate(rng: random.Random) -> None:
    """Bulk-insert postcode districts, organisations and pledges (the search index triggers keep up)."""
    authorities = [
        Authority(*row)
        for row in db.session.execute(
            select(
                LocalAuthority.id,
                LocalAuthority.name,
                LocalAuthority.region,
                LocalAuthority.latitude,
                LocalAuthority.longitude,
            ).order_by(LocalAuthority.id)
        )
    ]
    db.session.commit()  # end the read, or SQLite's writer below would wait for it
    by_region: dict[Region, list[Authority]] = {}
    for authority in authorities:
        by_region.setdefault(authority.region, []).append(authority)
    districts = _districts(rng, authorities)
    today = uk_today()
    now = utcnow()
    with db.engine.begin() as connection:
        connection.execute(insert(PostcodeDistrict), [row for rows in districts.values() for row in rows])
        homes = _organisations(rng, connection, authorities, districts, now)
        statuses = [status for status, number in PLEDGES.items() for _ in range(number)]
        rng.shuffle(statuses)
        for start in range(0, len(statuses), BATCH):
            rows = Rows()
            for number, status in enumerate(statuses[start : start + BATCH], start=start + 1):
                _pledge(rng, rows, number, status, homes, by_region, today, now)
            connection.execute(insert(Pledge), rows.pledges)
            connection.execute(insert(PledgeOutcomeArea), rows.areas)
            if rows.regions:
                connection.execute(insert(PledgeRegion), rows.regions)
            if rows.authorities:
                connection.execute(insert(PledgeLocalAuthority), rows.authorities)
        live.recount(connection)  # the inserts bypassed the ORM, which keeps the counts
        if connection.dialect.name == "postgresql":
            # The ids were given explicitly, so move the sequences past them.
            for table in ("organisation", "pledge"):
                sql = f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608 - fixed names
                connection.execute(text(sql))


def _districts(rng: random.Random, authorities: list[Authority]) -> dict[int, list[dict[str, Any]]]:
    """A few made-up postcode districts around each authority's centre, with codes that look real."""
    used: set[str] = set()
    districts: dict[int, list[dict[str, Any]]] = {}
    for authority in authorities:
        letters = "".join(c for c in authority.name.upper() if c.isalpha())
        prefixes = [letters[:2], letters[:1], letters[0] + letters[2:3]]
        codes = (f"{prefix}{number}" for prefix in prefixes for number in range(1, 100))
        chosen = []
        for code in codes:
            if code not in used:
                used.add(code)
                chosen.append(code)
                if len(chosen) == DISTRICTS_PER_AUTHORITY:
                    break
        districts[authority.id] = [
            {
                "code": code,
                "latitude": round(authority.latitude + rng.uniform(-0.06, 0.06), 6),
                "longitude": round(authority.longitude + rng.uniform(-0.09, 0.09), 6),
            }
            for code in chosen
        ]
    return districts


def _organisations(
    rng: random.Random,
    connection: Connection,
    authorities: list[Authority],
    districts: dict[int, list[dict[str, Any]]],
    now: datetime,
) -> list[Home]:
    homes: list[Home] = []
    rows: list[dict[str, Any]] = []
    suspended = set(rng.sample(range(1, ORGANISATIONS + 1), SUSPENDED_ORGANISATIONS))
    for number in range(1, ORGANISATIONS + 1):
        authority = rng.choice(authorities)
        trade, kind = rng.choice(TRADES)
        name = " ".join(part for part in (authority.name, trade, rng.choice(SUFFIXES[kind])) if part)
        signed_at = now - timedelta(days=rng.randint(1, 4 * 365), minutes=rng.randint(0, 1440))
        rows.append(
            {
                "id": number,
                "name": name,
                "kind": kind,
                "companies_house_number": f"{rng.randint(1, 99_999_999):08d}"
                if kind == OrganisationType.BUSINESS
                else None,
                "charity_number": str(rng.randint(200_000, 1_199_999))
                if kind == OrganisationType.CHARITY
                else None,
                "website": f"https://www.{name.lower().replace(' ', '-')}-{number}.example",
                "region": authority.region,
                "signed_at": signed_at,
                "created_at": signed_at,
                "suspended_at": now - timedelta(days=rng.randint(1, 90)) if number in suspended else None,
                "suspension_reason": "Complaints about how referrals were handled"
                if number in suspended
                else None,
            }
        )
        district = rng.choice(districts[authority.id])["code"]
        homes.append(Home(authority.id, authority.region, authority.name, district))
    for batch in batches(rows):
        connection.execute(insert(Organisation), batch)
    return homes


def _dates(
    rng: random.Random, offer: Offer, status: PledgeStatus, today: date, now: datetime
) -> dict[str, Any]:
    """Start, end and closing dates, and when it was submitted, published and closed."""
    ongoing = offer.kind in (PledgeKind.DISCOUNT, PledgeKind.GUARANTEED_INTERVIEW) or rng.random() < 0.15
    starts = today + timedelta(days=rng.randint(-200, 120))
    ends = closes = None
    if not ongoing:
        closes = today + timedelta(days=rng.randint(0, 180))
        ends = max(starts, closes) + timedelta(days=rng.choice([7, 14, 56, 180, 365]))
    submitted_at = now - timedelta(seconds=rng.randint(0, 2 * 365 * 24 * 3600))
    published_at = submitted_at + timedelta(hours=rng.randint(1, 72))
    closed_at = None
    if status == PledgeStatus.CLOSED:
        closes = today - timedelta(days=rng.randint(1, 180))
        ends = closes + timedelta(days=7) if ends else None
        published_at = now - timedelta(days=rng.randint(200, 700))
        submitted_at = published_at - timedelta(days=2)
        closed_at = datetime.combine(closes, datetime.min.time(), now.tzinfo) + timedelta(days=1)
    elif status == PledgeStatus.PUBLISHED:
        published_at = min(published_at, now)
    return {
        "ongoing": ongoing,
        "starts_on": starts,
        "ends_on": ends,
        "closes_on": closes,
        "submitted_at": None if status == PledgeStatus.DRAFT else submitted_at,
        "published_at": published_at
        if status in (PledgeStatus.PUBLISHED, PledgeStatus.PAUSED, PledgeStatus.CLOSED)
        else None,
        "closed_at": closed_at,
        "created_at": submitted_at - timedelta(days=rng.randint(0, 10)),
        "updated_at": submitted_at,
    }


def _pledge(
    rng: random.Random,
    rows: Rows,
    number: int,
    status: PledgeStatus,
    homes: list[Home],
    by_region: dict[Region, list[Authority]],
    today: date,
    now: datetime,
) -> None:
    # Some organisations pledge a lot, most a few things.
    organisation_index = int(len(homes) * rng.random() ** 1.5)
    home = homes[organisation_index]
    offer = rng.choice(OFFERS)
    roll = rng.random()
    reach = (
        Reach.NATIONAL
        if roll < 0.1
        else Reach.REMOTE
        if roll < 0.18
        else Reach.REGIONS
        if roll < 0.45
        else Reach.LOCAL_AUTHORITIES
    )
    min_age, max_age = offer.ages
    if rng.random() < 0.2:
        min_age = min(max_age, max(16, min_age + rng.choice([-1, 1, 2])))
    pay_amount = None
    if offer.pay:
        pay_amount = (
            Decimal(offer.pay[0]) * Decimal(rng.choice(["0.95", "1", "1", "1.05", "1.1"]))
        ).quantize(Decimal("0.01"))
    places = offer.places
    places_taken = 0
    if places is not None and status in (PledgeStatus.PUBLISHED, PledgeStatus.CLOSED, PledgeStatus.PAUSED):
        places_taken = rng.randint(0, places)
    under_18 = min_age < 18 and rng.random() < 0.6
    draft = status == PledgeStatus.DRAFT
    dbs_level = (
        DbsLevel.ENHANCED_BARRED
        if under_18
        else rng.choice([DbsLevel.NONE, DbsLevel.BASIC, DbsLevel.ENHANCED])
    )
    rows.pledges.append(
        {
            "id": number,
            "organisation_id": organisation_index + 1,
            "status": status,
            "title": offer.title.format(town=home.town),
            "kind": offer.kind,
            "summary": offer.summary.format(town=home.town),
            "description": offer.description,
            "what_you_get": offer.what_you_get,
            "paid": offer.pay is not None,
            "pay_amount": pay_amount,
            "pay_period": offer.pay[1] if offer.pay else None,
            "min_age": min_age,
            "max_age": max_age,
            "requirements": rng.choice(REQUIREMENTS),
            "reach": reach,
            "postcode_district": home.district if reach in (Reach.REGIONS, Reach.LOCAL_AUTHORITIES) else None,
            "places": places,
            "places_unlimited": places is None,
            "places_taken": places_taken,
            "take_up": None
            if draft and rng.random() < 0.5
            else rng.choice([TakeUp.ADVISER_OR_CARE_LEAVER, TakeUp.ADVISER_ONLY]),
            "contact_name": rng.choice(CONTACTS),
            "contact_email": f"careers{number}@example.org",
            "contact_phone": rng.choice([None, "0113 496 0000", "020 7946 0000", "0161 496 0000"]),
            "under_18_contact": under_18,
            "contact_supervised": (rng.random() < 0.7) if under_18 else None,
            "dbs_level": dbs_level,
            "dbs_confirmed_on": today - timedelta(days=rng.randint(5, 330))
            if under_18 and dbs_level == DbsLevel.ENHANCED_BARRED
            else None,
            "adjustments": rng.choice(ADJUSTMENTS),
            "adjustments_answered": not draft or rng.random() < 0.5,
            "review_reason": None,
            "created_by_id": None,
            **_dates(rng, offer, status, today, now),
        }
    )
    areas = list(offer.areas)
    if rng.random() < 0.2:
        areas.append(rng.choice(list(OutcomeArea)))
    rows.areas += [{"pledge_id": number, "area": area} for area in dict.fromkeys(areas)]
    regions: list[Region] = []
    chosen: list[int] = []
    if reach == Reach.REGIONS:
        regions = [home.region] + ([rng.choice(list(Region))] if rng.random() < 0.3 else [])
        rows.regions += [{"pledge_id": number, "region": region} for region in dict.fromkeys(regions)]
    if reach == Reach.LOCAL_AUTHORITIES:
        neighbours = [
            authority.id for authority in by_region[home.region] if authority.id != home.authority_id
        ]
        chosen = [home.authority_id, *rng.sample(neighbours, k=min(len(neighbours), rng.randint(0, 2)))]
        rows.authorities += [{"pledge_id": number, "local_authority_id": chosen_id} for chosen_id in chosen]
    # Inserted in bulk, past the ORM that keeps these in step.
    rows.pledges[-1]["outcome_area_bits"] = area_bits(areas)
    rows.pledges[-1]["region_bits"] = region_bits_of(reach, regions, [home.region])
    rows.pledges[-1]["place_ids"] = place_ids_of(reach, regions, chosen)


def batches(items: list[Any], size: int = BATCH) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
