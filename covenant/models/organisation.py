"""Organisations that sign the covenant and pledge support to care leavers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from covenant.clock import utcnow
from covenant.extensions import Base
from covenant.sqltypes import UTCDateTime, vocabulary
from covenant.vocab import OrganisationType, Region


class Organisation(Base):
    """An employer, charity, college or public body that has signed the covenant."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[OrganisationType] = mapped_column(vocabulary(OrganisationType))
    companies_house_number: Mapped[str | None] = mapped_column(String(8))
    charity_number: Mapped[str | None] = mapped_column(String(12))
    website: Mapped[str | None] = mapped_column(String(500))
    # Its old value is loaded before a change, to move its live pledges in `LivePledgeCount`.
    region: Mapped[Region] = mapped_column(vocabulary(Region), active_history=True)
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    suspension_reason: Mapped[str | None] = mapped_column(Text)

    @property
    def is_suspended(self) -> bool:
        """Suspended organisations' users can sign in but cannot publish."""
        return self.suspended_at is not None

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name}>"


class OrganisationNudge(Base):
    """A reminder emailed by a coordinator to an organisation that has signed but has no live pledge."""

    __tablename__ = "organisation_nudge"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    sent_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
