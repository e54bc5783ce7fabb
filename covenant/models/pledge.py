"""Pledges: one concrete offer from an organisation to care leavers."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, Integer, Numeric, String, Text, false
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from covenant.clock import uk_today, utcnow
from covenant.extensions import Base
from covenant.models.authority import LocalAuthority
from covenant.models.organisation import Organisation
from covenant.models.people import User
from covenant.sqltypes import UTCDateTime, vocabulary
from covenant.vocab import (
    LIVE_STATUSES,
    DbsLevel,
    OutcomeArea,
    PayPeriod,
    PledgeKind,
    PledgeStatus,
    Reach,
    Region,
    TakeUp,
)

if TYPE_CHECKING:
    from covenant.models.search import PostcodeDistrict

# Columns the public search filters on, beside status and dates: its indexes hold them all, so a search reads
# the index alone (covenant/opportunities/search/filters.py).
SEARCH_FILTER_COLUMNS = (
    "ends_on",
    "ongoing",
    "organisation_id",
    "reach",
    "kind",
    "min_age",
    "max_age",
    "paid",
    "postcode_district",
    "places_unlimited",
    "places",
    "places_taken",
    "outcome_area_bits",
    "region_bits",
)


class Pledge(Base):
    """An offer such as work experience or mentoring. Drafts may be incomplete; submitted ones are whole."""

    __tablename__ = "pledge"
    __table_args__ = (
        CheckConstraint("places IS NULL OR places >= 1", name="places_positive"),
        CheckConstraint("places_taken >= 0", name="places_taken_not_negative"),
        CheckConstraint("places IS NULL OR places_taken <= places", name="not_overbooked"),
        CheckConstraint("min_age IS NULL OR max_age IS NULL OR min_age <= max_age", name="age_range"),
        # The public search (covenant.opportunities.search) reads these instead of the wide rows: live pledges
        # newest first, and by closing date (the newest first on each day), each with the columns its filters
        # read.
        Index(
            "ix_pledge_status_published_at",
            "status",
            "published_at",
            "id",
            "closes_on",
            *SEARCH_FILTER_COLUMNS,
        ),
        Index("ix_pledge_search", "status", "closes_on", "published_at", "id", *SEARCH_FILTER_COLUMNS),
        # `ix_pledge_by_id` (migration 0011, written for each database by hand, like the full-text index) holds a
        # pledge's filter columns by its id: a search that reads a list of pledges (a keyword's matches, an
        # authority's listed pledges) reads them there, not from the wide rows.
        # The pledges near a postcode district, for a search within a few miles (`_place_pledges`).
        Index("ix_pledge_postcode_district", "postcode_district"),
        # The review queue: submitted pledges, oldest first (most pledges were submitted once, so an index of
        # submission times alone is mostly live pledges).
        Index("ix_pledge_status_submitted_at", "status", "submitted_at", "id"),
        # Live pledges of a kind (paid or not), newest first, with the columns the other filters read: a search
        # for one kind reads only that kind's pledges (a tenth of them or fewer).
        Index(
            "ix_pledge_kind",
            "status",
            "kind",
            "paid",
            "published_at",
            "id",
            "closes_on",
            *(name for name in SEARCH_FILTER_COLUMNS if name not in ("kind", "paid")),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The columns with `active_history` are counted in `LivePledgeCount`, which needs a changed one's old value
    # even when the pledge was not loaded before it changed.
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id"), index=True, active_history=True
    )
    status: Mapped[PledgeStatus] = mapped_column(
        vocabulary(PledgeStatus), default=PledgeStatus.DRAFT, index=True, active_history=True
    )

    # About the opportunity
    title: Mapped[str] = mapped_column(String(120))
    kind: Mapped[PledgeKind] = mapped_column(vocabulary(PledgeKind), active_history=True)
    summary: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    what_you_get: Mapped[str | None] = mapped_column(Text)
    paid: Mapped[bool | None] = mapped_column()
    pay_amount: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    pay_period: Mapped[PayPeriod | None] = mapped_column(vocabulary(PayPeriod))

    # Who it is for
    min_age: Mapped[int | None] = mapped_column()
    max_age: Mapped[int | None] = mapped_column()
    requirements: Mapped[str | None] = mapped_column(Text)

    # Where
    reach: Mapped[Reach | None] = mapped_column(vocabulary(Reach))
    postcode_district: Mapped[str | None] = mapped_column(String(4))

    # What its lists say, as bits on its own row, so the search tests them without reading the lists: its
    # outcome areas, and the regions it is offered in (a regional pledge's regions, a local pledge's
    # authorities' regions). Kept in step by covenant/opportunities/search/bits.py.
    outcome_area_bits: Mapped[int] = mapped_column(default=0, server_default="0")
    region_bits: Mapped[int] = mapped_column(default=0, server_default="0")
    # Where it is offered, as one list of numbers: a local pledge's authorities' ids, a regional pledge's regions,
    # or England or remote (`bits.place_ids_of`). PostgreSQL indexes it (GIN, migration 0014), so a search that
    # reads pledges' wide rows anyway (it tests a keyword) finds the place's pledges from an index too.
    place_ids: Mapped[list[int]] = mapped_column(ARRAY(Integer).with_variant(JSON(), "sqlite"), default=list)

    # Places and dates
    places: Mapped[int | None] = mapped_column(active_history=True)
    places_unlimited: Mapped[bool] = mapped_column(default=False, active_history=True)
    places_taken: Mapped[int] = mapped_column(default=0)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    ongoing: Mapped[bool] = mapped_column(default=False)
    closes_on: Mapped[date | None] = mapped_column(Date, index=True)

    # Taking it up
    take_up: Mapped[TakeUp | None] = mapped_column(vocabulary(TakeUp))
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(320))
    contact_phone: Mapped[str | None] = mapped_column(String(40))

    # Safeguarding: an attestation, never certificate contents
    under_18_contact: Mapped[bool | None] = mapped_column()
    contact_supervised: Mapped[bool | None] = mapped_column()
    dbs_level: Mapped[DbsLevel | None] = mapped_column(vocabulary(DbsLevel))
    #: When the organisation last confirmed everyone in the role has the check: asked where under-18s have
    #: unsupervised contact, and needed within the last 12 months to refer someone under 18 (DBS
    #: certificates themselves do not expire).
    dbs_confirmed_on: Mapped[date | None] = mapped_column(Date)
    dbs_update_service: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: The attestation (by its date) the organisation was last reminded to renew (`flask send-reminders`).
    dbs_reminded_for: Mapped[date | None] = mapped_column(Date)

    adjustments: Mapped[str | None] = mapped_column(Text)
    adjustments_answered: Mapped[bool] = mapped_column(default=False)

    # Review and lifecycle
    review_reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship()
    outcome_area_rows: Mapped[list[PledgeOutcomeArea]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="PledgeOutcomeArea.area"
    )
    region_rows: Mapped[list[PledgeRegion]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="PledgeRegion.region"
    )
    local_authorities: Mapped[list[LocalAuthority]] = relationship(
        secondary="pledge_local_authority", lazy="selectin", order_by="LocalAuthority.name"
    )
    #: Its postcode district's centre, if it has a district and it is known: read for "3 miles away", joined to
    #: the search's page of pledges (no foreign key: a district can be typed before the places are loaded).
    district: Mapped[PostcodeDistrict | None] = relationship(
        primaryjoin="foreign(Pledge.postcode_district) == PostcodeDistrict.code", viewonly=True, lazy="raise"
    )

    @property
    def outcome_areas(self) -> list[OutcomeArea]:
        """The outcome areas, in the covenant's order."""
        chosen = {row.area for row in self.outcome_area_rows}
        return [area for area in OutcomeArea if area in chosen]

    @outcome_areas.setter
    def outcome_areas(self, areas: list[OutcomeArea]) -> None:
        self.outcome_area_rows = [PledgeOutcomeArea(area=area) for area in dict.fromkeys(areas)]

    @property
    def regions(self) -> list[Region]:
        """The regions, in the ONS order."""
        chosen = {row.region for row in self.region_rows}
        return [region for region in Region if region in chosen]

    @regions.setter
    def regions(self, regions: list[Region]) -> None:
        self.region_rows = [PledgeRegion(region=region) for region in dict.fromkeys(regions)]

    def is_expired(self, today: date | None = None) -> bool:
        """Whether its closing date or end date has passed (UK dates)."""
        today = today or uk_today()
        if self.closes_on is not None and self.closes_on < today:
            return True
        return not self.ongoing and self.ends_on is not None and self.ends_on < today

    @property
    def effective_status(self) -> PledgeStatus:
        """The status as of today: a live or paused pledge past its closing or end date is closed, whether or
        not `flask close-expired` has recorded it yet (pages read it so; they never write it)."""
        if self.status in LIVE_STATUSES and self.is_expired():
            return PledgeStatus.CLOSED
        return self.status

    @property
    def places_left(self) -> int | None:
        """Places still free, or None when there is no limit."""
        if self.places_unlimited or self.places is None:
            return None
        return self.places - self.places_taken

    def __repr__(self) -> str:
        return f"<Pledge {self.id} {self.status.value} {self.title!r}>"


class PledgeOutcomeArea(Base):
    """One of a pledge's outcome areas."""

    __tablename__ = "pledge_outcome_area"
    # The search finds the pledges in some outcome areas from this index alone.
    __table_args__ = (Index("ix_pledge_outcome_area_area_pledge_id", "area", "pledge_id"),)

    pledge_id: Mapped[int] = mapped_column(ForeignKey("pledge.id", ondelete="CASCADE"), primary_key=True)
    area: Mapped[OutcomeArea] = mapped_column(vocabulary(OutcomeArea), primary_key=True)


class PledgeRegion(Base):
    """One of the regions a regional pledge is available in."""

    __tablename__ = "pledge_region"
    # The search finds the pledges in a region from this index alone.
    __table_args__ = (Index("ix_pledge_region_region_pledge_id", "region", "pledge_id"),)

    pledge_id: Mapped[int] = mapped_column(ForeignKey("pledge.id", ondelete="CASCADE"), primary_key=True)
    region: Mapped[Region] = mapped_column(vocabulary(Region), primary_key=True)


class PledgeLocalAuthority(Base):
    """One of the local authority areas a local pledge is available in."""

    __tablename__ = "pledge_local_authority"
    # The search finds the pledges in a set of authorities from this index alone.
    __table_args__ = (
        Index("ix_pledge_local_authority_local_authority_id_pledge_id", "local_authority_id", "pledge_id"),
    )

    pledge_id: Mapped[int] = mapped_column(ForeignKey("pledge.id", ondelete="CASCADE"), primary_key=True)
    local_authority_id: Mapped[int] = mapped_column(ForeignKey("local_authority.id"), primary_key=True)


class PledgeTextEdit(Base):
    """A change to the wording of a live pledge, which stays live: coordinators read each one (as a diff) and
    mark it checked."""

    __tablename__ = "pledge_text_edit"

    id: Mapped[int] = mapped_column(primary_key=True)
    pledge_id: Mapped[int] = mapped_column(ForeignKey("pledge.id", ondelete="CASCADE"), index=True)
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    edited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: {field: {"before": text, "after": text}} for each field whose words changed.
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    pledge: Mapped[Pledge] = relationship()
    edited_by: Mapped[User | None] = relationship(foreign_keys=[edited_by_id])
    checked_by: Mapped[User | None] = relationship(foreign_keys=[checked_by_id])


class LivePledgeCount(Base):
    """How many live pledges (published or paused) there are of each kind from organisations in each region,
    with their places, kept in step in the same flush as any change to what it counts (`covenant.reports.live`):
    the national dashboard reads these few rows rather than joining every live pledge to its organisation."""

    __tablename__ = "live_pledge_count"

    region: Mapped[Region] = mapped_column(vocabulary(Region), primary_key=True)
    kind: Mapped[PledgeKind] = mapped_column(vocabulary(PledgeKind), primary_key=True)
    pledges: Mapped[int]
    #: The places of those with a number of places.
    places: Mapped[int]
    #: How many of them have no limit on places.
    unlimited: Mapped[int]
