"""Our official codes, read from the reference snapshot (`data/reference/*.csv.gz`, no build
needed): for each kind of entity, the codes that its IRI `id/{kind}/{code}` is minted from."""

from __future__ import annotations

from pathlib import Path

from ..sources import snapshot

# kind (the IRI segment) -> (file, code column, the `type` value kept in communes.csv.gz)
KINDS: dict[str, tuple[str, str, str | None]] = {
    "region": ("regions", "code", None),
    "departement": ("departements", "code", None),
    "epci": ("epci", "siren", None),
    **{kind: ("communes", "code", snapshot_type)
       for snapshot_type, (kind, _cls) in snapshot.COMMUNE_KINDS.items()},
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
        try:
            found = {row[column] for _, row in snapshot.rows(reference_dir, name)
                     if row[column] and (keep is None or row["type"] == keep)}
        except snapshot.SnapshotError as error:
            raise CodesError(str(error)) from None
        codes[kind] = sorted(found)
    return codes
