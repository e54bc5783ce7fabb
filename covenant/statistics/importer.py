"""Reading the Department for Education's care leavers' activity figures ("Children looked after in England
including adoptions", Explore Education Statistics) into `CareLeaverStatistic`.

DfE's files are tidy CSV: one row per time period, place, age band and activity, with a count. Columns are found
by their header (`time_period`, `geographic_level`, `new_la_code`, `la_name`, an age column, an activity column
and a count column), so a year that adds or reorders columns still imports. Only local authority rows are kept.
DfE's suppression marks (`c`, `k`, `x`, `z`, `low`, and the like) read as unknown, never as zero.

The whole file is read and checked before anything is written: a file with a bad row imports nothing, and the
error says which line and why. Rows for a code that is not one of our authorities are reported, not imported.
Importing the same figures again replaces them. The caller commits.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from sqlalchemy import select

from covenant.clock import utcnow
from covenant.extensions import db
from covenant.models import CareLeaverStatistic, LocalAuthority

#: What DfE writes where a figure is suppressed, not available, not applicable or rounds to zero.
SUPPRESSION_MARKS = frozenset({"c", "k", "x", "z", "low", "u", ":", ".", ".."})
LOCAL_AUTHORITY_LEVEL = "local authority"
AGE_COLUMNS = ("age", "cl_age", "age_group", "age_band", "care_leaver_age")
ACTIVITY_COLUMNS = ("activity", "cl_activity", "care_leaver_activity", "activity_type")
COUNT_COLUMNS = ("number", "count", "cl_number", "value", "care_leavers", "number_of_care_leavers")
REQUIRED_COLUMNS = ("time_period", "geographic_level", "new_la_code", "la_name")
GSS_CODE = re.compile(r"^E\d{8}$")
PERIOD = re.compile(r"^\d{4}(\d{2})?$")
MAX_ERRORS = 10

#: The activity the needs report reads, and the ways DfE has written it.
NEET = "not in education, employment or training"
NEET_SPELLINGS = frozenset(
    {
        NEET,
        "not in education, training or employment",
        "neet",
        "total not in education, employment or training",
    }
)
#: The age band the needs report reads.
AGED_19_TO_21 = "19 to 21"


class StatisticsFileError(Exception):
    """A file that cannot be imported, said in plain words; nothing from it was imported."""


@dataclass
class ImportResult:
    """What an import did."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    suppressed: int = 0
    other_levels: int = 0
    unmatched_codes: dict[str, str] = field(default_factory=dict)

    @property
    def imported(self) -> int:
        return self.added + self.updated + self.unchanged


@dataclass(frozen=True)
class Figure:
    authority_code: str
    period: str
    age_band: str
    activity: str
    count: int | None
    authority_name: str = ""


def normalise_age_band(text: str) -> str:
    """ "Aged 19 to 21" and "19 to 21 years" are both "19 to 21"."""
    band = " ".join(text.lower().replace("-", " to ").split())
    band = band.removeprefix("aged ").removesuffix(" years").removesuffix(" year olds").strip()
    return band


def normalise_activity(text: str) -> str:
    """Lower case, single spaces, and one spelling for "not in education, employment or training"."""
    activity = " ".join(text.lower().split())
    return NEET if activity in NEET_SPELLINGS else activity


def import_care_leaver_statistics(path: Path) -> ImportResult:
    """Import a DfE care leavers' activity CSV; raises StatisticsFileError (having written nothing) when it
    cannot be read or any row is malformed."""
    with open_statistics_file(path) as stream:
        figures, result = read_figures(stream)
    return save_figures(figures, path.name, result)


def open_statistics_file(path: Path) -> IO[str]:
    """The file as text, after checking it is there and is a CSV file."""
    if not path.exists():
        raise StatisticsFileError(f"There is no file at {path}.")
    if path.is_dir():
        raise StatisticsFileError(f"{path} is a folder, not a CSV file.")
    raw = path.read_bytes()
    if raw.startswith(b"PK\x03\x04"):
        raise StatisticsFileError(
            f"{path} is a zip file: unzip it and import the CSV file inside its data folder."
        )
    try:
        if b"\x00" in raw[:8192]:
            raise UnicodeDecodeError("utf-8", raw, 0, 1, "NUL byte")
        text = codecs.decode(raw, "utf-8-sig")
    except UnicodeDecodeError as error:
        raise StatisticsFileError(f"{path} is not a CSV file in UTF-8: it cannot be read as text.") from error
    return io.StringIO(text, newline="")


def _find(header: list[str], names: tuple[str, ...], what: str) -> int:
    for name in names:
        if name in header:
            return header.index(name)
    raise StatisticsFileError(
        f"The file has no {what} column: its header needs one of {', '.join(names)}. "
        "Is it DfE's care leavers' activity file?"
    )


def read_figures(stream: IO[str]) -> tuple[list[Figure], ImportResult]:
    """Every local authority figure in the file, checked; raises StatisticsFileError listing the bad rows."""
    reader = csv.reader(stream)
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        raise StatisticsFileError("The file is empty.") from None
    except csv.Error as error:
        raise StatisticsFileError(f"The file is not a CSV file: {error}.") from error
    columns = {name: _find(header, (name,), name) for name in REQUIRED_COLUMNS}
    columns["age"] = _find(header, AGE_COLUMNS, "age")
    columns["activity"] = _find(header, ACTIVITY_COLUMNS, "activity")
    columns["count"] = _find(header, COUNT_COLUMNS, "count")
    result = ImportResult()
    figures: dict[tuple[str, str, str, str], Figure] = {}
    errors: list[str] = []
    try:
        for row in reader:
            problem = _take(row, header, columns, figures, result)
            if problem:
                errors.append(problem.format(line=reader.line_num))
                if len(errors) >= MAX_ERRORS:
                    break
    except csv.Error as error:
        errors.append(f"line {reader.line_num} is not valid CSV ({error})")
    if errors:
        raise StatisticsFileError(
            "Nothing was imported, because "
            + ("this row is" if len(errors) == 1 else "these rows are")
            + " not in DfE's layout: "
            + "; ".join(errors)
            + "."
        )
    if not figures:
        raise StatisticsFileError("Nothing was imported: the file has no local authority figures.")
    return list(figures.values()), result


def _take(
    row: list[str],
    header: list[str],
    columns: dict[str, int],
    figures: dict[tuple[str, str, str, str], Figure],
    result: ImportResult,
) -> str | None:
    """Add the row's figure to `figures`, or say what is wrong with it (with `{line}` for its line)."""
    if not any(cell.strip() for cell in row):
        return None
    if len(row) != len(header):
        return f"line {{line}} has {len(row)} values, not {len(header)}"
    value = {name: row[index].strip() for name, index in columns.items()}
    if value["geographic_level"].lower() != LOCAL_AUTHORITY_LEVEL:
        result.other_levels += 1
        return None
    figure = _figure(value)
    if isinstance(figure, str):
        return "line {line}: " + figure.replace("{", "{{").replace("}", "}}")
    key = (figure.period, figure.authority_code, figure.age_band, figure.activity)
    if key in figures and figures[key] != figure:
        return f"line {{line}} gives a second, different figure for {figure.authority_code}"
    figures[key] = figure
    return None


def _figure(value: dict[str, str]) -> Figure | str:
    """The row's figure, or why it is not one."""
    code = value["new_la_code"].upper()
    if not GSS_CODE.match(code):
        return f"‘{value['new_la_code'][:20]}’ is not a local authority code like E08000035"
    if not PERIOD.match(value["time_period"]):
        return f"‘{value['time_period'][:20]}’ is not a time period like 2024 or 202324"
    if not value["age"] or not value["activity"]:
        return "the age or the activity is empty"
    text = value["count"].lower()
    count: int | None
    if text in SUPPRESSION_MARKS:
        count = None
    else:
        try:
            count = int(text.replace(",", ""))
        except ValueError:
            return (
                f"the count ‘{value['count'][:20]}’ is not a number or one of DfE's marks (c, k, x, z, low)"
            )
        if count < 0:
            return f"the count {count} is negative"
    figure = Figure(
        authority_code=code,
        period=value["time_period"],
        age_band=normalise_age_band(value["age"])[:60],
        activity=normalise_activity(value["activity"])[:200],
        count=count,
        authority_name=value["la_name"][:120],
    )
    return figure


def save_figures(figures: list[Figure], source_file: str, result: ImportResult) -> ImportResult:
    """Add or replace the figures for our authorities; report the codes that are not ours."""
    names = dict(db.session.execute(select(LocalAuthority.gss_code, LocalAuthority.name)).all())
    ours = [figure for figure in figures if figure.authority_code in names]
    for figure in figures:
        if figure.authority_code not in names:
            result.unmatched_codes.setdefault(figure.authority_code, figure.authority_name)
    periods = {figure.period for figure in ours}
    existing = {
        (row.period, row.authority_code, row.age_band, row.activity): row
        for row in db.session.scalars(
            select(CareLeaverStatistic).where(CareLeaverStatistic.period.in_(periods))
        )
    }
    now = utcnow()
    for figure in ours:
        key = (figure.period, figure.authority_code, figure.age_band, figure.activity)
        if figure.count is None:
            result.suppressed += 1
        row = existing.get(key)
        if row is None:
            db.session.add(
                CareLeaverStatistic(
                    authority_code=figure.authority_code,
                    period=figure.period,
                    age_band=figure.age_band,
                    activity=figure.activity,
                    count=figure.count,
                    source_file=source_file[:255],
                    imported_at=now,
                )
            )
            result.added += 1
        elif row.count != figure.count or row.source_file != source_file[:255]:
            row.count = figure.count
            row.source_file = source_file[:255]
            row.imported_at = now
            result.updated += 1
        else:
            result.unchanged += 1
    db.session.flush()
    return result
