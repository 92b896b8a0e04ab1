"""The SPARQL endpoint against the SPARQL 1.1 Protocol, through the real server and real clients
(SPARQLWrapper, urllib): every result format, GET and both POST forms, the protocol's dataset,
content negotiation, the service description, errors and CORS."""

from __future__ import annotations

import csv
import io
import json
import urllib.error
import urllib.parse
import urllib.request
from xml.dom.minidom import Document

import pytest
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from SPARQLWrapper import CSV, JSON, JSONLD, N3, POST, TSV, TURTLE, XML, SPARQLWrapper

BASE = "https://data.example.fr/"
TI = Namespace(BASE + "def/territoires#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
EPCI = URIRef(BASE + "id/epci/242500361")
SIREN_QUERY = f"SELECT ?siren WHERE {{ <{EPCI}> <{TI.siren}> ?siren }}"
DESCRIBE_QUERY = f"DESCRIBE <{EPCI}>"
CONSTRUCT_QUERY = f"CONSTRUCT {{ <{EPCI}> <{TI.siren}> ?siren }} WHERE {{ <{EPCI}> <{TI.siren}> ?siren }}"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def fetch(url: str, *, method: str = "GET", data: bytes | None = None,
          headers: dict | None = None) -> tuple[int, dict, bytes]:
    """(status, headers, body), whatever the status."""
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def get(server: str, headers: dict | None = None, **params) -> tuple[int, dict, bytes]:
    return fetch(server + "sparql?" + urllib.parse.urlencode(params, doseq=True), headers=headers)


def wrapper(server: str, query: str, fmt: str, method: str = "GET") -> SPARQLWrapper:
    client = SPARQLWrapper(server + "sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setMethod(method)
    return client


def content_type(headers: dict) -> str:
    return headers["Content-Type"].split(";")[0].strip()


# ---- SPARQLWrapper, every format ---------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", POST])
def test_select_json(server, method):
    results = wrapper(server, SIREN_QUERY, JSON, method).query().convert()
    assert [b["siren"]["value"] for b in results["results"]["bindings"]] == ["242500361"]


def test_select_xml(server):
    document = wrapper(server, SIREN_QUERY, XML).query().convert()
    assert isinstance(document, Document)
    literals = [node.firstChild.data for node in document.getElementsByTagName("literal")]
    assert literals == ["242500361"]


@pytest.mark.parametrize("fmt, delimiter", [(CSV, ","), (TSV, "\t")])
def test_select_csv_tsv(server, fmt, delimiter):
    body = wrapper(server, SIREN_QUERY, fmt).query().convert().decode()
    rows = list(csv.reader(io.StringIO(body), delimiter=delimiter))
    assert rows[0][0].lstrip("?") == "siren"
    assert rows[1][0].strip('"') == "242500361"


@pytest.mark.parametrize("fmt", [JSON, XML])
def test_ask(server, fmt):
    yes = wrapper(server, f"ASK {{ <{EPCI}> ?p ?o }}", fmt).query().convert()
    no = wrapper(server, "ASK { <urn:nothing> ?p ?o }", fmt).query().convert()
    if fmt == JSON:
        assert (yes["boolean"], no["boolean"]) == (True, False)
    else:
        assert [n.firstChild.data for n in yes.getElementsByTagName("boolean")] == ["true"]
        assert [n.firstChild.data for n in no.getElementsByTagName("boolean")] == ["false"]


@pytest.mark.parametrize("query", [CONSTRUCT_QUERY, DESCRIBE_QUERY])
@pytest.mark.parametrize("fmt", [TURTLE, JSONLD, XML, "nt"])
def test_graph_formats(server, query, fmt):
    if fmt == "nt":  # SPARQLWrapper has no N-Triples format: ask for it by Accept only
        client = wrapper(server, query, N3)
        client.setOnlyConneg(True)
        client.addCustomHttpHeader("Accept", "application/n-triples")
    else:
        client = wrapper(server, query, fmt)
    result = client.query()
    answer = result.convert()
    graph = answer if isinstance(answer, Graph) else Graph().parse(
        data=answer, format={TURTLE: "turtle", "nt": "nt"}[fmt])
    assert (EPCI, TI.siren, Literal("242500361")) in graph
    expected = {TURTLE: "text/turtle", JSONLD: "application/ld+json", XML: "application/rdf+xml",
                "nt": "application/n-triples"}[fmt]
    assert content_type(result.info()) == expected


@pytest.mark.parametrize("media, rdflib_format", [("application/n-quads", "nquads"),
                                                  ("application/trig", "trig")])
def test_dataset_formats(server, media, rdflib_format):
    status, headers, body = get(server, {"Accept": media}, query=DESCRIBE_QUERY)
    assert status == 200 and content_type(headers) == media
    dataset = Dataset().parse(data=body, format=rdflib_format)
    assert (EPCI, TI.siren, Literal("242500361")) in dataset.default_graph


# ---- the three ways to send a query ------------------------------------------------------------


def siren_of(body: bytes) -> list[str]:
    return [b["siren"]["value"] for b in json.loads(body)["results"]["bindings"]]


def test_get_and_both_posts_agree(server):
    by_get = get(server, query=SIREN_QUERY)
    by_form = fetch(server + "sparql", method="POST",
                    data=urllib.parse.urlencode({"query": SIREN_QUERY}).encode(),
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    by_body = fetch(server + "sparql", method="POST", data=SIREN_QUERY.encode(),
                    headers={"Content-Type": "application/sparql-query; charset=utf-8"})
    for status, headers, body in (by_get, by_form, by_body):
        assert status == 200 and content_type(headers) == "application/sparql-results+json"
        assert siren_of(body) == ["242500361"]


# ---- the protocol's dataset --------------------------------------------------------------------

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
COUNT_GRAPHS = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def count(server: str, query: str, method: str = "GET", **params) -> int:
    if method == "GET":
        status, _, body = get(server, query=query, **params)
    else:  # the dataset parameters go in the URL with an application/sparql-query body
        status, _, body = fetch(server + "sparql?" + urllib.parse.urlencode(params, doseq=True),
                                method="POST", data=query.encode(),
                                headers={"Content-Type": "application/sparql-query"})
    assert status == 200, body
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def test_default_graph_is_the_union(server, published):
    graphs = published.graphs
    assert count(server, COUNT) >= published.triples > max(graphs.values())
    assert count(server, COUNT_GRAPHS) == len(graphs)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_default_graph_uri_replaces_the_union(server, published, method):
    territoires, sources = BASE + "graph/territoires", BASE + "graph/sources"
    graphs = published.graphs
    assert count(server, COUNT, method, **{"default-graph-uri": territoires}) == graphs[territoires]
    both = count(server, COUNT, method, **{"default-graph-uri": [territoires, sources]})
    assert both == graphs[territoires] + graphs[sources]
    # No named-graph-uri: the protocol's dataset then has no named graph.
    assert count(server, COUNT_GRAPHS, method, **{"default-graph-uri": territoires}) == 0


def test_named_graph_uri(server, published):
    territoires, sources = BASE + "graph/territoires", BASE + "graph/sources"
    assert count(server, COUNT_GRAPHS, **{"named-graph-uri": [territoires, sources]}) == 2
    # Only named graphs given: the default graph is empty.
    assert count(server, COUNT, **{"named-graph-uri": territoires}) == 0


def test_from_in_the_query_is_honoured_and_the_protocol_wins(server, published):
    territoires, sources = BASE + "graph/territoires", BASE + "graph/sources"
    from_sources = f"SELECT (COUNT(*) AS ?n) FROM <{sources}> WHERE {{ ?s ?p ?o }}"
    assert count(server, from_sources) == published.graphs[sources]
    assert count(server, from_sources, **{"default-graph-uri": territoires}) == \
        published.graphs[territoires]


# ---- content negotiation -----------------------------------------------------------------------

SELECT, ASK, CONSTRUCT = SIREN_QUERY, "ASK {}", CONSTRUCT_QUERY
JSON_RESULTS, XML_RESULTS = "application/sparql-results+json", "application/sparql-results+xml"


@pytest.mark.parametrize("query, accept, expected", [
    (SELECT, None, JSON_RESULTS),
    (SELECT, "*/*", JSON_RESULTS),
    (SELECT, BROWSER, JSON_RESULTS),
    (SELECT, "application/json", JSON_RESULTS),
    (SELECT, "application/sparql-results+xml", XML_RESULTS),
    (SELECT, "text/csv;q=0.5, text/tab-separated-values", "text/tab-separated-values"),
    (SELECT, "application/sparql-results+json;q=0, */*;q=0.1", XML_RESULTS),
    (SELECT, "text/*", "text/csv"),
    (SELECT, "text/turtle, application/sparql-results+xml;q=0.2", XML_RESULTS),
    (ASK, "text/csv", "text/csv"),
    (CONSTRUCT, None, "text/turtle"),
    (CONSTRUCT, "*/*", "text/turtle"),
    (CONSTRUCT, BROWSER, "text/turtle"),
    (CONSTRUCT, "application/ld+json", "application/ld+json"),
    (CONSTRUCT, "application/rdf+xml;q=0.9, application/n-triples", "application/n-triples"),
    (CONSTRUCT, "text/turtle;q=0.1, application/sparql-results+json", "text/turtle"),
    (SELECT, "image/png", 406),
    (SELECT, "text/turtle", 406),
    (CONSTRUCT, "application/sparql-results+json, text/csv", 406),
    (ASK, "application/n-triples", 406),
])
def test_negotiation(server, query, accept, expected):
    status, headers, body = get(server, {"Accept": accept} if accept else {}, query=query)
    if expected == 406:
        assert status == 406
        assert b"cannot be given as" in body and b"available:" in body
    else:
        assert status == 200 and content_type(headers) == expected
        assert "Accept" in headers.get("Vary", "")


@pytest.mark.parametrize("query, fmt, expected", [
    (SELECT, "csv", "text/csv"),
    (SELECT, "tsv", "text/tab-separated-values"),
    (SELECT, "xml", XML_RESULTS),
    (SELECT, "json", JSON_RESULTS),
    (SELECT, "application/sparql-results+xml", XML_RESULTS),
    (CONSTRUCT, "json", "application/ld+json"),
    (CONSTRUCT, "xml", "application/rdf+xml"),
    (CONSTRUCT, "ttl", "text/turtle"),
    (CONSTRUCT, "nt", "application/n-triples"),
    (CONSTRUCT, "jsonld", "application/ld+json"),
    (CONSTRUCT, "rdfxml", "application/rdf+xml"),
    (CONSTRUCT, "nq", "application/n-quads"),
    (CONSTRUCT, "trig", "application/trig"),
    (CONSTRUCT, "application/n-quads", "application/n-quads"),
])
def test_format_parameter_overrides_accept(server, query, fmt, expected):
    status, headers, _ = get(server, {"Accept": "application/sparql-results+json, text/turtle"},
                             query=query, format=fmt)
    assert status == 200 and content_type(headers) == expected


def test_format_parameter_errors(server):
    status, _, body = get(server, query=SELECT, format="png")
    assert status == 400 and b"unknown format 'png'" in body
    status, _, body = get(server, query=SELECT, format="image/png")
    assert status == 406


# ---- service description -----------------------------------------------------------------------


@pytest.mark.parametrize("accept, rdflib_format, expected", [
    (None, "turtle", "text/turtle"),
    ("*/*", "turtle", "text/turtle"),
    ("application/ld+json", "json-ld", "application/ld+json"),
    ("application/rdf+xml", "xml", "application/rdf+xml"),
    ("application/n-triples", "nt", "application/n-triples"),
])
def test_service_description(server, published, accept, rdflib_format, expected):
    status, headers, body = fetch(server + "sparql", headers={"Accept": accept} if accept else {})
    assert status == 200 and content_type(headers) == expected
    graph = Graph().parse(data=body, format=rdflib_format)
    # The endpoint the client reached, not the canonical base (where it may not be served).
    service = graph.value(predicate=SD.endpoint, object=URIRef(server + "sparql"))
    assert service is not None
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (service, SD.feature, SD.UnionDefaultGraph) in graph
    formats = {str(f).rsplit("/", 1)[1] for f in graph.objects(service, SD.resultFormat)}
    assert formats == {"SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                       "SPARQL_Results_TSV", "Turtle", "N-Triples", "JSON-LD", "RDF_XML",
                       "N-Quads", "TriG"}
    comments = " ".join(graph.objects(service, URIRef("http://www.w3.org/2000/01/rdf-schema#comment")))
    assert "30 s per query" in comments and "read-only" in comments.lower()
    dataset = graph.value(service, SD.defaultDataset)
    default = graph.value(dataset, SD.defaultGraph)
    assert graph.value(default, VOID.triples).toPython() == published.triples
    named = {str(graph.value(n, SD.name)): graph.value(graph.value(n, SD.graph), VOID.triples)
             .toPython() for n in graph.objects(dataset, SD.namedGraph)}
    assert named == published.graphs


def test_a_browser_gets_the_query_editor(server):
    """A browser at /sparql sees the editor (as at /requete), not the service description; the
    answer varies with Accept, so no cache gives one to the other."""
    status, headers, body = fetch(server + "sparql", headers={"Accept": BROWSER})
    assert status == 200 and content_type(headers) == "text/html"
    assert b'id="editeur"' in body and b"yasgui.min.js" in body
    assert "accept" in [v.strip().lower() for v in headers.get("Vary", "").split(",")]
    status, headers, _ = fetch(server + "sparql?format=turtle", headers={"Accept": BROWSER})
    assert status == 200 and content_type(headers) == "text/turtle"


def test_service_description_not_acceptable(server):
    status, _, body = fetch(server + "sparql", headers={"Accept": "image/png"})
    assert status == 406 and b"text/turtle" in body


# ---- errors ------------------------------------------------------------------------------------


def post(server: str, body: bytes, content_type_: str, path: str = "sparql"):
    return fetch(server + path, method="POST", data=body, headers={"Content-Type": content_type_})


def form(**params) -> bytes:
    return urllib.parse.urlencode(params, doseq=True).encode()


@pytest.mark.parametrize("make, status, message", [
    (lambda s: get(s, query="SELEC * WHERE { ?s ?p ?o }"), 400, "SPARQL syntax error: error at 1:"),
    (lambda s: get(s, query="SELECT * WHERE { ?s ?p ?o"), 400, "SPARQL syntax error"),
    (lambda s: get(s, query=[SELECT, SELECT]), 400, "one query per request"),
    (lambda s: get(s, query=SELECT, update="DROP ALL"), 400, "either 'query' or 'update'"),
    (lambda s: get(s, query=SELECT, **{"default-graph-uri": "not an iri"}), 400,
     "must be an absolute IRI"),
    (lambda s: post(s, form(format="json"), "application/x-www-form-urlencoded"), 400,
     "missing 'query'"),
    (lambda s: post(s, b"\xff\xfe", "application/sparql-query"), 400, "not valid utf-8"),
    (lambda s: post(s, SELECT.encode(), "text/plain"), 415, "application/sparql-query"),
    (lambda s: post(s, SELECT.encode(), "application/json"), 415, "cannot read a POST body"),
    (lambda s: post(s, form(query="SELECT * {} #" + "x" * 100_000),
                    "application/x-www-form-urlencoded"), 413, "the limit is 100,000"),
    (lambda s: post(s, b"query=" + b"x" * 1_000_001, "application/x-www-form-urlencoded"), 413,
     "1,000,000-byte limit"),
    (lambda s: post(s, b"x" * 1_000_001, "application/sparql-query"), 413, "1,000,000-byte limit"),
])
def test_bad_requests(server, make, status, message):
    got, headers, body = make(server)
    assert got == status, body
    assert message.lower() in body.decode().lower()
    assert headers.get("Access-Control-Allow-Origin") == "*"


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods(server, method):
    status, headers, body = fetch(server + "sparql", method=method, data=b"",
                                  headers={"Content-Type": "application/sparql-query"})
    assert status == 405
    assert {"GET", "POST"} <= {m.strip() for m in headers["Allow"].split(",")}


def test_error_messages_follow_accept(server):
    status, headers, body = get(server, {"Accept": "application/json"}, query="SELEC")
    assert status == 400 and content_type(headers) == "application/json"
    assert json.loads(body)["error"].startswith("SPARQL syntax error")


# ---- CORS --------------------------------------------------------------------------------------


def test_cors_on_answers(server):
    status, headers, _ = get(server, {"Origin": "https://example.org"}, query=ASK)
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"


def test_cors_preflight(server):
    status, headers, _ = fetch(server + "sparql", method="OPTIONS", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Content-Type"})
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in headers["Access-Control-Allow-Methods"]
    assert "content-type" in headers["Access-Control-Allow-Headers"].lower()
