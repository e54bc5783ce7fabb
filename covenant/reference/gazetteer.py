"""Postcode district centres from a gazetteer file, so a search can be ‘near SW1A’.

Two kinds of CSV are read, told apart by their header:

- the ONS Postcode Directory (ONSPD): one row per postcode, with `pcds` (or `pcd`), `doterm`, `lat` and
  `long`. A district's centre is the mean of its live postcodes; terminated postcodes and those with no
  location (ONS writes 99.999999, 0.000000) are skipped.
- a plain `district,latitude,longitude` file, one row per district (the header may be left out).

The file is streamed and each row checked on its own; a bad row is counted and reported, never fatal.
Districts are upserted, so importing again replaces their centres. The caller commits.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from sqlalchemy import select

from covenant.extensions import db
from covenant.models import PostcodeDistrict
from covenant.vocab import INWARD_CODE, POSTCODE_DISTRICT

if TYPE_CHECKING:
    from _csv import Reader

# The UK's bounding box, with the Scilly Isles, Northern Ireland and Shetland inside it.
LATITUDES = (49.8, 60.9)
LONGITUDES = (-8.7, 1.8)
POSTCODE_COLUMNS = ("pcds", "pcd", "pcd7", "pcd8", "pcd2")
LATITUDE_COLUMNS = ("latitude", "lat")
LONGITUDE_COLUMNS = ("longitude", "long", "lon", "lng")
REJECTIONS_KEPT = 10
PROGRESS_EVERY = 5000  # rows between progress reports


class GazetteerError(Exception):
    """A file that cannot be imported at all, said in one sentence."""


@dataclass(frozen=True)
class Rejection:
    """A row that was not used, and why."""

    line: int
    reason: str


@dataclass
class ImportResult:
    """What an import did: districts loaded (added or updated), rows skipped or rejected, and why."""

    kind: str
    loaded: int = 0
    added: int = 0
    updated: int = 0
    skipped: int = 0
    rejected: int = 0
    rejections: list[Rejection] = field(default_factory=list)

    def reject(self, line: int, reason: str) -> None:
        self.rejected += 1
        if len(self.rejections) < REJECTIONS_KEPT:
            self.rejections.append(Rejection(line, reason))


def open_gazetteer(path: Path) -> BinaryIO:
    """The file, opened for reading bytes, after checking it is there and is text; the caller closes it."""
    if not path.exists():
        raise GazetteerError(f"There is no file at {path}.")
    if path.is_dir():
        raise GazetteerError(f"{path} is a folder, not a CSV file.")
    try:
        stream = path.open("rb")
    except OSError as error:
        raise GazetteerError(f"{path} cannot be read: {error.strerror or error}.") from error
    start = stream.read(8192)
    stream.seek(0)
    if start.startswith(b"PK\x03\x04"):
        stream.close()
        raise GazetteerError(
            f"{path} is a zip file, not a CSV: unzip it and import the CSV inside (for the ONS Postcode "
            "Directory, the one in its Data folder)."
        )
    try:
        if b"\x00" in start:
            raise UnicodeDecodeError("utf-8", start, 0, 1, "NUL byte")
        codecs.getincrementaldecoder("utf-8-sig")().decode(start, final=False)
    except UnicodeDecodeError as error:
        stream.close()
        raise GazetteerError(f"{path} is not a CSV file: it does not contain text.") from error
    return stream


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    for name in names:
        if name in header:
            return header.index(name)
    return None


def _coordinates(latitude_text: str, longitude_text: str) -> tuple[float, float] | str:
    """A latitude and longitude inside the UK, or the reason they are not."""
    try:
        latitude, longitude = float(latitude_text), float(longitude_text)
    except ValueError:
        return f"‘{latitude_text[:20]}, {longitude_text[:20]}’ are not a latitude and longitude"
    if not (LATITUDES[0] <= latitude <= LATITUDES[1] and LONGITUDES[0] <= longitude <= LONGITUDES[1]):
        return f"{latitude}, {longitude} is not in the UK"
    return latitude, longitude


def _no_location(latitude_text: str, longitude_text: str) -> bool:
    """True for the ONS's marks of a postcode with no location: blanks, or a latitude of 0 or 99.999999."""
    if not latitude_text or not longitude_text:
        return True
    try:
        latitude = float(latitude_text)
    except ValueError:
        return False  # not a number at all: rejected, with a reason
    return latitude == 0 or latitude == 99.999999


def _rows(reader: Iterator[list[str]], result: ImportResult) -> Iterator[list[str]]:
    """The reader's rows, turning a row the csv module cannot read into a rejection."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            result.reject(getattr(reader, "line_num", 0), f"not readable as CSV ({error})")


def _lines(
    reader: Reader, rows: Iterator[list[str]], progress: Callable[[], None]
) -> Iterator[tuple[int, list[str]]]:
    """Each row that is not blank, with its line in the file, reporting progress every PROGRESS_EVERY rows."""
    for number, row in enumerate(rows, start=1):
        if number % PROGRESS_EVERY == 0:
            progress()
        if any(cell.strip() for cell in row):
            yield reader.line_num, row


def _read_ons(
    reader: Reader, header: list[str], result: ImportResult, progress: Callable[[], None]
) -> dict[str, tuple[float, float]]:
    postcode_at = _column(header, POSTCODE_COLUMNS)
    latitude_at = _column(header, LATITUDE_COLUMNS)
    longitude_at = _column(header, LONGITUDE_COLUMNS)
    terminated_at = _column(header, ("doterm",))
    if postcode_at is None or latitude_at is None or longitude_at is None:
        raise GazetteerError("The ONS Postcode Directory needs pcds, lat and long columns.")
    needed = max(postcode_at, latitude_at, longitude_at, terminated_at or 0)
    sums: dict[str, list[float]] = {}
    for line, row in _lines(reader, _rows(reader, result), progress):
        if len(row) <= needed:
            result.reject(line, f"it has {len(row)} columns, not {len(header)}")
            continue
        if terminated_at is not None and row[terminated_at].strip():
            result.skipped += 1
            continue
        latitude_text, longitude_text = row[latitude_at].strip(), row[longitude_at].strip()
        if _no_location(latitude_text, longitude_text):
            result.skipped += 1
            continue
        postcode = re.sub(r"\s+", "", row[postcode_at]).upper()
        district, inward = postcode[:-3], postcode[-3:]
        if not POSTCODE_DISTRICT.fullmatch(district) or not INWARD_CODE.fullmatch(inward):
            result.reject(line, f"‘{row[postcode_at].strip()[:20]}’ is not a postcode")
            continue
        point = _coordinates(latitude_text, longitude_text)
        if isinstance(point, str):
            result.reject(line, point)
            continue
        total = sums.setdefault(district, [0.0, 0.0, 0])
        total[0] += point[0]
        total[1] += point[1]
        total[2] += 1
    return {
        district: (round(lat / count, 6), round(lon / count, 6))
        for district, (lat, lon, count) in sums.items()
    }


def _read_plain(
    reader: Reader, first: list[str], result: ImportResult, progress: Callable[[], None]
) -> dict[str, tuple[float, float]]:
    header = [cell.strip().lower() for cell in first]
    has_header = header[:1] == ["district"]
    if has_header:
        district_at = 0
        latitude_at = _column(header, LATITUDE_COLUMNS)
        longitude_at = _column(header, LONGITUDE_COLUMNS)
        if latitude_at is None or longitude_at is None:
            raise GazetteerError("A plain gazetteer needs district, latitude and longitude columns.")
    else:
        district_at, latitude_at, longitude_at = 0, 1, 2
    districts: dict[str, tuple[float, float]] = {}
    first_seen: dict[str, int] = {}
    rows = _rows(reader, result)
    if not has_header:
        rows = _chain_first(first, rows)
    needed = max(district_at, latitude_at, longitude_at)
    for line, row in _lines(reader, rows, progress):
        if len(row) <= needed:
            result.reject(line, "it needs a district, a latitude and a longitude")
            continue
        district = re.sub(r"\s+", "", row[district_at]).upper()
        if not POSTCODE_DISTRICT.fullmatch(district):
            result.reject(line, f"‘{row[district_at].strip()[:20]}’ is not a postcode district")
            continue
        if district in first_seen:
            result.reject(line, f"{district} is already on line {first_seen[district]}")
            continue
        point = _coordinates(row[latitude_at].strip(), row[longitude_at].strip())
        if isinstance(point, str):
            result.reject(line, point)
            continue
        first_seen[district] = line
        districts[district] = (round(point[0], 6), round(point[1], 6))
    return districts


def _chain_first(first: list[str], rest: Iterator[list[str]]) -> Iterator[list[str]]:
    yield first
    yield from rest


def _kind(header: list[str]) -> str | None:
    """'ons' or 'plain' from a file's first row, or None when it is neither."""
    names = [cell.strip().lower() for cell in header]
    if (
        _column(names, POSTCODE_COLUMNS) is not None
        and _column(names, LATITUDE_COLUMNS) is not None
        and _column(names, LONGITUDE_COLUMNS) is not None
    ):
        return "ons"
    if (
        names[:1] == ["district"]
        and _column(names, LATITUDE_COLUMNS) is not None
        and _column(names, LONGITUDE_COLUMNS) is not None
    ):
        return "plain"
    if len(names) >= 3 and POSTCODE_DISTRICT.fullmatch(re.sub(r"\s+", "", names[0]).upper()):
        return "plain"  # no header: the first row is already a district
    return None


def _save(districts: dict[str, tuple[float, float]], result: ImportResult) -> None:
    """Add new districts and replace the centres of known ones."""
    known = {district.code: district for district in db.session.scalars(select(PostcodeDistrict))}
    for code, (latitude, longitude) in districts.items():
        district = known.get(code)
        if district is None:
            db.session.add(PostcodeDistrict(code=code, latitude=latitude, longitude=longitude))
            result.added += 1
        elif (district.latitude, district.longitude) != (latitude, longitude):
            district.latitude, district.longitude = latitude, longitude
            result.updated += 1
    result.loaded = len(districts)
    db.session.flush()


def import_postcode_districts(
    raw: BinaryIO, name: str, on_progress: Callable[[int], None] | None = None
) -> ImportResult:
    """Read a gazetteer CSV (from `open_gazetteer`) and upsert its postcode districts.

    `name` is the file's name for messages; `on_progress` is told how many bytes have been read so far.
    """
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
    reader = csv.reader(text)

    def progress() -> None:
        if on_progress is not None:
            on_progress(raw.tell())

    try:
        first = next(reader)
    except StopIteration:
        raise GazetteerError(f"{name} is empty.") from None
    except csv.Error as error:
        raise GazetteerError(f"{name} is not a CSV file: {error}.") from error
    kind = _kind(first)
    if kind is None:
        raise GazetteerError(
            f"{name} is neither the ONS Postcode Directory (with pcds, lat and long columns) nor a "
            "district,latitude,longitude CSV."
        )
    result = ImportResult(kind=kind)
    if kind == "ons":
        header = [cell.strip().lower() for cell in first]
        districts = _read_ons(reader, header, result, progress)
    else:
        districts = _read_plain(reader, first, result, progress)
    progress()
    text.detach()  # leave the file itself to the caller
    _save(districts, result)
    return result
