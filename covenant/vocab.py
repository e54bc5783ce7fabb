"""The domain's vocabularies, in one place for forms, templates, reports and the API.

Each vocabulary is a `StrEnum` whose value is stored in the database and whose `label` is what people read.
"""

from __future__ import annotations

from enum import StrEnum


class LabelledEnum(StrEnum):
    """A vocabulary: stored value plus the words a person reads."""

    label: str

    def __new__(cls, value: str, label: str = "") -> LabelledEnum:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member


class Role(LabelledEnum):
    """One user, one role, one scope: an organisation, a local authority, or the whole covenant."""

    ORGANISATION_MEMBER = "organisation_member", "Organisation member"
    ORGANISATION_ADMIN = "organisation_admin", "Organisation admin"
    PERSONAL_ADVISER = "personal_adviser", "Personal adviser"
    AUTHORITY_MANAGER = "authority_manager", "Local authority manager"
    COORDINATOR = "coordinator", "Covenant coordinator"
    CARE_LEAVER = "care_leaver", "Care leaver"

    @property
    def scope(self) -> str:
        """Which record the role belongs to: 'organisation', 'local_authority' or 'national'."""
        if self in ORGANISATION_ROLES:
            return "organisation"
        if self in AUTHORITY_ROLES:
            return "local_authority"
        return "national"


ORGANISATION_ROLES = frozenset({Role.ORGANISATION_MEMBER, Role.ORGANISATION_ADMIN})
AUTHORITY_ROLES = frozenset({Role.PERSONAL_ADVISER, Role.AUTHORITY_MANAGER, Role.CARE_LEAVER})


class OrganisationType(LabelledEnum):
    """What kind of organisation is pledging."""

    BUSINESS = "business", "Business"
    CHARITY = "charity", "Charity or voluntary organisation"
    PUBLIC_BODY = "public_body", "Public body"
    EDUCATION = "education", "School, college or university"
    OTHER = "other", "Other"


class Region(LabelledEnum):
    """The nine regions of England, as the ONS names them."""

    NORTH_EAST = "North East", "North East"
    NORTH_WEST = "North West", "North West"
    YORKSHIRE = "Yorkshire and The Humber", "Yorkshire and the Humber"
    EAST_MIDLANDS = "East Midlands", "East Midlands"
    WEST_MIDLANDS = "West Midlands", "West Midlands"
    EAST = "East of England", "East of England"
    LONDON = "London", "London"
    SOUTH_EAST = "South East", "South East"
    SOUTH_WEST = "South West", "South West"


class AuthorityKind(LabelledEnum):
    """Types of English local authority that run children's services."""

    COUNTY = "County", "County council"
    UNITARY = "Unitary authority", "Unitary authority"
    METROPOLITAN = "Metropolitan district", "Metropolitan district"
    LONDON_BOROUGH = "London borough", "London borough"
    CITY_CORPORATION = "City corporation", "City corporation"


# Who may invite whom: the inviter's role -> roles they may invite.
INVITABLE_ROLES: dict[Role, tuple[Role, ...]] = {
    Role.ORGANISATION_ADMIN: (Role.ORGANISATION_MEMBER, Role.ORGANISATION_ADMIN),
    Role.AUTHORITY_MANAGER: (Role.PERSONAL_ADVISER,),
    Role.COORDINATOR: (Role.AUTHORITY_MANAGER,),
}
