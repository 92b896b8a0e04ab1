"""The vendored reference snapshot (data/reference/*.csv.gz): refreshed from the npm package
`@etalab/decoupage-administratif`, and read back, by every part that needs it, through `rows`.

The package ships large pretty JSON files; the project keeps only the fields it maps, as small
gzip-compressed CSV files (one row per entity, so a validation report can name a line). The gzip
header carries no timestamp, so the same package version always gives byte-identical files.
Reading checks each file's columns against its layout, so a file of another layout is refused
by name rather than misread.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

PACKAGE = "@etalab/decoupage-administratif"

# Column layouts of the vendored files, written and read back (`rows`) by these names.
LAYOUTS: dict[str, list[str]] = {
    "regions": ["code", "nom", "chef_lieu"],
    "departements": ["code", "nom", "region", "chef_lieu"],
    "communes": ["type", "code", "nom", "departement", "region", "siren", "population",
                 "codes_postaux", "rattachement"],
    "epci": ["siren", "nom", "type", "mode_financement", "population_totale",
             "population_municipale"],
    "epci_membres": ["epci", "commune"],
}

# The snapshot's commune types → (IRI kind, class local name).
COMMUNE_KINDS = {
    "commune-actuelle": ("commune", "Commune"),
    "commune-deleguee": ("commune-deleguee", "CommuneDeleguee"),
    "commune-associee": ("commune-associee", "CommuneAssociee"),
    "arrondissement-municipal": ("arrondissement-municipal", "ArrondissementMunicipal"),
}

# Insee's codes of the collectivités d'outre-mer (COG, "collectivités d'outre-mer": Saint-Pierre-
# et-Miquelon, Saint-Barthélemy, Saint-Martin, the TAAF, Wallis-et-Futuna, French Polynesia, New
# Caledonia) and of Clipperton. The package lists each of them both as a région and as a
# département, and their subdivisions as communes; Insee counts none of them among the régions,
# départements or communes of the COG (its "communes et zonages des collectivités d'outre-mer"
# are a list of their own, with a nature for each zone).
OVERSEAS_COLLECTIVITIES = frozenset({"975", "977", "978", "984", "986", "987", "988", "989"})
# The nature of a zone of an overseas collectivity (Insee's NATURE_ZONAGE: COM commune, DIS
# district, CIR circonscription territoriale, CPT Clipperton's code), known from its collectivity
# since the package does not carry it: the TAAF have districts, Wallis-et-Futuna circonscriptions,
# Clipperton its one code, the others communes.
OVERSEAS_ZONE_CLASSES = {"984": "District", "986": "CirconscriptionTerritoriale",
                         "989": "ZoneOutreMer"}


def overseas_zone_class(departement: str) -> str | None:
    """The class of a zone of the overseas collectivity `departement` (as the package codes it),
    or None when `departement` is a département of the COG."""
    if departement not in OVERSEAS_COLLECTIVITIES:
        return None
    return OVERSEAS_ZONE_CLASSES.get(departement, "CommuneOutreMer")


class SnapshotError(ValueError):
    """A vendored file is missing or not in its layout; the message names it (and its line)."""

    def __init__(self, where: str, message: str):
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


def rows(directory: Path, name: str) -> Iterator[tuple[int, dict[str, str]]]:
    """The rows of the vendored file `name` (e.g. "communes"), each with its line number."""
    return read_rows(directory / f"{name}.csv.gz", LAYOUTS[name])


def read_rows(path: Path, layout: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """The rows of a vendored gzip CSV file in `layout`, each with its line number (also the
    reader of the vintages, `vintages.py`)."""
    if not path.exists():
        raise SnapshotError(str(path), "reference file is missing (run `territoires "
                                       "refresh-reference`)")
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != layout:
            raise SnapshotError(f"{path}:1", f"columns {', '.join(reader.fieldnames or [])}; "
                                             f"expected {', '.join(layout)}")
        for row in reader:
            yield reader.line_num, row


def fetch_package(version: str, workdir: Path) -> Path:
    """Download the package tarball with npm and return its extracted `package/data` folder."""
    subprocess.run(["npm", "pack", f"{PACKAGE}@{version}", "--silent"], cwd=workdir,
                   check=True, stdout=subprocess.DEVNULL)
    tarball = next(workdir.glob("*.tgz"))
    with tarfile.open(tarball) as tar:
        tar.extractall(workdir, filter="data")
    return workdir / "package" / "data"


def load_package(data: Path) -> Callable[[str], list[dict]]:
    """A reader of the package's JSON files by name ("communes", "epci"…)."""
    def load(name: str) -> list[dict]:
        return json.loads((data / f"{name}.json").read_text(encoding="utf-8"))
    return load


def rows_from_package(data: Path) -> dict[str, list[list[str]]]:
    load = load_package(data)
    communes = load("communes")
    epci = load("epci")
    return {
        "regions": [[r["code"], r["nom"], r.get("chefLieu", "")] for r in load("regions")],
        "departements": [[d["code"], d["nom"], d["region"], d.get("chefLieu", "")]
                         for d in load("departements")],
        "communes": [[c["type"], c["code"], c["nom"], c["departement"], c["region"],
                      c.get("siren", ""), str(c.get("population", "")),
                      " ".join(c.get("codesPostaux", [])),
                      c.get("chefLieu") or c.get("commune") or ""] for c in communes],
        "epci": [[e["code"], e["nom"], e["type"], e["modeFinancement"],
                  str(e["populationTotale"]), str(e["populationMunicipale"])] for e in epci],
        "epci_membres": [[e["code"], m["code"]] for e in epci for m in e["membres"]],
    }


def write_csv_gz(path: Path, header: list[str], rows: list[list[str]]) -> None:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0,
                                                filename="") as gz:
        gz.write(text.getvalue().encode("utf-8"))


def refresh(version: str, target: Path) -> dict[str, int]:
    """Write the snapshot of `version` into `target`; return the row count of each file."""
    with tempfile.TemporaryDirectory() as tmp:
        data = fetch_package(version, Path(tmp))
        tables = rows_from_package(data)
        (target / "LICENCE-donnees.txt").write_text(licence_note(version), encoding="utf-8")
    for name, rows in tables.items():
        write_csv_gz(target / f"{name}.csv.gz", LAYOUTS[name], rows)
    return {name: len(rows) for name, rows in tables.items()}


def licence_note(version: str) -> str:
    return (
        f"Data from the npm package {PACKAGE} {version} (Etalab / DINUM),\n"
        "built from Insee's Code officiel géographique, the DGCL list of EPCI à fiscalité propre\n"
        "and Insee's légal populations.\n\n"
        "Data licence: Licence Ouverte / Open Licence 2.0 (Etalab)\n"
        "https://www.etalab.gouv.fr/licence-ouverte-open-licence\n"
        "The package's code is under the MIT licence.\n"
    )


def main(version: str, target: Path) -> int:
    counts = refresh(version, target)
    for name, count in counts.items():
        print(f"{name}: {count} rows", file=sys.stderr)
    return 0
