"""Demo data for `make run`: a coordinator, three local authorities with staff, and some organisations.

Demo sign-ins exist only here, never in migrations. Every demo account shares one password, printed by
`flask seed-demo` and listed in the README.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from covenant.demo_pledges import seed_pledges
from covenant.extensions import db
from covenant.models import LocalAuthority, Organisation, User
from covenant.security import hash_password
from covenant.sqltypes import utcnow
from covenant.vocab import OrganisationType, Region, Role

DEMO_PASSWORD = "demo care covenant"


@dataclass(frozen=True)
class DemoSignIn:
    role: Role
    email: str
    name: str
    works_for: str


AUTHORITIES = {
    "E08000035": ("leeds", "https://www.leeds.gov.uk/children-and-families/care-leavers"),
    "E09000007": ("camden", "https://www.camden.gov.uk/care-leavers"),
    "E06000052": ("cornwall", "https://www.cornwall.gov.uk/care-leavers"),
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
        sign_ins.append(DemoSignIn(role, email, name, user.scope_name if scope else "Care Leaver Covenant"))
        return user

    person(Role.COORDINATOR, "coordinator@example.org", "Amara Okafor")
    for gss_code, (slug, local_offer) in AUTHORITIES.items():
        authority = db.session.scalars(
            select(LocalAuthority).where(LocalAuthority.gss_code == gss_code)
        ).one()
        authority.local_offer_url = local_offer
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
    return sign_ins
