"""Referrals: a personal adviser puts a care leaver forward for a pledge, and follows its take-up to the end."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from covenant.clock import utcnow
from covenant.extensions import Base
from covenant.models.care_leaver import CareLeaver
from covenant.models.people import User
from covenant.models.pledge import Pledge
from covenant.sqltypes import UTCDateTime, vocabulary
from covenant.vocab import ACTIVE_REFERRAL_STATUSES, OutcomeArea, PledgeKind, ReferralStatus

_ACTIVE = "status IN ({})".format(
    ", ".join(f"'{status.value}'" for status in sorted(ACTIVE_REFERRAL_STATUSES))
)


class Referral(Base):
    """One care leaver put forward for one pledge by their adviser, with a note to the organisation."""

    __tablename__ = "referral"
    __table_args__ = (
        # A care leaver is referred to a pledge once at a time: a second click of "Refer" finds the first.
        Index(
            "uq_referral_active",
            "care_leaver_id",
            "pledge_id",
            unique=True,
            sqlite_where=text(_ACTIVE),
            postgresql_where=text(_ACTIVE),
        ),
        # A pledge's referrals by status in the order they came: its waiting list, its places.
        Index("ix_referral_pledge_id_status", "pledge_id", "status", "created_at"),
        # Referrals made over a period, by the care leaver's authority (the reports), from this index alone.
        Index("ix_referral_created_at_care_leaver_id", "created_at", "care_leaver_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    care_leaver_id: Mapped[int] = mapped_column(ForeignKey("care_leaver.id"), index=True)
    pledge_id: Mapped[int] = mapped_column(ForeignKey("pledge.id"))
    referred_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    note: Mapped[str] = mapped_column(Text)
    status: Mapped[ReferralStatus] = mapped_column(vocabulary(ReferralStatus), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The first day the organisation offered when it said yes, if it gave one.
    first_day: Mapped[date | None] = mapped_column(Date)
    #: The first day, once the organisation has recorded that they started.
    started_on: Mapped[date | None] = mapped_column(Date)
    #: Set when the organisation (or the service) moves it on; cleared when the adviser has seen that.
    adviser_attention_since: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    care_leaver: Mapped[CareLeaver] = relationship()
    pledge: Mapped[Pledge] = relationship()
    referred_by: Mapped[User | None] = relationship()
    events: Mapped[list[ReferralEvent]] = relationship(
        order_by="ReferralEvent.occurred_at, ReferralEvent.id", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Referral {self.id} {self.status.value}>"


class ReferralEvent(Base):
    """One move of a referral from one status to another: when, by whom, and why if they said."""

    __tablename__ = "referral_event"
    __table_args__ = (
        # The reports count moves into a status over a period (starts, completions): this index alone answers
        # them, and gives the referral to join to without reading the events.
        Index("ix_referral_event_to_status_occurred_at", "to_status", "occurred_at", "referral_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[ReferralStatus | None] = mapped_column(vocabulary(ReferralStatus))
    to_status: Mapped[ReferralStatus] = mapped_column(vocabulary(ReferralStatus))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(Text)

    actor: Mapped[User | None] = relationship()


class ReferralReminder(Base):
    """A reminder or alert sent about a referral, kept so `flask send-reminders` sends each once."""

    __tablename__ = "referral_reminder"
    __table_args__ = (UniqueConstraint("referral_id", "kind", name="uq_referral_reminder"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(80))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SustainmentCheck(Base):
    """Is the young person still there, some months after starting a job or apprenticeship? The organisation's
    one-click answer, kept as an outcome for reports."""

    __tablename__ = "sustainment_check"
    __table_args__ = (UniqueConstraint("referral_id", "months", name="uq_sustainment_check"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id", ondelete="CASCADE"))
    months: Mapped[int] = mapped_column()
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    still_there: Mapped[bool | None] = mapped_column(Boolean)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    referral: Mapped[Referral] = relationship()


class ReferralFeedback(Base):
    """What the young person said when a referral ended: was it useful (1 to 5), would they recommend it to
    another care leaver, and anything they want the organisation to know. Organisations see a pledge's answers
    without names, and only once at least 5 have been given."""

    __tablename__ = "referral_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id", ondelete="CASCADE"), unique=True)
    useful: Mapped[int] = mapped_column()
    recommend: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str | None] = mapped_column(Text)
    given_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    given_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    #: Given by their adviser, sitting with them.
    with_adviser: Mapped[bool] = mapped_column(Boolean, default=False)

    referral: Mapped[Referral] = relationship()


class InterestRequest(Base):
    """A young person's "I'm interested" in a pledge, with a short message, waiting in their adviser's queue until
    the adviser refers them or replies."""

    __tablename__ = "interest_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    care_leaver_id: Mapped[int] = mapped_column(ForeignKey("care_leaver.id", ondelete="CASCADE"), index=True)
    pledge_id: Mapped[int] = mapped_column(ForeignKey("pledge.id"))
    message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: "open", "referred" or "replied".
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    reply: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referral.id", ondelete="SET NULL"))

    care_leaver: Mapped[CareLeaver] = relationship()
    pledge: Mapped[Pledge] = relationship()
    answered_by: Mapped[User | None] = relationship()


class TakeUpMove(Base):
    """A referral's move as the take-up reports count it: one row per `ReferralEvent`, written with it, holding
    what the reports group and filter by, so that they read one narrow table through an index rather than
    joining each move to its referral, care leaver, pledge and organisation (`covenant.reports.moves`).

    The pledge's kind and outcome areas are kept in step with the pledge when they change, so a report counts a
    referral under the pledge's kind and areas as they are now, as it would by joining."""

    __tablename__ = "take_up_move"
    __table_args__ = (
        # Every authority's moves to a status over a period, with what the national and public pages group
        # them by and the working days of replies (the slowest to reply), from this index alone.
        Index(
            "ix_take_up_move_status",
            "to_status",
            "moved_on",
            "local_authority_id",
            "outcome_area_bits",
            "organisation_id",
            "working_days",
        ),
        # One authority's moves over a period (its dashboard).
        Index(
            "ix_take_up_move_authority",
            "local_authority_id",
            "moved_on",
            "to_status",
            "outcome_area_bits",
            "kind",
            "organisation_id",
            "working_days",
        ),
        # One organisation's moves over a period (its dashboard).
        Index(
            "ix_take_up_move_organisation",
            "organisation_id",
            "moved_on",
            "to_status",
            "pledge_id",
            "working_days",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id", ondelete="CASCADE"), index=True)
    to_status: Mapped[ReferralStatus] = mapped_column(vocabulary(ReferralStatus))
    #: The UK date of the move.
    moved_on: Mapped[date] = mapped_column(Date)
    #: The care leaver's local authority.
    local_authority_id: Mapped[int] = mapped_column(ForeignKey("local_authority.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    pledge_id: Mapped[int] = mapped_column(ForeignKey("pledge.id"), index=True)
    kind: Mapped[PledgeKind] = mapped_column(vocabulary(PledgeKind))
    outcome_area_bits: Mapped[int] = mapped_column(default=0)
    #: Working days from the referral reaching the organisation to this move (None if it never reached it).
    working_days: Mapped[int | None]


class TakeUpMonth(Base):
    """How many of an authority's care leavers' referrals reached a take-up stage (referred, accepted, started,
    completed) in a calendar month (UK dates), kept with each `TakeUpMove`, so a report over whole months adds
    up a few rows per authority."""

    __tablename__ = "take_up_month"
    # The months of a period for every authority, with their counts, from this index alone.
    __table_args__ = (Index("ix_take_up_month_counts", "to_status", "month", "local_authority_id", "moves"),)

    to_status: Mapped[ReferralStatus] = mapped_column(vocabulary(ReferralStatus), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)  # its first day
    local_authority_id: Mapped[int] = mapped_column(ForeignKey("local_authority.id"), primary_key=True)
    moves: Mapped[int]


class TakeUpAreaMonth(Base):
    """As `TakeUpMonth`, for each outcome area of the pledges: a move counts under each of its pledge's areas
    (as they are now: a pledge's new areas move its counts)."""

    __tablename__ = "take_up_area_month"
    __table_args__ = (
        Index(
            "ix_take_up_area_month_counts",
            "to_status",
            "month",
            "local_authority_id",
            "outcome_area",
            "moves",
        ),
    )

    to_status: Mapped[ReferralStatus] = mapped_column(vocabulary(ReferralStatus), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    local_authority_id: Mapped[int] = mapped_column(ForeignKey("local_authority.id"), primary_key=True)
    outcome_area: Mapped[OutcomeArea] = mapped_column(vocabulary(OutcomeArea), primary_key=True)
    moves: Mapped[int]
