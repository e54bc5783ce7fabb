"""Every model, importable from one place so Alembic and the app see the whole schema."""

from covenant.models.audit import AuditEvent
from covenant.models.authority import LocalAuthority
from covenant.models.care_leaver import CareLeaver, CareLeaverKind, CareLeaverOutcomeArea
from covenant.models.organisation import Organisation, OrganisationNudge
from covenant.models.outbox import OutboundEmail
from covenant.models.people import Invitation, User
from covenant.models.pledge import (
    LivePledgeCount,
    Pledge,
    PledgeLocalAuthority,
    PledgeOutcomeArea,
    PledgeRegion,
    PledgeTextEdit,
)
from covenant.models.referral import (
    InterestRequest,
    Referral,
    ReferralEvent,
    ReferralFeedback,
    ReferralReminder,
    SustainmentCheck,
    TakeUpAreaMonth,
    TakeUpMonth,
    TakeUpMove,
)
from covenant.models.search import PostcodeDistrict, SavedSearch, SearchState, Town
from covenant.models.statistics import CareLeaverStatistic
from covenant.models.two_factor import RecoveryCode, TwoFactor

__all__ = [
    "AuditEvent",
    "CareLeaver",
    "CareLeaverKind",
    "CareLeaverOutcomeArea",
    "CareLeaverStatistic",
    "InterestRequest",
    "Invitation",
    "LivePledgeCount",
    "LocalAuthority",
    "Organisation",
    "OrganisationNudge",
    "OutboundEmail",
    "Pledge",
    "PledgeLocalAuthority",
    "PledgeOutcomeArea",
    "PledgeRegion",
    "PledgeTextEdit",
    "PostcodeDistrict",
    "RecoveryCode",
    "Referral",
    "ReferralEvent",
    "ReferralFeedback",
    "ReferralReminder",
    "SavedSearch",
    "SearchState",
    "Town",
    "SustainmentCheck",
    "TakeUpAreaMonth",
    "TakeUpMonth",
    "TakeUpMove",
    "TwoFactor",
    "User",
]
