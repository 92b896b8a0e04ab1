"""Dumps, VoID and DCAT on the real server: types, lengths, validators; descriptions that parse
and whose counts are the graph's own (counted here through the store)."""

from __future__ import annotations

import gzip
import json

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, VOID, XSD

from territoires.vocabulary.namespaces import LICENCE_OUVERTE

from .conftest import BASE
from .test_linked_data import fetch, media_type, parse

DATASET = URIRef(f"{BASE}.well-known/void#territoires")


def count(store: ox.Store, query: str) -> int:
    return int(next(iter(store.engine.query(query, **store.dataset())))[0].value)


# --- dumps ------------------------------------------------------------------------------------

def test_dump_listing(server, published):
    status, headers, body = fetch(server, "/dump/", Accept="application/json")
    assert status == 200
    listed = {d["name"]: d for d in json.loads(body)["dumps"]}
    assert set(listed) == {e["file"].rsplit("/", 1)[1] for e in published.dumps.values()}
    status, headers, html = fetch(server, "/dump/", Accept="text/html")
    assert media_type(headers) == "text/html"
    for name in listed:
        assert f'href="/dump/{name}"'.encode() in html


@pytest.mark.parametrize("kind", ["nq", "nt", "ttl"])
def test_dump_download(server, published, settings, kind):
    name = published.dumps[kind]["file"].rsplit("/", 1)[1]
    status, headers, body = fetch(server, f"/dump/{name}")
    assert status == 200
    assert media_type(headers) == "application/gzip"
    assert "Content-Encoding" not in headers  # the file is the gzip, not a transfer coding
    assert int(headers["Content-Length"]) == published.dumps[kind]["bytes"] == len(body)
    assert "attachment" in headers["Content-Disposition"]
    assert body == (settings.current_build / "dump" / name).read_bytes()
    first = gzip.decompress(body).split(b"\n", 1)[0]
    assert first.startswith(b"<") or first.startswith(b"@prefix")
    tag = headers["ETag"]
    assert fetch(server, f"/dump/{name}", If_None_Match=tag)[0] == 304
    status, head, empty = fetch(server, f"/dump/{name}", "HEAD")
    assert status == 200 and empty == b"" and head["Content-Length"] == headers["Content-Length"]


def test_unknown_dump_is_404(server):
    assert fetch(server, "/dump/territoires.csv")[0] == 404


# --- VoID -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def void(server) -> Graph:
    status, headers, body = fetch(server, "/.well-known/void")
    assert status == 200 and media_type(headers) == "text/turtle"
    return parse(body, "text/turtle")


def number(graph: Graph, subject, predicate) -> int:
    value = graph.value(subject, predicate)
    assert isinstance(value, Literal), (subject, predicate)
    return int(value)


def test_void_counts_are_the_graphs(void, store):
    assert (DATASET, RDF.type, VOID.Dataset) in void
    assert number(void, DATASET, VOID.triples) == count(
        store, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }")
    assert number(void, DATASET, VOID.distinctSubjects) == count(
        store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }")
    assert number(void, DATASET, VOID.classes) == count(
        store, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s a ?c }")
    assert number(void, DATASET, VOID.properties) == count(
        store, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }")


def test_void_partitions(void, store):
    ti = f"{BASE}def/territoires#"
    classes = {void.value(part, VOID["class"]): number(void, part, VOID.entities)
               for part in void.objects(DATASET, VOID.classPartition)}
    for cls in ("EPCI", "Commune", "TerritoireIndustrie"):
        assert classes[URIRef(ti + cls)] == count(
            store, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a <{ti}{cls}> }}")
    properties = {void.value(part, VOID.property): number(void, part, VOID.triples)
                  for part in void.objects(DATASET, VOID.propertyPartition)}
    assert sum(properties.values()) == number(void, DATASET, VOID.triples)


def test_void_subsets_per_named_graph(void, store, published):
    subsets = {s: number(void, s, VOID.triples) for s in void.objects(DATASET, VOID.subset)
               if (s, RDF.type, VOID.Dataset) in void}
    assert {str(s) for s in subsets} == set(published.graphs)
    for graph, triples in subsets.items():
        assert triples == count(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> "
                                       "{ ?s ?p ?o } }")


def test_void_linksets_are_every_graph_declared_one(void, store):
    declared = {row[0].value for row in store.engine.query(
        f"SELECT DISTINCT ?g WHERE {{ ?g a <{VOID.Linkset}> }}", **store.dataset())}
    listed = {str(s) for s in void.subjects(RDF.type, VOID.Linkset)}
    assert listed == declared
    for linkset in listed:
        assert number(void, URIRef(linkset), VOID.triples) > 0
        assert void.value(URIRef(linkset), VOID.linkPredicate) is not None


def test_void_access_points(void, published):
    assert void.value(DATASET, VOID.sparqlEndpoint) == URIRef(f"{BASE}sparql")
    dumps = {str(d) for d in void.objects(DATASET, VOID.dataDump)}
    # the RDF dumps only: the CSV tables are DCAT distributions, not void:dataDump
    assert dumps == {BASE + e["file"] for k, e in published.dumps.items()
                     if not k.startswith("csv-")} and len(dumps) == 3
    assert str(void.value(DATASET, VOID.uriSpace)) == BASE
    assert void.value(DATASET, VOID.exampleResource) is not None
    assert void.value(DATASET, DCTERMS.license) == LICENCE_OUVERTE


@pytest.mark.parametrize("accept", ["application/ld+json", "application/rdf+xml",
                                    "application/n-triples"])
def test_void_other_formats(server, void, accept):
    status, headers, body = fetch(server, "/.well-known/void", Accept=accept)
    assert status == 200 and media_type(headers) == accept
    assert len(parse(body, accept)) == len(void)


def test_void_html(server):
    status, headers, body = fetch(server, "/.well-known/void", Accept="text/html")
    assert status == 200 and media_type(headers) == "text/html"
    assert b"graph/cog" in body


# --- DCAT -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def dcat(server) -> Graph:
    status, headers, body = fetch(server, "/catalogue", Accept="text/turtle")
    assert status == 200
    return parse(body, "text/turtle")


def test_dcat_catalogue_and_dataset(dcat):
    (catalogue,) = dcat.subjects(RDF.type, DCAT.Catalog)
    assert dcat.value(catalogue, DCAT.dataset) == DATASET
    assert (DATASET, RDF.type, DCAT.Dataset) in dcat
    titles = {t.language for t in dcat.objects(DATASET, DCTERMS.title)}
    assert titles == {"fr", "en"}
    assert {d.language for d in dcat.objects(DATASET, DCTERMS.description)} == {"fr", "en"}
    assert dcat.value(DATASET, DCTERMS.license) == LICENCE_OUVERTE
    assert dcat.value(DATASET, DCTERMS.publisher) is not None
    assert dcat.value(DATASET, DCAT.landingPage) == URIRef(BASE)
    assert len(list(dcat.objects(DATASET, DCAT.keyword))) >= 3
    period = dcat.value(DATASET, DCTERMS.temporal)
    start = dcat.value(period, DCAT.startDate)    # inline, a date (the programme's year, 2018)
    assert isinstance(period, BNode) and str(start) == "2018-01-01" and start.datatype == XSD.date
    assert dcat.value(DATASET, DCTERMS.spatial) is not None


def test_dcat_distributions(dcat, published):
    downloads = {}
    for distribution in dcat.objects(DATASET, DCAT.distribution):
        url = dcat.value(distribution, DCAT.downloadURL)
        if url is not None:
            downloads[str(url)] = distribution
    assert set(downloads) == {BASE + e["file"] for e in published.dumps.values()}
    for entry in published.dumps.values():
        distribution = downloads[BASE + entry["file"]]
        assert int(dcat.value(distribution, DCAT.byteSize)) == entry["bytes"]
        assert str(dcat.value(distribution, DCAT.mediaType)).startswith(
            "https://www.iana.org/assignments/media-types/application/n-") or \
            str(dcat.value(distribution, DCAT.mediaType)).endswith(("text/turtle", "text/csv"))
        assert str(dcat.value(distribution, DCAT.compressFormat)).endswith("application/gzip")


def test_dcat_sparql_service(dcat):
    (service,) = dcat.subjects(RDF.type, DCAT.DataService)
    assert dcat.value(service, DCAT.endpointURL) == URIRef(f"{BASE}sparql")
    assert dcat.value(service, DCAT.servesDataset) == DATASET


@pytest.mark.parametrize("path", ["/catalogue.jsonld", "/catalogue.rdf", "/catalogue.nt",
                                  "/.well-known/void.ttl"])
def test_metadata_extensions(server, path):
    status, headers, body = fetch(server, path)
    assert status == 200
    assert len(parse(body, media_type(headers))) > 20


def test_catalogue_html_for_browsers(server):
    status, headers, body = fetch(server, "/catalogue", Accept="text/html,*/*;q=0.8")
    assert status == 200 and media_type(headers) == "text/html" and "Accept" in headers["Vary"]
    assert b"Licence Ouverte" in body
