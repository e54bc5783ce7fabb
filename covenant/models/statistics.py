"""Published statistics imported from elsewhere: the Department for Education's figures for care leavers'
activity (in education, employment or training or not), one row per authority, year, age band and activity."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from covenant.clock import utcnow
from covenant.extensions import Base
from covenant.sqltypes import UTCDateTime


class CareLeaverStatistic(Base):
    """How many care leavers of an age band an authority reported doing an activity in a year, as DfE publishes
    it. `count` is None where DfE suppressed or did not have the figure (`c`, `k`, `x`, `z`, `low`): unknown,
    never zero. Importing a file again replaces its figures."""

    __tablename__ = "care_leaver_statistic"
    __table_args__ = (
        UniqueConstraint(
            "period", "authority_code", "age_band", "activity", name="uq_care_leaver_statistic_figure"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The authority's GSS code (DfE's `new_la_code`), one of `local_authority.gss_code`.
    authority_code: Mapped[str] = mapped_column(String(9), index=True)
    #: DfE's `time_period`: the year the figures are for, as DfE writes it (`2024`, or `202324`).
    period: Mapped[str] = mapped_column(String(10))
    #: The age band, in lower case without "aged" (`19 to 21`).
    age_band: Mapped[str] = mapped_column(String(60))
    #: The activity, in lower case (`not in education, employment or training`).
    activity: Mapped[str] = mapped_column(String(200))
    count: Mapped[int | None] = mapped_column()
    source_file: Mapped[str] = mapped_column(String(255))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<CareLeaverStatistic {self.period} {self.authority_code} {self.age_band} {self.activity}>"
