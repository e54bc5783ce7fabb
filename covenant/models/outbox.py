"""The email outbox: written in the same transaction as the change that causes the email."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from covenant.clock import utcnow
from covenant.extensions import Base
from covenant.sqltypes import UTCDateTime


class OutboundEmail(Base):
    """One email waiting for, or done with, delivery by `flask send-email`."""

    __tablename__ = "outbound_email"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "email", or "text" for a text message to a mobile number (in `to_address`).
    channel: Mapped[str] = mapped_column(String(10), default="email", server_default="email")
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    template: Mapped[str] = mapped_column(String(80))
    # For emails people can stop (saved-search alerts): sent as List-Unsubscribe, with one-click unsubscribe.
    unsubscribe_url: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    gave_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
