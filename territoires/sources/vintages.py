"""Every vintage (millésime) of the official geography since 2019, vendored from the npm package
`@etalab/decoupage-administratif` (one package version per COG year), and read back by the
history (`sources/history.py`, `timeline.py`) and by the importer (`--millesime`).

Each vintage keeps only what the history needs, in the same form as the current snapshot
(`snapshot.py`): gzip CSV without a timestamp, so re-vendoring a version is byte-identical.
2020 has no commune list in any package version: only its EPCI and their members (0.8.0).
"""

from __future__ import annotations

import csv
import gzip
import tempfile
from collections.abc import Iterator
from pathlib import Path

from . import snapshot

# COG year → package version (the package README's table, checked with `npm view`).
VERSIONS: dict[int, str] = {
    2019: "0.7.0", 2020: "0.8.0", 2021: "1.1.1", 2022: "2.3.1",
    2023: "3.1.1", 2024: "4.1.0", 2025: "5.3.0", 2026: "6.0.0",
}
YEARS: tuple[int, ...] = tuple(sorted(VERSIONS))
CURRENT = YEARS[-1]
# Vintages whose package holds no commune list of that year (0.8.0 repeats 2019's communes).
WITHOUT_COMMUNES = frozenset({2020})

LAYOUTS: dict[str, list[str]] = {
    "communes": ["type", "code", "nom", "departement", "rattachement", "anciens_codes"],
    "epci": ["siren", "nom", "type"],
    "epci_membres": ["epci", "commune"],
    # The legal populations each package carries: a commune's municipal population (Insee), an
    # EPCI's municipal and total populations (the DGCL list); read by `populations.py`.
    "populations": ["niveau", "code", "population_municipale", "population_totale"],
}


def files(year: int) -> list[str]:
    """The vendored files of a vintage."""
    return [n for n in LAYOUTS if not (n == "communes" and year in WITHOUT_COMMUNES)]


def directory(root: Path, year: int) -> Path:
    return root / str(year)


def rows(root: Path, year: int, name: str) -> Iterator[tuple[int, dict[str, str]]]:
    """The rows of one vintage's file, with line numbers; `snapshot.SnapshotError` names a
    missing file or a wrong layout."""
    path = directory(root, year) / f"{name}.csv.gz"
    return snapshot.read_rows(path, LAYOUTS[name])


def table(root: Path, year: int, name: str) -> list[list[str]]:
    """One vintage's file as plain rows (no header), read fast: the history reads ~550,000
    rows. `snapshot.SnapshotError` names a missing file or a wrong layout."""
    path = directory(root, year) / f"{name}.csv.gz"
    if not path.exists():
        raise snapshot.SnapshotError(str(path), "vintage file is missing (run `territoires "
                                                f"refresh-reference --millesime {year}`)")
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        found = list(csv.reader(handle))
    if not found or found[0] != LAYOUTS[name]:
        raise snapshot.SnapshotError(f"{path}:1", f"columns {', '.join(found[0] if found else [])}"
                                                  f"; expected {', '.join(LAYOUTS[name])}")
    width = len(LAYOUTS[name])
    for line, row in enumerate(found[1:], start=2):
        if len(row) != width:
            raise snapshot.SnapshotError(f"{path}:{line}", f"{len(row)} fields; expected {width}")
    return found[1:]


def tables_from_package(data: Path, year: int) -> dict[str, list[list[str]]]:
    """The vintage's rows from an extracted package's `data/` folder."""
    package = snapshot.load_package(data)
    epci = package("epci")
    tables = {
        "epci": [[e["code"], e["nom"], e["type"]] for e in epci],
        "epci_membres": [[e["code"], m["code"]] for e in epci for m in e["membres"]],
        "populations": [["epci", e["code"], str(e.get("populationMunicipale", "")),
                         str(e.get("populationTotale", ""))] for e in epci],
    }
    if year not in WITHOUT_COMMUNES:
        tables["populations"] += [
            ["commune", c["code"], str(c["population"]), ""] for c in package("communes")
            if c["type"] == "commune-actuelle" and "population" in c]
        tables["communes"] = [
            [c["type"], c["code"], c["nom"], c.get("departement", ""),
             c.get("chefLieu") or c.get("commune") or "", " ".join(c.get("anciensCodes", []))]
            for c in package("communes")]
    return {name: tables[name] for name in files(year)}


def refresh(year: int, root: Path) -> dict[str, int]:
    """Vendor the vintage `year` under `root/YEAR/`; return the row count of each file."""
    if year not in VERSIONS:
        raise ValueError(f"--millesime {year}: no package version for that year "
                         f"(known: {', '.join(map(str, YEARS))})")
    version = VERSIONS[year]
    target = directory(root, year)
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tables = tables_from_package(snapshot.fetch_package(version, Path(tmp)), year)
    for name, table in tables.items():
        snapshot.write_csv_gz(target / f"{name}.csv.gz", LAYOUTS[name], table)
    (root / "LICENCE-donnees.txt").write_text(snapshot.licence_note(
        ", ".join(f"{VERSIONS[y]} ({y})" for y in YEARS)), encoding="utf-8")
    return {name: len(table) for name, table in tables.items()}
