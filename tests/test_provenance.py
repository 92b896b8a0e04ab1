"""Provenance and labels as issue 9 asks: every source is a described IRI, deductions are marked
where they sit, misspellings met in sources are hidden labels, populations carry their vintage,
read on the small build (the same curated and territory sources as the real one)."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef

from territoires.vocabulary.namespaces import SKOS, XSD, Vocabulary
from territoires.sources import populations
from territoires.sources.territories import label_kind

from .conftest import BASE

V = Vocabulary(BASE)
DCTERMS_SOURCE = ox.NamedNode("http://purl.org/dc/terms/source")
MODE = ox.NamedNode(str(V.ti.modeEtablissement))
HIDDEN = ox.NamedNode(str(SKOS.hiddenLabel))
ALT = ox.NamedNode(str(SKOS.altLabel))
HAUT_DOUBS = ox.NamedNode(str(V.id("territoire", "haut-doubs")))


def union(store, s=None, p=None, o=None) -> list[ox.Quad]:
    return list(store.engine.quads_for_pattern(s, p, o, ox.DefaultGraph()))


def test_every_cited_source_is_an_iri(store):
    sources = union(store, p=DCTERMS_SOURCE)
    assert sources
    assert [q for q in sources if not isinstance(q.object, ox.NamedNode)] == []


def test_a_deduced_resource_gives_its_reasoning_where_it_sits(store):
    deduit = ox.NamedNode(str(V.concept("mode-etablissement", "deduit")))
    deduced = {q.subject for q in union(store, p=MODE, o=deduit)}
    assert len(deduced) > 20
    comment = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
    assert [s for s in deduced if not union(store, s=s, p=comment)] == []
    # the five Haut-Doubs EPCI, its term and both bounds are marked deduced
    for part in ("#periode", "#debut", "#fin", "#membre-242504116", "#membre-200068070"):
        assert ox.NamedNode(HAUT_DOUBS.value + part) in deduced, part


def test_the_haut_doubs_territory_has_no_label_date(store):
    """The article gives none: no ti:dateLabellisation, a term from 2018 marked deduced."""
    assert union(store, s=HAUT_DOUBS, p=ox.NamedNode(str(V.ti.dateLabellisation))) == []
    begin = ox.NamedNode(HAUT_DOUBS.value + "#debut")
    year = union(store, s=begin, p=ox.NamedNode("http://www.w3.org/2006/time#inXSDgYear"))
    assert [q.object.value for q in year] == ["2018"]


def test_misspellings_met_in_sources_are_hidden_labels(store):
    company = ox.NamedNode(str(V.id("organisation", "auge-microtechnic")))
    assert {q.object.value for q in union(store, s=company, p=HIDDEN)} == {"Augé Microtechnic Grou"}
    assert "Augé Microtechnic Grou" not in {q.object.value for q in union(store, s=company, p=ALT)}
    russey = ox.NamedNode(str(V.id("epci", "242504355")))
    assert {q.object.value for q in union(store, s=russey, p=HIDDEN)} == {"Plateau du Russey"}
    morteau = ox.NamedNode(str(V.id("epci", "242504116")))
    assert {q.object.value for q in union(store, s=morteau, p=ALT)} == {"Val de Morteau"}


def test_a_source_spelling_is_shown_only_when_it_is_the_official_name_shortened():
    assert label_kind("Loue Lison", "CC Loue-Lison") == SKOS.altLabel
    assert label_kind("Portes du Haut-Doubs", "CC des Portes du Haut-Doubs") == SKOS.altLabel
    assert label_kind("Plateau du Russey", "CC du Plateau de Russey") == SKOS.hiddenLabel
    assert label_kind("Grand Besancon Metropol", "CU Grand Besançon Métropole") == SKOS.hiddenLabel


def test_another_vintage_is_one_more_figure():
    """populations.observations takes figures of any vintage: a 2022 figure next to 2023's."""
    graph = Graph()
    thise = V.id("commune", "25560")
    source = URIRef("https://example.org/insee-2022")
    count = populations.observations(V, graph, [populations.Figure(
        thise, "25560", populations.MUNICIPALE, 2022, 3100, "insee", source)])
    assert count == 1
    (obs,) = set(graph.subjects(V.ti.zone, thise))
    assert str(obs).endswith("/populations-legales/2022/25560")
    assert graph.value(obs, V.ti.periodeReference) == Literal("2022", datatype=XSD.gYear)
    assert graph.value(obs, URIRef(str(DCTERMS_SOURCE.value))) == source
    assert graph.value(obs, V.ti.producteur) == V.id("organisation", "insee")
    assert graph.value(obs, V.ti.conceptPopulation) == V.concept("concept-population", "municipale")


def test_the_reference_vintage_is_published_for_the_territories_communes(store):
    dataset = ox.NamedNode(str(V.id("statistique", "populations-legales")))
    observations = {q.subject for q in union(store, p=ox.NamedNode(
        "http://purl.org/linked-data/cube#dataSet"), o=dataset)}
    current = {o for o in observations
               if any(q.object.value == populations.REFERENCE_VINTAGE
                      for q in union(store, s=o, p=ox.NamedNode(str(V.ti.periodeReference))))
               and "/commune/" in next(iter(union(store, s=o, p=ox.NamedNode(str(V.ti.zone))))
                                       ).object.value}
    codes = {str(o.value).rsplit("/", 1)[-1] for o in current}
    # the 252 communes of the six EPCI of the territories today, and those that belonged to one
    # of them in an earlier vintage and still exist
    assert len(codes & today_members(store)) == 252 and len(codes) >= 252
    assert populations.REFERENCE_VINTAGE == "2023"


def today_members(store) -> set[str]:
    """The INSEE codes of today's communes of the EPCI the curated territory list names."""
    rows = store.engine.query(f"""
        SELECT DISTINCT ?code WHERE {{
          GRAPH <{BASE}graph/territoires> {{ ?territory <http://www.w3.org/ns/org#hasMember> ?epci }}
          GRAPH <{BASE}graph/cog> {{ ?epci <http://www.w3.org/ns/org#hasMember> ?commune .
                                      ?commune <{V.ti.codeInsee}> ?code }} }}""")
    return {r["code"].value for r in rows}
