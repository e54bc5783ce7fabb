"""The domain's vocabularies, in one place for forms, templates, reports and the API.

Each vocabulary is a `StrEnum` whose value is stored in the database and whose `label` is what people read.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

# Pledge dates (start, end, closing) are UK calendar dates, and times are shown in UK time.
UK_TIME_ZONE = ZoneInfo("Europe/London")


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
# Who sees care leavers' personal data, and so must sign in with a second factor (others may opt in).
TWO_FACTOR_ROLES = frozenset({Role.PERSONAL_ADVISER, Role.AUTHORITY_MANAGER, Role.COORDINATOR})
# Who may save searches and get emails of new matches.
ALERT_ROLES = (Role.PERSONAL_ADVISER, Role.AUTHORITY_MANAGER, Role.CARE_LEAVER)


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
    Role.AUTHORITY_MANAGER: (Role.PERSONAL_ADVISER, Role.AUTHORITY_MANAGER),
    Role.COORDINATOR: (Role.AUTHORITY_MANAGER, Role.COORDINATOR),
}


class PledgeKind(LabelledEnum):
    """What a pledge offers."""

    WORK_EXPERIENCE = "work_experience", "Work experience"
    INTERNSHIP = "internship", "Internship"
    APPRENTICESHIP = "apprenticeship", "Apprenticeship"
    JOB = "job", "Job"
    GUARANTEED_INTERVIEW = "guaranteed_interview", "Guaranteed interview"
    MENTORING = "mentoring", "Mentoring"
    TRAINING = "training", "Training or qualification"
    DISCOUNT = "discount", "Discount or financial support"
    HOUSING = "housing", "Housing support"
    HEALTH = "health", "Health and wellbeing support"
    OTHER = "other", "Other"


# Kinds of pledge where pay means nothing (a discount, housing support, a guaranteed interview): they have no
# pay question and show no pay.
KINDS_WITHOUT_PAY = frozenset(
    {
        PledgeKind.GUARANTEED_INTERVIEW,
        PledgeKind.MENTORING,
        PledgeKind.DISCOUNT,
        PledgeKind.HOUSING,
        PledgeKind.HEALTH,
    }
)


class OutcomeArea(LabelledEnum):
    """The covenant's five outcome areas."""

    INDEPENDENT_LIVING = "independent_living", "Independent living"
    EDUCATION_EMPLOYMENT = "education_employment_training", "Education, employment and training"
    SAFETY = "safety_security", "Safety and security"
    HEALTH = "health", "Mental and physical health"
    FINANCE = "finance", "Finance"


class PayPeriod(LabelledEnum):
    """How pay is quoted."""

    HOUR = "hour", "per hour"
    WEEK = "week", "per week"
    YEAR = "year", "per year"


# The National Minimum Wage and National Living Wage, per hour, and the day they apply from: the pay question's
# hint quotes them. GOV.UK publishes next April's rates each autumn
# (https://www.gov.uk/national-minimum-wage-rates): update both then. Once they are more than
# MINIMUM_WAGE_SHOWN_FOR_DAYS old, the hint stops quoting figures rather than quote stale ones.
MINIMUM_WAGE_FROM = date(2026, 4, 1)
MINIMUM_WAGE_RATES: tuple[tuple[str, Decimal], ...] = (
    ("21 and over", Decimal("12.71")),
    ("18 to 20", Decimal("10.85")),
    ("under 18, and apprentices", Decimal("8.00")),
)
MINIMUM_WAGE_SHOWN_FOR_DAYS = 366


class Reach(LabelledEnum):
    """Where a pledge is available."""

    NATIONAL = "national", "Anywhere in England"
    REMOTE = "remote", "Remote or online"
    REGIONS = "regions", "In one or more regions"
    LOCAL_AUTHORITIES = "local_authorities", "In one or more local authority areas"


class TakeUp(LabelledEnum):
    """How a care leaver takes a pledge up."""

    ADVISER_ONLY = "adviser_only", "Only through their personal adviser"
    ADVISER_OR_CARE_LEAVER = (
        "adviser_or_care_leaver",
        "Through their personal adviser, or by contacting you themselves (your contact details are shown)",
    )


class DbsLevel(LabelledEnum):
    """The DBS check level an organisation attests for the people involved."""

    NONE = "none", "No DBS check"
    BASIC = "basic", "Basic"
    STANDARD = "standard", "Standard"
    ENHANCED = "enhanced", "Enhanced"
    ENHANCED_BARRED = "enhanced_barred", "Enhanced, including the children’s barred list"


class PledgeStatus(LabelledEnum):
    """Where a pledge is in its life."""

    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Waiting for review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    REJECTED = "rejected", "Rejected"
    PUBLISHED = "published", "Live"
    PAUSED = "paused", "Paused"
    CLOSED = "closed", "Closed"

    @property
    def tag_classes(self) -> str:
        """The GOV.UK tag colour for this status."""
        return STATUS_TAG_CLASSES[self]


# The pledge lifecycle as a table: status -> statuses it may move to.
PLEDGE_TRANSITIONS: dict[PledgeStatus, frozenset[PledgeStatus]] = {
    PledgeStatus.DRAFT: frozenset({PledgeStatus.SUBMITTED}),
    PledgeStatus.SUBMITTED: frozenset(
        {PledgeStatus.PUBLISHED, PledgeStatus.CHANGES_REQUESTED, PledgeStatus.REJECTED}
    ),
    PledgeStatus.CHANGES_REQUESTED: frozenset({PledgeStatus.SUBMITTED}),
    PledgeStatus.REJECTED: frozenset(),
    # A live or paused pledge goes back for review when a change needs checking.
    PledgeStatus.PUBLISHED: frozenset({PledgeStatus.PAUSED, PledgeStatus.CLOSED, PledgeStatus.SUBMITTED}),
    PledgeStatus.PAUSED: frozenset({PledgeStatus.PUBLISHED, PledgeStatus.CLOSED, PledgeStatus.SUBMITTED}),
    PledgeStatus.CLOSED: frozenset(),
}

# Statuses in which the organisation may still edit the pledge.
EDITABLE_STATUSES = frozenset(
    {PledgeStatus.DRAFT, PledgeStatus.CHANGES_REQUESTED, PledgeStatus.PUBLISHED, PledgeStatus.PAUSED}
)

# Statuses in which the organisation checks its answers and submits the pledge for review.
CHECKABLE_STATUSES = frozenset({PledgeStatus.DRAFT, PledgeStatus.CHANGES_REQUESTED})

# Statuses of a pledge that has been checked and is out in the world: published, or paused for a while.
LIVE_STATUSES = frozenset({PledgeStatus.PUBLISHED, PledgeStatus.PAUSED})
# Statuses of a pledge that was once public: its address says it has closed rather than that it never was.
ONCE_PUBLIC_STATUSES = frozenset({PledgeStatus.PUBLISHED, PledgeStatus.PAUSED, PledgeStatus.CLOSED})

# GOV.UK tag colours for each status.
STATUS_TAG_CLASSES: dict[PledgeStatus, str] = {
    PledgeStatus.DRAFT: "govuk-tag--grey",
    PledgeStatus.SUBMITTED: "govuk-tag--blue",
    PledgeStatus.CHANGES_REQUESTED: "govuk-tag--orange",
    PledgeStatus.REJECTED: "govuk-tag--red",
    PledgeStatus.PUBLISHED: "govuk-tag--green",
    PledgeStatus.PAUSED: "govuk-tag--yellow",
    PledgeStatus.CLOSED: "govuk-tag--grey",
}

MIN_CARE_LEAVER_AGE = 16
MAX_CARE_LEAVER_AGE = 25


class AlertFrequency(LabelledEnum):
    """How often a saved search emails new matches."""

    DAILY = "daily", "Every day"
    WEEKLY = "weekly", "Every week"


class SearchSort(LabelledEnum):
    """How search results are ordered."""

    RELEVANCE = "relevance", "Best match"
    CLOSING = "closing", "Closing soonest"
    NEWEST = "newest", "Newest"
    NEAREST = "nearest", "Nearest"


DISTANCES_MILES = (5, 10, 25, 50)
# How far "near you" is: the first page's quick search, and a postcode given with no distance.
NEARBY_MILES = 10
RESULTS_PER_PAGE = 20


class ReferralStatus(LabelledEnum):
    """Where a referral of a care leaver to a pledge is: its take-up, from referred to completed."""

    WAITING = "waiting", "On the waiting list"
    REFERRED = "referred", "Waiting for a reply"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"
    STARTED = "started", "Started"
    DID_NOT_START = "did_not_start", "Did not start"
    COMPLETED = "completed", "Completed"
    ENDED_EARLY = "ended_early", "Ended early"

    @property
    def tag_classes(self) -> str:
        """The GOV.UK tag colour for this status."""
        return REFERRAL_TAG_CLASSES[self]


# The referral lifecycle as a table: status -> statuses it may move to. A referral to a full pledge waits on
# its waiting list until a place frees up, when the first in line is referred.
REFERRAL_TRANSITIONS: dict[ReferralStatus, frozenset[ReferralStatus]] = {
    ReferralStatus.WAITING: frozenset({ReferralStatus.REFERRED, ReferralStatus.WITHDRAWN}),
    ReferralStatus.REFERRED: frozenset(
        {ReferralStatus.ACCEPTED, ReferralStatus.DECLINED, ReferralStatus.WITHDRAWN}
    ),
    ReferralStatus.ACCEPTED: frozenset(
        {ReferralStatus.STARTED, ReferralStatus.DID_NOT_START, ReferralStatus.WITHDRAWN}
    ),
    ReferralStatus.STARTED: frozenset({ReferralStatus.COMPLETED, ReferralStatus.ENDED_EARLY}),
    ReferralStatus.DECLINED: frozenset(),
    ReferralStatus.WITHDRAWN: frozenset(),
    ReferralStatus.DID_NOT_START: frozenset(),
    ReferralStatus.COMPLETED: frozenset(),
    ReferralStatus.ENDED_EARLY: frozenset(),
}

# Referrals that hold one of the pledge's places: never more of them than the pledge has places.
PLACE_HOLDING_STATUSES = frozenset(
    {ReferralStatus.ACCEPTED, ReferralStatus.STARTED, ReferralStatus.COMPLETED}
)
# Referrals still going on: a care leaver has at most one of these for each pledge.
ACTIVE_REFERRAL_STATUSES = frozenset(
    {ReferralStatus.WAITING, ReferralStatus.REFERRED, ReferralStatus.ACCEPTED, ReferralStatus.STARTED}
)
# How a referral ended, for the young person's say afterwards (issue: their voice) and for reports.
ENDED_REFERRAL_STATUSES = frozenset(
    {ReferralStatus.COMPLETED, ReferralStatus.ENDED_EARLY, ReferralStatus.DID_NOT_START}
)
# Moves only the organisation makes; advisers (and care leavers) withdraw; the service itself offers a freed
# place to the first on the waiting list.
ORGANISATION_MOVES = frozenset(
    {
        ReferralStatus.ACCEPTED,
        ReferralStatus.DECLINED,
        ReferralStatus.STARTED,
        ReferralStatus.DID_NOT_START,
        ReferralStatus.COMPLETED,
        ReferralStatus.ENDED_EARLY,
    }
)

REFERRAL_TAG_CLASSES: dict[ReferralStatus, str] = {
    ReferralStatus.WAITING: "govuk-tag--purple",
    ReferralStatus.REFERRED: "govuk-tag--blue",
    ReferralStatus.ACCEPTED: "govuk-tag--turquoise",
    ReferralStatus.DECLINED: "govuk-tag--red",
    ReferralStatus.WITHDRAWN: "govuk-tag--grey",
    ReferralStatus.STARTED: "govuk-tag--green",
    ReferralStatus.DID_NOT_START: "govuk-tag--orange",
    ReferralStatus.COMPLETED: "govuk-tag--green",
    ReferralStatus.ENDED_EARLY: "govuk-tag--yellow",
}

# The words on the button for each move, and in the timeline ("Accepted by ...").
REFERRAL_ACTIONS: dict[ReferralStatus, str] = {
    ReferralStatus.REFERRED: "Offer the freed place",
    ReferralStatus.ACCEPTED: "Accept",
    ReferralStatus.DECLINED: "Decline",
    ReferralStatus.WITHDRAWN: "Withdraw the referral",
    ReferralStatus.STARTED: "Record that they started",
    ReferralStatus.DID_NOT_START: "Record that they did not start",
    ReferralStatus.COMPLETED: "Record that they completed it",
    ReferralStatus.ENDED_EARLY: "Record that it ended early",
}

# Pledge kinds whose take-up is followed up: is the young person still there 3 and 6 months after starting?
SUSTAINED_KINDS = frozenset({PledgeKind.JOB, PledgeKind.APPRENTICESHIP})
SUSTAINMENT_MONTHS = (3, 6)
# An organisation should accept or decline a referral within this many working days; at twice that, the
# adviser and the coordinators are told.
RESPONSE_WORKING_DAYS = 5
# Coordinators promise organisations a decision on a submitted pledge within this many working days.
REVIEW_WORKING_DAYS = 5
# A care leaver with no referral for this long shows on their adviser's home page.
QUIET_CASELOAD_MONTHS = 3
# A care leaver is old enough for unsupervised contact with adults from this birthday.
ADULT_AGE = 18
# An organisation's attestation of its DBS checks lasts this long.
DBS_ATTESTATION_MONTHS = 12
# "Closing soon": the search's filter and the organisation's dashboard both mean within this many days.
CLOSING_SOON_DAYS = 14

# A postcode district, the first part of a postcode ("LS6", "SW1A"), and the second part ("1AA" of "LS6 1AA").
POSTCODE_DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
INWARD_CODE = re.compile(r"^[0-9][A-Z]{2}$")
