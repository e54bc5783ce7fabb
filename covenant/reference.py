"""Loading the reference list of English children's-services local authorities."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources
from typing import IO

from sqlalchemy import select

from covenant.extensions import db
from covenant.models import LocalAuthority
from covenant.vocab import AuthorityKind, Region

CHILDRENS_SERVICES_TYPES = {kind.value for kind in AuthorityKind}


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
