"""The whole programme in the full build: every territory of both phases, their groupements and
communes, continuity, and the example queries about them. The expected figures are computed
here from the vendored files themselves (the lists, ept.json, the reference and its history)
with the standard library, not from the mapper."""

from __future__ import annotations

import csv
import gzip
import json
import re
from collections import defaultdict
from decimal import Decimal

import pytest

from territoires.config import ROOT

from .conftest import BASE
from .test_queries import run

DATA = ROOT / "data"
VINTAGE = {1: 2022, 2: 2023}


def _json(path):
    return json.loads(gzip.decompress(path.read_bytes()))


def _csv(path):
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def lists() -> dict[int, dict[str, list[str]]]:
    """phase → {ANCT id: its groupements' SIRENs}, read from the vendored GeoJSON."""
    found = {}
    phase2 = _json(DATA / "programme" / "ti_phase2_geom.geojson.gz")["features"]
    found[2] = {f["properties"]["id_territoire"]: re.findall(r"\((\d{9})\)",
                                                             f["properties"]["liste_geo"])
                for f in phase2}
    phase1 = _json(DATA / "programme" / "ti_phase1_geom.geojson.gz")["features"]
    found[1] = {f["properties"]["id_ti"]: [s.strip() for s in
                                            f["properties"]["siren_groupement"].split(",")]
                for f in phase1}
    return found


@pytest.fixture(scope="module")
def geography():
    ept = {e["code"]: {m["code"] for m in e["membres"]}
           for e in _json(DATA / "programme" / "ept.json.gz")}
    communes = [c for c in _csv(DATA / "reference" / "communes.csv.gz")
                if c["type"] == "commune-actuelle"]
    members = {year: defaultdict(set) for year in (2022, 2023, 2026)}
    for year in (2022, 2023, 2026):
        folder = DATA / "reference" if year == 2026 else DATA / "historique" / str(year)
        for row in _csv(folder / "epci_membres.csv.gz"):
            members[year][row["epci"]].add(row["commune"])
    return {"ept": ept, "commune_of": {c["siren"]: c["code"] for c in communes if c["siren"]},
            "population": {c["code"]: int(c["population"] or 0) for c in communes},
            "members": members}


def covered(sirens, year, geography) -> set[str]:
    found = set()
    for siren in sirens:
        if siren in geography["members"][year]:
            found |= geography["members"][year][siren]
        elif siren in geography["ept"]:
            found |= geography["ept"][siren]
        else:
            found.add(geography["commune_of"][siren])
    return found


def select(store, query: str) -> list[dict]:
    text = f"BASE <{BASE}>\nPREFIX ti: <def/territoires#>\nPREFIX org: <http://www.w3.org/ns/org#>\n" \
           f"PREFIX dcterms: <http://purl.org/dc/terms/>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n" + query
    solutions = store.engine.query(text, **store.dataset())
    names = [v.value for v in solutions.variables]
    return [{n: row[n] for n in names} for row in solutions]


def test_183_and_149_territories(full_store, lists):
    rows = select(full_store, "SELECT ?phase (COUNT(DISTINCT ?t) AS ?n) WHERE { ?t a ti:TerritoireIndustrie ; "
                              "ti:phase ?phase } GROUP BY ?phase")
    counts = {r["phase"].value.rsplit("-", 1)[1]: int(r["n"].value) for r in rows}
    assert counts == {"1": len(lists[1]), "2": len(lists[2])} == {"1": 149, "2": 183}
    stated = select(full_store, "SELECT ?n WHERE { <id/phase/territoires-d-industrie-2> "
                                "ti:nombreTerritoiresOfficiels ?n }")
    assert [int(r["n"].value) for r in stated] == [183]


def test_groupements_per_phase_and_kind(full_store, lists, geography):
    rows = select(full_store, """
        SELECT ?id ?member WHERE { ?t dcterms:identifier ?id ; org:hasMember ?member }""")
    graph = defaultdict(set)
    for row in rows:
        graph[row["id"].value].add(row["member"].value[len(BASE) + 3:])
    for phase, territories in lists.items():
        for ident, sirens in territories.items():
            expected = set()
            for siren in sirens:
                if siren in geography["members"][VINTAGE[phase]]:
                    expected.add(f"epci/{siren}")
                elif siren in geography["ept"]:
                    expected.add(f"ept/{siren}")
                else:
                    expected.add(f"commune/{geography['commune_of'][siren]}")
            assert graph[f"phase-{phase}/{ident}"] == expected, ident
    kinds = defaultdict(int)
    for key, members in graph.items():
        for member in members:
            kinds[key.split("/")[0], member.split("/")[0]] += 1
    assert kinds[("phase-2", "ept")] == 3 and kinds[("phase-2", "commune")] == 12
    assert kinds[("phase-2", "epci")] == 626 and kinds[("phase-1", "epci")] == 547


def test_communes_per_territory_in_the_lists_vintage(full_store, lists, geography):
    rows = select(full_store, "SELECT ?id ?n WHERE { ?t dcterms:identifier ?id ; ti:nombreCommunes ?n }")
    graph = {r["id"].value: int(r["n"].value) for r in rows}
    expected = {f"phase-{phase}/{ident}": len(covered(sirens, VINTAGE[phase], geography))
                for phase, territories in lists.items() for ident, sirens in territories.items()}
    assert graph == expected
    assert expected["phase-2/ti-2701"] == 255


def test_ti_2704_means_two_territories(full_store):
    rows = select(full_store, """SELECT ?t ?name ?id WHERE { ?t ti:identifiantOfficiel "ti-2704" ;
        skos:prefLabel ?name ; dcterms:identifier ?id }""")
    found = {r["id"].value: (r["t"].value, r["name"].value) for r in rows}
    assert set(found) == {"phase-1/ti-2704", "phase-2/ti-2704"}
    assert found["phase-1/ti-2704"] == (f"{BASE}id/territoire/haut-doubs", "Haut-Doubs Horloger")
    assert found["phase-2/ti-2704"][1] == "Grand Chalon"


def test_continuities_follow_the_rule(full_store, lists):
    expected = set()
    for new, new_sirens in lists[2].items():
        for old, old_sirens in lists[1].items():
            shared = len(set(new_sirens) & set(old_sirens))
            if shared and max(shared / len(new_sirens), shared / len(old_sirens)) >= 0.5:
                expected.add((new, old))
    rows = select(full_store, """SELECT ?new ?old WHERE { ?c a ti:Continuite ;
        ti:territoireSuccesseur/ti:identifiantOfficiel ?new ;
        ti:territoirePredecesseur/ti:identifiantOfficiel ?old }""")
    assert {(r["new"].value, r["old"].value) for r in rows} == expected
    assert ("ti-2701", "ti-2704") in expected
    assert len(run(full_store, "22")) == len(expected)


def test_example_regions_cover_the_phase_2_communes_once(full_store, lists, geography):
    communes = set().union(*(covered(s, 2026, geography) for s in lists[2].values()))
    rows = run(full_store, "19")
    assert sum(int(r["communes"].value) for r in rows) == len(communes)
    assert sum(int(r["population"].value) for r in rows) == \
        sum(geography["population"][c] for c in communes)
    assert all(int(r["territoires"].value) >= 1 for r in rows)


def test_example_communes_of_both_phases(full_store, lists, geography):
    phases = [set().union(*(covered(s, 2026, geography) for s in lists[p].values())) for p in (1, 2)]
    rows = run(full_store, "20")
    assert {r["commune"].value[len(BASE) + len("id/commune/"):] for r in rows} == phases[0] & phases[1]


def test_example_perimeter_changes_of_alliances(full_store, lists, geography):
    sirens = lists[2]["ti-2701"]
    then, now = covered(sirens, 2023, geography), covered(sirens, 2026, geography)
    rows = [r for r in run(full_store, "21")
            if r["territoire"].value == f"{BASE}id/territoire/alliances-luxe-precision-doubs"]
    assert {r["commune"].value.rsplit("/", 1)[1] for r in rows} == then ^ now
    assert (len(then), len(now)) == (255, 252)


def test_example_outline_keeps_its_vertex_count(full_store):
    feature = next(f for f in _json(DATA / "programme" / "ti_phase2_geom.geojson.gz")["features"]
                   if f["properties"]["id_territoire"] == "ti-2701")

    def count(coordinates):
        return 1 if isinstance(coordinates[0], (int, float)) else sum(map(count, coordinates))

    (row,) = run(full_store, "23")
    assert row["wkt"].value.startswith("MULTIPOLYGON")   # CRS84, the default: no CRS IRI
    assert int(row["sommetsSource"].value) == count(feature["geometry"]["coordinates"])
    assert 0 < int(row["sommets"].value) <= int(row["sommetsSource"].value)
    assert Decimal(row["tolerance"].value) == Decimal("0.001")
