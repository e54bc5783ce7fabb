"""Disclosure control for the public statistics: small counts are never shown, and no suppressed count can be
worked out from the totals."""

from __future__ import annotations

import itertools

import pytest

from covenant.statistics.disclosure import (
    FEWER_THAN_5,
    HIDDEN,
    ProtectedTable,
    Suppression,
    protect,
    protect_table,
)


@pytest.mark.parametrize(
    ("count", "shown"),
    [(0, "0"), (1, FEWER_THAN_5), (4, FEWER_THAN_5), (5, "5"), (1234, "1,234")],
)
def test_a_count_from_1_to_4_shows_as_fewer_than_5(count: int, shown: str) -> None:
    assert protect(count).shown == shown


def shown(table: ProtectedTable) -> list[list[str]]:
    """The table as a reader sees it, with the totals row and column."""
    rows = [
        [*(cell.shown for cell in row), total.shown]
        for row, total in zip(table.cells, table.row_totals, strict=True)
    ]
    rows.append([*(total.shown for total in table.column_totals), table.grand_total.shown])
    return rows


def assert_nothing_recoverable(table: ProtectedTable) -> None:
    """No row or column (with its total) has exactly one hidden figure."""
    grid = [[*row, total] for row, total in zip(table.cells, table.row_totals, strict=True)]
    grid.append([*table.column_totals, table.grand_total])
    lines = grid + [list(column) for column in zip(*grid, strict=True)]
    for line in lines:
        assert sum(figure.suppressed for figure in line) != 1, [figure.shown for figure in line]


def test_zeros_and_counts_of_5_or_more_are_shown_as_they_are() -> None:
    table = protect_table([[0, 5], [7, 0]])
    assert shown(table) == [["0", "5", "5"], ["7", "0", "7"], ["7", "5", "12"]]


def test_a_row_total_that_would_reveal_a_cell_is_protected_by_hiding_a_second_cell() -> None:
    # 3 is fewer than 5; with the row total 20 and 10 shown, 20 - 10 - 7 would give it away.
    table = protect_table([[3, 10, 7], [8, 9, 12]])
    assert table.cells[0][0].suppression is Suppression.PRIMARY
    # The smallest other cell in its row is hidden too, and the column needs a second as well.
    assert table.cells[0][2].suppression is Suppression.SECONDARY
    assert table.cells[1][0].suppression is Suppression.SECONDARY
    assert table.cells[1][2].suppression is Suppression.SECONDARY
    assert shown(table)[0] == [FEWER_THAN_5, "10", HIDDEN, "20"]
    assert table.row_totals[0].shown == "20"  # totals stay shown: the hidden cells protect each other
    assert_nothing_recoverable(table)


def test_a_total_of_1_to_4_is_itself_fewer_than_5() -> None:
    table = protect_table([[1, 0], [0, 20]])
    assert table.row_totals[0].shown == FEWER_THAN_5
    assert table.column_totals[0].shown == FEWER_THAN_5
    assert table.cells[0][0].shown == FEWER_THAN_5
    assert_nothing_recoverable(table)


def test_a_line_with_two_small_counts_needs_nothing_more() -> None:
    table = protect_table([[2, 3, 40], [2, 4, 50]])
    assert [[figure.suppression for figure in row] for row in table.cells] == [
        [Suppression.PRIMARY, Suppression.PRIMARY, None],
        [Suppression.PRIMARY, Suppression.PRIMARY, None],
    ]
    assert_nothing_recoverable(table)


def test_a_nonzero_cell_is_hidden_in_preference_to_a_zero() -> None:
    table = protect_table([[3, 0, 8], [5, 0, 9]])
    assert_nothing_recoverable(table)
    assert shown(table)[0] == [FEWER_THAN_5, "0", HIDDEN, "11"]
    assert table.cells[0][1].shown == "0"


def test_a_single_cell_table_hides_its_totals_with_it() -> None:
    table = protect_table([[3]])
    assert shown(table) == [[FEWER_THAN_5, FEWER_THAN_5], [FEWER_THAN_5, FEWER_THAN_5]]


def test_an_empty_table_is_all_zeros() -> None:
    table = protect_table([[0, 0], [0, 0]])
    assert not any(figure.suppressed for row in table.cells for figure in row)
    assert table.grand_total.shown == "0"


def test_secondary_suppression_holds_for_every_small_table() -> None:
    """Every 2 x 3 table of counts from {0, 2, 6}: no line is left with a single hidden figure, every count
    from 1 to 4 is hidden, and the totals add up."""
    for values in itertools.product((0, 2, 6), repeat=6):
        counts = [list(values[:3]), list(values[3:])]
        table = protect_table(counts)
        assert_nothing_recoverable(table)
        for row, figures in zip(counts, table.cells, strict=True):
            for count, figure in zip(row, figures, strict=True):
                assert figure.value == count
                assert figure.suppressed or not 0 < count < 5
        assert table.grand_total.value == sum(values)


def test_rows_of_different_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="same number"):
        protect_table([[1, 2], [3]])
