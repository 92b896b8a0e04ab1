"""Dereferenceable URIs on the real server: 303 from /id/, the content-negotiation matrix of
/doc/ (Accept, extensions, q-values, 404 and 406), validators and HEAD, what a document holds,
and that no path under /doc/ or /dump/ reaches a file."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import FOAF, ORG, RDF, RDFS, SKOS

from territoires.store.describe import INCOMING_LIMIT

from .conftest import BASE

TERRITORY = "territoire/alliances-luxe-precision-doubs"
EPCI = {"242500361", "200068070", "242504116", "242504355", "200023075", "242504181"}
RDFLIB = {"text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld",
          "application/rdf+xml": "xml", "application/n-quads": "nquads", "application/trig": "trig"}
EXTENSIONS = {"ttl": "text/turtle", "nt": "application/n-triples", "jsonld": "application/ld+json",
              "rdf": "application/rdf+xml", "nq": "application/n-quads", "trig": "application/trig",
              "html": "text/html"}
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def fetch(server: str, path: str, method: str = "GET", **headers):
    """(status, headers, body) of one request, redirects not followed; `path` is sent as is."""
    parts = urlsplit(server)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request(method, path, headers={k.replace("_", "-"): v for k, v in headers.items()})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def parse_quads(body: bytes, media_type: str) -> Dataset:
    dataset = Dataset()
    dataset.parse(data=body, format=RDFLIB[media_type], publicID=BASE)
    return dataset


def parse(body: bytes, media_type: str) -> Graph:
    """Every triple of the body, whatever graph a quad format put it in."""
    graph = Graph()
    for s, p, o, _ in parse_quads(body, media_type).quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


def media_type(headers) -> str:
    return headers["Content-Type"].split(";")[0].strip()


# --- /id/ → 303 -------------------------------------------------------------------------------

@pytest.mark.parametrize("accept", [None, "text/html", "text/turtle", "image/png"])
def test_thing_redirects_to_its_document(server, accept):
    headers = {"Accept": accept} if accept else {}
    status, headers, _ = fetch(server, f"/id/{TERRITORY}", **headers)
    assert status == 303
    assert headers["Location"] == f"{server}doc/{TERRITORY}"
    assert f'<{server}doc/{TERRITORY}>; rel="describedby"' in headers["Link"]


def test_thing_redirect_drops_the_query_string(server):
    status, headers, _ = fetch(server, f"/id/{TERRITORY}?x=1")
    assert status == 303 and headers["Location"] == f"{server}doc/{TERRITORY}"


def test_unknown_thing_is_404(server):
    assert fetch(server, "/id/territoire/nulle-part")[0] == 404
    assert fetch(server, "/id/territoire/%3E%20%7D")[0] == 404  # not even an IRI


def test_head_on_thing(server):
    status, headers, body = fetch(server, f"/id/{TERRITORY}", "HEAD")
    assert status == 303 and headers["Location"] and body == b""


# --- /doc/: negotiation -----------------------------------------------------------------------

@pytest.mark.parametrize("accept,expected", [
    ("text/turtle", "text/turtle"),
    ("application/n-triples", "application/n-triples"),
    ("application/ld+json", "application/ld+json"),
    ("application/rdf+xml", "application/rdf+xml"),
    ("application/n-quads", "application/n-quads"),
    ("application/trig", "application/trig"),
    ("text/html", "text/html"),
    (BROWSER, "text/html"),
    ("*/*", "text/turtle"),
    (None, "text/turtle"),
    ("application/rdf+xml;q=0.5, text/turtle;q=0.9", "text/turtle"),
    ("text/turtle;q=0.1, application/n-triples", "application/n-triples"),
    ("text/html;q=0.2, application/ld+json;q=0.8, */*;q=0.1", "application/ld+json"),
    ("image/png, application/trig;q=0.3", "application/trig"),
])
def test_document_negotiation(server, accept, expected):
    headers = {"Accept": accept} if accept else {}
    status, headers, body = fetch(server, f"/doc/{TERRITORY}", **headers)
    assert status == 200
    assert media_type(headers) == expected
    assert "Accept" in headers["Vary"]
    ext = {v: k for k, v in EXTENSIONS.items()}[expected]
    assert headers["Content-Location"] == f"{server}doc/{TERRITORY}.{ext}"
    assert headers["ETag"]
    if expected == "text/html":
        assert b"Alliances Luxe &amp; Pr\xc3\xa9cision, Doubs" in body
    else:
        assert (URIRef(f"{BASE}id/{TERRITORY}"), RDF.type, None) in parse(body, expected)


@pytest.mark.parametrize("ext", sorted(EXTENSIONS))
def test_document_extensions(server, ext):
    status, headers, body = fetch(server, f"/doc/{TERRITORY}.{ext}", Accept="text/html")
    assert status == 200
    assert media_type(headers) == EXTENSIONS[ext]
    assert "Content-Location" not in headers
    if ext != "html":
        assert len(parse(body, EXTENSIONS[ext])) > 50


@pytest.mark.parametrize("accept", ["image/png", "application/pdf", "text/csv"])
def test_unproducible_type_is_406(server, accept):
    status, headers, _ = fetch(server, f"/doc/{TERRITORY}", Accept=accept)
    assert status == 406
    assert "Accept" in headers["Vary"]


@pytest.mark.parametrize("accept", ["text/turtle", "application/ld+json", "application/n-triples",
                                    "text/html", "application/rdf+xml"])
def test_unknown_document_is_404_in_the_asked_format(server, accept):
    status, headers, body = fetch(server, "/doc/territoire/nulle-part", Accept=accept)
    assert status == 404
    assert media_type(headers) == accept
    if accept == "text/html":
        assert b"<h1>" in body
    else:
        assert len(parse(body, accept)) == 0


def test_unknown_extension_document_is_404(server):
    assert fetch(server, "/doc/territoire/nulle-part.ttl")[0] == 404


def test_link_header_lists_alternates_and_canonical(server):
    _, headers, _ = fetch(server, f"/doc/{TERRITORY}", Accept="text/turtle")
    link = headers["Link"]
    for ext, media in EXTENSIONS.items():
        assert f'<{server}doc/{TERRITORY}.{ext}>; rel="alternate"; type="{media}"' in link
    assert f'<{server}doc/{TERRITORY}>; rel="canonical"' in link
    assert f'<{server}id/{TERRITORY}>; rel="describes"' in link


def test_etag_and_304(server):
    _, headers, _ = fetch(server, f"/doc/{TERRITORY}", Accept="text/turtle")
    tag = headers["ETag"]
    status, headers304, body = fetch(server, f"/doc/{TERRITORY}", Accept="text/turtle",
                                     If_None_Match=tag)
    assert status == 304 and body == b"" and headers304["ETag"] == tag
    _, other, _ = fetch(server, f"/doc/{TERRITORY}", Accept="application/n-triples")
    assert other["ETag"] != tag
    assert fetch(server, f"/doc/{TERRITORY}.ttl", If_None_Match=tag)[0] == 304
    assert fetch(server, f"/doc/{TERRITORY}", Accept="text/turtle",
                 If_None_Match='"autre"')[0] == 200


def test_head_on_document(server):
    status, head, body = fetch(server, f"/doc/{TERRITORY}", "HEAD", Accept="text/turtle")
    _, get, full = fetch(server, f"/doc/{TERRITORY}", Accept="text/turtle")
    assert status == 200 and body == b""
    assert head["ETag"] == get["ETag"] and int(head["Content-Length"]) == len(full)


# --- what a document holds --------------------------------------------------------------------

@pytest.fixture(scope="module")
def territory_quads(server) -> Dataset:
    _, _, body = fetch(server, f"/doc/{TERRITORY}.nq")
    return parse_quads(body, "application/n-quads")


@pytest.fixture(scope="module")
def territory(server) -> Graph:
    _, _, body = fetch(server, f"/doc/{TERRITORY}.ttl")
    return parse(body, "text/turtle")


def test_document_holds_the_epci_with_labels(territory):
    graph = territory
    territory = URIRef(f"{BASE}id/{TERRITORY}")
    members = {str(o).rsplit("/", 1)[-1] for o in graph.objects(territory, ORG.hasMember)}
    assert members == EPCI
    for siren in EPCI:
        assert graph.value(URIRef(f"{BASE}id/epci/{siren}"), SKOS.prefLabel) is not None


def test_document_holds_memberships_and_their_intervals(territory):
    membership = URIRef(f"{BASE}id/{TERRITORY}#membre-242500361")
    assert territory.value(membership, ORG.member) == URIRef(f"{BASE}id/epci/242500361")
    assert territory.value(membership, ORG.role) is not None
    period = territory.value(URIRef(f"{BASE}id/{TERRITORY}"),
                                   URIRef(f"{BASE}def/territoires#periodeLabellisation"))
    assert period is not None and str(period).startswith(f"{BASE}id/{TERRITORY}#")
    beginning = territory.value(period, URIRef("http://www.w3.org/2006/time#hasBeginning"))
    assert beginning is not None and len(list(territory.predicate_objects(beginning))) > 0


def test_document_holds_incoming_links(territory):
    plans = set(territory.subjects(URIRef(f"{BASE}def/territoires#territoire"),
                                         URIRef(f"{BASE}id/{TERRITORY}")))
    assert URIRef(f"{BASE}id/plan/alliances-luxe-precision-doubs-grand-besancon") in plans


def test_quads_carry_the_source_graph(territory_quads):
    graphs = {str(c.identifier) for c in territory_quads.contexts()}
    assert {f"{BASE}graph/territoires", f"{BASE}graph/article-grand-besancon"} <= graphs
    in_territoires = territory_quads.graph(URIRef(f"{BASE}graph/territoires"))
    assert (URIRef(f"{BASE}id/{TERRITORY}"), ORG.hasMember,
            URIRef(f"{BASE}id/epci/242500361")) in in_territoires


def test_rdf_keeps_canonical_iris_html_links_follow_the_host(server):
    _, _, turtle = fetch(server, f"/doc/{TERRITORY}.ttl")
    assert server.encode() not in turtle and BASE.encode() in turtle
    _, _, html = fetch(server, f"/doc/{TERRITORY}.html")
    assert f'href="{server}id/epci/242500361"'.encode() in html
    assert f'href="{BASE}'.encode() not in html


def test_incoming_links_are_bounded_with_a_query_for_the_rest(server):
    _, _, body = fetch(server, "/doc/region/27.ttl")
    graph = parse(body, "text/turtle")
    region = URIRef(f"{BASE}id/region/27")
    document = URIRef(f"{BASE}doc/region/27")
    incoming = {(s, p) for s, p in graph.subject_predicates(region) if s != document}
    assert len(incoming) == INCOMING_LIMIT
    assert (document, FOAF.primaryTopic, region) in graph
    (rest,) = graph.objects(document, RDFS.seeAlso)
    assert str(rest).startswith(f"{BASE}sparql?query=")
    _, _, html = fetch(server, "/doc/region/27.html")
    assert f'{server}requete?query='.encode() in html


def test_html_shows_sources_types_and_outward_links(server):
    _, _, html = fetch(server, "/doc/epci/242500361.html")
    text = html.decode()
    assert "Grand Besançon Métropole" in text
    assert f'href="{server}graph/cog"' in text                       # source graph of each triple
    assert 'rel="external"' in text and "annuaire-entreprises.data.gouv.fr" in text
    assert f'href="{server}sparql?query=' in text                    # the page as a query
    for ext in EXTENSIONS:
        assert f'href="{server}doc/epci/242500361.{ext}"' in text


def test_document_of_a_person_and_its_labelled_neighbours(server):
    _, _, body = fetch(server, "/doc/personne/cedric-bole.ttl")
    graph = parse(body, "text/turtle")
    person = URIRef(f"{BASE}id/personne/cedric-bole")
    assert graph.value(person, FOAF.name) is not None


# --- ontology, concepts, shapes, graphs -------------------------------------------------------

def test_ontology_dereferences(server):
    status, headers, body = fetch(server, "/def/territoires", Accept="text/turtle")
    assert status == 200 and "Accept" in headers["Vary"]
    graph = parse(body, "text/turtle")
    epci = URIRef(f"{BASE}def/territoires#EPCI")
    labels = {l.language for l in graph.objects(epci, RDFS.label)}
    assert {"fr", "en"} <= labels
    status, headers, html = fetch(server, "/def/territoires", Accept=BROWSER)
    assert media_type(headers) == "text/html" and b'id="EPCI"' in html
    assert "définition".encode() in html or b"EPCI" in html


def test_concept_dereferences(server):
    status, _, body = fetch(server, "/def/role/membre.ttl")
    assert status == 200
    graph = parse(body, "text/turtle")
    assert (URIRef(f"{BASE}def/role/membre"), SKOS.prefLabel, None) in graph


def test_shapes_dereference(server):
    status, _, body = fetch(server, "/shapes/territoires.ttl")
    assert status == 200
    graph = parse(body, "text/turtle")
    assert (URIRef(f"{BASE}shapes/territoires#SirenFormat"), RDF.type,
            URIRef("http://www.w3.org/ns/shacl#PropertyShape")) in graph
    status, _, html = fetch(server, "/shapes/territoires", Accept="text/html")
    assert status == 200 and b'id="SirenFormat"' in html
    assert fetch(server, "/shapes/autre", Accept="text/turtle")[0] == 404


def test_graph_description_dereferences(server):
    status, _, body = fetch(server, "/graph/cog.ttl")
    assert status == 200
    graph = parse(body, "text/turtle")
    assert (URIRef(f"{BASE}graph/cog"), None, None) in graph


# --- nothing outside the build ----------------------------------------------------------------

ESCAPES = [
    "/doc/../build.json", "/doc/%2e%2e/build.json", "/doc/%2e%2e%2f%2e%2e%2fbuild.json",
    "/doc/..%2F..%2Fpyproject.toml", "/doc//etc/passwd", "/doc/%2Fetc%2Fpasswd",
    "/doc/territoire/../../build.json.ttl", "/dump/../build.json", "/dump/%2e%2e/build.json",
    "/dump/%2e%2e%2fbuild.json", "/dump/..%2F..%2Fbuild.json", "/dump//etc/passwd",
    "/dump/%2Fetc%2Fpasswd", "/dump/store", "/dump/.", "/dump/..", "/dump/%2e%2e",
    "/dump/territoires.nq.gz/..%2f..%2fbuild.json", "/dump/~", "/dump/build.json",
    "/dump/territoires.nq.gz%00.json", "/shapes/..%2f..%2fpyproject.toml",
    "/def/..%2f..%2fbuild.json", "/static/..%2f..%2fconfig.py", "/static/%2e%2e/__init__.py",
]


@pytest.mark.parametrize("path", ESCAPES)
def test_no_path_escapes_the_build(server, path):
    status, _, body = fetch(server, path, Accept="*/*")
    assert status in (301, 303, 308, 400, 404), (status, body[:200])
    for secret in (b'"base_uri"', b"root:", b"[build-system]", b"def create_app", b"Settings"):
        assert secret not in body
