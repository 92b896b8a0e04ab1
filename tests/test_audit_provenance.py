"""Issue 19, items 5, 6 and 9: the audit's SPARQL, run on the small build (fast layer) and on the
whole build (full layer), each a query that a regression would make fail:

- deductions the article does not state carry ti:modeEtablissement mode:deduit and a reasoning
  (rdfs:comment) that names what is deduced;
- no literal dcterms:publisher or dcterms:language anywhere;
- the history cites the package versions of the vintages it was read in, never itself;
- void:subjectsTarget names one dataset, the same in the store and in the served VoID;
- the ontology types no third-party term as a qb:AttributeProperty;
- docs/MODEL.md's triple counts are the build's (full layer).
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from rdflib import Graph, URIRef

from territoires.config import ROOT
from territoires.sources import history, vintages
from territoires.web import create_app

from .conftest import BASE

PREFIXES = f"""
PREFIX ti: <{BASE}def/territoires#>
PREFIX mode: <{BASE}def/mode-etablissement/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX pav: <http://purl.org/pav/>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX void: <http://rdfs.org/ns/void#>
PREFIX org: <http://www.w3.org/ns/org#>
"""

# Each deduction of the audit: the resource, and what its reasoning must name.
DEDUCTIONS = {
    "id/phase/territoires-d-industrie-2#fin": "2027",
    "id/financement/enveloppe-territoires-d-industrie-2023-2027": "schema:fundedItem",
    "id/territoire/alliances-luxe-precision-doubs": "dcterms:replaces",
    "id/document/article-grand-besancon-territoire-d-industrie": "dcterms:publisher",
    "id/territoire/haut-doubs#fin": "sa fin (novembre 2023)",
}

UNMARKED = PREFIXES + """
SELECT ?resource WHERE {
  VALUES (?resource ?named) { %s }
  FILTER NOT EXISTS {
    ?resource ti:modeEtablissement mode:deduit ; rdfs:comment ?reasoning .
    FILTER(CONTAINS(STR(?reasoning), ?named))
  }
}""" % " ".join(f'(<{BASE}{iri}> "{named}")' for iri, named in DEDUCTIONS.items())

# A deduced resource marked cited as well (two modes from one source) would be both.
ALSO_CITED = PREFIXES + """
SELECT ?resource WHERE {
  VALUES ?resource { %s }
  ?resource ti:modeEtablissement mode:cite .
}""" % " ".join(f"<{BASE}{iri}>" for iri in DEDUCTIONS)

LITERAL_METADATA = PREFIXES + """
SELECT ?s ?p ?o WHERE {
  VALUES ?p { dcterms:publisher dcterms:language }
  ?s ?p ?o . FILTER(isLiteral(?o))
}"""

HISTORY_CITING_ITSELF = PREFIXES + f"""
ASK {{ GRAPH <{BASE}graph/historique> {{ ?s dcterms:source <{BASE}graph/historique> }} }}"""

# Every source the history cites is a version of the package, described with its version.
HISTORY_SOURCES = PREFIXES + f"""
SELECT ?source (COUNT(?s) AS ?citing) ?version ?package WHERE {{
  GRAPH <{BASE}graph/historique> {{ ?s dcterms:source ?source }}
  OPTIONAL {{ ?source pav:version ?version ; dcterms:isVersionOf ?package }}
}} GROUP BY ?source ?version ?package"""

# A dated EPCI membership of the history, its run's vintages, and the versions it cites.
MEMBERSHIP_SOURCES = PREFIXES + f"""
SELECT ?membership (GROUP_CONCAT(DISTINCT STR(?cited); separator=" ") AS ?cites)
       (GROUP_CONCAT(DISTINCT STR(?year); separator=" ") AS ?years) WHERE {{
  GRAPH <{BASE}graph/historique> {{
    ?membership a org:Membership ; org:memberDuring ?run ; dcterms:source ?cited .
    ?run ti:millesime/ti:annee ?year .
  }}
}} GROUP BY ?membership LIMIT 50"""

SUBJECTS_TARGETS = PREFIXES + "SELECT DISTINCT ?target WHERE { ?linkset void:subjectsTarget ?target }"

THIRD_PARTY_ATTRIBUTES = PREFIXES + f"""
SELECT ?property WHERE {{
  GRAPH <{BASE}graph/ontologie> {{ ?property a qb:AttributeProperty }}
  FILTER(!STRSTARTS(STR(?property), "{BASE}"))
  FILTER(?property != <http://purl.org/linked-data/sdmx/2009/attribute#unitMeasure>)
}}"""


def rows(store, query: str) -> list:
    return list(store.engine.query(query, **store.dataset()))


def ask(store, query: str) -> bool:
    return bool(store.engine.query(query, **store.dataset()))


# --- the checks, shared by the two layers ---------------------------------------------------

def check_deductions(store) -> None:
    assert [r["resource"].value for r in rows(store, UNMARKED)] == []
    assert [r["resource"].value for r in rows(store, ALSO_CITED)] == []


def check_metadata_iris(store) -> None:
    assert [(r["s"].value, r["p"].value, r["o"].value) for r in rows(store, LITERAL_METADATA)] == []
    french = "http://publications.europa.eu/resource/authority/language/FRA"
    languages = {r[0].value for r in store.engine.query(
        PREFIXES + "SELECT DISTINCT ?l WHERE { ?s dcterms:language ?l }", **store.dataset())}
    assert languages == {french}


def check_history_sources(store) -> None:
    assert not ask(store, HISTORY_CITING_ITSELF)
    cited = rows(store, HISTORY_SOURCES)
    pages = {history.PACKAGE_PAGE + v for v in vintages.VERSIONS.values()}
    assert {r["source"].value for r in cited} <= pages
    assert [r["source"].value for r in cited if r["version"] is None] == []
    assert {r["package"].value for r in cited} == {history.PACKAGE_HOME}
    for r in cited:
        assert r["source"].value.endswith("/v/" + r["version"].value)
    checked = 0
    for row in rows(store, MEMBERSHIP_SOURCES):
        years = sorted(int(y) for y in row["years"].value.split())
        expected = {history.PACKAGE_PAGE + vintages.VERSIONS[y] for y in years}
        following = [y for y in vintages.YEARS if y > years[-1]][:1]   # where it ended
        expected |= {history.PACKAGE_PAGE + vintages.VERSIONS[y] for y in following}
        assert set(row["cites"].value.split()) == expected, row["membership"].value
        checked += 1
    assert checked > 0


def check_one_dataset(store, client) -> None:
    dataset = f"{BASE}.well-known/void#territoires"
    in_store = {r["target"].value for r in rows(store, SUBJECTS_TARGETS)}
    response = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    served = Graph().parse(data=response.data, format="turtle")
    in_void = {str(o) for o in served.objects(None, URIRef("http://rdfs.org/ns/void#subjectsTarget"))}
    assert in_store == in_void == {dataset}


def check_no_third_party_attribute(store) -> None:
    assert [r["property"].value for r in rows(store, THIRD_PARTY_ATTRIBUTES)] == []


# --- the small build --------------------------------------------------------------------------

def test_the_deductions_carry_their_mode_and_reasoning(store):
    check_deductions(store)


def test_no_literal_publisher_or_language(store):
    check_metadata_iris(store)


def test_the_history_cites_the_vintages_it_was_read_in(store):
    check_history_sources(store)


def test_void_subjects_target_is_one_dataset_in_store_and_served_void(store, client):
    check_one_dataset(store, client)


def test_the_ontology_types_no_third_party_attribute(store):
    check_no_third_party_attribute(store)


# --- the whole build --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def full_client(full_build, full_settings):
    return create_app(replace(full_settings, query_executors=1)).test_client()


def test_the_audit_holds_on_the_whole_build(full_store, full_client):
    check_deductions(full_store)
    check_metadata_iris(full_store)
    check_history_sources(full_store)
    check_one_dataset(full_store, full_client)
    check_no_third_party_attribute(full_store)


def model_counts() -> dict[str, int]:
    """The figures of docs/MODEL.md's sentence on the history's size, by what they count."""
    text = " ".join((ROOT / "docs" / "MODEL.md").read_text(encoding="utf-8").split())
    found = re.search(r"\(([\d,]+) triples for the eight vintages 2019–2026, plus ([\d,]+) for "
                      r"the ([\d,]+) territories' perimeters; `graph/cog` holds ([\d,]+)\)", text)
    assert found, "docs/MODEL.md no longer states the history's size as this test reads it"
    vintages_, perimeters, territories, cog = (int(g.replace(",", "")) for g in found.groups())
    return {"vintages": vintages_, "perimeters": perimeters, "territories": territories,
            "cog": cog}


def test_model_md_counts_are_the_whole_builds(full_store, full_settings):
    """The history mapped alone gives the vintages' triples; the rest of graph/historique is
    the perimeters of the territories read at their labelling (ti:perimetreLabellisation)."""
    from territoires.vocabulary.namespaces import Vocabulary

    said = model_counts()
    alone = history.load(Vocabulary(BASE), full_settings.data_dir / "historique",
                         Graph(identifier=URIRef(f"{BASE}graph/historique")))
    published = full_store.manifest.graphs
    territories = int(rows(full_store, PREFIXES + f"""
        SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE {{ GRAPH <{BASE}graph/historique> {{
          ?t ti:perimetreLabellisation ?p }} }}""")[0]["n"].value)
    assert {"vintages": len(alone.graph),
            "perimeters": published[f"{BASE}graph/historique"] - len(alone.graph),
            "territories": territories,
            "cog": published[f"{BASE}graph/cog"]} == said
