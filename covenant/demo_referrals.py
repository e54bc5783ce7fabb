"""Demo caseloads and referrals: about 200 care leavers (first names only) across the demo authorities, and
referrals in every state with histories over the last 18 months, so caseloads, referrals and reports have
something to show. Deterministic, like the rest of the demo data.

Places taken on each pledge are counted from these referrals, never typed, as in the service itself.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from covenant.clock import add_working_days, months_after, uk_today, utcnow
from covenant.extensions import db
from covenant.models import (
    AuditEvent,
    CareLeaver,
    InterestRequest,
    LocalAuthority,
    Pledge,
    Referral,
    ReferralEvent,
    ReferralFeedback,
    SustainmentCheck,
    User,
)
from covenant.referrals.operations import referral_problem
from covenant.vocab import (
    ENDED_REFERRAL_STATUSES,
    PLACE_HOLDING_STATUSES,
    SUSTAINED_KINDS,
    UK_TIME_ZONE,
    OutcomeArea,
    PledgeKind,
    PledgeStatus,
    Reach,
    ReferralStatus,
    Role,
)

FIRST_NAMES = (
    "Aaliyah Abdi Adam Aiden Alfie Amara Amelia Amir Ava Ayesha Bella Ben Bethany Billy Caleb Callum Casey "
    "Charlie Chloe Connor Daisy Daniel Darius Demi Dylan Ebony Eden Eli Ella Ellie Emre Erin Ethan Evie Faith "
    "Finley Freya Gabriel Grace Hannah Harley Harvey Hassan Holly Ibrahim Imani Isaac Isla Jack Jade Jamal "
    "Jayden Jess Joel Jordan Josh Kai Kayla Keira Kian Kyle Lacey Layla Leah Leo Lewis Liam Lily Logan Lucas "
    "Macy Maya Mia Mohammed Molly Nadia Nathan Niamh Noah Olivia Omar Oscar Owen Paige Phoebe Reece Riley "
    "Rosie Ryan Sam Sami Scarlett Shannon Skye Sophie Summer Tayo Theo Toby Tyler Yasmin Zac Zara Zain"
).split()

# The demo authorities' other advisers (the demo sign-in adviser holds a caseload of about 20).
OTHER_ADVISERS = {
    "E08000035": ("Jordan Reid", "Sana Malik", "Owen Price"),
    "E09000007": ("Ruth Mensah", "Daniel Cohen"),
    "E06000052": ("Tamsin Penrose", "Jago Trelawny"),
}
CARE_LEAVERS = {"E08000035": 90, "E09000007": 60, "E06000052": 50}
DEMO_ADVISER_CASELOAD = 20
REFERENCE_PREFIX = {"E08000035": "LDS", "E09000007": "CMD", "E06000052": "CWL"}

# How the demo's referrals ended up: (status, weight).
OUTCOMES = [
    (ReferralStatus.COMPLETED, 22),
    (ReferralStatus.STARTED, 14),
    (ReferralStatus.ACCEPTED, 8),
    (ReferralStatus.REFERRED, 12),
    (ReferralStatus.DECLINED, 12),
    (ReferralStatus.WITHDRAWN, 6),
    (ReferralStatus.DID_NOT_START, 6),
    (ReferralStatus.ENDED_EARLY, 7),
]
# The moves a referral took to reach each status.
PATHS: dict[ReferralStatus, list[ReferralStatus]] = {
    ReferralStatus.REFERRED: [],
    ReferralStatus.ACCEPTED: [ReferralStatus.ACCEPTED],
    ReferralStatus.DECLINED: [ReferralStatus.DECLINED],
    ReferralStatus.WITHDRAWN: [ReferralStatus.WITHDRAWN],
    ReferralStatus.STARTED: [ReferralStatus.ACCEPTED, ReferralStatus.STARTED],
    ReferralStatus.DID_NOT_START: [ReferralStatus.ACCEPTED, ReferralStatus.DID_NOT_START],
    ReferralStatus.COMPLETED: [ReferralStatus.ACCEPTED, ReferralStatus.STARTED, ReferralStatus.COMPLETED],
    ReferralStatus.ENDED_EARLY: [ReferralStatus.ACCEPTED, ReferralStatus.STARTED, ReferralStatus.ENDED_EARLY],
}
REASONS = {
    ReferralStatus.DECLINED: [
        "We have filled this round. Please refer again in the spring.",
        "The shifts start at 6am and there is no bus from where they live at that time.",
        "We need someone who can start sooner.",
    ],
    ReferralStatus.WITHDRAWN: ["They have found a job elsewhere.", "They have moved to another area."],
    ReferralStatus.DID_NOT_START: ["They did not come on the first day and we could not reach them."],
    ReferralStatus.ENDED_EARLY: ["They left to start college.", "Travel became too hard after they moved."],
}


# What young people said when a referral ended, for their organisations and the covenant to read.
COMMENTS = {
    True: [
        "Everyone was friendly and I learned loads.",
        "My supervisor checked in with me every week, which really helped.",
        "It was hard at first but I am glad I did it.",
        "I got a reference at the end, which helped me get a job.",
        "Please tell people what to wear on the first day.",
    ],
    False: [
        "The bus journey was too long and too expensive.",
        "Nobody told me what to do on my first day.",
        "I needed more time to settle in.",
        "The hours changed and I could not make them work.",
    ],
}
# The demo young person with an account of their own (see the README's sign-in table).
DEMO_CARE_LEAVER_EMAIL = "care.leaver@example.org"


def _audited(action: str, subject: CareLeaver | Referral, actor: User | None, when: datetime) -> None:
    """The audit trail's record of what the demo's advisers did, as the service would have written it."""
    db.session.add(
        AuditEvent(
            action=action, subject_type=subject.__tablename__, subject_id=subject.id,
            actor_id=actor.id if actor else None, occurred_at=when,
        )
    )  # fmt: skip


def _uk_moment(day: date, hour: int) -> datetime:
    return datetime.combine(day, datetime.min.time().replace(hour=hour), tzinfo=UK_TIME_ZONE)


def seed_caseloads(password_hash: str) -> int:
    """Add the demo advisers' caseloads and their referrals; returns how many care leavers. The caller commits."""
    rng = random.Random(1825)
    today = uk_today()
    live = list(
        db.session.scalars(
            select(Pledge)
            .where(Pledge.status.in_([PledgeStatus.PUBLISHED, PledgeStatus.CLOSED]))
            .order_by(Pledge.id)
        )
    )
    added = 0
    for gss_code, count in CARE_LEAVERS.items():
        authority = db.session.scalars(
            select(LocalAuthority).where(LocalAuthority.gss_code == gss_code)
        ).one()
        advisers = _advisers(authority, gss_code, password_hash)
        nearby = list(
            db.session.scalars(
                select(LocalAuthority)
                .where(LocalAuthority.region == authority.region)
                .order_by(LocalAuthority.id)
            )
        )
        suitable = [pledge for pledge in live if _offered_near(pledge, authority)]
        for number in range(count):
            adviser = advisers[0] if number < DEMO_ADVISER_CASELOAD else rng.choice(advisers[1:])
            care_leaver = _care_leaver(rng, authority, adviser, nearby, gss_code, number, today)
            db.session.add(care_leaver)
            db.session.flush()
            _audited("care_leaver_added", care_leaver, adviser, care_leaver.created_at)
            for _ in range(rng.choices([0, 1, 2, 3], weights=[2, 5, 3, 1])[0]):
                _refer(rng, care_leaver, rng.choice(suitable), today)
            added += 1
    _young_person_with_account(rng, live, password_hash, today)
    _count_places()
    _fill_one_pledge(rng, today)
    return added + 1


def _young_person_with_account(
    rng: random.Random, live: list[Pledge], password_hash: str, today: date
) -> None:
    """Jade, 17, on the Leeds demo adviser's caseload, signs in herself: one referral finished (and waiting for
    her to say how it went), one said yes to, one just made, and an "I'm interested" her adviser answered."""
    adviser = db.session.scalars(select(User).where(User.email == "leeds.adviser@example.org")).one()
    leeds = adviser.local_authority
    assert leeds is not None  # noqa: S101 - an adviser belongs to an authority
    leeds_id = leeds.id
    jade = CareLeaver(
        local_authority_id=leeds_id, adviser=adviser, reference="LDS-100001", first_name="Jade",
        date_of_birth=today - timedelta(days=365 * 17 + 120), lives_in_id=leeds_id, postcode_district="LS11",
        consented_on=today - timedelta(days=200), created_at=_uk_moment(today - timedelta(days=200), 10),
    )  # fmt: skip
    jade.kinds = [PledgeKind.APPRENTICESHIP, PledgeKind.WORK_EXPERIENCE]
    jade.outcome_areas = [OutcomeArea.EDUCATION_EMPLOYMENT]
    jade.user = User(
        email=DEMO_CARE_LEAVER_EMAIL, name="Jade", role=Role.CARE_LEAVER, local_authority_id=leeds_id,
        password_hash=password_hash, email_confirmed_at=utcnow(),
    )  # fmt: skip
    db.session.add(jade)
    db.session.flush()
    _audited("care_leaver_added", jade, adviser, jade.created_at)
    open_to_her = [
        pledge
        for pledge in live
        if pledge.status == PledgeStatus.PUBLISHED
        and _offered_near(pledge, leeds)
        and _place_free(pledge)
        and referral_problem(jade, pledge, today) is None
    ]
    finished, accepted, asked, interested = open_to_her[:4]
    _add_referral(
        rng, jade, finished, ReferralStatus.COMPLETED, today - timedelta(days=130),
        [(ReferralStatus.ACCEPTED, today - timedelta(days=125)), (ReferralStatus.STARTED, today - timedelta(days=120)),
         (ReferralStatus.COMPLETED, today - timedelta(days=20))],
        today=today, answered=False,  # Jade has still to say how it went
    )  # fmt: skip
    said_yes = _add_referral(
        rng, jade, accepted, ReferralStatus.ACCEPTED, today - timedelta(days=12),
        [(ReferralStatus.ACCEPTED, today - timedelta(days=8))], today=today,
    )  # fmt: skip
    said_yes.first_day = today + timedelta(days=14 - today.weekday())  # a Monday, a week or two away
    _add_referral(rng, jade, asked, ReferralStatus.REFERRED, today - timedelta(days=2), [], today=today)
    db.session.add(
        InterestRequest(
            care_leaver=jade, pledge=interested, message="I would like to try this. I can do weekends.",
            created_at=_uk_moment(today - timedelta(days=6), 19), status="replied",
            reply="Let’s talk about it on Thursday when I see you.",
            answered_at=_uk_moment(today - timedelta(days=5), 10), answered_by_id=adviser.id,
        )
    )  # fmt: skip
    db.session.flush()


def _advisers(authority: LocalAuthority, gss_code: str, password_hash: str) -> list[User]:
    demo_adviser = db.session.scalars(
        select(User).where(User.local_authority_id == authority.id, User.role == Role.PERSONAL_ADVISER)
    ).one()
    team = [demo_adviser]
    now = utcnow()
    for name in OTHER_ADVISERS[gss_code]:
        first, last = name.lower().split()
        team.append(
            User(
                email=f"{first}.{last}@{authority.name.lower().split()[0]}.example.org",
                name=name,
                role=Role.PERSONAL_ADVISER,
                local_authority=authority,
                password_hash=password_hash,
                email_confirmed_at=now,
            )
        )
        db.session.add(team[-1])
    db.session.flush()
    return team


def _offered_near(pledge: Pledge, authority: LocalAuthority) -> bool:
    if pledge.reach in (Reach.NATIONAL, Reach.REMOTE):
        return True
    if pledge.reach == Reach.REGIONS:
        return authority.region in pledge.regions
    return any(place.region == authority.region for place in pledge.local_authorities)


def _care_leaver(
    rng: random.Random,
    authority: LocalAuthority,
    adviser: User,
    nearby: list[LocalAuthority],
    gss_code: str,
    number: int,
    today: date,
) -> CareLeaver:
    age = rng.choices(range(16, 26), weights=[3, 6, 9, 9, 8, 7, 5, 4, 3, 2])[0]
    born = today - timedelta(days=365 * age + rng.randint(10, 350))
    added = today - timedelta(days=rng.randint(20, 700))
    care_leaver = CareLeaver(
        local_authority_id=authority.id,
        adviser=adviser,
        reference=f"{REFERENCE_PREFIX[gss_code]}-{104200 + number * 7}",
        first_name=FIRST_NAMES[(number * 13 + len(gss_code)) % len(FIRST_NAMES)],
        date_of_birth=born,
        lives_in_id=authority.id if rng.random() < 0.8 else rng.choice(nearby).id,
        consented_on=added,
        created_at=_uk_moment(added, 10),
    )
    care_leaver.kinds = rng.sample(
        [
            PledgeKind.JOB,
            PledgeKind.APPRENTICESHIP,
            PledgeKind.WORK_EXPERIENCE,
            PledgeKind.MENTORING,
            PledgeKind.TRAINING,
        ],
        k=rng.randint(0, 2),
    )
    care_leaver.outcome_areas = rng.sample(list(OutcomeArea), k=rng.randint(0, 2))
    return care_leaver


def _refer(rng: random.Random, care_leaver: CareLeaver, pledge: Pledge, today: date) -> None:
    """A referral with a plausible history, made in the last 18 months (after the care leaver agreed)."""
    earliest = max(care_leaver.consented_on, today - timedelta(days=540))
    if earliest >= today or referral_problem(care_leaver, pledge, today) is not None:
        return
    if any(referral.pledge_id == pledge.id for referral in _referrals_of(care_leaver)):
        return
    outcome = rng.choices([status for status, _ in OUTCOMES], weights=[weight for _, weight in OUTCOMES])[0]
    referred_on = earliest + timedelta(days=rng.randint(0, (today - earliest).days))
    steps = PATHS[outcome]
    # Each step a few working days or weeks after the last; a history that would reach past today stops short.
    days, moments = referred_on, []
    for step in steps:
        gap = (
            rng.randint(1, 6)
            if step in (ReferralStatus.ACCEPTED, ReferralStatus.DECLINED)
            else rng.randint(5, 60)
        )
        days = add_working_days(days, gap)
        moments.append((step, days))
    moments = [(step, day) for step, day in moments if day <= today]
    status = moments[-1][0] if moments else ReferralStatus.REFERRED
    if status in PLACE_HOLDING_STATUSES and not _place_free(pledge):
        status, moments = (
            ReferralStatus.DECLINED,
            [(ReferralStatus.DECLINED, add_working_days(referred_on, 2))],
        )
    _add_referral(rng, care_leaver, pledge, status, referred_on, moments, today)


def _add_referral(
    rng: random.Random,
    care_leaver: CareLeaver,
    pledge: Pledge,
    status: ReferralStatus,
    referred_on: date,
    moments: list[tuple[ReferralStatus, date]],
    today: date,
    answered: bool = True,
) -> Referral:
    """A referral made on `referred_on` that moved through `moments` to `status`, with what followed: the
    still-there answers, and (sometimes, when `answered`) what the young person said when it ended."""
    created = _uk_moment(referred_on, 11)
    referral = Referral(
        care_leaver=care_leaver,
        pledge=pledge,
        referred_by=care_leaver.adviser,
        note=f"{care_leaver.first_name} is keen and reliable, and would love to give this a try.",
        status=status,
        created_at=created,
        status_changed_at=_uk_moment(moments[-1][1], 14) if moments else created,
    )
    referral.events.append(
        ReferralEvent(from_status=None, to_status=ReferralStatus.REFERRED, occurred_at=created)
    )
    before = ReferralStatus.REFERRED
    for step, day in moments:
        organisation_user = db.session.scalars(
            select(User).where(User.organisation_id == pledge.organisation_id).order_by(User.id).limit(1)
        ).first()
        actor = care_leaver.adviser if step == ReferralStatus.WITHDRAWN else organisation_user
        referral.events.append(
            ReferralEvent(
                from_status=before, to_status=step, occurred_at=_uk_moment(day, 14),
                actor_id=actor.id if actor else None, reason=rng.choice(REASONS.get(step, [None])),
            )
        )  # fmt: skip
        if step == ReferralStatus.STARTED:
            referral.started_on = day
        before = step
    if (
        status not in (ReferralStatus.REFERRED, ReferralStatus.WAITING, ReferralStatus.WITHDRAWN)
        and rng.random() < 0.3
    ):
        referral.adviser_attention_since = referral.status_changed_at
    if status in PLACE_HOLDING_STATUSES:
        pledge.places_taken += 1
    db.session.add(referral)
    db.session.flush()
    _audited("referral_made", referral, care_leaver.adviser, created)
    _still_there(rng, referral, today)
    if answered:
        _how_it_went(rng, referral, today)
    return referral


def _how_it_went(rng: random.Random, referral: Referral, today: date) -> None:
    """Most young people say how it went once a referral ends: usually well when they finished it."""
    if referral.status not in ENDED_REFERRAL_STATUSES or rng.random() < 0.35:
        return
    finished = referral.status == ReferralStatus.COMPLETED
    useful = rng.choices([1, 2, 3, 4, 5], weights=[1, 1, 3, 6, 6] if finished else [3, 4, 3, 2, 1])[0]
    given = min(referral.status_changed_at + timedelta(days=rng.randint(1, 14)), _uk_moment(today, 9))
    with_adviser = rng.random() < 0.4
    db.session.add(
        ReferralFeedback(
            referral_id=referral.id,
            useful=useful,
            recommend=useful >= 3 and rng.random() < 0.9,
            comment=rng.choice(COMMENTS[finished]) if rng.random() < 0.6 else None,
            given_at=given,
            given_by_id=referral.care_leaver.adviser_id if with_adviser else None,
            with_adviser=with_adviser,
        )
    )


def _fill_one_pledge(rng: random.Random, today: date) -> None:
    """The demo employer's first live pledge with places, full, with a waiting list: what a busy pledge looks like
    to the organisation and to the Leeds adviser."""
    employer = db.session.scalars(select(User).where(User.email == "employer.admin@example.org")).one()
    pledge = db.session.scalars(
        select(Pledge)
        .where(
            Pledge.organisation_id == employer.organisation_id,
            Pledge.status == PledgeStatus.PUBLISHED,
            Pledge.places.is_not(None),
        )
        .order_by(Pledge.id)
    ).first()
    if pledge is None or pledge.places is None:
        return
    leeds = db.session.scalars(
        select(CareLeaver)
        .join(User, User.id == CareLeaver.adviser_id)
        .where(User.email == "leeds.adviser@example.org")
        .order_by(CareLeaver.id)
    ).all()
    candidates = [
        care_leaver
        for care_leaver in leeds
        if referral_problem(care_leaver, pledge, today) is None
        and not any(referral.pledge_id == pledge.id for referral in _referrals_of(care_leaver))
    ]
    needed = pledge.places - pledge.places_taken
    for care_leaver in candidates[:needed]:
        day = today - timedelta(days=rng.randint(20, 40))
        referral = Referral(
            care_leaver=care_leaver, pledge=pledge, referred_by=care_leaver.adviser, note="Ready to start.",
            status=ReferralStatus.ACCEPTED, created_at=_uk_moment(day, 10),
            status_changed_at=_uk_moment(add_working_days(day, 2), 15),
        )  # fmt: skip
        referral.events += [
            ReferralEvent(to_status=ReferralStatus.REFERRED, occurred_at=referral.created_at),
            ReferralEvent(
                from_status=ReferralStatus.REFERRED, to_status=ReferralStatus.ACCEPTED,
                occurred_at=referral.status_changed_at, actor_id=employer.id,
            ),
        ]  # fmt: skip
        pledge.places_taken += 1
        db.session.add(referral)
    for index, care_leaver in enumerate(candidates[needed : needed + 2]):
        day = today - timedelta(days=10 - index * 3)
        referral = Referral(
            care_leaver=care_leaver, pledge=pledge, referred_by=care_leaver.adviser, note="Happy to wait for a place.",
            status=ReferralStatus.WAITING, created_at=_uk_moment(day, 10), status_changed_at=_uk_moment(day, 10),
        )  # fmt: skip
        referral.events.append(
            ReferralEvent(to_status=ReferralStatus.WAITING, occurred_at=referral.created_at)
        )
        db.session.add(referral)
    db.session.flush()


def _referrals_of(care_leaver: CareLeaver) -> list[Referral]:
    return list(db.session.scalars(select(Referral).where(Referral.care_leaver_id == care_leaver.id)))


def _place_free(pledge: Pledge) -> bool:
    return pledge.places_unlimited or pledge.places is None or pledge.places_taken < pledge.places


def _still_there(rng: random.Random, referral: Referral, today: date) -> None:
    """Answers to the still-there questions, for starts in jobs and apprenticeships long enough ago."""
    if referral.started_on is None or referral.pledge.kind not in SUSTAINED_KINDS:
        return
    staying = referral.status != ReferralStatus.ENDED_EARLY and rng.random() < 0.8
    for months in (3, 6):
        asked = months_after(referral.started_on, months)
        if asked > today:
            return
        answered = rng.random() < 0.85
        db.session.add(
            SustainmentCheck(
                referral_id=referral.id,
                months=months,
                asked_at=_uk_moment(asked, 7),
                still_there=staying if answered else None,
                answered_at=_uk_moment(asked + timedelta(days=2), 9) if answered else None,
            )
        )


def _count_places() -> None:
    """Places taken, counted from the referrals that hold them."""
    held = dict(
        db.session.execute(
            select(Referral.pledge_id, func.count())
            .where(Referral.status.in_(PLACE_HOLDING_STATUSES))
            .group_by(Referral.pledge_id)
        ).all()
    )
    for pledge in db.session.scalars(select(Pledge)):
        pledge.places_taken = 0 if pledge.places_unlimited else held.get(pledge.id, 0)
    db.session.flush()
