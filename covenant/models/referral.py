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
from covenant.vocab import ACTIVE_REFERRAL_STATUSES, ReferralStatus

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
