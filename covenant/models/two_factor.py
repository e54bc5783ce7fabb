"""Two-factor sign-in: an authenticator app's secret, single-use recovery codes, and an emailed code.

The secret is stored encrypted (`covenant.two_factor.cipher`); recovery codes and emailed codes only as keyed
hashes, so a copy of the database signs nobody in.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from covenant.clock import utcnow
from covenant.extensions import Base
from covenant.models.people import User
from covenant.sqltypes import UTCDateTime


class TwoFactor(Base):
    """One person's authenticator app, set up and confirmed with a code from it."""

    __tablename__ = "two_factor"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), unique=True)
    #: The base32 TOTP secret, encrypted: never shown again after set-up, never logged.
    secret: Mapped[str] = mapped_column(String(300))
    enabled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The last time step whose code was accepted: a code works once, so a replay in its window fails.
    last_step: Mapped[int] = mapped_column(BigInteger, default=0)
    #: The keyed hash of the last code emailed as the fallback, until it is used or expires.
    email_code_hash: Mapped[str | None] = mapped_column(String(64))
    email_code_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<TwoFactor {self.user_id}>"  # never the secret: reprs reach logs


class RecoveryCode(Base):
    """A single-use code, shown once at set-up, for when the authenticator app is lost."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<RecoveryCode {self.id}>"
