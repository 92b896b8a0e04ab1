"""The Métropole de Lyon (SIREN 200046977) modelled as what it is, a collectivité à statut
particulier exercising the powers of an EPCI (and of the département), and still found where one
looks for intercommunalités (issue 19, item 2).

The fast tests map the vendored reference cut to the Rhône's régions, département, Lyon and one
other EPCI of the Rhône with their communes, and run the query files that list EPCI on it; the
full ones ask the whole build and its server."""

from __future__ import annotations

import http.client
import json
from urllib.parse import quote, urlsplit

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS

from territoires import queries
from territoires.config import ROOT
from territoires.sources import reference, snapshot
from territoires.vocabulary.namespaces import Vocabulary

from .conftest import BASE

TI = f"{BASE}def/territoires#"
LYON = "200046977"
LYON_IRI = f"{BASE}id/epci/{LYON}"


def vendored(name):
    return [row for _, row in snapshot.rows(ROOT / "data" / "reference", name)]


@pytest.fixture(scope="module")
def cut(tmp_path_factory):
    """The vendored reference cut to Lyon, one other EPCI of the Rhône, and what they need."""
    directory = tmp_path_factory.mktemp("reference")
    members = vendored("epci_membres")
    other = next(m["epci"] for m in members if m["commune"].startswith("69")
                 and m["epci"] != LYON)
    kept_epci = {LYON, other}
    kept = {m["commune"] for m in members if m["epci"] in kept_epci}
    tables = {
        "regions": [r for r in vendored("regions") if r["code"] == "84"],
        "departements": [d for d in vendored("departements") if d["code"] == "69"],
        "communes": [c for c in vendored("communes") if c["type"] == "commune-actuelle"
                     and c["code"] in kept],
        "epci": [e for e in vendored("epci") if e["siren"] in kept_epci],
        "epci_membres": [m for m in members if m["epci"] in kept_epci],
    }
    assert {c["departement"] for c in tables["communes"]} == {"69"}
    for name, rows in tables.items():
        snapshot.write_csv_gz(directory / f"{name}.csv.gz", snapshot.LAYOUTS[name],
                              [[row[c] for c in snapshot.LAYOUTS[name]] for row in rows])
    graph = Graph(identifier=URIRef(f"{BASE}graph/cog"))
    reference.load(Vocabulary(BASE), directory, graph)
    return graph, other, tables


@pytest.fixture(scope="module")
def engine(cut):
    store = ox.Store()
    store.load(cut[0].serialize(format="nt").encode(), ox.RdfFormat.N_TRIPLES)
    return store


def run(engine, name, **bindings):
    query = queries.get(name)
    single = {ox.Variable(k): v for k, v in bindings.items() if not isinstance(v, list)}
    listed = {k: v for k, v in bindings.items() if isinstance(v, list)}
    return list(engine.query(query.values(listed), base_iri=BASE, substitutions=single))


def test_the_metropole_is_no_epci_but_exercises_an_epci_s_powers(cut):
    graph, other, tables = cut
    row = next(e for e in tables["epci"] if e["siren"] == LYON)
    assert row["type"] == "MET69"      # the DGCL's legal form of the Métropole de Lyon
    lyon = URIRef(LYON_IRI)
    assert set(graph.objects(lyon, RDF.type)) == {URIRef(TI + "CollectiviteStatutParticulier")}
    assert set(graph.objects(lyon, URIRef(TI + "exerceLesCompetencesDe"))) == \
        {URIRef(TI + "EPCI"), URIRef(TI + "Departement")}
    assert (URIRef(f"{BASE}id/epci/{other}"), RDF.type, URIRef(TI + "EPCI")) in graph
    # its communes, as the DGCL lists them, and its legal form stay
    assert len(set(graph.objects(lyon, URIRef("http://www.w3.org/ns/org#hasMember")))) == \
        sum(1 for m in tables["epci_membres"] if m["epci"] == LYON)


def test_its_class_is_a_subclass_of_neither_epci_nor_commune():
    ontology = Graph().parse(ROOT / "ontology" / "territoires.ttl", publicID=BASE)
    cls = URIRef(TI + "CollectiviteStatutParticulier")
    above = set(ontology.transitive_objects(cls, RDFS.subClassOf))
    assert cls in above and len(above) > 1     # it has superclasses, and none of these
    assert not above & {URIRef(TI + "EPCI"), URIRef(TI + "Commune")}


@pytest.mark.parametrize("name, column", [("pages/epci", "epci"),
                                          ("history/epci-by-year", "epci")])
def test_the_query_files_that_list_epci_list_it(engine, cut, name, column):
    graph, other, tables = cut
    if name == "pages/epci":
        found = {row[column].value for row in run(engine, name)}
        assert found == {LYON_IRI, f"{BASE}id/epci/{other}"}
    else:   # a commune of the Métropole has it as its EPCI (no dated membership: every vintage)
        engine.add(ox.Quad(ox.NamedNode(f"{BASE}id/millesime/2026"), ox.NamedNode(str(RDF.type)),
                           ox.NamedNode(TI + "Millesime")))
        engine.add(ox.Quad(ox.NamedNode(f"{BASE}id/millesime/2026"), ox.NamedNode(TI + "annee"),
                           ox.Literal("2026", datatype=ox.NamedNode(
                               "http://www.w3.org/2001/XMLSchema#integer"))))
        rows = run(engine, name, commune=ox.NamedNode(f"{BASE}id/commune/69123"))
        assert {row[column].value for row in rows} == {LYON_IRI}


def test_the_name_index_holds_it_as_an_epci(engine):
    rows = run(engine, "lookup/labels", type=[ox.NamedNode(TI + "EPCI")],
               predicate=[ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")])
    assert {(row["entity"].value, row["type"].value) for row in rows
            if row["entity"].value == LYON_IRI} == {(LYON_IRI, TI + "EPCI")}


def test_a_commune_of_the_metropole_says_it_belongs_to_it(engine):
    rows = run(engine, "pages/commune-context", commune=ox.NamedNode(f"{BASE}id/commune/69123"))
    assert {row["epci"].value for row in rows if row["epci"] is not None} == {LYON_IRI}


# --- the whole build ---------------------------------------------------------------------------

def test_in_the_build_it_is_no_epci_and_every_epci_list_has_it(full_store):
    ask = lambda q: bool(full_store.engine.query(f"PREFIX ti: <{TI}> " + q,
                                                 **full_store.dataset()))
    assert not ask(f"ASK {{ <{LYON_IRI}> a ti:EPCI }}")
    assert ask(f"ASK {{ <{LYON_IRI}> a ti:CollectiviteStatutParticulier ; "
               "ti:exerceLesCompetencesDe ti:EPCI }")
    listed = {row["epci"].value for row in full_store.select(queries.get("pages/epci"))}
    assert LYON_IRI in listed
    assert len(listed) == len(vendored("epci"))      # the DGCL's list, Lyon included


def get(server: str, path: str) -> tuple[int, bytes]:
    """A GET with time for the first lookup, which builds the name index of the whole data."""
    parts = urlsplit(server)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)
    try:
        connection.request("GET", path, headers={"Accept": "application/json"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_search_and_reconciliation_find_it_among_the_epci(full_server):
    status, body = get(full_server, "/search?q=M%C3%A9tropole%20de%20Lyon&type=epci&format=json")
    assert status == 200 and LYON in body.decode()
    asked = json.dumps({"q0": {"query": "Métropole de Lyon", "type": "EPCI"}})
    status, body = get(full_server, f"/reconcile?queries={quote(asked)}")
    assert status == 200
    result = json.loads(body)["q0"]["result"]
    assert result and result[0]["id"].endswith(LYON), result[:2]


def test_its_page_names_it_as_what_it_is(full_server):
    """Its page says it is a collectivité à statut particulier, never that it is an EPCI."""
    parts = urlsplit(full_server)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)
    try:
        connection.request("GET", f"/doc/epci/{LYON}", headers={"Accept": "text/html"})
        response = connection.getresponse()
        body = response.read().decode()
    finally:
        connection.close()
    assert response.status == 200
    kind = body[body.find('<p class="kind">'):body.find("</p>", body.find('<p class="kind">'))]
    assert "Collectivité à statut particulier" in kind and "EPCI (intercommunalité)" not in kind
    assert "peuplées de la collectivité" in body.replace("&#39;", "'")
