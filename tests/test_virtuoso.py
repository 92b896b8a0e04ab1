"""Remote-store mode on Virtuoso 7 (Debian's `virtuoso-opensource`): a Virtuoso of the test's own
(a fresh database in a temporary directory, free loopback ports, stopped at the end), the
session build loaded into it by `territoires publish` through its Graph Store Protocol endpoint
with digest authentication, and `territoires serve --store` in front of it. The embedded mode's
HTTP tests then run again, unchanged, through it (this module's `server` fixture shadows
conftest's for every test imported below).

A second Virtuoso, with a small result cap (`ResultSetMaxRows`) and time limit
(`MaxQueryExecutionTime`), shows what the README promises: Virtuoso's silent cut of an answer
at its cap is never passed on as a complete answer, and a query it stops at its time limit is a
timeout."""

from __future__ import annotations

import json
import shutil
import time
import urllib.parse

import pytest

from bench.peers import NotAvailable, start_virtuoso_instance
from territoires.store import Job, StoreUnavailable, TimedOut
from territoires.store.remote import (RemoteStore, publication_graph, read_manifest,
    shapes_graph, store_client, validation_graph)

from . import test_linked_data, test_metadata, test_pages, test_sparql_protocol
from .conftest import BASE, start_server, stop
from .test_linked_data import fetch
from .test_remote_store import NOT_REMOTE, publish, sparql

pytestmark = pytest.mark.server

USER, PASSWORD = "publisher", "s3cret-%:@"       # characters a URL must escape
CAP, TIME_LIMIT = 1000, 2                          # the capped Virtuoso's


# Where Virtuoso departs from SPARQL 1.1 and the front end cannot make up for it: a query's FROM
# is merged with the protocol's default-graph-uri instead of replaced by it (the README says so).
NOT_VIRTUOSO = NOT_REMOTE | {"test_from_in_the_query_is_honoured_and_the_protocol_wins"}


def _import_tests(*modules) -> None:
    """Bind every test function and fixture of `modules` here (as test_remote_store does)."""
    for module in modules:
        for name, value in vars(module).items():
            if name in NOT_VIRTUOSO or not callable(value):
                continue
            if name.startswith("test_") or hasattr(value, "_pytestfixturefunction") or \
                    type(value).__name__ == "FixtureFunctionDefinition":
                globals()[name] = value


_import_tests(test_linked_data, test_pages, test_metadata, test_sparql_protocol)


def _virtuoso(work, **limits):
    """A started Virtuoso with a user who may write through the Graph Store Protocol; returns
    (instance, query URL, GSP URL with the credentials)."""
    if not shutil.which("virtuoso-t"):
        pytest.fail("virtuoso-t is missing: apt-get install virtuoso-opensource (.ci/run does)")
    try:
        instance = start_virtuoso_instance(work, **limits)
    except NotAvailable as error:
        pytest.fail(f"Virtuoso did not start: {error}")
    done = instance.isql(
        f"DB.DBA.USER_CREATE('{USER}', '{PASSWORD}'); GRANT SPARQL_UPDATE TO \"{USER}\"; "
        f"DB.DBA.RDF_DEFAULT_USER_PERMS_SET('nobody', 1); "
        f"DB.DBA.RDF_DEFAULT_USER_PERMS_SET('{USER}', 3);")
    assert done.returncode == 0, done.stdout + done.stderr
    root = f"127.0.0.1:{instance.server.port}"
    credentials = f"{USER}:{urllib.parse.quote(PASSWORD, safe='')}"
    return instance, f"http://{root}/sparql", f"http://{credentials}@{root}/sparql-graph-crud-auth"


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    """Virtuoso with the bench's limits (a cap of a million rows, above any answer the front
    end lets through, and 60 s): (query URL, GSP URL)."""
    instance, query_url, gsp = _virtuoso(tmp_path_factory.mktemp("virtuoso"))
    yield query_url, gsp
    instance.server.stop()


@pytest.fixture(scope="module")
def loaded(virtuoso, published, settings):
    """The session build, published into Virtuoso with the real command (digest auth)."""
    query_url, gsp = virtuoso
    done = publish(settings, "--to", gsp, "--query-url", query_url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == published.version
    return virtuoso


@pytest.fixture(scope="module")
def server(loaded, settings):
    """`territoires serve --store URL` (gunicorn, 2 workers) in front of Virtuoso."""
    process, url = start_server(settings, "--store", loaded[0], "--workers", "2")
    yield url
    stop(process)


@pytest.fixture(scope="module")
def capped(tmp_path_factory, published, settings):
    """A Virtuoso that cuts answers at CAP rows and stops queries after TIME_LIMIT s, with the
    build published: the build's store as a front end reads it."""
    instance, query_url, gsp = _virtuoso(tmp_path_factory.mktemp("capped"), max_rows=CAP,
                                         max_seconds=TIME_LIMIT)
    done = publish(settings, "--to", gsp, "--query-url", query_url)
    assert done.returncode == 0, done.stderr
    client = store_client(query_url, BASE)
    yield RemoteStore(client, read_manifest(client, BASE))
    instance.server.stop()


# ---- publication -----------------------------------------------------------------------------


def test_publish_loads_every_graph_with_the_manifest_counts(loaded, published, settings):
    query_url, _ = loaded
    rows = sparql(query_url, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } "
                             "GROUP BY ?g")["results"]["bindings"]
    counts = {row["g"]["value"]: int(row["n"]["value"]) for row in rows
              if row["g"]["value"].startswith(BASE)}    # Virtuoso's own graphs aside
    assert counts.pop(publication_graph(BASE)) == 4
    assert counts.pop(shapes_graph(BASE)) == len(
        (settings.current_build / "shapes.nt").read_bytes().splitlines())
    assert counts.pop(validation_graph(BASE)) == len(
        (settings.current_build / "validation.nt").read_bytes().splitlines())
    assert counts == published.graphs


def test_publishing_needs_the_credentials(loaded, settings):
    """The Graph Store Protocol endpoint asks for a digest: a wrong password is refused, in
    words, and the published version stays."""
    query_url, gsp = loaded
    wrong = gsp.replace(urllib.parse.quote(PASSWORD, safe=""), "wrong")
    done = publish(settings, "--to", wrong, "--query-url", query_url)
    assert done.returncode == 1 and "HTTP 401" in done.stderr, done.stderr
    assert PASSWORD not in done.stderr and "wrong" not in done.stderr   # no credentials shown
    manifest = read_manifest(store_client(query_url), BASE)
    assert manifest is not None


def test_the_served_version_is_the_published_one(server, published):
    status, _, body = fetch(server, "/dump/", Accept="application/json")
    assert status == 200 and json.loads(body)["version"] == published.version


def test_a_slow_query_times_out_with_503(loaded, settings):
    """The front end's deadline, shorter than Virtuoso's: the answer is a 503, in time."""
    process, url = start_server(settings, "--store", loaded[0], "--workers", "1",
                                "--query-timeout", "1")
    try:
        query = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        started = time.monotonic()
        status, _, body = fetch(url, "/sparql?" + urllib.parse.urlencode({"query": query}))
        assert status == 503 and b"1 s timeout" in body
        assert time.monotonic() - started < 5
    finally:
        stop(process)


# ---- Virtuoso's own limits -------------------------------------------------------------------


def _job(query: str) -> Job:
    return Job(query=query, union=True, default_graphs=None, named_graphs=None,
               results_type="application/sparql-results+json", graph_type="text/turtle",
               max_bytes=64 << 20, form="results")


def test_an_answer_cut_at_the_result_cap_is_refused_in_words(capped):
    answer = capped.answer(_job("SELECT * WHERE { ?s ?p ?o }"), timeout=30)
    assert not answer.ok and answer.file is None
    assert answer.outcome.status == "error"
    assert f"cut its answer at {CAP} rows" in answer.outcome.detail
    assert "ResultSetMaxRows" in answer.outcome.detail


def test_an_answer_below_the_cap_is_whole(capped):
    answer = capped.answer(_job("SELECT * WHERE { ?s ?p ?o } LIMIT 10"), timeout=30)
    assert answer.ok
    rows = json.loads(answer.file.read())["results"]["bindings"]
    answer.file.close()
    assert len(rows) == 10


def test_our_own_query_cut_at_the_cap_is_an_error_not_a_short_result(capped):
    """The shapes, read as a front end reads them, are more than CAP triples."""
    with pytest.raises(StoreUnavailable, match=f"cut its answer at {CAP} rows"):
        capped.shapes()


def test_a_query_stopped_at_virtuosos_time_limit_is_a_timeout(capped):
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    started = time.monotonic()
    with pytest.raises(TimedOut):
        capped.answer(_job(query), timeout=30)
    assert time.monotonic() - started < TIME_LIMIT + 10
