"""Demo data for `make run`: a coordinator, three local authorities with staff, and some organisations.

Demo sign-ins exist only here, never in migrations. Every demo account shares one password, printed by
`flask seed-demo` and listed in the README. The demo staff who must use two-factor sign-in come with an
authenticator app set up already, on fixed keys listed beside them (in the README too), so anyone trying the
demo can make codes with an app or `oathtool --totp -b KEY`. Those keys exist only in demo data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from covenant.clock import utcnow
from covenant.demo_pledges import seed_pledges
from covenant.demo_referrals import DEMO_CARE_LEAVER_EMAIL, seed_caseloads
from covenant.extensions import db
from covenant.models import LocalAuthority, Organisation, PostcodeDistrict, TwoFactor, User
from covenant.security import hash_password
from covenant.statistics.importer import AGED_19_TO_21, NEET, Figure, ImportResult, save_figures
from covenant.two_factor import cipher
from covenant.vocab import OrganisationType, Region, Role

DEMO_PASSWORD = "demo care covenant"
# Authenticator keys (base32) for the demo staff who must use two-factor sign-in: demo data only.
DEMO_AUTHENTICATOR_KEYS = {
    "coordinator@example.org": "IOVAEMRF37SWKJHXSMW7K7PXHGW7K74G",
    "leeds.manager@example.org": "XOJ2DHZZWORKTVIYLXARHJH75HIFXUZ3",
    "leeds.adviser@example.org": "VRHLXKHPKEDZMHAL3LBU2KWO7XFGV7DZ",
    "camden.manager@example.org": "LZETL76RQMG7G7HNFXRANMIXXMNWITW5",
    "camden.adviser@example.org": "YKVK6VM5NWCFZDM32ZPTORLJDSYQTRAF",
    "cornwall.manager@example.org": "GXKBGJYL6OCFQBDTTUKWBPKR442PPCFU",
    "cornwall.adviser@example.org": "KNMYDXJCBQVFT4DEAAYG4NEFGL6FLRSO",
}


@dataclass(frozen=True)
class DemoSignIn:
    role: Role
    email: str
    name: str
    works_for: str
    authenticator_key: str | None = None


AUTHORITIES = {
    "E08000035": ("leeds", "https://www.leeds.gov.uk/children-and-families/care-leavers"),
    "E09000007": ("camden", "https://www.camden.gov.uk/care-leavers"),
    "E06000052": ("cornwall", "https://www.cornwall.gov.uk/care-leavers"),
}

LEAVING_CARE_TEAMS = {
    "E08000035": ("0113 378 0000", "leaving.care@leeds.example", "Monday to Friday, 9am to 5pm"),
    "E09000007": ("020 7974 0000", "leaving.care@camden.example", "Monday to Friday, 9am to 5pm"),
    "E06000052": ("0300 123 0000", "leaving.care@cornwall.example", "Monday to Thursday, 8:30am to 5pm"),
}

ORGANISATIONS = [
    ("Northfield Building Supplies", OrganisationType.BUSINESS, Region.YORKSHIRE, "04123987", None, "www.northfield-building.example"),
    ("Brightpath Youth Trust", OrganisationType.CHARITY, Region.LONDON, None, "1098765", "www.brightpath.example"),
    ("Harbour Community Bank", OrganisationType.BUSINESS, Region.SOUTH_WEST, "SC301245", None, None),
    ("Riverside College", OrganisationType.EDUCATION, Region.NORTH_WEST, None, None, "www.riverside-college.example"),
    ("Kestrel Housing Association", OrganisationType.CHARITY, Region.WEST_MIDLANDS, None, "1154321", None),
    ("Meridian Digital", OrganisationType.BUSINESS, Region.EAST, "09876543", None, "www.meridian-digital.example"),
    ("Eastgate NHS Foundation Trust", OrganisationType.PUBLIC_BODY, Region.EAST_MIDLANDS, None, None, None),
]  # fmt: skip


# Demo data, not a gazetteer: rough centres (latitude, longitude) of the postcode districts the demo pledges
# use, so that "near LS1" works in `make run`. Real deployments import the ONS Postcode Directory with
# `flask import-postcode-districts`.
DEMO_POSTCODE_DISTRICTS = {
    "LS1": (53.797, -1.548), "LS10": (53.771, -1.532), "LS11": (53.779, -1.563), "BD1": (53.795, -1.752),
    "HU2": (53.749, -0.339), "S1": (53.380, -1.472), "NW1": (51.533, -0.143), "NW5": (51.554, -0.142),
    "SE1": (51.500, -0.094), "EC4A": (51.515, -0.109), "CR0": (51.373, -0.082), "SE10": (51.481, -0.004),
    "TR7": (50.413, -5.080), "TR1": (50.263, -5.052), "BS1": (51.453, -2.593), "EX1": (50.726, -3.518),
    "L1": (53.402, -2.980), "M1": (53.479, -2.235), "LA9": (54.328, -2.745), "M5": (53.479, -2.288),
    "NE1": (54.972, -1.613), "DH1": (54.778, -1.570), "TS1": (54.573, -1.237), "SR1": (54.905, -1.381),
    "NG1": (52.954, -1.148), "DE1": (52.922, -1.477), "LE1": (52.634, -1.132), "B18": (52.492, -1.918),
    "WV1": (52.586, -2.125), "CV1": (52.409, -1.508), "CB4": (52.227, 0.132), "NR1": (52.625, 1.305),
    "CO12": (51.934, 1.268), "ME14": (51.283, 0.535), "BN1": (50.834, -0.140), "OX1": (51.750, -1.258),
    "SO14": (50.905, -1.400),
}  # fmt: skip


def seed_postcode_districts() -> None:
    """Add the demo postcode districts that are missing, leaving any an operator imported alone."""
    for code, (latitude, longitude) in DEMO_POSTCODE_DISTRICTS.items():
        if db.session.get(PostcodeDistrict, code) is None:
            db.session.add(PostcodeDistrict(code=code, latitude=latitude, longitude=longitude))


#: The demo's stand-in for the Department for Education's file: invented figures, so the needs report has
#: something to rank on a fresh `make run`. Real deployments import DfE's own (`import-care-leaver-statistics`).
DEMO_STATISTICS_SOURCE = "demo figures, invented (not the Department for Education's)"
DEMO_STATISTICS_YEAR = "2025"


def seed_statistics() -> None:
    """Invented counts of care leavers aged 19 to 21 not in education, employment or training for every
    authority, with one in twelve not published, as DfE's suppression would leave them."""
    rng = random.Random(2025)
    codes = db.session.scalars(select(LocalAuthority.gss_code).order_by(LocalAuthority.gss_code)).all()
    figures = [
        Figure(
            authority_code=code,
            period=DEMO_STATISTICS_YEAR,
            age_band=AGED_19_TO_21,
            activity=NEET,
            count=None if index % 12 == 5 else rng.randint(10, 260),
        )
        for index, code in enumerate(codes)
    ]
    save_figures(figures, DEMO_STATISTICS_SOURCE, ImportResult())


def is_empty() -> bool:
    """True when nobody has an account yet, so demo data cannot clash with real data."""
    return not db.session.scalar(select(func.count(User.id)))


def seed() -> list[DemoSignIn]:
    """Add the demo accounts and organisations (authorities must be loaded first); the caller commits."""
    password_hash = hash_password(DEMO_PASSWORD)
    now = utcnow()
    sign_ins: list[DemoSignIn] = []

    def person(role: Role, email: str, name: str, **scope: object) -> User:
        user = User(
            email=email,
            name=name,
            role=role,
            password_hash=password_hash,
            email_confirmed_at=now,
            password_changed_at=now,
            **scope,
        )
        db.session.add(user)
        key = DEMO_AUTHENTICATOR_KEYS.get(email)
        if key is not None:
            db.session.flush()
            db.session.add(TwoFactor(user_id=user.id, secret=cipher.encrypt(key), last_step=0))
        works_for = user.scope_name if scope else "Care Leaver Covenant"
        sign_ins.append(DemoSignIn(role, email, name, works_for, key))
        return user

    person(Role.COORDINATOR, "coordinator@example.org", "Amara Okafor")
    for gss_code, (slug, local_offer) in AUTHORITIES.items():
        authority = db.session.scalars(
            select(LocalAuthority).where(LocalAuthority.gss_code == gss_code)
        ).one()
        authority.local_offer_url = local_offer
        authority.team_phone, authority.team_email, authority.team_hours = LEAVING_CARE_TEAMS[gss_code]
        person(
            Role.AUTHORITY_MANAGER,
            f"{slug}.manager@example.org",
            f"{slug.title()} Manager",
            local_authority=authority,
        )
        person(
            Role.PERSONAL_ADVISER,
            f"{slug}.adviser@example.org",
            f"{slug.title()} Adviser",
            local_authority=authority,
        )

    first_organisation: Organisation | None = None
    for index, (name, kind, region, company, charity, website) in enumerate(ORGANISATIONS):
        organisation = Organisation(
            name=name,
            kind=kind,
            region=region,
            companies_house_number=company,
            charity_number=charity,
            website=f"https://{website}" if website else None,
            signed_at=now - timedelta(days=30 * (index + 1)),
            created_at=now - timedelta(days=30 * (index + 1)),
        )
        db.session.add(organisation)
        if index == 0:
            first_organisation = organisation
            person(
                Role.ORGANISATION_ADMIN, "employer.admin@example.org", "Priya Shah", organisation=organisation
            )
            person(
                Role.ORGANISATION_MEMBER, "employer.member@example.org", "Tom Bell", organisation=organisation
            )
        else:
            slug = name.split()[0].lower()
            user = User(
                email=f"{slug}.admin@example.org",
                name=f"{name.split()[0]} Admin",
                role=Role.ORGANISATION_ADMIN,
                organisation=organisation,
                password_hash=password_hash,
                email_confirmed_at=now,
            )
            db.session.add(user)
    db.session.flush()
    assert first_organisation is not None  # noqa: S101 - ORGANISATIONS is not empty
    seed_pledges(first_organisation, password_hash)
    seed_postcode_districts()
    seed_caseloads(password_hash)
    seed_statistics()
    jade = db.session.scalars(select(User).where(User.email == DEMO_CARE_LEAVER_EMAIL)).one()
    sign_ins.append(DemoSignIn(Role.CARE_LEAVER, jade.email, jade.name, jade.scope_name))
    return sign_ins
