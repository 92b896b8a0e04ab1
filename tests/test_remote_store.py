"""Remote-store mode: a real Oxigraph server (started here, on a fresh location), the session build
loaded into it by `territoires publish --to`, and `territoires serve --store URL` in front of it.
Then the embedded mode's HTTP tests run again, unchanged, against that front end: this module's
`server` fixture shadows conftest's for every test imported below."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pyoxigraph as ox
import pytest

from territoires.store.sparql_client import SparqlClient
from territoires.store import Manifest
from territoires.store.remote import (REFRESH_SECONDS, publication_graph, publication_triples,
    shapes_graph, validation_graph)

from . import test_linked_data, test_metadata, test_pages, test_sparql_protocol
from .conftest import BASE, free_port, start_server, wait_until_served
from .test_linked_data import fetch

# Tests that do not run against the server, or cannot apply to a remote store.
NOT_REMOTE = {"test_markup_in_literals_is_escaped", "markup_app"}


def _import_tests(*modules) -> None:
    """Bind every test function and fixture of `modules` here, so that pytest collects them in
    this module and resolves their `server` to ours."""
    for module in modules:
        for name, value in vars(module).items():
            if name in NOT_REMOTE or not callable(value):
                continue
            if name.startswith("test_") or hasattr(value, "_pytestfixturefunction") or \
                    type(value).__name__ == "FixtureFunctionDefinition":
                globals()[name] = value


_import_tests(test_linked_data, test_pages, test_metadata, test_sparql_protocol)


def sparql(url: str, query: str, **params) -> dict:
    data = urllib.parse.urlencode({"query": query, **params}, doseq=True).encode()
    request = urllib.request.Request(url, data=data, headers={
        "Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    """`oxigraph serve` on a fresh location and a free loopback port: (query URL, GSP URL)."""
    location = tmp_path_factory.mktemp("oxigraph")
    port = free_port()
    process = subprocess.Popen(
        [shutil.which("oxigraph", path=os.path.dirname(sys.executable)) or "oxigraph", "serve",
         "--location", str(location), "--bind", f"127.0.0.1:{port}", "--timeout-s", "20"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    root = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 30
    while True:
        try:
            sparql(root + "query", "ASK {}")
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"oxigraph did not start: {process.stderr.read()}")
            time.sleep(0.2)
    yield root + "query", root + "store"
    process.terminate()
    process.wait(timeout=10)


def publish(settings, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "territoires.cli", "--output-dir", str(settings.output_dir),
         "--quiet", "publish", *args],
        env={**os.environ, "TERRITOIRES_BASE_URI": settings.base_uri},
        capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def loaded(oxigraph, published, settings):
    """The session build, published into the Oxigraph store with the real command."""
    _, gsp = oxigraph
    done = publish(settings, "--to", gsp)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == published.version
    return oxigraph


@pytest.fixture(scope="module")
def server(loaded, settings):
    """`territoires serve --store URL` (gunicorn, 2 workers) in front of the Oxigraph store."""
    process, url = start_server(settings, "--store", loaded[0], "--workers", "2")
    yield url
    process.terminate()
    process.wait(timeout=10)


# ---- publication -----------------------------------------------------------------------------


def test_publish_loads_every_graph_with_the_manifest_counts(loaded, published, settings):
    query_url, _ = loaded
    rows = sparql(query_url, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } "
                             "GROUP BY ?g")["results"]["bindings"]
    counts = {row["g"]["value"]: int(row["n"]["value"]) for row in rows}
    publication = counts.pop(publication_graph(BASE))
    shapes = counts.pop(shapes_graph(BASE))
    report = counts.pop(validation_graph(BASE))
    assert counts == published.graphs
    assert publication == 4
    assert shapes == len((settings.current_build / "shapes.nt").read_bytes().splitlines())
    assert report == len((settings.current_build / "validation.nt").read_bytes().splitlines())


def test_publication_graph_holds_the_manifest(loaded, published):
    graph = publication_graph(BASE)
    rows = sparql(loaded[0], f"SELECT ?o WHERE {{ GRAPH <{graph}> {{ <{graph}> "
                             "<http://www.w3.org/1999/02/22-rdf-syntax-ns#value> ?o } }")
    manifest = json.loads(rows["results"]["bindings"][0]["o"]["value"])
    assert manifest["version"] == published.version
    assert manifest["graphs"] == published.graphs


def test_publishing_again_replaces_each_graph(loaded, published, settings):
    """A second publication of the same build leaves the same counts (PUT replaces)."""
    done = publish(settings, "--to", loaded[1], "--query-url", loaded[0])
    assert done.returncode == 0, done.stderr
    test_publish_loads_every_graph_with_the_manifest_counts(loaded, published, settings)


def test_publish_to_nowhere_fails_clearly(settings):
    done = publish(settings, "--to", f"http://127.0.0.1:{free_port()}/store")
    assert done.returncode == 1 and "unreachable" in done.stderr


# ---- the front end ---------------------------------------------------------------------------


def test_the_publication_graph_is_not_in_the_served_dataset(server):
    graph = publication_graph(BASE)
    status, _, body = fetch(server, "/sparql?" + urllib.parse.urlencode(
        {"query": f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"}))
    assert status == 200 and json.loads(body)["boolean"] is False


def test_the_validation_report_is_served_from_the_store(server, published, settings):
    from rdflib import Graph
    from rdflib.compare import isomorphic

    status, _, body = fetch(server, "/validation", Accept="text/turtle")
    assert status == 200
    stored = Graph().parse(settings.current_build / published.validation, format="nt")
    assert isomorphic(Graph().parse(data=body, format="turtle"), stored)


def test_the_served_version_is_the_published_one(server, published):
    status, _, body = fetch(server, "/dump/", Accept="application/json")
    assert status == 200 and json.loads(body)["version"] == published.version


def test_a_front_end_without_the_build_files_says_so_for_dumps(loaded, published, tmp_path):
    """A front end on another machine (no local build) serves everything but the dumps."""
    from territoires.config import Settings

    elsewhere = Settings(base_uri=BASE, output_dir=tmp_path / "empty")
    process, url = start_server(elsewhere, "--store", loaded[0], "--workers", "1")
    try:
        name = published.dumps["nq"]["file"].rsplit("/", 1)[1]
        status, _, body = fetch(url, f"/dump/{name}", Accept="text/plain")
        assert status == 404 and b"remote store" in body
        assert fetch(url, "/doc/epci/242500361", Accept="text/turtle")[0] == 200
        assert fetch(url, "/catalogue", Accept="text/turtle")[0] == 200
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_serve_refuses_to_start_on_an_unreachable_store(settings):
    dead = f"http://127.0.0.1:{free_port()}/query"
    process = subprocess.run(
        [sys.executable, "-m", "territoires.cli", "--output-dir", str(settings.output_dir),
         "serve", "--store", dead, "--port", str(free_port())],
        env={**os.environ, "TERRITOIRES_BASE_URI": settings.base_uri},
        capture_output=True, text=True, timeout=60)
    assert process.returncode == 1 and "unreachable" in process.stderr


def test_a_result_over_the_cap_is_never_a_truncated_200(loaded, settings):
    process, url = start_server(settings, "--store", loaded[0], "--workers", "1",
                                env={"TERRITOIRES_MAX_RESULT_BYTES": "10000"})
    try:
        query = "SELECT * WHERE { ?s ?p ?o } LIMIT 5000"
        status, headers, body = fetch(url, "/sparql?" + urllib.parse.urlencode({"query": query}))
        assert status == 422 and b"10,000-byte limit" in body
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_slow_query_times_out_with_503(loaded, settings):
    process, url = start_server(settings, "--store", loaded[0], "--workers", "1",
                                "--query-timeout", "1")
    try:
        query = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"
        started = time.monotonic()
        status, _, body = fetch(url, "/sparql?" + urllib.parse.urlencode({"query": query}))
        assert status == 503 and b"1 s timeout" in body
        assert time.monotonic() - started < 5
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_front_end_follows_the_publication_graph(server, loaded, published):
    """A new publication graph is a new version within REFRESH_SECONDS: the cached answers of the
    old version are not served for it. (Last in this module: it restores the graph after.)"""
    query_url, gsp = loaded
    graph = publication_graph(BASE)
    rows = sparql(query_url, f"SELECT ?o WHERE {{ GRAPH <{graph}> {{ <{graph}> "
                             "<http://www.w3.org/1999/02/22-rdf-syntax-ns#value> ?o } }")
    manifest = json.loads(rows["results"]["bindings"][0]["o"]["value"])
    count = "/sparql?" + urllib.parse.urlencode({"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"})
    for _ in range(4):  # cached in both workers
        assert fetch(server, count)[0] == 200

    def publish_version(version: str) -> None:
        triples = publication_triples(Manifest(**{**manifest, "version": version}))
        SparqlClient(gsp).put_graph(graph, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))
        time.sleep(REFRESH_SECONDS)
        wait_until_served(server, version)

    publish_version("0000000000000000")
    try:
        status, _, body = fetch(server, "/dump/", Accept="application/json")
        assert json.loads(body)["version"] == "0000000000000000"
        status, headers, _ = fetch(server, count)
        assert status == 200 and headers["X-Cache"] == "miss"
    finally:
        publish_version(published.version)
    status, _, body = fetch(server, "/dump/", Accept="application/json")
    assert json.loads(body)["version"] == published.version
