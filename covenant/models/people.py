"""People who use Covenant, and the invitations that bring them in."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from covenant.clock import utcnow
from covenant.extensions import Base
from covenant.models.authority import LocalAuthority
from covenant.models.organisation import Organisation
from covenant.sqltypes import UTCDateTime, vocabulary
from covenant.vocab import Role

# One user, one role, one scope: organisation roles need an organisation, authority roles an authority,
# and coordinators neither. The same rule binds invitations.
SCOPE_RULE = (
    "(role IN ('organisation_member', 'organisation_admin')"
    " AND organisation_id IS NOT NULL AND local_authority_id IS NULL)"
    " OR (role IN ('personal_adviser', 'authority_manager', 'care_leaver')"
    " AND local_authority_id IS NOT NULL AND organisation_id IS NULL)"
    " OR (role = 'coordinator' AND organisation_id IS NULL AND local_authority_id IS NULL)"
)


def scope_name(organisation: Organisation | None, local_authority: LocalAuthority | None) -> str:
    """The organisation or local authority a role belongs to, in words; the covenant itself for coordinators."""
    if organisation is not None:
        return organisation.name
    if local_authority is not None:
        return local_authority.name
    return "Care Leaver Covenant"


def new_session_token() -> str:
    """A random value naming this generation of a user's sessions; changing it signs them all out."""
    return secrets.token_urlsafe(24)


class User(UserMixin, Base):
    """Someone who signs in: one role, in one organisation, one local authority, or nationally."""

    __tablename__ = "user_account"
    __table_args__ = (CheckConstraint(SCOPE_RULE, name="role_scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(vocabulary(Role))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    local_authority_id: Mapped[int | None] = mapped_column(ForeignKey("local_authority.id"), index=True)
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: A manager deactivates an adviser who leaves: they can no longer sign in.
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: A mobile number for text messages, kept only while they choose texts (care leavers may).
    mobile: Mapped[str | None] = mapped_column(String(20))
    contact_by: Mapped[str] = mapped_column(String(10), default="email", server_default="email")

    organisation: Mapped[Organisation | None] = relationship()
    local_authority: Mapped[LocalAuthority | None] = relationship()

    def get_id(self) -> str:
        """Flask-Login's session id: the user and their session generation, so a password change ends old sessions."""
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:
        """Only people who have confirmed their email address, and have not been deactivated, may sign in."""
        return self.email_confirmed_at is not None and self.deactivated_at is None

    def has_role(self, *roles: Role) -> bool:
        """True when this user holds one of the given roles."""
        return self.role in roles

    @property
    def scope_name(self) -> str:
        """The organisation or local authority this user belongs to, in words."""
        return scope_name(self.organisation, self.local_authority)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role.value}>"


class Invitation(Base):
    """An emailed, single-use, time-limited invitation to join an organisation, an authority or the covenant team."""

    __tablename__ = "invitation"
    __table_args__ = (CheckConstraint(SCOPE_RULE, name="role_scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    role: Mapped[Role] = mapped_column(vocabulary(Role))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    local_authority_id: Mapped[int | None] = mapped_column(ForeignKey("local_authority.id"), index=True)
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: For a care leaver's own account: the record on their adviser's caseload it joins.
    care_leaver_id: Mapped[int | None] = mapped_column(ForeignKey("care_leaver.id", ondelete="CASCADE"))

    organisation: Mapped[Organisation | None] = relationship()
    local_authority: Mapped[LocalAuthority | None] = relationship()
    invited_by: Mapped[User] = relationship()

    @property
    def scope_name(self) -> str:
        """Where the invitation leads, in words."""
        return scope_name(self.organisation, self.local_authority)

    def is_open(self, now: datetime) -> bool:
        """Still usable: not accepted, not revoked, not expired."""
        return self.accepted_at is None and self.revoked_at is None and now < self.expires_at
