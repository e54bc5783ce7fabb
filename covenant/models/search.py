"""Search reference data and saved searches."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from covenant.clock import utcnow
from covenant.extensions import Base
from covenant.models.people import User
from covenant.sqltypes import UTCDateTime, vocabulary
from covenant.vocab import AlertFrequency


class PostcodeDistrict(Base):
    """The centre of a postcode district (the first half of a postcode), from an operator's gazetteer."""

    __tablename__ = "postcode_district"

    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)


class Town(Base):
    """A town or city in England that a search can be near ("near Morley"), from GeoNames."""

    __tablename__ = "town"

    #: GeoNames' id for the place.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(100))
    #: The name as typed names are compared with it (`places.name_key`): a search reads this index.
    name_key: Mapped[str] = mapped_column(String(100), index=True)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    population: Mapped[int] = mapped_column(Integer)


class SavedSearch(Base):
    """A search someone saved, with how often to email them new matches."""

    __tablename__ = "saved_search"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    query_string: Mapped[str] = mapped_column(String(2000))
    frequency: Mapped[AlertFrequency] = mapped_column(vocabulary(AlertFrequency), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Pledges published up to this moment have been considered for alerts already.
    alerted_through: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class SearchState(Base):
    """One row whose token changes whenever anything a search reads changes (see `opportunities.freshness`).

    Cached search results are kept under the token they were worked out with, so a change made by any
    process makes every process's earlier results unreachable at once.
    """

    __tablename__ = "search_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32))
