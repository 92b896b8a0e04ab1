"""Links derived from the official codes: one per entity and code, each set in its own named
graph, described as a VoID linkset whose count equals the graph's."""

from __future__ import annotations

import pytest

from .conftest import BASE

PREFIXES = f"""PREFIX ti: <{BASE}def/territoires#> PREFIX void: <http://rdfs.org/ns/void#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX owl: <http://www.w3.org/2002/07/owl#> """


def scalar(full_store, query):
    return next(iter(full_store.engine.query(PREFIXES + query, **full_store.dataset())))[0].value


@pytest.mark.parametrize("cls, code, graph, predicate, prefix", [
    ("Commune", "codeInsee", "liens-geo-api", "rdfs:seeAlso", "https://geo.api.gouv.fr/communes/"),
    ("Departement", "codeInsee", "liens-geo-api", "rdfs:seeAlso", "https://geo.api.gouv.fr/departements/"),
    ("Region", "codeInsee", "liens-geo-api", "rdfs:seeAlso", "https://geo.api.gouv.fr/regions/"),
    ("EPCI", "siren", "liens-geo-api", "rdfs:seeAlso", "https://geo.api.gouv.fr/epcis/"),
    ("EPCI", "siren", "liens-annuaire-entreprises", "foaf:page",
     "https://annuaire-entreprises.data.gouv.fr/entreprise/"),
    ("Commune", "siren", "liens-annuaire-entreprises", "foaf:page",
     "https://annuaire-entreprises.data.gouv.fr/entreprise/"),
])
def test_every_entity_with_a_code_has_its_link(full_store, cls, code, graph, predicate, prefix):
    missing = scalar(full_store, f"""SELECT (COUNT(*) AS ?n) WHERE {{
        ?x a ti:{cls} ; ti:{code} ?code .
        FILTER NOT EXISTS {{ GRAPH <{BASE}graph/{graph}> {{
            ?x {predicate} ?link FILTER(?link = IRI(CONCAT("{prefix}", ?code))) }} }} }}""")
    assert missing == "0"
    with_code = int(scalar(full_store, f"SELECT (COUNT(*) AS ?n) WHERE {{ ?x a ti:{cls} ; ti:{code} ?c }}"))
    assert with_code > 0


def test_linkset_counts_equal_the_graphs(full_store):
    rows = list(full_store.engine.query(PREFIXES + f"""SELECT ?g ?declared (COUNT(*) AS ?actual) WHERE {{
        GRAPH <{BASE}graph/sources> {{ ?g a void:Linkset ; void:triples ?declared ;
                                           void:linkPredicate ?p ; void:objectsTarget ?t }}
        GRAPH ?g {{ ?s ?q ?o }} }} GROUP BY ?g ?declared"""))
    assert len(rows) == 2
    for row in rows:
        assert row["declared"].value == row["actual"].value, row["g"]


def test_a_web_page_is_never_the_entity(full_store):
    assert scalar(full_store, """SELECT (COUNT(*) AS ?n) WHERE { ?x owl:sameAs ?y
        FILTER(STRSTARTS(STR(?y), "https://geo.api.gouv.fr/")
            || STRSTARTS(STR(?y), "https://annuaire-entreprises")) }""") == "0"


def ask(full_store, query):
    return bool(full_store.engine.query(PREFIXES + query, **full_store.dataset()))


def test_identifiers_are_typed_literals(full_store):
    assert ask(full_store, f"""ASK {{ <{BASE}id/epci/242500361> dcterms:identifier ?id
        FILTER(DATATYPE(?id) = ti:SIREN && STR(?id) = "242500361") }}""")
    assert ask(full_store, f"""ASK {{ <{BASE}id/commune/25560> dcterms:identifier ?id
        FILTER(DATATYPE(?id) = ti:CodeInsee && STR(?id) = "25560") }}""")
    assert not ask(full_store, f"""ASK {{ <{BASE}id/commune/25560> dcterms:identifier ?id
        FILTER(DATATYPE(?id) = ti:SIREN && STR(?id) = "25560") }}""")
