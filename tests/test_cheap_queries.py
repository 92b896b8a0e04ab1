"""Queries answered in the web worker, without an executor's round trip, only when their cost is
bounded small: their shape read (web/sparql/cheap.py), their walk through the store's indexes
counted (store/bounded.py); every other query still goes to an executor and its deadline."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from territoires.store import Job
from territoires.store.bounded import within
from territoires.web.sparql import cheap, guard

from .conftest import BASE

PREFIXES = (f"PREFIX ti: <{BASE}def/territoires#>\nPREFIX org: <http://www.w3.org/ns/org#>\n"
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n")
JSON = "application/sparql-results+json"


def shape_of(query: str):
    return guard.inspect(query, 100_000).shape


def first(store, query: str) -> dict:
    return next(iter(store.engine.query(PREFIXES + query, use_default_graph_as_union=True)))


@pytest.fixture(scope="module")
def epci(store) -> tuple[str, str, str]:
    """An EPCI's IRI, its SIREN and one of its member communes."""
    row = first(store, "SELECT ?e ?siren ?c WHERE { ?e a ti:EPCI ; ti:siren ?siren ; "
                       "org:hasMember ?c } LIMIT 1")
    return row["e"].value, row["siren"].value, row["c"].value


@pytest.fixture(scope="module")
def busy(store) -> tuple[str, int]:
    """The subject with the most triples short of the budget, and how many."""
    row = first(store, "SELECT ?s (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(isIRI(?s)) } "
                       f"GROUP BY ?s HAVING(COUNT(*) < {cheap.BUDGET // 4}) "
                       "ORDER BY DESC(?n) LIMIT 1")
    return row["s"].value, int(row["n"].value)


def lookups(epci) -> dict[str, str]:
    iri, siren, commune = epci
    return {
        "ask": PREFIXES + f"ASK {{ <{iri}> org:hasMember <{commune}> }}",
        "by code": PREFIXES + "SELECT ?entite ?nom ?population WHERE {\n"
                   f'  ?entite ti:siren "{siren}" ; skos:prefLabel ?nom .\n'
                   "  OPTIONAL { ?entite ti:populationTotale ?population }\n}",
        "construct": f"CONSTRUCT {{ <{commune}> ?p ?o . ?x ?q <{commune}> }}\n"
                     f"WHERE {{ {{ <{commune}> ?p ?o }} UNION {{ ?x ?q <{commune}> }} }}",
        "ordered": PREFIXES + f"SELECT DISTINCT ?c WHERE {{ <{iri}> org:hasMember ?c . }} "
                   "ORDER BY DESC(?c) LIMIT 5 OFFSET 0",
        "short construct": PREFIXES + f"CONSTRUCT WHERE {{ <{iri}> ti:siren ?s }}",
    }


def test_the_lookups_people_send_are_read_and_bounded_small(store, epci):
    for name, query in lookups(epci).items():
        found = shape_of(query)
        assert found is not None, name
        assert within(found, store.engine.quads_for_pattern, cheap.BUDGET), name


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { ?s ti:siren ?o FILTER(?o = \"1\") }",
    "SELECT * WHERE { ?s ti:siren/skos:prefLabel ?o }",
    "SELECT * WHERE { ?s ^org:hasMember ?o }",
    "SELECT * WHERE { ?s org:hasMember+ ?o }",
    "SELECT * WHERE { <x:a> skos:prefLabel?o }",        # `?` glued to a name: a path to the engine
    "SELECT * WHERE { ?s skos:prefLabel \"a\\u0041\" }",  # escapes are not decoded here
    "SELECT * WHERE { ?s skos:prefLabel \"x\" . BIND(1 AS ?one) }",
    "SELECT * WHERE { VALUES ?s { <x:a> } ?s ?p ?o }",
    "SELECT * WHERE { { SELECT ?s WHERE { ?s ?p ?o } } }",
    "SELECT * WHERE { GRAPH ?g { <x:a> ?p ?o } }",
    "SELECT * FROM <x:g> WHERE { <x:a> ?p ?o }",
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { <x:a> ?p ?o } }",
    "SELECT * WHERE { [] ?p <x:a> }",
    "SELECT * WHERE { _:b ?p <x:a> }",
    "SELECT (COUNT(*) AS ?n) WHERE { <x:a> ?p ?o }",
    "SELECT ?p WHERE { <x:a> ?p ?o } GROUP BY ?p",
    "SELECT * WHERE { <x:a> ?p 1.5 }",
    "SELECT * WHERE { <x:a> ?p nope:x }",                # an undeclared prefix
    "DESCRIBE <x:a>",
    "SELECT * WHERE { <x:a> ?p ?o } ORDER BY STR(?o)",
])
def test_what_the_reader_does_not_know_goes_to_an_executor(query):
    assert shape_of(PREFIXES + query) is None


def test_a_product_of_a_resource_s_triples_is_not_cheap(store, busy):
    iri, count = busy
    assert count ** 3 > cheap.BUDGET   # the small build's busy subject makes it costly
    query = (f"SELECT * WHERE {{ <{iri}> ?p1 ?o1 . <{iri}> ?p2 ?o2 . <{iri}> ?p3 ?o3 }}")
    found = shape_of(query)
    assert found is not None
    assert not within(found, store.engine.quads_for_pattern, cheap.BUDGET)
    # One of them alone is.
    assert within(shape_of(f"SELECT * WHERE {{ <{iri}> ?p ?o }}"),
                  store.engine.quads_for_pattern, cheap.BUDGET)


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { ?s ti:siren ?o }",                           # a scan of a predicate
    "SELECT * WHERE { ?s ?p ?o }",                                 # of the graph
    "SELECT * WHERE { ?e ti:siren ?s OPTIONAL { ?x skos:prefLabel ?n } }",
    "SELECT * WHERE { <x:a> ?p ?o { ?o skos:prefLabel ?n } UNION { ?x ?q ?y } }",
])
def test_a_pattern_no_constant_anchors_is_not_cheap(store, query):
    found = shape_of(PREFIXES + query)
    assert found is not None
    assert not within(found, store.engine.quads_for_pattern, cheap.BUDGET)


def job(query: str, **changes) -> Job:
    return Job(**{"query": query, "union": True, "default_graphs": None, "named_graphs": None,
                  "results_type": JSON, "graph_type": "text/turtle", "max_bytes": 1 << 20,
                  **changes})


def test_the_worker_answers_a_bounded_query_as_an_executor_would(store, epci):
    query = lookups(epci)["by code"]
    answer = store.answer_here(job(query), shape_of(query), cheap.BUDGET)
    assert answer is not None and answer.ok and answer.file is None
    names = {b["nom"]["value"] for b in json.loads(answer.outcome.body)["results"]["bindings"]}
    expected = {row["nom"].value for row in store.engine.query(
        query, use_default_graph_as_union=True)}
    assert names == expected and names


def test_a_dataset_given_by_the_protocol_goes_to_an_executor(store, epci):
    query = lookups(epci)["ask"]
    assert store.answer_here(job(query, default_graphs=(f"{BASE}graph/cog",)),
                             shape_of(query), cheap.BUDGET) is None


def test_a_literal_subject_is_left_to_the_engine(client):
    query = PREFIXES + 'ASK { "x" ?p ?o }'
    assert shape_of(query) is None   # not an index's lookup: the executor answers
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": JSON})
    assert response.status_code == 200 and json.loads(response.data)["boolean"] is False


def test_through_the_endpoint_the_same_answer_the_same_validator_and_the_cache(client, epci):
    query = lookups(epci)["by code"]
    costly = query.replace("\n}", "\n  FILTER(true)\n}")   # the same answer, in an executor
    assert shape_of(costly) is None and shape_of(query) is not None
    here = client.get("/sparql", query_string={"query": query}, headers={"Accept": JSON})
    there = client.get("/sparql", query_string={"query": costly}, headers={"Accept": JSON})
    assert here.status_code == there.status_code == 200
    assert json.loads(here.data)["results"] == json.loads(there.data)["results"]
    assert here.headers["Vary"] == there.headers["Vary"]
    assert here.headers["Cache-Control"] == there.headers["Cache-Control"]
    assert here.headers["ETag"] and here.headers["X-Cache"] == "miss"
    again = client.get("/sparql", query_string={"query": query}, headers={"Accept": JSON})
    assert again.headers["X-Cache"] == "hit" and again.headers["ETag"] == here.headers["ETag"]


def test_an_answer_over_the_cap_is_refused_in_the_worker_too(app, store, epci):
    query = lookups(epci)["construct"]
    answer = store.answer_here(job(query, max_bytes=10), shape_of(query), cheap.BUDGET)
    assert answer is not None and answer.outcome.status == "too-large"


def test_literals_are_read_as_the_engine_reads_them(store, epci):
    iri, siren, _ = epci
    for literal in (f'"{siren}"', f"'{siren}'", f'"""{siren}"""',
                    f'"{siren}"^^<http://www.w3.org/2001/XMLSchema#string>'):
        found = shape_of(PREFIXES + f"SELECT ?e WHERE {{ ?e ti:siren {literal} }}")
        triple = found.triples[0]
        assert triple.object == ox.Literal(siren), literal
    found = shape_of(PREFIXES + 'SELECT ?e WHERE { ?e skos:prefLabel "x"@FR. }')
    assert found.triples[0].object == ox.Literal("x", language="fr")
