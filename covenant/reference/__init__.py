"""Loading reference data: England's children's-services local authorities, and the places a search can be near
(every postcode district's centre and England's towns, `load_places`; other postcode files, such as the ONS
Postcode Directory, through `gazetteer`)."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from importlib import resources
from typing import IO

from flask import current_app
from sqlalchemy import select

from covenant.extensions import db
from covenant.models import LocalAuthority, PostcodeDistrict, Town
from covenant.vocab import AuthorityKind, Region

CHILDRENS_SERVICES_TYPES = {kind.value for kind in AuthorityKind}
KNOWN_DISTRICTS = "covenant.postcode_districts"


@dataclass(frozen=True)
class LoadResult:
    added: int
    updated: int
    unchanged: int


def authority_rows(source: IO[str]) -> list[dict[str, str]]:
    """The rows for current English authorities that run children's services."""
    return [
        row
        for row in csv.DictReader(source)
        if row["nation"] == "England"
        and not row["end-date"]
        and row["local-authority-type-name"] in CHILDRENS_SERVICES_TYPES
    ]


def load_authorities(source: IO[str] | None = None) -> LoadResult:
    """Add or update authorities by GSS code; running it again changes nothing. Local offer links are kept."""
    if source is None:
        with resources.files("covenant.data").joinpath("uk_local_authorities_current.csv").open() as packaged:
            return load_authorities(packaged)
    existing = {authority.gss_code: authority for authority in db.session.scalars(select(LocalAuthority))}
    added = updated = unchanged = 0
    for row in authority_rows(source):
        values = {
            "name": row["nice-name"],
            "region": Region(row["region"]),
            "kind": AuthorityKind(row["local-authority-type-name"]),
            "latitude": round(float(row["lat"]), 6),
            "longitude": round(float(row["long"]), 6),
        }
        authority = existing.get(row["gss-code"])
        if authority is None:
            db.session.add(LocalAuthority(gss_code=row["gss-code"], **values))
            added += 1
        elif any(getattr(authority, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(authority, key, value)
            updated += 1
        else:
            unchanged += 1
    return LoadResult(added, updated, unchanged)


@dataclass(frozen=True)
class PlacesResult:
    districts: int
    districts_added: int
    districts_updated: int
    towns: int
    towns_added: int
    towns_updated: int


def name_key(name: str) -> str:
    """A place name as typed names are compared with it: lower case, with any run of spaces, hyphens, dots or
    apostrophes as one space ("Stoke-on-Trent" and "stoke on trent" are the same)."""
    return " ".join(re.split(r"[\W_]+", name.casefold())).strip()


def is_postcode_district(code: str) -> bool:
    """True for a postcode district that exists: one in the packaged list (read once per app), or one an operator
    imported (`flask import-postcode-districts`)."""
    known: frozenset[str] | None = current_app.extensions.get(KNOWN_DISTRICTS)
    if known is None:
        with (
            resources.files("covenant.data").joinpath("postcode_districts.csv").open(encoding="utf-8") as rows
        ):
            known = frozenset(row["district"] for row in csv.DictReader(rows))
        current_app.extensions[KNOWN_DISTRICTS] = known
    return code in known or db.session.get(PostcodeDistrict, code) is not None


def load_places() -> PlacesResult:
    """Load the packaged postcode district centres and towns (covenant/data/), adding new ones and correcting
    changed ones; running it again changes nothing. The caller commits."""
    from covenant.reference.gazetteer import import_postcode_districts

    data = resources.files("covenant.data")
    with data.joinpath("postcode_districts.csv").open("rb") as districts:
        imported = import_postcode_districts(districts, "postcode_districts.csv")  # type: ignore[arg-type]
    existing = {town.id: town for town in db.session.scalars(select(Town))}
    added = updated = total = 0
    with data.joinpath("towns_england.csv").open(encoding="utf-8") as towns:
        for row in csv.DictReader(towns):
            total += 1
            values = {
                "name": row["name"],
                "name_key": name_key(row["name"]),
                "latitude": float(row["latitude"]),
                "longitude": float(row["longitude"]),
                "population": int(row["population"]),
            }
            town = existing.get(int(row["geonameid"]))
            if town is None:
                db.session.add(Town(id=int(row["geonameid"]), **values))
                added += 1
            elif any(getattr(town, key) != value for key, value in values.items()):
                for key, value in values.items():
                    setattr(town, key, value)
                updated += 1
    db.session.flush()
    return PlacesResult(imported.loaded, imported.added, imported.updated, total, added, updated)
