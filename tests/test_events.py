"""Code changes, re-establishments and mergers as the different events they are (issue 19,
item 3), one of each kind taken from the vendored vintages.

The fast tests map a small vintage fixture: the vendored vintages cut to the communes of three
cases (Les Trois Lacs, which changed code twice; the communes re-established out of Neussargues
en Pinatelle in 2025; a commune nouvelle of the Doubs in 2024). What each case is, is first read
in the fixture's rows with the csv module; the full tests run the issue's audit on the whole
build."""

from __future__ import annotations

import csv
import gzip

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS

from territoires.config import ROOT
from territoires.sources import history, snapshot, vintages
from territoires.vocabulary.namespaces import Vocabulary

from .conftest import BASE

TI = f"{BASE}def/territoires#"
CASES = {"27058", "27647", "27676",                      # Les Trois Lacs
         "15141", "15031", "15035", "15047", "15171",    # Neussargues en Pinatelle
         "25060", "25282", "25549"}                      # a commune nouvelle of the Doubs


def ti(name: str) -> URIRef:
    return URIRef(TI + name)


def commune(code: str) -> URIRef:
    return URIRef(f"{BASE}id/commune/{code}")


def read(path):
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def fixture(tmp_path_factory):
    """The vintages cut to the cases' communes (and their EPCI memberships)."""
    root = tmp_path_factory.mktemp("historique")
    source = ROOT / "data" / "historique"
    for year in vintages.YEARS:
        (root / str(year)).mkdir()
        for name in vintages.files(year):
            rows = read(source / str(year) / f"{name}.csv.gz")
            if name == "communes":
                rows = [r for r in rows if r["code"] in CASES or r["rattachement"] in CASES]
            elif name == "epci_membres":
                rows = [r for r in rows if r["commune"] in CASES]
            else:
                kept = {r["epci"] for r in read(source / str(year) / "epci_membres.csv.gz")
                        if r["commune"] in CASES}
                key = "code" if name == "populations" else "siren"
                rows = [r for r in rows if r[key] in kept | CASES]
            snapshot.write_csv_gz(root / str(year) / f"{name}.csv.gz", vintages.LAYOUTS[name],
                                  [[r[c] for c in vintages.LAYOUTS[name]] for r in rows])
    return root


@pytest.fixture(scope="module")
def graph(fixture):
    mapped = Graph(identifier=URIRef(f"{BASE}graph/historique"))
    history.load(Vocabulary(BASE), fixture, mapped)
    return mapped


def actuelle(root, year, code):
    return next((r for r in read(root / str(year) / "communes.csv.gz")
                 if r["code"] == code and r["type"] == "commune-actuelle"), None)


def test_les_trois_lacs_changed_code_twice_and_never_merged_into_itself(fixture, graph):
    # In the files: 27676 in 2019, 27058 (listing 27676 as a former code) in 2021, and back.
    assert actuelle(fixture, 2019, "27676") and not actuelle(fixture, 2019, "27058")
    assert "27676" in actuelle(fixture, 2021, "27058")["anciens_codes"].split()
    assert "27058" in actuelle(fixture, 2023, "27676")["anciens_codes"].split()
    for code in ("27058", "27676"):
        assert not set(graph.objects(commune(code), ti("fusionneeDans")))
        assert not set(graph.subjects(ti("communeFusionnee"), commune(code)))
    for year, old, new in ((2021, "27676", "27058"), (2023, "27058", "27676")):
        event = URIRef(f"{commune(new)}#changement-code-{year}")
        assert {ti("ChangementDeCode"), ti("ChangementDeCodeChefLieu")} <= \
            set(graph.objects(event, RDF.type))
        assert (event, ti("ancienCode"), commune(old)) in graph
        assert (event, ti("nouveauCode"), commune(new)) in graph
        assert not set(graph.triples((event, RDF.type, ti("Fusion"))))
    # The current commune is replaced by nothing; the code of 2021-2022 by the current one.
    assert not set(graph.objects(commune("27676"), DCTERMS.isReplacedBy))
    assert set(graph.objects(commune("27058"), DCTERMS.isReplacedBy)) == {commune("27676")}


def test_communes_re_established_out_of_a_commune_nouvelle(fixture, graph):
    deleguees = {r["code"] for r in read(fixture / "2024" / "communes.csv.gz")
                 if r["type"] == "commune-deleguee" and r["rattachement"] == "15141"
                 and r["code"] != "15141"}
    restored = {code for code in deleguees if actuelle(fixture, 2025, code)}
    assert restored       # communes déléguées of 15141 in 2024, communes again in 2025
    for code in restored:
        event = URIRef(f"{commune(code)}#retablissement-2025")
        assert set(graph.objects(event, RDF.type)) == {ti("Retablissement")}
        assert (event, ti("communeCreee"), commune(code)) in graph
        assert (event, ti("retablieDe"), commune("15141")) in graph
        assert (event, ti("dateEffet"), Literal("2025-01-01", datatype=URIRef(
            "http://www.w3.org/2001/XMLSchema#date"))) in graph
    assert not set(graph.triples((None, RDF.type, ti("Creation"))))


def test_a_commune_nouvelle_is_a_merger_with_its_communes_deleguees(fixture, graph):
    rows = read(fixture / "2024" / "communes.csv.gz")
    merged = {r["code"] for r in rows if r["type"] == "commune-deleguee"
              and r["rattachement"] == "25060" and r["code"] != "25060"}
    assert merged and all(actuelle(fixture, 2023, code) for code in merged)
    event = URIRef(f"{commune('25060')}#fusion-2024")
    assert set(graph.objects(event, RDF.type)) == {ti("Fusion"), ti("CreationCommuneNouvelle")}
    assert set(graph.objects(event, ti("communeFusionnee"))) == {commune(c) for c in merged}
    for code in merged:
        assert set(graph.objects(commune(code), ti("fusionneeDans"))) == {commune("25060")}
        assert (commune(code), ti("devenue"),
                URIRef(f"{BASE}id/commune-deleguee/{code}")) in graph


# --- the whole build ---------------------------------------------------------------------------

def rows(full_store, query):
    return list(full_store.engine.query(f"PREFIX ti: <{TI}> PREFIX dcterms: <{DCTERMS}> " + query,
                                        **full_store.dataset()))


def test_no_two_resources_merged_into_each_other(full_store):
    """The audit query of the issue, on the whole build."""
    assert rows(full_store, """SELECT ?a ?b WHERE {
        ?a ti:fusionneeDans ?b . ?b ti:fusionneeDans ?a }""") == []
    assert rows(full_store, """SELECT ?a ?b WHERE {
        ?a dcterms:isReplacedBy+ ?a }""") == []


def test_no_current_commune_is_replaced(full_store):
    assert rows(full_store, """SELECT ?c WHERE { ?c a ti:Commune .
        { ?c ti:fusionneeDans ?x } UNION { ?c dcterms:isReplacedBy ?x } }""") == []


def test_each_kind_of_event_is_in_the_build(full_store):
    found = {str(row[0].value)[len(TI):]: int(row[1].value) for row in rows(full_store, """
        SELECT ?kind (COUNT(?e) AS ?n) WHERE { ?e a ?kind .
          VALUES ?kind { ti:ChangementDeCodeChefLieu ti:Retablissement ti:CreationCommuneNouvelle
                         ti:Fusion } } GROUP BY ?kind""")}
    assert set(found) == {"ChangementDeCodeChefLieu", "Retablissement",
                          "CreationCommuneNouvelle", "Fusion"}
    assert found["Fusion"] > found["CreationCommuneNouvelle"]
    # Les Trois Lacs, as in the fixture
    assert rows(full_store, f"""SELECT ?e WHERE {{ ?e a ti:ChangementDeCode ;
        ti:ancienCode <{BASE}id/commune/27058> ; ti:nouveauCode <{BASE}id/commune/27676> }}""")


def test_a_perimeter_gap_from_a_code_change_says_the_code_changed(fixture):
    """A territory labelled when Les Trois Lacs was 27058 (2021-2022) covers 27676 today: the
    same commune under another code, said so on both sides, never "a fusionné" nor "créée"."""
    from territoires.sources.perimeters import Perimeters
    from territoires.sources.timeline import Timeline

    siren = next(r["epci"] for r in read(fixture / "2021" / "epci_membres.csv.gz")
                 if r["commune"] == "27058")
    territory = URIRef(f"{BASE}id/territoire/essai")
    mapped = Graph()
    Perimeters(Vocabulary(BASE), Timeline.read(fixture), mapped).territory(
        territory, "2021-06-01", {siren})
    said = {str(node).rsplit("-", 1)[-1]: str(mapped.value(node, URIRef(str(RDFS) + "comment")))
            for node in mapped.objects(territory, ti("ecartPerimetre"))}
    assert set(said) == {"27058", "27676"}, said
    assert "a changé de code au 1er janvier 2023" in said["27058"]
    assert "c'est désormais" in said["27058"] and "(27676)" in said["27058"]
    assert "est le nouveau code, au 1er janvier 2023, de" in said["27676"]
    assert "(27058)" in said["27676"]
    assert not any("fusionné" in s or "créée" in s for s in said.values())
