"""`flask import-care-leaver-statistics FILE`: DfE's care leavers' activity figures, in the layout Explore
Education Statistics publishes them."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from covenant.extensions import db
from covenant.models import CareLeaverStatistic

HEADER = (
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,"
    "new_la_code,old_la_code,la_name,age,activity,number,percentage"
)
NATIONAL = "2024,Financial year,National,E92000001,England,,,,,,Aged 19 to 21,Not in education employment or training,12000,38"
LEEDS_NEET = (
    "2024,Financial year,Local authority,E92000001,England,E12000003,Yorkshire and The Humber,E08000035,383,"
    'Leeds,Aged 19 to 21,"Not in education, employment or training",{count},40'
)
LEEDS_EET = (
    "2024,Financial year,Local authority,E92000001,England,E12000003,Yorkshire and The Humber,E08000035,383,"
    'Leeds,Aged 19 to 21,"In education, employment or training",310,60'
)
CAMDEN_NEET = (
    "2024,Financial year,Local authority,E92000001,England,E12000007,London,E09000007,202,"
    'Camden,Aged 19 to 21,"Not in education, employment or training",{count},x'
)
UNKNOWN_NEET = (
    "2024,Financial year,Local authority,E92000001,England,E12000007,London,E09999999,999,"
    'Nowhere,Aged 19 to 21,"Not in education, employment or training",40,x'
)


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


def write(tmp_path: Path, *lines: str, name: str = "cla_care_leavers_activity_la.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def figures() -> dict[tuple[str, str, str], int | None]:
    return {
        (row.authority_code, row.age_band, row.activity): row.count
        for row in db.session.scalars(select(CareLeaverStatistic))
    }


def neet(code: str) -> tuple[str, str, str]:
    return (code, "19 to 21", "not in education, employment or training")


def test_a_good_file_imports_its_local_authority_figures(runner: FlaskCliRunner, tmp_path: Path) -> None:
    path = write(
        tmp_path, HEADER, NATIONAL, LEEDS_NEET.format(count=207), LEEDS_EET, CAMDEN_NEET.format(count=45)
    )

    result = runner.invoke(args=["import-care-leaver-statistics", str(path)])

    assert result.exit_code == 0, result.output
    assert "3 added, 0 updated, 0 unchanged" in result.output
    assert "1 national or regional row skipped" in result.output
    assert figures() == {
        neet("E08000035"): 207,
        ("E08000035", "19 to 21", "in education, employment or training"): 310,
        neet("E09000007"): 45,
    }
    row = db.session.scalars(select(CareLeaverStatistic)).first()
    assert row is not None
    assert row.period == "2024"
    assert row.source_file == "cla_care_leavers_activity_la.csv"


@pytest.mark.parametrize("mark", ["c", "k", "x", "z", "low", "C"])
def test_dfe_suppression_marks_read_as_unknown_never_zero(
    runner: FlaskCliRunner, tmp_path: Path, mark: str
) -> None:
    path = write(tmp_path, HEADER, LEEDS_NEET.format(count=mark), CAMDEN_NEET.format(count=0))

    result = runner.invoke(args=["import-care-leaver-statistics", str(path)])

    assert result.exit_code == 0, result.output
    assert "1 suppressed in the file, kept as unknown" in result.output
    assert figures() == {neet("E08000035"): None, neet("E09000007"): 0}


def test_importing_again_replaces_the_figures(runner: FlaskCliRunner, tmp_path: Path) -> None:
    first = write(tmp_path, HEADER, LEEDS_NEET.format(count=207), CAMDEN_NEET.format(count=45))
    assert runner.invoke(args=["import-care-leaver-statistics", str(first)]).exit_code == 0
    again = runner.invoke(args=["import-care-leaver-statistics", str(first)])
    assert "0 added, 0 updated, 2 unchanged" in again.output

    revised = write(
        tmp_path, HEADER, LEEDS_NEET.format(count=210), CAMDEN_NEET.format(count=45), name="revised.csv"
    )
    result = runner.invoke(args=["import-care-leaver-statistics", str(revised)])

    assert "0 added, 2 updated, 0 unchanged" in result.output
    assert figures() == {neet("E08000035"): 210, neet("E09000007"): 45}
    assert db.session.scalar(select(func.count(CareLeaverStatistic.id))) == 2


def test_codes_that_are_not_our_authorities_are_reported(runner: FlaskCliRunner, tmp_path: Path) -> None:
    path = write(tmp_path, HEADER, LEEDS_NEET.format(count=207), UNKNOWN_NEET)

    result = runner.invoke(args=["import-care-leaver-statistics", str(path)])

    assert result.exit_code == 0, result.output
    assert "1 authority code not matched, so not imported:\n  E09999999 Nowhere" in result.output
    assert list(figures()) == [neet("E08000035")]


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([HEADER, LEEDS_NEET.format(count="lots")], "line 2: the count ‘lots’ is not a number"),
        ([HEADER, LEEDS_NEET.format(count=-3)], "line 2: the count -3 is negative"),
        (
            [HEADER, LEEDS_NEET.format(count=5).replace("E08000035", "Leeds")],
            "‘Leeds’ is not a local authority code",
        ),
        (
            [HEADER, LEEDS_NEET.format(count=5).replace("2024,", "last year,", 1)],
            "‘last year’ is not a time period",
        ),
        ([HEADER, "2024,Financial year,Local authority"], "line 2 has 3 values, not 14"),
        ([HEADER.replace(",activity,", ",what,")], "no activity column"),
        ([HEADER.replace(",number,", ",n,")], "no count column"),
        ([HEADER.replace("new_la_code", "la_code")], "no new_la_code column"),
        ([""], "no time_period column"),
        ([HEADER, NATIONAL], "no local authority figures"),
    ],
)
def test_a_malformed_file_gives_a_clear_error_and_imports_nothing(
    runner: FlaskCliRunner, tmp_path: Path, lines: list[str], message: str
) -> None:
    # A good row first, where the file has rows: it is not imported either.
    good = [LEEDS_EET] if len(lines) > 1 and lines[1] != NATIONAL else []
    path = write(tmp_path, lines[0], *good, *lines[1:])

    result = runner.invoke(args=["import-care-leaver-statistics", str(path)])

    assert result.exit_code == 1
    assert message.replace("line 2", "line 3" if good else "line 2") in result.output
    assert figures() == {}


def test_a_file_that_is_not_there_or_not_text_is_refused(runner: FlaskCliRunner, tmp_path: Path) -> None:
    missing = runner.invoke(args=["import-care-leaver-statistics", str(tmp_path / "nothing.csv")])
    assert missing.exit_code == 1
    assert "There is no file at" in missing.output

    zipped = tmp_path / "data.zip"
    zipped.write_bytes(b"PK\x03\x04rest")
    result = runner.invoke(args=["import-care-leaver-statistics", str(zipped)])
    assert "is a zip file: unzip it" in result.output

    empty = write(tmp_path, "", name="empty.csv")
    empty.write_bytes(b"")
    assert "The file is empty." in runner.invoke(args=["import-care-leaver-statistics", str(empty)]).output
