"""The overseas collectivities and their zones typed as the official geography says (issue 19,
item 1): never a commune, a département and a région at once; their IRIs kept; the counts of
communes, départements and régions those Insee publishes.

The fast tests map a tiny reference written here with the vendored layout, and count the vendored
files with the csv module; the full ones ask the whole build and its server."""

from __future__ import annotations

import csv
import gzip

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

from territoires.config import ROOT
from territoires.sources import reference, snapshot
from territoires.vocabulary.namespaces import Vocabulary

from .conftest import BASE

TI = f"{BASE}def/territoires#"
PREFIXES = f"PREFIX ti: <{TI}> "
# Insee, Code officiel géographique 2026 (https://www.insee.fr/fr/information/2560452): 34,875
# communes, 101 départements, 18 régions on 1 January 2026, the collectivités d'outre-mer and
# their zones listed apart.
INSEE_COG_2026 = {"communes": 34875, "departements": 101, "regions": 18}


def vendored(name: str) -> list[dict[str, str]]:
    with gzip.open(ROOT / "data" / "reference" / f"{name}.csv.gz", "rt", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_the_vendored_files_minus_the_overseas_give_insee_s_counts():
    overseas = snapshot.OVERSEAS_COLLECTIVITIES
    communes = [r for r in vendored("communes") if r["type"] == "commune-actuelle"]
    assert len([r for r in communes if r["departement"] not in overseas]) == \
        INSEE_COG_2026["communes"]
    assert len([r for r in vendored("departements") if r["code"] not in overseas]) == \
        INSEE_COG_2026["departements"]
    assert len([r for r in vendored("regions") if r["code"] not in overseas]) == \
        INSEE_COG_2026["regions"]
    # what is left out is exactly the collectivities and their zones, none forgotten
    assert {r["region"] for r in communes if r["departement"] in overseas} == overseas


def write(directory, name, rows):
    layout = snapshot.LAYOUTS[name]
    snapshot.write_csv_gz(directory / f"{name}.csv.gz", layout,
                          [[row.get(column, "") for column in layout] for row in rows])


@pytest.fixture(scope="module")
def mapped(tmp_path_factory):
    """A reference of one DROM commune, one of Polynesia, a TAAF district, a circonscription
    of Wallis-et-Futuna and Clipperton, in the vendored layout, mapped."""
    directory = tmp_path_factory.mktemp("reference")
    places = [("01", "Guadeloupe", "97105"), ("984", "Terres australes", "97502"),
              ("986", "Wallis et Futuna", "98613"), ("987", "Polynésie française", "98735"),
              ("989", "Île de Clipperton", "98901")]
    write(directory, "regions", [{"code": c, "nom": n, "chef_lieu": cl} for c, n, cl in places])
    write(directory, "departements", [
        {"code": "971" if c == "01" else c, "nom": n, "region": c, "chef_lieu": cl}
        for c, n, cl in places])
    communes = [("97105", "Basse-Terre", "971", "01"), ("98735", "Papeete", "987", "987"),
                ("98412", "Archipel des Kerguelen", "984", "984"),
                ("98613", "Uvea", "986", "986"), ("98901", "Île de Clipperton", "989", "989")]
    write(directory, "communes", [{"type": "commune-actuelle", "code": c, "nom": n,
                                   "departement": d, "region": r} for c, n, d, r in communes])
    write(directory, "epci", [])
    write(directory, "epci_membres", [])
    vocab = Vocabulary(BASE)
    graph = Graph(identifier=URIRef(f"{BASE}graph/cog"))
    reference.load(vocab, directory, graph)
    return graph


def types(graph, path):
    return {str(o)[len(TI):] for o in graph.objects(URIRef(BASE + path), RDF.type)}


@pytest.mark.parametrize("path, expected", [
    ("id/commune/97105", {"Commune"}), ("id/region/01", {"Region"}),
    ("id/departement/971", {"Departement"}),
    ("id/commune/98735", {"CommuneOutreMer"}), ("id/commune/98412", {"District"}),
    ("id/commune/98613", {"CirconscriptionTerritoriale"}), ("id/commune/98901", {"ZoneOutreMer"}),
    ("id/region/989", {"CollectiviteOutreMer"}), ("id/departement/989", {"CollectiviteOutreMer"}),
    ("id/region/987", {"CollectiviteOutreMer"}), ("id/departement/984", {"CollectiviteOutreMer"}),
])
def test_each_place_has_the_class_of_the_official_geography(mapped, path, expected):
    assert types(mapped, path) == expected


def test_a_zone_lies_in_its_collectivity_not_in_a_departement_or_region(mapped):
    clipperton = URIRef(f"{BASE}id/commune/98901")
    assert set(mapped.objects(clipperton, URIRef(TI + "collectiviteOutreMer"))) == \
        {URIRef(f"{BASE}id/departement/989")}
    assert not set(mapped.objects(clipperton, URIRef(TI + "departement")))
    assert not set(mapped.objects(clipperton, URIRef(TI + "region")))
    # the collectivity's two published IRIs say they are one
    assert (URIRef(f"{BASE}id/region/989"), OWL.sameAs,
            URIRef(f"{BASE}id/departement/989")) in mapped


def test_a_collectivity_s_chef_lieu_is_one_of_its_own_zones(mapped):
    chef_lieu = URIRef(TI + "chefLieu")
    assert set(mapped.objects(URIRef(f"{BASE}id/departement/987"), chef_lieu)) == \
        {URIRef(f"{BASE}id/commune/98735")}
    # the package names 97502 (Saint-Pierre-et-Miquelon) for the TAAF: not stated
    assert not set(mapped.objects(URIRef(f"{BASE}id/departement/984"), chef_lieu))


# --- the whole build ---------------------------------------------------------------------------

def count(full_store, query):
    return int(next(iter(full_store.engine.query(PREFIXES + query,
                                                  **full_store.dataset())))[0].value)


def test_no_commune_is_also_a_departement_or_a_region(full_store):
    """The audit query of the issue, on the whole build."""
    assert count(full_store, """SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {
        ?x a ?one , ?other .
        VALUES (?one ?other) { (ti:Commune ti:Region) (ti:Commune ti:Departement)
                               (ti:Departement ti:Region) (ti:Commune ti:ZoneOutreMer)
                               (ti:Commune ti:CommuneOutreMer) (ti:Commune ti:District)
                               (ti:Commune ti:CirconscriptionTerritoriale)
                               (ti:Region ti:CollectiviteOutreMer)
                               (ti:Departement ti:CollectiviteOutreMer) } }""") == 0
    # and no zone points at a département or région
    assert count(full_store, """SELECT (COUNT(*) AS ?n) WHERE {
        { ?x a ti:ZoneOutreMer } UNION { ?x a ti:CommuneOutreMer } UNION { ?x a ti:District }
        UNION { ?x a ti:CirconscriptionTerritoriale }
        ?x ti:departement|ti:region ?place }""") == 0


def test_the_build_counts_what_insee_counts(full_store):
    for cls, figure in (("Commune", "communes"), ("Departement", "departements"),
                        ("Region", "regions")):
        assert count(full_store, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a ti:{cls} }}") \
            == INSEE_COG_2026[figure], cls
    zones = sum(1 for r in vendored("communes") if r["type"] == "commune-actuelle"
                and r["departement"] in snapshot.OVERSEAS_COLLECTIVITIES)
    assert count(full_store, """SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {
        ?x ti:collectiviteOutreMer ?c }""") == zones == 94


@pytest.mark.parametrize("path, cls", [
    ("id/commune/98901", "ZoneOutreMer"), ("id/commune/98411", "District"),
    ("id/commune/98735", "CommuneOutreMer"), ("id/region/987", "CollectiviteOutreMer"),
    ("id/departement/975", "CollectiviteOutreMer"),
])
def test_their_iris_still_dereference(full_server, path, cls):
    from .test_linked_data import fetch
    status, headers, _ = fetch(full_server, f"/{path}", Accept="text/turtle")
    assert status == 303 and headers["Location"].endswith(path.replace("id/", "doc/", 1))
    status, _, body = fetch(full_server, "/" + path.replace("id/", "doc/", 1), Accept="text/turtle")
    assert status == 200
    graph = Graph().parse(data=body, format="turtle", publicID=BASE)
    assert (URIRef(BASE + path), RDF.type, URIRef(TI + cls)) in graph


def test_the_history_leaves_the_zones_out_in_every_vintage():
    """The package lists the zones in every vintage, with no département before 2022: known by
    their code, they are neither communes of a vintage nor former communes."""
    from territoires.sources import vintages
    from territoires.sources.timeline import Timeline
    root = ROOT / "data" / "historique"
    listed = {year: {r["code"] for r in vendored_vintage(root, year)
                     if r["code"][:3] in snapshot.OVERSEAS_COLLECTIVITIES}
              for year in vintages.YEARS if year not in vintages.WITHOUT_COMMUNES}
    assert all(len(codes) == 94 for codes in listed.values()), \
        {year: len(codes) for year, codes in listed.items()}
    timeline = Timeline.read(root)
    assert not {code for _, code in timeline.keys()} & set().union(*listed.values())


def vendored_vintage(root, year):
    with gzip.open(root / str(year) / "communes.csv.gz", "rt", encoding="utf-8") as f:
        return list(csv.DictReader(f))
