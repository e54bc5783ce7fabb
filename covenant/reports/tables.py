"""A report's figures as one value: shown as a GOV.UK table and downloaded as CSV, so the two always agree.

Each cell is written once, by `cell_text`, for both; numeric columns are right-aligned in the table.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

# A spreadsheet runs a cell that starts with one of these as a formula: organisation names and titles are typed
# by people, so such a cell is written with a leading apostrophe (OWASP's advice on CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NO_FIGURE = "–"

Cell = str | int | float | Decimal | date | None


@dataclass(frozen=True)
class Rate:
    """A share of a whole (accepted out of referred), shown as a percentage to one decimal place."""

    part: int
    whole: int

    @property
    def percent(self) -> float | None:
        """The percentage, or None when the whole is nothing."""
        return None if not self.whole else round(100 * self.part / self.whole, 1)

    def __str__(self) -> str:
        percent = self.percent
        return NO_FIGURE if percent is None else f"{percent:g}%"


def cell_text(value: Cell | Rate) -> str:
    """A cell as the table and the CSV both show it."""
    if value is None:
        return NO_FIGURE
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, date):
        return f"{value.day} {value:%B %Y}"
    return str(value)


@dataclass(frozen=True)
class Report:
    """A table of figures: what it shows (caption), its column headings and its rows.

    `name` makes its CSV file name and its address (`/reports/.../<name>.csv`); `numeric` says which columns
    hold figures, to align them as GOV.UK tables do."""

    name: str
    caption: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    numeric: Sequence[bool] = field(default=())
    #: Shown instead of an empty table.
    empty: str = "There is nothing to show for these dates."
    #: The care leavers its rows name, if any, for the audit record of who saw them.
    care_leaver_ids: Sequence[int] = ()

    def texts(self) -> list[list[str]]:
        """Every row's cells as text, as both the table and the CSV show them."""
        return [[cell_text(value) for value in row] for row in self.rows]

    def numeric_columns(self) -> list[bool]:
        """For each column, whether it holds figures (right-aligned in the table)."""
        return [index < len(self.numeric) and self.numeric[index] for index in range(len(self.headers))]

    def csv(self) -> str:
        """The same figures as CSV: a heading row, then one row per table row."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([_safe(text) for text in self.headers])
        for row in self.texts():
            writer.writerow([_safe(text) for text in row])
        return out.getvalue()


def _safe(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text
