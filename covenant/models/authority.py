"""Local authorities: the children's-services councils of England that support care leavers."""

from __future__ import annotations

from sqlalchemy import Float, String
from sqlalchemy.orm import Mapped, mapped_column

from covenant.extensions import Base
from covenant.sqltypes import vocabulary
from covenant.vocab import AuthorityKind, Region


class LocalAuthority(Base):
    """A council with responsibilities to care leavers, loaded from the ONS/mySociety reference data."""

    __tablename__ = "local_authority"

    id: Mapped[int] = mapped_column(primary_key=True)
    gss_code: Mapped[str] = mapped_column(String(9), unique=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    region: Mapped[Region] = mapped_column(vocabulary(Region))
    kind: Mapped[AuthorityKind] = mapped_column(vocabulary(AuthorityKind))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    local_offer_url: Mapped[str | None] = mapped_column(String(500))
    # The leaving care team, for care leavers who do not know who their adviser is (kept by the manager).
    team_phone: Mapped[str | None] = mapped_column(String(40))
    team_email: Mapped[str | None] = mapped_column(String(320))
    team_hours: Mapped[str | None] = mapped_column(String(200))

    @property
    def has_team_contact(self) -> bool:
        return bool(self.team_phone or self.team_email)

    def __repr__(self) -> str:
        return f"<LocalAuthority {self.gss_code} {self.name}>"
