"""The server's and the build's queries (territoires/queries/*.rq): each says what it answers and
what it binds, parses, and answers the same whether its values are bound by the engine's
substitution (the embedded store) or by a VALUES block (a remote store, a reader's copy)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from territoires import queries
from territoires.vocabulary.namespaces import RDFS, SKOS
from territoires.store import describe
from territoires.store.base import BuildStore

from .conftest import BASE

TI = BASE + "def/territoires#"
TERRITORY = ox.NamedNode(BASE + "id/territoire/alliances-luxe-precision-doubs")
EPCI = ox.NamedNode(BASE + "id/epci/242500361")
COMMUNE = ox.NamedNode(BASE + "id/commune/25056")
DEPARTEMENT = ox.NamedNode(BASE + "id/departement/25")
REGION = ox.NamedNode(BASE + "id/region/27")
PERSON = ox.NamedNode(BASE + "id/personne/cedric-bole")

# Values a real caller would bind, per query (each list binds a VALUES block of several rows).
SAMPLES: dict[str, list[dict]] = {
    "documents/all-incoming": [{"resource": EPCI}],
    "documents/exists": [{"resource": TERRITORY}, {"resource": ox.NamedNode(BASE + "id/x/none")}],
    "documents/incoming": [{"resource": EPCI}, {"resource": ox.NamedNode(BASE + "id/region/27")}],
    "documents/neighbours": [{"s": [EPCI, TERRITORY]}],
    "documents/own": [{"resource": TERRITORY}, {"resource": EPCI}],
    "documents/reproducing": [{"resource": TERRITORY}],
    "pages/area-territories": [{"area": DEPARTEMENT}, {"area": REGION}],
    "pages/commune-context": [{"commune": COMMUNE}],
    "pages/epci-territories": [{"epci": EPCI}],
    "pages/became": [{"resource": ox.NamedNode(BASE + "id/commune-deleguee/25533")}],
    "pages/former-events": [{"resource": ox.NamedNode(BASE + "id/commune/25533")}],
    "pages/funded-by": [{"item": ox.NamedNode(BASE + "id/phase/territoires-d-industrie-2")}],
    "pages/incoming-count": [{"resource": EPCI}, {"resource": REGION}],
    "pages/incoming-links": [{"resource": PERSON}, {"resource": DEPARTEMENT}],
    "pages/names": [{"s": [PERSON, EPCI, ox.NamedNode(BASE + "id/epci/242504116#role-cedric-bole")]}],
    "pages/observations": [{"dataset": ox.NamedNode(BASE + "id/statistique/industrie-nationale")}],
    "pages/organization-roles": [{"organization": TERRITORY}, {"organization": EPCI}],
    "pages/person-roles": [{"member": PERSON}],
    "pages/population-source": [{"entity": EPCI}],
    "pages/area-populations": [{"zone": COMMUNE}, {"zone": TERRITORY}],
    "pages/region-departements": [{"region": REGION}],
    "pages/territory-continuity": [{"territory": TERRITORY}],
    "pages/territory-epci": [{"territory": TERRITORY}],
    "pages/territory-outline": [{"territory": TERRITORY}],
    "pages/territory-funding": [{"territory": TERRITORY}],
    "pages/territory-perimeter": [{"territory": TERRITORY}],
    "pages/territory-plan": [{"territory": TERRITORY}],
    "tables/area-communes": [{"area": DEPARTEMENT}],
    "tables/area-epci": [{"area": DEPARTEMENT}, {"area": REGION}],
    "tables/area-territories": [{"area": DEPARTEMENT}, {"area": REGION}],
    "tables/commune-attached": [{"commune": ox.NamedNode(BASE + "id/commune/25223")}],
    "tables/epci-communes": [{"epci": EPCI}],
    "tables/incoming-links": [{"resource": EPCI}],
    "tables/programme-territories": [{"phase": ox.NamedNode(BASE + "id/phase/territoires-d-industrie-2")}],
    "tables/territory-communes": [{"territory": TERRITORY}],
    "tables/territory-epci": [{"territory": TERRITORY}],
    "lookup/codes": [{"property": [ox.NamedNode(TI + "siren"), ox.NamedNode(TI + "codeInsee")]}],
    "lookup/extend": [{"entity": [EPCI, ox.NamedNode(BASE + "id/commune/25056"), TERRITORY]}],
    "lookup/labels": [{"type": [ox.NamedNode(TI + "EPCI")],
                       "predicate": [ox.NamedNode(str(SKOS.prefLabel)),
                                     ox.NamedNode(str(RDFS.label))]}],
    "void/graph-predicates": [{"graph": ox.NamedNode(BASE + "graph/liens-geo-api")}],
    "store/graph": [{"graph": ox.NamedNode(BASE + "graph/ontologie")}],
    "store/publications": [{"graph": ox.NamedNode(BASE + "graph/publication")}],
    "vocabulary/term-labels": [{"graph": ox.NamedNode(BASE + "graph/ontologie")}],
    "linking/insee": [{"class": ox.NamedNode("http://rdf.insee.fr/def/geo#Commune"),
                       "day": ox.Literal("2026-01-01", datatype=ox.NamedNode(
                           "http://www.w3.org/2001/XMLSchema#date")),
                       "code": [ox.Literal("25056")]}],
    "history/epci-by-year": [{"commune": ox.NamedNode(BASE + "id/commune/25192")},
                             {"commune": ox.NamedNode(BASE + "id/commune/25297")}],
    "history/end": [{"resource": ox.NamedNode(BASE + "id/commune/25297")},
                    {"resource": ox.NamedNode(BASE + "id/commune/25056")}],
    "history/years": [{"resource": ox.NamedNode(BASE + "id/commune/25297")},
                      {"resource": ox.NamedNode(BASE + "id/territoire/alliances-luxe-precision-doubs")}],
    "history/names": [{"resource": ox.NamedNode(BASE + "id/commune/25375")}],
    "history/territory-epci": [{"resource": ox.NamedNode(BASE + "id/territoire/alliances-luxe-precision-doubs")}],
    "history/members-by-year": [{"epci": EPCI}, {"epci": ox.NamedNode(BASE + "id/epci/200046977")}],
    "history/kind": [{"resource": ox.NamedNode(BASE + "id/commune/25297")}],
    "linking/wikidata": [{"property": ox.NamedNode("http://www.wikidata.org/prop/direct/P374"),
                          "code": [ox.Literal("25056"), ox.Literal("25560")]}],
}


def rows(result) -> list:
    if isinstance(result, (bool, ox.QueryBoolean)):
        return [bool(result)]
    return sorted(tuple(str(term) for term in row) for row in result)


@pytest.mark.parametrize("name", queries.names())
def test_each_query_says_what_it_answers_and_parses(name):
    query = queries.get(name)
    assert query.summary and not query.summary.startswith(("PREFIX", "SELECT")), name
    assert set(query.parameters) <= {v for sample in SAMPLES.get(name, [{}]) for v in sample}
    for sample in SAMPLES.get(name, [{}]):
        assert set(sample) == set(query.parameters), name
        ox.Store().query(queries.with_base(query.values(sample), BASE))   # raises if invalid


def test_every_query_with_parameters_has_samples():
    assert {n for n in queries.names() if queries.get(n).parameters} == set(SAMPLES)


# Queries offered to readers (run on /sparql as they read them), and queries sent to other
# endpoints: not run by our stores.
NOT_RUN_HERE = {"documents/all-incoming", "documents/reproducing", "linking/insee",
                "linking/wikidata", *(n for n in queries.names() if n.startswith("tables/"))}


@pytest.mark.parametrize("name", sorted(set(SAMPLES) - NOT_RUN_HERE))
def test_substitution_and_values_agree(name, store):
    """The embedded store binds one value by substitution; a remote store gets a VALUES block:
    both give the same answers, so the .rq files are written for either."""
    query = queries.get(name)
    ask = query.text.count("ASK WHERE")
    for sample in SAMPLES[name]:
        bound = store.ask(query, **sample) if ask else store.select(query, **sample)
        valued = store.engine.query(query.values(sample), base_iri=BASE,
                                          **store.dataset())
        assert rows(bound) == rows(valued), (name, sample)


def test_queries_find_what_they_ask_for(store):
    own = list(store.select(queries.get("documents/own"), resource=TERRITORY))
    assert own and {row["s"].value for row in own} >= {TERRITORY.value, TERRITORY.value + "#periode"}
    assert store.ask(queries.get("documents/exists"), resource=EPCI)
    assert not store.ask(queries.get("documents/exists"),
                               resource=ox.NamedNode(BASE + "id/epci/000000000"))


def test_a_reader_query_reproduces_a_document(store):
    text = queries.get("documents/reproducing").values({"resource": TERRITORY})
    triples = list(store.engine.query(text, **store.dataset()))
    document = store.describe(TERRITORY.value)
    assert {q.triple for q in document.own} <= set(triples)


def test_a_string_is_never_bound():
    """A bare string could be an IRI or a literal (or an injection): the caller says which."""
    with pytest.raises(TypeError):
        queries.get("documents/own").values({"resource": "<x> } DROP ALL {"})
    with pytest.raises(ValueError):
        ox.NamedNode("x> } INSERT DATA { <y")


def test_unknown_query():
    with pytest.raises(queries.UnknownQuery):
        queries.get("documents/nothing")


@pytest.mark.build   # every document of the build, read both ways
def test_the_embedded_store_reads_documents_as_the_queries_do(store):
    """LocalStore reads documents and existence as triple patterns (describe.read_by_patterns):
    on every IRI of the build, the same document as the queries give any store."""
    iris = {term.value for quad in store.engine for term in (quad.subject, quad.object)
            if isinstance(term, ox.NamedNode)}
    assert len(iris) > 1000
    capped = 0
    for iri in sorted(iris):
        by_queries, by_patterns = describe.describe(store, iri), store.describe(iri)
        assert by_patterns.own == by_queries.own, iri
        assert by_patterns.more_incoming == by_queries.more_incoming, iri
        if by_queries.more_incoming:   # which first links: the engine's order, either way
            capped += 1
            assert len(by_patterns.incoming) == len(by_queries.incoming) == describe.INCOMING_LIMIT
        else:
            assert (by_patterns.incoming, by_patterns.neighbours) == \
                (by_queries.incoming, by_queries.neighbours), iri
        assert store.exists(iri) and BuildStore.exists(store, iri)
    assert capped, "no resource with more links than a document shows: the cap went untested"
    for missing in (BASE + "id/epci/000000000", TERRITORY.value + "#nothing"):
        assert not store.exists(missing) and not BuildStore.exists(store, missing)
        assert not store.describe(missing).exists
