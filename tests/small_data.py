"""A small but real copy of the sources for the fast layer of tests: the curated facts, the
territory lists, the ontology and the shapes as they are, and the official reference snapshot
cut down to the Doubs (the département of every territory the sources describe), the two EPCI
whose names are alike (for the tests of ambiguous names), and what they need to stay whole —
every EPCI with a commune kept and all its communes, the départements and régions of the
communes kept, their chefs-lieux, the communes déléguées and associées of the communes kept.
The programme's official lists are cut to the territories whose groupements are all kept
(tests/small_programme.py). The cut is computed from the vendored files, so the fixture follows
them."""

from __future__ import annotations

import shutil
from pathlib import Path

from territoires.sources import snapshot, vintages
from territoires.sources.timeline import ACTUELLE, RATTACHEMENT, Timeline
from territoires.config import ROOT

from . import small_programme

SEED_DEPARTEMENTS = {"25"}
SEED_EPCI = {"247000623", "247400666"}   # both "CC des Quatre Rivières", in 70 and in 74
# Official territories kept beside the Doubs ones: one made of an EPT (Boucle Nord de Seine, in
# both phases) and one of single communes (Toulon-Provence-Méditerranée, phase 1).
SEED_TERRITORIES = {(2, "ti-1101"), (1, "ti-1101"), (1, "ti-9307")}


def _table(name: str) -> list[dict[str, str]]:
    return [row for _, row in snapshot.rows(ROOT / "data" / "reference", name)]


def _closure(communes, epci_members, departements, regions) -> set[str]:
    """The current communes to keep: those of the seed départements, grown until every EPCI
    with a commune kept is kept whole and every chef-lieu kept is there."""
    by_code = {c["code"]: c for c in communes if c["type"] == "commune-actuelle"}
    members: dict[str, set[str]] = {}
    epci_of: dict[str, set[str]] = {}
    for row in epci_members:
        members.setdefault(row["epci"], set()).add(row["commune"])
        epci_of.setdefault(row["commune"], set()).add(row["epci"])
    chef_lieu = {("departement", d["code"]): d["chef_lieu"] for d in departements}
    chef_lieu |= {("region", r["code"]): r["chef_lieu"] for r in regions}
    kept = {code for code, c in by_code.items() if c["departement"] in SEED_DEPARTEMENTS}
    kept |= {code for epci in SEED_EPCI for code in members[epci]}
    kept |= small_programme.seed_communes(SEED_TERRITORIES, by_code)
    while True:
        grown = set(kept)
        for code in kept:
            for epci in epci_of.get(code, ()):
                grown |= members[epci]
            commune = by_code[code]
            for key in (("departement", commune["departement"]), ("region", commune["region"])):
                if chef_lieu.get(key):
                    grown.add(chef_lieu[key])
        if grown == kept:
            return kept
        kept = grown


def make_small_data(root: Path) -> Path:
    """Write the small sources under `root` (data/, ontology/, shapes/); returns root."""
    for part in ("data", "ontology", "shapes"):
        shutil.copytree(ROOT / part, root / part,
                        ignore=shutil.ignore_patterns("*.csv.gz", "links"))
    tables = {name: _table(name) for name in snapshot.LAYOUTS}
    kept = _closure(tables["communes"], tables["epci_membres"], tables["departements"],
                    tables["regions"])
    communes = [c for c in tables["communes"]
                if c["code"] in kept and c["type"] == "commune-actuelle"
                or c["type"] != "commune-actuelle" and c["rattachement"] in kept]
    departements = {c["departement"] for c in communes}
    regions = {c["region"] for c in communes}
    epci = {row["epci"] for row in tables["epci_membres"] if row["commune"] in kept}
    cut = {
        "regions": [r for r in tables["regions"] if r["code"] in regions],
        "departements": [d for d in tables["departements"] if d["code"] in departements],
        "communes": communes,
        "epci": [e for e in tables["epci"] if e["siren"] in epci],
        "epci_membres": [m for m in tables["epci_membres"] if m["epci"] in epci],
    }
    for name, rows in cut.items():
        snapshot.write_csv_gz(root / "data" / "reference" / f"{name}.csv.gz", snapshot.LAYOUTS[name],
                              [[row[column] for column in snapshot.LAYOUTS[name]] for row in rows])
    _cut_history(root / "data" / "historique", kept)
    small_programme.cut(root / "data", cut)
    return root


def _cut_history(target: Path, kept: set[str]) -> None:
    """The vintages cut to the communes that are, or became, a commune kept, with the EPCI
    that had one of them as a member; the current vintage then equals the cut snapshot."""
    full = Timeline.read(ROOT / "data" / "historique")
    ever = {code for year in vintages.YEARS for code in full.communes_in(year)
            if full.carried_forward(code, year) in kept}
    for year in vintages.YEARS:
        members = [[e, c] for c, e in full.epci_of[year].items() if c in ever]
        sirens = {e for e, _ in members}
        tables = {"epci": [r for s, r in full.epci[year].items() if s in sirens],
                  "epci_membres": sorted(members)}
        if year not in vintages.WITHOUT_COMMUNES:
            tables["communes"] = [row for (kind, code), row in full.communes[year].items()
                                  if (code if kind == ACTUELLE else row[RATTACHEMENT]) in ever]
        tables["populations"] = [row for row in vintages.table(
            ROOT / "data" / "historique", year, "populations")
            if row[1] in (ever if row[0] == "commune" else sirens)]
        (target / str(year)).mkdir(parents=True, exist_ok=True)
        for name, rows in tables.items():
            snapshot.write_csv_gz(target / str(year) / f"{name}.csv.gz", vintages.LAYOUTS[name],
                                  rows)
