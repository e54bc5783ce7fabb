"""Realistic demo organisations and pledges: about 40 organisations and 150 pledges across every kind,
outcome area, region and status. Deterministic, so every `make run` shows the same service."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from covenant.clock import uk_today, utcnow
from covenant.extensions import db
from covenant.models import LocalAuthority, Organisation, Pledge, User
from covenant.vocab import (
    DbsLevel,
    OrganisationType,
    OutcomeArea,
    PayPeriod,
    PledgeKind,
    PledgeStatus,
    Reach,
    Region,
    Role,
    TakeUp,
)

B, C, P, E, OTHER = (
    OrganisationType.BUSINESS,
    OrganisationType.CHARITY,
    OrganisationType.PUBLIC_BODY,
    OrganisationType.EDUCATION,
    OrganisationType.OTHER,
)

# (name, type, region, town used in wording, postcode district)
ORGANISATIONS = [
    ("Aire Valley Engineering", B, Region.YORKSHIRE, "Leeds", "LS10"),
    ("Pennine Bakeries", B, Region.YORKSHIRE, "Bradford", "BD1"),
    ("Humber Logistics", B, Region.YORKSHIRE, "Hull", "HU2"),
    ("Sheffield Steelworks Trust", C, Region.YORKSHIRE, "Sheffield", "S1"),
    ("Leeds Beckett Futures", E, Region.YORKSHIRE, "Leeds", "LS1"),
    ("Thames Digital Academy", E, Region.LONDON, "Camden", "NW1"),
    ("Camden Kitchen Collective", C, Region.LONDON, "Camden", "NW5"),
    ("Southbank Hotels Group", B, Region.LONDON, "Southwark", "SE1"),
    ("City Law Partners", B, Region.LONDON, "the City of London", "EC4A"),
    ("London Bus Company", B, Region.LONDON, "Croydon", "CR0"),
    ("Greenwich Housing Trust", C, Region.LONDON, "Greenwich", "SE10"),
    ("Kernow Surf School", B, Region.SOUTH_WEST, "Newquay", "TR7"),
    ("Cornwall Care Partnership", P, Region.SOUTH_WEST, "Truro", "TR1"),
    ("Bristol Harbour Boatyard", B, Region.SOUTH_WEST, "Bristol", "BS1"),
    ("Exeter Cathedral Trust", C, Region.SOUTH_WEST, "Exeter", "EX1"),
    ("Mersey Media", B, Region.NORTH_WEST, "Liverpool", "L1"),
    ("Manchester Tech Hub", B, Region.NORTH_WEST, "Manchester", "M1"),
    ("Lakeland Outdoor Centre", C, Region.NORTH_WEST, "Kendal", "LA9"),
    ("Salford Community Garage", C, Region.NORTH_WEST, "Salford", "M5"),
    ("Tyne Shipyard Heritage", C, Region.NORTH_EAST, "Newcastle", "NE1"),
    ("Durham Rail Works", B, Region.NORTH_EAST, "Durham", "DH1"),
    ("Teesside Chemicals", B, Region.NORTH_EAST, "Middlesbrough", "TS1"),
    ("Sunderland Football Foundation", C, Region.NORTH_EAST, "Sunderland", "SR1"),
    ("Nottingham Building Society", B, Region.EAST_MIDLANDS, "Nottingham", "NG1"),
    ("Derby Aero Parts", B, Region.EAST_MIDLANDS, "Derby", "DE1"),
    ("Leicester Food Bank Network", C, Region.EAST_MIDLANDS, "Leicester", "LE1"),
    ("Birmingham Jewellery Quarter Makers", B, Region.WEST_MIDLANDS, "Birmingham", "B18"),
    ("Black Country Bikes", C, Region.WEST_MIDLANDS, "Wolverhampton", "WV1"),
    ("Coventry Motor Museum", C, Region.WEST_MIDLANDS, "Coventry", "CV1"),
    ("Cambridge Science Park Trust", C, Region.EAST, "Cambridge", "CB4"),
    ("Norfolk Farms Cooperative", OTHER, Region.EAST, "Norwich", "NR1"),
    ("Essex Coastal Ferries", B, Region.EAST, "Harwich", "CO12"),
    ("Kent Orchards", B, Region.SOUTH_EAST, "Maidstone", "ME14"),
    ("Brighton Pier Arcades", B, Region.SOUTH_EAST, "Brighton", "BN1"),
    ("Oxford Bookbinders", B, Region.SOUTH_EAST, "Oxford", "OX1"),
    ("Solent Sailing Trust", C, Region.SOUTH_EAST, "Southampton", "SO14"),
    ("National Rail Careers", P, Region.LONDON, "London", None),
    ("Department for Safer Streets", P, Region.LONDON, "London", None),
    ("Fairshare Energy", B, Region.EAST_MIDLANDS, "Leicester", None),
    ("Open Road Insurance", B, Region.NORTH_WEST, "Manchester", None),
]


@dataclass(frozen=True)
class Offer:
    """A kind of pledge an organisation in a given trade would plausibly make."""

    kind: PledgeKind
    title: str
    summary: str
    description: str
    what_you_get: str
    areas: tuple[OutcomeArea, ...]
    pay: tuple[str, PayPeriod] | None
    ages: tuple[int, int]
    places: int | None  # None: no limit


EET, LIVING, SAFETY, HEALTH, MONEY = (
    OutcomeArea.EDUCATION_EMPLOYMENT,
    OutcomeArea.INDEPENDENT_LIVING,
    OutcomeArea.SAFETY,
    OutcomeArea.HEALTH,
    OutcomeArea.FINANCE,
)

OFFERS = [
    Offer(PledgeKind.WORK_EXPERIENCE, "Two weeks’ work experience in {town}",
          "Spend two weeks with our team in {town} and find out what the work is really like.",
          "You will shadow different people each day, try real tasks and finish with a small project of your own. A named buddy looks after you the whole time.",
          "A reference, lunch every day and your travel paid.", (EET,), None, (16, 25), 4),
    Offer(PledgeKind.WORK_EXPERIENCE, "Summer work taster week",
          "A one-week taster over the summer holidays, with a certificate at the end.",
          "Try five different jobs in five days: office, warehouse, customer service, IT and design. Good if you are not sure what you want to do yet.",
          "A certificate, lunch and travel costs.", (EET,), None, (16, 19), 8),
    Offer(PledgeKind.WORK_EXPERIENCE, "Paid work experience in {town}",
          "A paid week of work experience with our team in {town}, with a reference at the end.",
          "Work alongside our staff for five days, try the jobs that interest you most and get feedback every day. We pay you for every hour you are with us.",
          "Pay at the real Living Wage, lunch and a reference.", (EET, MONEY), ("13.15", PayPeriod.HOUR), (16, 25), 3),
    Offer(PledgeKind.INTERNSHIP, "Paid summer internship in {town}",
          "A paid eight-week summer internship for care leavers at college or university.",
          "Work on real projects with a mentor, join our graduate events and present your work to the leadership team at the end.",
          "Pay at the real Living Wage, a mentor and a reference.", (EET, MONEY), ("13.15", PayPeriod.HOUR), (18, 25), 3),
    Offer(PledgeKind.APPRENTICESHIP, "Level 3 apprenticeship with guaranteed interview",
          "An apprenticeship with a recognised qualification, and a guaranteed interview for care leavers.",
          "Earn while you learn: four days a week at work and one day at college. Care leavers who meet the basic requirements are guaranteed an interview.",
          "A salary, a Level 3 qualification and a £1,000 bursary from us on top of the government care leaver bursary.", (EET, MONEY), ("18500", PayPeriod.YEAR), (16, 24), 2),
    Offer(PledgeKind.APPRENTICESHIP, "Engineering apprenticeship in {town}",
          "Train as an engineer on a four-year apprenticeship with day release to college.",
          "You will learn to use, maintain and repair machinery alongside experienced engineers, and study for an engineering qualification.",
          "A salary that rises each year, tools and safety kit, and a qualification.", (EET,), ("21000", PayPeriod.YEAR), (16, 24), 2),
    Offer(PledgeKind.JOB, "Customer service jobs in {town}",
          "Permanent jobs with training from day one, and flexible hours if you are studying.",
          "Help our customers in person and on the phone. You do not need experience: we train you and pair you with a buddy for your first month.",
          "A permanent contract, paid training and a staff discount.", (EET, MONEY), ("12.21", PayPeriod.HOUR), (18, 25), 5),
    Offer(PledgeKind.JOB, "Kitchen assistant jobs",
          "Paid kitchen jobs with training towards a food hygiene certificate.",
          "Prepare food, keep the kitchen clean and learn from our chefs. Morning or evening shifts to fit around college.",
          "Pay, free meals on shift and a food hygiene certificate.", (EET,), ("11.44", PayPeriod.HOUR), (16, 25), 3),
    Offer(PledgeKind.GUARANTEED_INTERVIEW, "Guaranteed interview for any vacancy",
          "If you meet the essential requirements, we guarantee you an interview for any job we advertise.",
          "Tell us you are a care leaver when you apply and we will make sure you get an interview, plus feedback afterwards whatever happens.",
          "An interview, interview coaching beforehand and feedback.", (EET,), None, (16, 25), None),
    Offer(PledgeKind.MENTORING, "One-to-one mentoring with a professional",
          "Meet a mentor once a month for a year to talk about work, study and your plans.",
          "We match you with a trained volunteer mentor from our staff. You choose what to talk about: CVs, interviews, money, confidence or anything else.",
          "A year of mentoring, and a mentor who can give you a reference.", (EET, HEALTH), None, (16, 25), 10),
    Offer(PledgeKind.MENTORING, "Peer mentoring from someone who has been in care",
          "Talk to a trained mentor who has been in care themselves.",
          "Our mentors have lived experience of care. Meet online or in person, as often as suits you, for up to six months.",
          "Support from someone who understands, and help finding other services.", (HEALTH, LIVING), None, (16, 25), 12),
    Offer(PledgeKind.TRAINING, "Free driving lessons",
          "Up to 20 free driving lessons and your theory and practical test fees paid.",
          "Learning to drive opens up jobs and makes getting around easier. We pay for lessons with an approved instructor near you.",
          "20 lessons, and your theory and practical test fees.", (EET, LIVING), None, (17, 25), 6),
    Offer(PledgeKind.TRAINING, "First aid and food hygiene certificates",
          "Free one-day courses that lead to certificates employers ask for.",
          "Choose emergency first aid at work, food hygiene level 2, or both. Courses run every month.",
          "Certificates that last three years, and lunch on the day.", (EET, HEALTH), None, (16, 25), 15),
    Offer(PledgeKind.TRAINING, "Coding bootcamp",
          "A free 12-week course to learn web development, with a laptop to keep.",
          "Learn to build websites and apps with professional developers. Classes are in the evening, so you can work or study in the day.",
          "A laptop to keep, a certificate and an introduction to employers.", (EET,), None, (18, 25), 4),
    Offer(PledgeKind.DISCOUNT, "Half-price gym membership",
          "Half-price membership at all our gyms for care leavers.",
          "Use any of our gyms, classes and pools at half the usual price. Show your care leaver ID or a letter from your personal adviser.",
          "50% off membership for as long as you are 25 or under.", (HEALTH, MONEY), None, (16, 25), None),
    Offer(PledgeKind.DISCOUNT, "Free travel for your first month at work",
          "A free monthly travel pass when you start a new job or apprenticeship.",
          "Getting to work before your first pay day can be hard. We give you a free pass for your first month.",
          "A month of free travel on our routes.", (MONEY, EET), None, (16, 25), None),
    Offer(PledgeKind.DISCOUNT, "Council tax and energy bill help",
          "Help with your first year of bills when you move into your own home.",
          "We pay £20 a month towards your energy bills for your first year in your own tenancy, and help you set up your account.",
          "£240 towards energy bills and help with setting up accounts.", (MONEY, LIVING), None, (18, 25), None),
    Offer(PledgeKind.HOUSING, "Supported lodgings with a host",
          "Live with a trained host in their home while you learn to live independently.",
          "A room of your own in a family home, with a host who helps you with cooking, budgeting and finding work or study.",
          "A safe place to live and day-to-day support.", (LIVING, SAFETY), None, (16, 21), 2),
    Offer(PledgeKind.HOUSING, "Help setting up your first home",
          "A starter pack for your first home: bedding, kitchen kit and help moving in.",
          "When you get your first tenancy, our volunteers help you move and bring a starter pack of essentials.",
          "Bedding, pots and pans, a toolkit and help on moving day.", (LIVING, MONEY), None, (17, 25), 20),
    Offer(PledgeKind.HEALTH, "Free counselling sessions",
          "Up to 12 free sessions with a qualified counsellor, online or in person.",
          "Talk in confidence about anything that is on your mind. You do not need a referral from a doctor.",
          "12 free sessions and help finding longer-term support if you need it.", (HEALTH,), None, (16, 25), 8),
    Offer(PledgeKind.HEALTH, "Outdoor activity weekends",
          "Weekends of climbing, canoeing and walking to build confidence and make friends.",
          "Join a small group for a weekend of outdoor activities with trained instructors. All kit and food is provided.",
          "Two nights away, all activities, kit and food.", (HEALTH, SAFETY), None, (16, 21), 10),
    Offer(PledgeKind.OTHER, "Money coaching sessions",
          "Three one-to-one sessions to help you budget, save and deal with debt.",
          "A trained money coach helps you plan your budget, understand bills and benefits, and open a bank account if you need one.",
          "Three sessions and a £50 savings boost when you finish.", (MONEY, LIVING), None, (16, 25), 15),
]  # fmt: skip

# How many pledges in each status, out of 150; the rest are published.
STATUS_MIX = [
    (PledgeStatus.DRAFT, 14),
    (PledgeStatus.SUBMITTED, 12),
    (PledgeStatus.CHANGES_REQUESTED, 6),
    (PledgeStatus.REJECTED, 4),
    (PledgeStatus.PAUSED, 8),
    (PledgeStatus.CLOSED, 10),
]
TOTAL_PLEDGES = 150


def seed_pledges(first_organisation: Organisation, password_hash: str) -> int:
    """Add the demo organisations (beside `first_organisation`) and their pledges; returns how many pledges."""
    rng = random.Random(2026)
    today = uk_today()
    now = utcnow()
    authorities = {authority.name: authority for authority in db.session.scalars(select(LocalAuthority))}
    by_region: dict[Region, list[LocalAuthority]] = {}
    for authority in authorities.values():
        by_region.setdefault(authority.region, []).append(authority)

    organisations: list[tuple[Organisation, str, str | None]] = [(first_organisation, "Leeds", "LS11")]
    for index, (name, kind, region, town, district) in enumerate(ORGANISATIONS):
        organisation = Organisation(
            name=name,
            kind=kind,
            region=region,
            website=f"https://www.{name.lower().replace(' ', '-')}.example",
            signed_at=now - timedelta(days=20 + 19 * index),
            created_at=now - timedelta(days=20 + 19 * index),
        )
        db.session.add(organisation)
        slug = "".join(word[0] for word in name.lower().split())
        db.session.add(
            User(
                email=f"admin.{slug}{index}@example.org",
                name=f"{name.split()[0]} Admin",
                role=Role.ORGANISATION_ADMIN,
                organisation=organisation,
                password_hash=password_hash,
                email_confirmed_at=now,
            )
        )
        organisations.append((organisation, town, district))
    db.session.flush()

    statuses = [status for status, count in STATUS_MIX for _ in range(count)]
    statuses += [PledgeStatus.PUBLISHED] * (TOTAL_PLEDGES - len(statuses))
    rng.shuffle(statuses)
    # Leave five signatories with nothing live, so the coordinators' nudge list has something to show.
    quiet = {organisation.id for organisation, _, _ in organisations[-5:]}
    active = [entry for entry in organisations if entry[0].id not in quiet]

    for number, status in enumerate(statuses):
        organisation, town, district = active[number % len(active)]
        offer = OFFERS[(number * 7 + number // len(OFFERS)) % len(OFFERS)]
        pledge = _pledge(rng, organisation, town, district, offer, status, today, now, by_region, number)
        db.session.add(pledge)
    for organisation, _, _ in organisations[-5:-2]:
        offer = OFFERS[organisation.id % len(OFFERS)]
        db.session.add(
            _pledge(
                rng, organisation, "their area", None, offer, PledgeStatus.DRAFT, today, now, by_region, 0
            )
        )
    db.session.flush()
    return TOTAL_PLEDGES + 3 + _seed_landmark_pledges(organisations, today, now, by_region)


# Opportunities the README's searches find on a fresh `make run` ("near LS6", "near SW1A 1AA", "near Morley",
# "near Truro"): (organisation, town, postcode district, council area, offer), each published and local.
LANDMARKS = (
    ("Aire Valley Engineering", "Morley", "LS27", "Leeds", 2),
    ("Leeds Beckett Futures", "Headingley", "LS6", "Leeds", 4),
    ("City Law Partners", "Westminster", "SW1A", "Westminster", 3),
    ("Cornwall Care Partnership", "Truro", "TR1", "Cornwall", 0),
)


def _seed_landmark_pledges(
    organisations: list[tuple[Organisation, str, str | None]],
    today: date,
    now: datetime,
    by_region: dict[Region, list[LocalAuthority]],
) -> int:
    rng = random.Random(2027)
    by_name = {organisation.name: organisation for organisation, _, _ in organisations}
    for number, (name, town, district, council, offer_index) in enumerate(LANDMARKS):
        organisation = by_name[name]
        pledge = _pledge(
            rng,
            organisation,
            town,
            district,
            OFFERS[offer_index],
            PledgeStatus.PUBLISHED,
            today,
            now,
            by_region,
            TOTAL_PLEDGES + number,
        )
        pledge.reach = Reach.LOCAL_AUTHORITIES
        pledge.postcode_district = district
        pledge.regions = []
        pledge.local_authorities = [
            authority for authority in by_region[organisation.region] if authority.name == council
        ]
        pledge.title = _worded(OFFERS[offer_index].title, town, None)
        pledge.summary = _worded(OFFERS[offer_index].summary, town, None)
        db.session.add(pledge)
    db.session.flush()
    return len(LANDMARKS)


def _worded(text: str, town: str, elsewhere: str | None) -> str:
    """An offer's wording for its place: "in Leeds", or "online" or "across England" for one found anywhere."""
    return (
        text.replace("in {town}", elsewhere).replace("{town}", elsewhere)
        if elsewhere
        else text.format(town=town)
    )


def _pledge(
    rng: random.Random,
    organisation: Organisation,
    town: str,
    district: str | None,
    offer: Offer,
    status: PledgeStatus,
    today: date,
    now: datetime,
    by_region: dict[Region, list[LocalAuthority]],
    number: int,
) -> Pledge:
    starts = today + timedelta(days=rng.randint(-60, 90))
    ongoing = offer.kind in (PledgeKind.DISCOUNT, PledgeKind.GUARANTEED_INTERVIEW) or rng.random() < 0.15
    ends = None
    closes = None
    if not ongoing:
        # Still running: it ends after today, and referrals close on or before the end.
        ends = max(
            starts + timedelta(days=rng.choice([14, 56, 180, 365, 730])),
            today + timedelta(days=rng.randint(10, 60)),
        )
        closes = min(ends, today + timedelta(days=rng.randint(3, 120)))
    if status == PledgeStatus.CLOSED:
        closes = today - timedelta(days=rng.randint(1, 60))
        ends = closes + timedelta(days=7) if ends else None
    reach_roll = rng.random()
    if district is None or reach_roll < 0.15:
        reach = Reach.NATIONAL if reach_roll < 0.1 or district is None else Reach.REMOTE
    elif reach_roll < 0.45:
        reach = Reach.REGIONS
    else:
        reach = Reach.LOCAL_AUTHORITIES
    submitted_at = now - timedelta(days=rng.randint(1, 40), hours=rng.randint(0, 23))
    under_18 = offer.ages[0] < 18 and rng.random() < 0.6
    # An offer done online or open across England is not worded as if it were in the organisation's town.
    elsewhere = {Reach.REMOTE: "online", Reach.NATIONAL: "across England"}.get(reach)
    pledge = Pledge(
        organisation=organisation,
        status=status,
        title=_worded(offer.title, town, elsewhere),
        kind=offer.kind,
        summary=_worded(offer.summary, town, elsewhere),
        description=offer.description,
        what_you_get=offer.what_you_get,
        paid=offer.pay is not None,
        pay_amount=Decimal(offer.pay[0]) if offer.pay else None,
        pay_period=offer.pay[1] if offer.pay else None,
        min_age=offer.ages[0],
        max_age=offer.ages[1],
        requirements=rng.choice(
            [
                None,
                None,
                "Able to travel to the workplace by 9am",
                "Interested in working outdoors",
                "No qualifications needed",
            ]
        ),
        reach=reach,
        postcode_district=district if reach in (Reach.REGIONS, Reach.LOCAL_AUTHORITIES) else None,
        places=offer.places,
        places_unlimited=offer.places is None,
        places_taken=0  # counted from the demo referrals (demo_referrals.py)
        if status in (PledgeStatus.PUBLISHED, PledgeStatus.CLOSED)
        else 0,
        starts_on=starts,
        ends_on=ends,
        ongoing=ongoing,
        closes_on=closes,
        take_up=TakeUp.ADVISER_OR_CARE_LEAVER if rng.random() < 0.5 else TakeUp.ADVISER_ONLY,
        contact_name=rng.choice(
            ["Sam Patel", "Jo Williams", "Chris Okoro", "Alex Murphy", "Priya Desai", "Tom Hughes"]
        ),
        contact_email=f"careers{number}@example.org",
        contact_phone=rng.choice([None, "0113 496 0000", "020 7946 0000", "0161 496 0000"]),
        under_18_contact=under_18,
        contact_supervised=(rng.random() < 0.7) if under_18 else None,
        dbs_level=DbsLevel.ENHANCED_BARRED
        if under_18
        else rng.choice([DbsLevel.NONE, DbsLevel.BASIC, DbsLevel.ENHANCED]),
        adjustments=rng.choice(
            [
                None,
                "Flexible start times and a quiet room for breaks.",
                "Information in easy read, and help with travel planning.",
                "Step-free access and a named buddy.",
            ]
        ),
        adjustments_answered=status != PledgeStatus.DRAFT or rng.random() < 0.5,
        submitted_at=None if status == PledgeStatus.DRAFT else submitted_at,
        published_at=submitted_at + timedelta(days=2)
        if status in (PledgeStatus.PUBLISHED, PledgeStatus.PAUSED, PledgeStatus.CLOSED)
        else None,
        closed_at=now - timedelta(days=1) if status == PledgeStatus.CLOSED else None,
        review_reason={
            PledgeStatus.CHANGES_REQUESTED: "Please say where the work takes place and add the closing date for referrals.",
            PledgeStatus.REJECTED: "This is a general advert for jobs rather than an offer for care leavers. Tell us what care leavers get that others do not.",
        }.get(status),
        created_at=submitted_at - timedelta(days=3),
        updated_at=submitted_at,
    )
    if pledge.under_18_contact and pledge.contact_supervised is False:
        pledge.dbs_confirmed_on = today - timedelta(days=rng.randint(5, 330))
        pledge.dbs_update_service = rng.random() < 0.5
    pledge.outcome_areas = list(offer.areas)
    if reach == Reach.REGIONS:
        pledge.regions = [organisation.region] + ([rng.choice(list(Region))] if rng.random() < 0.3 else [])
    if reach == Reach.LOCAL_AUTHORITIES:
        pool = by_region[organisation.region]
        home = next((authority for authority in pool if town.lower() in authority.name.lower()), None)
        if home is None:
            pledge.local_authorities = rng.sample(pool, k=min(len(pool), rng.randint(1, 3)))
        else:
            # The organisation's own town, sometimes with a neighbouring authority in the same region.
            neighbours = [authority for authority in pool if authority is not home]
            pledge.local_authorities = [home] + (rng.sample(neighbours, k=1) if rng.random() < 0.3 else [])
    if status == PledgeStatus.DRAFT and rng.random() < 0.5:
        pledge.take_up = None
        pledge.contact_name = None
    return pledge
