"""Statistical disclosure control for the public figures, after the GSS guidance on disclosure control for
tables produced from administrative data.

Primary suppression: a count from 1 to 4 is shown as "fewer than 5". A zero is shown: there is nobody to
identify.

Secondary (complementary) suppression: in a table with row and column totals, each row (its cells and its total)
and each column is a line whose members add up. A line with exactly one suppressed member would give that member
away by subtraction, so a second member of the line is suppressed as well: the smallest other cell that is not
zero (a zero is kept as a last resort), else the line's total. That can leave another line with a single
suppressed member, so it is repeated until every line has none or at least two. The grand total is a member of
the totals row and the totals column.

Secondary suppressions are shown as "[c]", never as a number, so a reader cannot tell a large hidden cell from a
small one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

SMALLEST_SHOWN = 5
FEWER_THAN_5 = f"fewer than {SMALLEST_SHOWN}"
HIDDEN = "[c]"


class Suppression(Enum):
    """Why a figure is not shown."""

    PRIMARY = "primary"  # a count from 1 to 4
    SECONDARY = "secondary"  # hidden so that a primary one cannot be worked out from the totals


@dataclass(frozen=True)
class Figure:
    """A count as the public may see it: `shown` is what the page and the CSV file print."""

    value: int
    suppression: Suppression | None = None

    @property
    def shown(self) -> str:
        if self.suppression is Suppression.PRIMARY:
            return FEWER_THAN_5
        if self.suppression is Suppression.SECONDARY:
            return HIDDEN
        return f"{self.value:,}"

    @property
    def suppressed(self) -> bool:
        return self.suppression is not None


def is_disclosive(count: int) -> bool:
    """A count from 1 to 4: too few people to show."""
    return 0 < count < SMALLEST_SHOWN


def protect(count: int) -> Figure:
    """A single count with primary suppression (a headline figure: no totals to take it from)."""
    return Figure(count, Suppression.PRIMARY if is_disclosive(count) else None)


@dataclass(frozen=True)
class ProtectedTable:
    """A table of counts with row and column totals, every figure protected."""

    cells: list[list[Figure]]
    row_totals: list[Figure]
    column_totals: list[Figure]
    grand_total: Figure


def protect_table(counts: Sequence[Sequence[int]]) -> ProtectedTable:
    """The table with its totals, small counts suppressed, and enough others suppressed that no suppressed
    count can be worked out from the totals by subtraction."""
    rows = len(counts)
    columns = len(counts[0]) if rows else 0
    if any(len(row) != columns for row in counts):
        raise ValueError("every row needs the same number of cells")
    if any(count < 0 for row in counts for count in row):
        raise ValueError("counts cannot be negative")
    # The whole grid with its margins: row r < rows, column c < columns are cells; index `rows` is the totals
    # row and index `columns` the totals column.
    grid = [[*row, sum(row)] for row in counts]
    grid.append([sum(counts[r][c] for r in range(rows)) for c in range(columns)] + [sum(map(sum, counts))])
    status: list[list[Suppression | None]] = [
        [Suppression.PRIMARY if is_disclosive(value) else None for value in row] for row in grid
    ]
    lines = [[(r, c) for c in range(columns + 1)] for r in range(rows + 1)]
    lines += [[(r, c) for r in range(rows + 1)] for c in range(columns + 1)]
    changed = True
    while changed:
        changed = False
        for line in lines:
            hidden = [place for place in line if status[place[0]][place[1]] is not None]
            if len(hidden) != 1:
                continue
            partner = _complement(grid, status, line, rows, columns)
            if partner is not None:
                status[partner[0]][partner[1]] = Suppression.SECONDARY
                changed = True

    def figure(r: int, c: int) -> Figure:
        return Figure(grid[r][c], status[r][c])

    return ProtectedTable(
        cells=[[figure(r, c) for c in range(columns)] for r in range(rows)],
        row_totals=[figure(r, columns) for r in range(rows)],
        column_totals=[figure(rows, c) for c in range(columns)],
        grand_total=figure(rows, columns),
    )


def _complement(
    grid: list[list[int]],
    status: list[list[Suppression | None]],
    line: list[tuple[int, int]],
    rows: int,
    columns: int,
) -> tuple[int, int] | None:
    """The member of the line to suppress beside its one suppressed member: the smallest shown cell that is not
    zero, then a zero cell, then the total."""
    shown = [place for place in line if status[place[0]][place[1]] is None]
    cells = [place for place in shown if place[0] != rows and place[1] != columns]
    totals = [place for place in shown if place not in cells]
    for candidates in (
        [place for place in cells if grid[place[0]][place[1]] > 0],
        cells,
        totals,
    ):
        if candidates:
            return min(candidates, key=lambda place: (grid[place[0]][place[1]], place))
    return None
