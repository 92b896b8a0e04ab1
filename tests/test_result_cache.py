"""The /sparql result cache, through a real one-worker server (one worker: one cache): a repeated
query is a hit, another format or another query a miss, errors are never cached, and after a
rebuild with a change the same query text gives the new answer."""

from __future__ import annotations

import json

import pytest

from territoires.build.pipeline import build

from .conftest import (BASE, copy_with_extra_source, organisation_turtle, serve_copy,
                       wait_until_served)
from .test_sparql_protocol import get

LABEL = ("SELECT ?label WHERE { <%sid/organisation/essai> "
         "<http://www.w3.org/2004/02/skos/core#prefLabel> ?label }" % BASE)
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

DATA = organisation_turtle("Essai")


@pytest.fixture(scope="module")
def private(published, settings, tmp_path_factory):
    """A server of its own (one worker) on a copy of the session build, in an output directory
    that the test may rebuild into."""
    root = tmp_path_factory.mktemp("cache")
    private_settings, process, url = serve_copy(settings, root, "--workers", "1")
    yield root, private_settings, url
    process.terminate()
    process.wait(timeout=10)


def ask(url: str, query: str, **params) -> tuple[int, str, bytes]:
    status, headers, body = get(url, query=query, **params)
    return status, headers.get("X-Cache", ""), body


def test_repeated_query_is_a_hit_other_formats_and_queries_miss(private):
    _, _, url = private
    first = ask(url, COUNT)
    assert first[:2] == (200, "miss")
    again = ask(url, COUNT)
    assert again[:2] == (200, "hit") and again[2] == first[2]
    assert ask(url, COUNT, format="xml")[:2] == (200, "miss")
    assert ask(url, COUNT, format="xml")[:2] == (200, "hit")
    other = ask(url, COUNT + " LIMIT 1")
    assert other[:2] == (200, "miss")
    dataset = ask(url, COUNT, **{"default-graph-uri": BASE + "graph/sources"})
    assert dataset[1] == "miss" and dataset[2] != first[2]


def test_errors_are_never_cached(private):
    _, _, url = private
    for _ in range(2):
        status, cache, _ = ask(url, "SELEC * WHERE { ?s ?p ?o }")
        assert status == 400 and cache == ""


def test_a_rebuild_is_never_answered_from_the_cache(private, settings):
    root, private_settings, url = private
    status, _, before = ask(url, LABEL)
    assert status == 200 and json.loads(before)["results"]["bindings"] == []
    assert ask(url, LABEL)[1] == "hit"
    copy_with_extra_source(settings, root, "essai", "Essai de cache", DATA)
    wait_until_served(url, build(private_settings).version)
    status, cache, after = ask(url, LABEL)
    assert status == 200 and cache == "miss"
    assert [b["label"]["value"] for b in json.loads(after)["results"]["bindings"]] == ["Essai"]
    assert ask(url, LABEL)[1] == "hit"
