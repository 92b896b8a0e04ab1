"""Our official codes, read from the reference snapshot (`data/reference/*.csv.gz`, no build
needed): for each kind of entity, the codes that its IRI `id/{kind}/{code}` is minted from."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

from ..sources.reference import COMMUNE_KINDS

# kind (the IRI segment) -> (file, code column, the `type` value kept in communes.csv.gz)
KINDS: dict[str, tuple[str, str, str | None]] = {
    "region": ("regions.csv.gz", "code", None),
    "departement": ("departements.csv.gz", "code", None),
    "epci": ("epci.csv.gz", "siren", None),
    **{kind: ("communes.csv.gz", "code", snapshot_type)
       for snapshot_type, (kind, _cls) in COMMUNE_KINDS.items()},
}


class CodesError(Exception):
    pass


def read_codes(reference_dir: Path, kinds: list[str]) -> dict[str, list[str]]:
    """Sorted, distinct codes of each of `kinds`."""
    codes: dict[str, list[str]] = {}
    for kind in kinds:
        if kind not in KINDS:
            raise CodesError(f"unknown kind {kind!r} (known: {', '.join(KINDS)})")
        name, column, keep = KINDS[kind]
        path = reference_dir / name
        if not path.exists():
            raise CodesError(f"{path}: reference file is missing")
        with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
            found = {row[column] for row in csv.DictReader(handle)
                     if row.get(column) and (keep is None or row.get("type") == keep)}
        codes[kind] = sorted(found)
    return codes
