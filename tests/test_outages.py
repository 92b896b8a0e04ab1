"""Issue 20's outages 1–3, each as a regression test: the attack is refused or contained, and a
cheap query is answered meanwhile. The guard's bounds and the heaviness estimate are checked
in-process; the memory cap and the lanes against real servers (bounded in time, loopback)."""

from __future__ import annotations

import pytest

from territoires.config import Settings
from territoires.store.local import LocalStore
from territoires.web.sparql import guard

from .hostile.sparql import CARTESIAN_COUNT, FLAT_CHAINS, NESTED_REPLACE

BASE = "https://data.example.fr/"
PROBE = f"ASK {{ <{BASE}id/epci/242500361> ?p ?o }}"


# ---- outage 1: a query's size is bounded, not only its nesting ------------------------------


@pytest.fixture()
def evaluations(monkeypatch) -> list[str]:
    """The queries that reached the store's executors during the test."""
    seen: list[str] = []
    original = LocalStore.answer

    def recorded(self, job, timeout):
        seen.append(job.query)
        return original(self, job, timeout)

    monkeypatch.setattr(LocalStore, "answer", recorded)
    return seen


@pytest.mark.parametrize("name", FLAT_CHAINS)
def test_a_flat_chain_is_refused_naming_its_bound(client, evaluations, name):
    query, bound = FLAT_CHAINS[name]
    response = client.post("/sparql", data=query.encode(),
                           content_type="application/sparql-query")
    text = response.get_data(as_text=True)
    assert response.status_code == 400, text
    limit = {"terms": 20_000, "operators": 1_000, "graph patterns": 500}[bound]
    assert f" {bound}; this endpoint accepts at most {limit:,}" in text, text
    figure = int(text.split("it has ")[1].split(" ")[0].replace(",", ""))
    assert figure > limit
    assert evaluations == []       # refused before any executor saw it
    probe = f"{PROBE} # after {name}"    # not in the result cache
    assert client.get("/sparql", query_string={"query": probe}).status_code == 200
    assert evaluations == [probe]


def test_the_bounds_are_settings():
    query = "SELECT ?x WHERE { BIND(1+1+1+1 AS ?x) }"
    assert guard.inspect(query, 1000, bounds=guard.Bounds(operators=3)).heavy == ""
    with pytest.raises(guard.Refused, match="it has 3 operators; this endpoint accepts at most 2"):
        guard.inspect(query, 1000, bounds=guard.Bounds(operators=2))
    with pytest.raises(ValueError, match="TERRITOIRES_MAX_QUERY_PATTERNS"):
        Settings(max_query_patterns=0)


def test_the_examples_are_within_the_bounds_and_light(settings):
    examples = sorted(settings.examples_dir.rglob("*.rq"))
    assert examples
    for path in examples:
        inspection = guard.inspect(path.read_text(encoding="utf-8"), 100_000)
        assert inspection.heavy == "", (path.name, inspection.heavy)


@pytest.mark.parametrize("query, why", [
    (CARTESIAN_COUNT, "3 triple patterns of variables only"),
    ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", "COUNT over a triple pattern"),
    ("SELECT DISTINCT ?o WHERE { ?s ?p ?o }", "DISTINCT over a triple pattern"),
    (NESTED_REPLACE, "string functions nested 24 deep"),
])
def test_expensive_queries_are_marked_heavy(query, why):
    assert why in guard.inspect(query, 100_000).heavy


@pytest.mark.parametrize("query", [
    PROBE,
    "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 10",          # one pattern, streamed, no sort
    "SELECT ?a ?b ?c WHERE { ?a ?b <urn:x> . ?a ?b ?c }",   # a projection is no pattern
    "SELECT ?s WHERE { VALUES ?s { <urn:a> } ?s ?p ?o . ?o ?q ?r }",   # VALUES binds ?s
    'SELECT ?x WHERE { BIND(REPLACE(REPLACE("ab", "a", "b"), "b", "c") AS ?x) }',
])
def test_cheap_queries_are_light(query):
    assert guard.inspect(query, 100_000).heavy == ""
