"""`flask import-postcode-districts`: loading district centres from the ONS Postcode Directory or a plain CSV,
so a search ‘near LS1’ finds opportunities nearby."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from covenant import demo
from covenant.demo_pledges import ORGANISATIONS
from covenant.extensions import db
from covenant.models import PostcodeDistrict
from covenant.vocab import Reach

# The columns of the ONS Postcode Directory that matter, among some that do not, in its order.
ONS_HEADER = ["pcd", "pcd2", "pcds", "dointr", "doterm", "oscty", "oslaua", "osgrdind", "lat", "long", "imd"]


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


def ons_row(postcode: str, latitude: str, longitude: str, doterm: str = "") -> list[str]:
    outward, inward = postcode.split()
    return [
        f"{outward:<4}{inward}",
        f"{outward:<5}{inward}",
        postcode,
        "198001",
        doterm,
        "E99999999",
        "E08000035",
        "1",
        latitude,
        longitude,
        "12345",
    ]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows(rows)
    return path


def districts() -> dict[str, tuple[float, float]]:
    db.session.expire_all()
    return {
        district.code: (district.latitude, district.longitude)
        for district in db.session.scalars(select(PostcodeDistrict))
    }


def run_import(runner: FlaskCliRunner, path: Path | str) -> Any:
    return runner.invoke(args=["import-postcode-districts", str(path)])


def test_an_ons_postcode_directory_gives_each_district_the_mean_of_its_live_postcodes(runner, tmp_path):
    path = write_csv(
        tmp_path / "ONSPD_FEB_2025_UK.csv",
        [
            ONS_HEADER,
            ons_row("LS1 1AA", "53.790000", "-1.540000"),
            ons_row("LS1 2BB", "53.800000", "-1.560000"),
            ons_row("LS1 9ZZ", "10.000000", "10.000000", doterm="200512"),  # terminated: skipped
            ons_row("LS1 8XX", "99.999999", "0.000000"),  # no location: skipped
            ons_row("TR1 1AB", "50.263000", "-5.051000"),
            ons_row("SE10 9AA", "51.481000", "0.000000"),  # on the meridian: longitude 0 is real
            ons_row("BAD 1AA", "53.8", "-1.5"),
            ons_row("LS2 3CC", "north", "west"),
            ons_row("LS3 4DD", "40.700000", "-74.000000"),
        ],
    )

    result = run_import(runner, path)

    assert result.exit_code == 0, result.output
    assert "3 districts loaded, 3 rows rejected." in result.output
    assert "2 terminated postcodes or postcodes with no location were skipped." in result.output
    assert "line 8: ‘BAD 1AA’ is not a postcode" in result.output
    assert "line 9: ‘north, west’ are not a latitude and longitude" in result.output
    assert "line 10: 40.7, -74.0 is not in the UK" in result.output
    loaded = districts()
    assert set(loaded) == {"LS1", "TR1", "SE10"}
    assert loaded["LS1"] == pytest.approx((53.795, -1.55))
    assert loaded["TR1"] == pytest.approx((50.263, -5.051))
    assert loaded["SE10"] == pytest.approx((51.481, 0.0))


def test_a_plain_csv_is_checked_row_by_row(runner, tmp_path):
    path = write_csv(
        tmp_path / "districts.csv",
        [
            ["district", "latitude", "longitude"],
            ["LS1", "53.797", "-1.548"],
            ["sw1a", "51.501", "-0.141"],  # lower case is fine
            ["LS 10", "53.771", "-1.532"],  # so is a space
            ["LEEDS", "53.8", "-1.5"],
            ["BD1", "", "-1.75"],
            ["BD2", "91", "-1.75"],
            ["LS1", "53.8", "-1.5"],
            ["HU2"],
        ],
    )

    result = run_import(runner, path)

    assert result.exit_code == 0, result.output
    assert "3 districts loaded, 5 rows rejected." in result.output
    for line, reason in [
        (5, "‘LEEDS’ is not a postcode district"),
        (6, "are not a latitude and longitude"),
        (7, "91.0, -1.75 is not in the UK"),
        (8, "LS1 is already on line 2"),
        (9, "it needs a district, a latitude and a longitude"),
    ]:
        assert re.search(rf"line {line}: .*{re.escape(reason)}", result.output), (line, result.output)
    assert districts() == {"LS1": (53.797, -1.548), "SW1A": (51.501, -0.141), "LS10": (53.771, -1.532)}


def test_a_plain_csv_may_leave_out_the_header(runner, tmp_path):
    path = write_csv(tmp_path / "districts.csv", [["LS1", "53.797", "-1.548"], ["TR1", "50.263", "-5.052"]])

    result = run_import(runner, path)

    assert "2 districts loaded, 0 rows rejected." in result.output
    assert set(districts()) == {"LS1", "TR1"}


def test_only_the_first_rejected_rows_are_listed(runner, tmp_path):
    path = write_csv(
        tmp_path / "districts.csv",
        [["district", "latitude", "longitude"]] + [[f"BAD{n}X", "53", "-1"] for n in range(15)],
    )

    result = run_import(runner, path)

    assert "0 districts loaded, 15 rows rejected." in result.output
    assert result.output.count("is not a postcode district") == 10
    assert "and 5 more." in result.output


def test_importing_again_replaces_centres_and_keeps_the_rest(runner, tmp_path):
    write_csv(
        tmp_path / "first.csv",
        [["district", "latitude", "longitude"], ["LS1", "53.0", "-1.0"], ["TR1", "50.2", "-5.0"]],
    )
    write_csv(tmp_path / "second.csv", [["district", "latitude", "longitude"], ["LS1", "53.797", "-1.548"]])

    run_import(runner, tmp_path / "first.csv")
    result = run_import(runner, tmp_path / "second.csv")

    assert result.exit_code == 0, result.output
    assert districts() == {"LS1": (53.797, -1.548), "TR1": (50.2, -5.0)}


@pytest.mark.parametrize(
    ("make_file", "message"),
    [
        (lambda folder: folder / "missing.csv", "There is no file at"),
        (lambda folder: folder, "is a folder, not a CSV file."),
        (lambda folder: _write(folder / "ONSPD.zip", b"PK\x03\x04" + bytes(range(256))), "is a zip file"),
        (lambda folder: _write(folder / "picture.csv", bytes(range(256)) * 4), "is not a CSV file"),
        (lambda folder: _write(folder / "empty.csv", b""), "is empty."),
        (
            lambda folder: _write(folder / "people.csv", b"name,email\nSam,sam@example.org\n"),
            "is neither the ONS Postcode Directory",
        ),
    ],
)
def test_a_file_that_cannot_be_imported_gets_one_clear_sentence(runner, tmp_path, make_file, message):
    result = run_import(runner, make_file(tmp_path))

    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert districts() == {}


def _write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


def test_after_an_import_a_search_near_a_district_finds_opportunities_close_to_it(
    client, runner, tmp_path, make_pledge, authority
):
    cornwall = authority("E06000052")
    path = write_csv(
        tmp_path / "districts.csv",
        [
            ["district", "latitude", "longitude"],
            ["LS1", "53.797", "-1.548"],
            ["LS10", "53.771", "-1.532"],
            ["TR1", "50.263", "-5.052"],
        ],
    )
    # Both are in Cornwall's list, so only the postcode district can bring one near Leeds.
    make_pledge(
        title="Welding near Leeds",
        reach=Reach.LOCAL_AUTHORITIES,
        local_authorities=[cornwall],
        postcode_district="LS10",
    )
    make_pledge(
        title="Surfing in Truro",
        reach=Reach.LOCAL_AUTHORITIES,
        local_authorities=[cornwall],
        postcode_district="TR1",
    )
    before = client.get("/opportunities?near=LS1&distance=10").get_data(as_text=True)
    assert "We do not know the postcode LS1" in before

    run_import(runner, path)
    db.session.commit()
    html = client.get("/opportunities?near=LS1&distance=10").get_data(as_text=True)

    assert "We do not know the postcode LS1" not in html
    assert "Welding near Leeds" in html
    assert "Surfing in Truro" not in html


def test_the_demo_data_knows_every_district_its_pledges_use(app):
    demo.seed_postcode_districts()

    known = districts()
    used = {district for *_, district in ORGANISATIONS if district}
    assert used <= set(known)
    for latitude, longitude in known.values():  # every demo centre is inside England
        assert 49.8 < latitude < 55.9
        assert -6.5 < longitude < 1.8
