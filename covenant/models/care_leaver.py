"""Care leavers on a personal adviser's caseload: as little about them as referrals need.

A care leaver record is a pseudonymous reference (the authority's own), a first name, a date of birth, where they
live and what interests them, with the date they agreed to their details being used for referrals. No surname,
address, health, ethnicity or case notes: the authority's own case system holds those.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from covenant.clock import utcnow
from covenant.extensions import Base
from covenant.models.authority import LocalAuthority
from covenant.models.people import User
from covenant.sqltypes import UTCDateTime, vocabulary
from covenant.vocab import OutcomeArea, PledgeKind


def age_on(date_of_birth: date, day: date) -> int:
    """Age in whole years on a day (a birthday on 29 February counts as 1 March in other years)."""
    years = day.year - date_of_birth.year
    if (day.month, day.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


class CareLeaver(Base):
    """A young person an authority supports, on one personal adviser's caseload."""

    __tablename__ = "care_leaver"
    __table_args__ = (UniqueConstraint("local_authority_id", "reference", name="uq_care_leaver_reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    local_authority_id: Mapped[int] = mapped_column(ForeignKey("local_authority.id"), index=True)
    adviser_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    #: The authority's own reference for the young person (from its case system), not a name.
    reference: Mapped[str] = mapped_column(String(40))
    first_name: Mapped[str] = mapped_column(String(60))
    date_of_birth: Mapped[date] = mapped_column(Date)
    #: The council area they live in, which may not be the authority responsible for them.
    lives_in_id: Mapped[int] = mapped_column(ForeignKey("local_authority.id"))
    postcode_district: Mapped[str | None] = mapped_column(String(4))
    #: The day the young person agreed to their details being used for referrals.
    consented_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    #: Their own account, if their adviser invited them and they accepted (optional for the young person).
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), unique=True
    )
    #: When their personal details were removed (`flask anonymise-expired`, or erased on request): what is
    #: left is kept only for statistics.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    local_authority: Mapped[LocalAuthority] = relationship(foreign_keys=[local_authority_id])
    lives_in: Mapped[LocalAuthority] = relationship(foreign_keys=[lives_in_id])
    adviser: Mapped[User] = relationship(foreign_keys=[adviser_id])
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    kind_rows: Mapped[list[CareLeaverKind]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="CareLeaverKind.kind"
    )
    outcome_area_rows: Mapped[list[CareLeaverOutcomeArea]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="CareLeaverOutcomeArea.area"
    )

    @property
    def kinds(self) -> list[PledgeKind]:
        """The kinds of opportunity that interest them, in the vocabulary's order."""
        chosen = {row.kind for row in self.kind_rows}
        return [kind for kind in PledgeKind if kind in chosen]

    @kinds.setter
    def kinds(self, kinds: list[PledgeKind]) -> None:
        self.kind_rows = [CareLeaverKind(kind=kind) for kind in dict.fromkeys(kinds)]

    @property
    def outcome_areas(self) -> list[OutcomeArea]:
        """The outcome areas that interest them, in the covenant's order."""
        chosen = {row.area for row in self.outcome_area_rows}
        return [area for area in OutcomeArea if area in chosen]

    @outcome_areas.setter
    def outcome_areas(self, areas: list[OutcomeArea]) -> None:
        self.outcome_area_rows = [CareLeaverOutcomeArea(area=area) for area in dict.fromkeys(areas)]

    def age(self, today: date) -> int:
        return age_on(self.date_of_birth, today)

    def __repr__(self) -> str:
        return f"<CareLeaver {self.id}>"  # never the name: reprs reach logs


class CareLeaverKind(Base):
    """A kind of opportunity a care leaver is interested in."""

    __tablename__ = "care_leaver_kind"

    care_leaver_id: Mapped[int] = mapped_column(
        ForeignKey("care_leaver.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[PledgeKind] = mapped_column(vocabulary(PledgeKind), primary_key=True)


class CareLeaverOutcomeArea(Base):
    """An outcome area a care leaver is interested in."""

    __tablename__ = "care_leaver_outcome_area"

    care_leaver_id: Mapped[int] = mapped_column(
        ForeignKey("care_leaver.id", ondelete="CASCADE"), primary_key=True
    )
    area: Mapped[OutcomeArea] = mapped_column(vocabulary(OutcomeArea), primary_key=True)
