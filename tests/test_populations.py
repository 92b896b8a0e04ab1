"""Populations over time (issues 19 item 4 and 21 item 2): every population says its concept,
its vintage and its producer; a commune's figures are the vendored vintages'; the pages chart
one point per vintage and state figures that add up."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pyoxigraph as ox
import pytest

from territoires.config import ROOT
from territoires.sources import populations, vintages
from territoires.web.documents.entities.model import PAGE_SIZE

from .conftest import BASE
from .test_entity_pages import page, parse

BESANCON = "25056"
GRAND_BESANCON = "242500361"
TERRITORY = "alliances-luxe-precision-doubs"
TI = f"{BASE}def/territoires#"
MUNICIPALE = f"{BASE}def/concept-population/municipale"

EVERY_POPULATION_STATES_ITS_CONCEPT_VINTAGE_AND_PRODUCER = """
PREFIX ti: <def/territoires#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT ?observation WHERE {
  ?observation ti:populationLegale ?value .
  MINUS {   # as FILTER NOT EXISTS here (they share ?observation): one anti-join, not one per row
    ?observation ti:conceptPopulation ?concept ; ti:periodeReference ?vintage ;
        ti:producteur ?producer .
    ?producer a ?kind .
    FILTER(?concept IN (<def/concept-population/municipale>, <def/concept-population/totale>))
    FILTER(DATATYPE(?vintage) = xsd:gYear)
  }
}"""
# ti:populationTotale / ti:populationMunicipale of an EPCI: an observation of the same EPCI and
# concept gives the figure with its vintage and producer.
EVERY_EPCI_FIGURE_HAS_ITS_OBSERVATION = """
PREFIX ti: <def/territoires#>
SELECT ?epci ?property WHERE {
  VALUES (?property ?concept) { (ti:populationTotale <def/concept-population/totale>)
                                (ti:populationMunicipale <def/concept-population/municipale>) }
  ?epci ?property ?value .
  FILTER EXISTS { ?member ti:zone ?epci }
  FILTER NOT EXISTS { ?observation ti:zone ?epci ; ti:conceptPopulation ?concept ;
                          ti:populationLegale ?value ; ti:periodeReference ?vintage ;
                          ti:producteur ?producer }
}"""


def vendored(code: str, level: str = "commune") -> dict[int, int]:
    """{Insee millésime: municipal population} of `code` in the vendored vintages, each
    millésime from the first vintage that carries it (read from the files, not the graph)."""
    found: dict[int, int] = {}
    for year in vintages.YEARS:
        if year not in populations.COMMUNE_MILLESIME:
            continue
        for row in vintages.table(ROOT / "data" / "historique", year, "populations"):
            if row[:2] == [level, code]:
                found.setdefault(populations.COMMUNE_MILLESIME[year], int(row[2]))
    return found


def graph_populations(store, zone: str, concept: str = MUNICIPALE) -> dict[int, int]:
    rows = store.engine.query(f"""
        SELECT ?vintage ?value WHERE {{ GRAPH ?g {{
          ?o <{TI}zone> <{zone}> ; <{TI}conceptPopulation> <{concept}> ;
             <{TI}periodeReference> ?vintage ; <{TI}populationLegale> ?value }} }}""")
    return {int(r["vintage"].value): int(r["value"].value) for r in rows}


def test_a_communes_populations_from_2019_to_2023_are_the_vendored_vintages(store):
    expected = vendored(BESANCON)
    found = graph_populations(store, f"{BASE}id/commune/{BESANCON}")
    assert found == expected
    assert {2019, 2020, 2022, 2023} <= set(found)      # 2021 is in no package
    # the figures issue 21 read in the vintages: 117,912 (2019) … 118,489 (2023)
    assert (found[2019], found[2023]) == (117912, 118489)


def test_an_epcis_figures_are_the_dgcl_lists_and_a_sum_only_where_it_gives_none(store):
    found = graph_populations(store, f"{BASE}id/epci/{GRAND_BESANCON}")
    listed = {populations.EPCI_MILLESIME[year]: int(row[2]) for year in vintages.YEARS
              for row in vintages.table(ROOT / "data" / "historique", year, "populations")
              if row[:2] == ["epci", GRAND_BESANCON]}
    assert {m: found[m] for m in listed} == listed
    computed = set(found) - set(listed)
    assert computed == {2023}
    members = {c for s, c in vintages.table(ROOT / "data" / "historique", 2025, "epci_membres")
               if s == GRAND_BESANCON}
    communes = {row[1]: int(row[2]) for row in
                vintages.table(ROOT / "data" / "historique", 2025, "populations")
                if row[0] == "commune"}
    assert found[2023] == sum(communes[c] for c in members)


@pytest.mark.slow   # every observation joined to its concept, vintage and producer: 11 s
def test_every_population_has_concept_vintage_and_producer(store):
    assert list(store.engine.query(EVERY_POPULATION_STATES_ITS_CONCEPT_VINTAGE_AND_PRODUCER,
                                   base_iri=BASE, use_default_graph_as_union=True)) == []
    assert list(store.engine.query(EVERY_EPCI_FIGURE_HAS_ITS_OBSERVATION,
                                   base_iri=BASE, use_default_graph_as_union=True)) == []
    count = store.engine.query(f"ASK {{ GRAPH ?g {{ ?o <{TI}populationLegale> ?v }} }}")
    assert bool(count)


def test_every_population_of_the_whole_build_has_concept_vintage_and_producer(full_store):
    engine = full_store.engine
    assert list(engine.query(EVERY_POPULATION_STATES_ITS_CONCEPT_VINTAGE_AND_PRODUCER,
                             base_iri=BASE, use_default_graph_as_union=True)) == []
    assert list(engine.query(EVERY_EPCI_FIGURE_HAS_ITS_OBSERVATION,
                             base_iri=BASE, use_default_graph_as_union=True)) == []


def test_a_computed_figure_is_marked_deduced_with_its_reasoning(store):
    rows = list(store.engine.query(f"""
        SELECT ?mode ?comment WHERE {{ GRAPH ?g {{
          ?o <{TI}zone> <{BASE}id/territoire/{TERRITORY}> ;
             <{TI}modeEtablissement> ?mode .
          OPTIONAL {{ ?o <http://www.w3.org/2000/01/rdf-schema#comment> ?comment }} }} }}"""))
    assert rows and all(r["mode"].value.endswith("/deduit") for r in rows)
    assert all("Somme" in r["comment"].value for r in rows)


class Chart(HTMLParser):
    """The points of each `<svg id>` chart."""

    def __init__(self):
        super().__init__()
        self.points: dict[str, int] = {}
        self.current = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "svg":
            self.current = attrs.get("id")
            self.points.setdefault(self.current, 0)
        elif tag == "circle" and "point" in (attrs.get("class") or "") and self.current:
            self.points[self.current] += 1

    def handle_endtag(self, tag):
        if tag == "svg":
            self.current = None


@pytest.mark.parametrize("path,zone", [
    (f"/doc/commune/{BESANCON}", f"id/commune/{BESANCON}"),
    (f"/doc/epci/{GRAND_BESANCON}", f"id/epci/{GRAND_BESANCON}"),
    (f"/doc/territoire/{TERRITORY}", f"id/territoire/{TERRITORY}")])
def test_the_chart_has_one_point_per_vintage_and_a_table(client, store, path, zone):
    body = page(client, path)
    chart = Chart()
    chart.feed(body)
    expected = graph_populations(store, BASE + zone)
    assert chart.points["graphique-populations-municipale"] == len(expected) >= 4
    rows = parse(body).tables["table-populations"]
    vintages_in_table = {int(r[0]) for r in rows if r and r[1] == "population municipale"}
    assert vintages_in_table == set(expected)


def figure(cell: str) -> int:
    return int(re.sub(r"\D", "", cell) or 0)


def test_the_territorys_population_is_its_commune_tables_sum(client):
    """The headline's concept and vintage are said, and its commune table, paged through,
    sums to it."""
    body = page(client, f"/doc/territoire/{TERRITORY}")
    stated = int(parse(body).facts["population"][0])
    assert "population municipale 2023 (Insee)" in body
    total, number = 0, 1
    while True:
        rows = [r for r in parse(page(client, f"/doc/territoire/{TERRITORY}",
                                      **{"communes-page": str(number)})).tables["table-communes"] if r]
        if not rows:
            break
        total += sum(figure(r[-1]) for r in rows)
        if len(rows) < PAGE_SIZE:
            break
        number += 1
    assert total == stated == 296106
    # the EPCI's total populations are stated apart, with their concept and why they differ
    assert "population totale 2022 (liste des EPCI de la DGCL)" in body


def test_the_population_statistics_page_is_for_people(client):
    body = page(client, "/doc/statistique/populations-legales")
    tables = parse(body).tables["table-chiffres"]
    rows = [r for r in tables if r]
    assert len(rows) == PAGE_SIZE                       # paged
    assert all(not re.fullmatch(r"\d{5}", r[0]) for r in rows)   # names, not codes
    assert all(r[4] == "habitants" for r in rows)       # units
    assert {r[5] for r in rows} <= {"Insee", "DGCL"}
    bars = body.count("<rect ")
    assert 0 < bars <= 30
    assert "Alliances Luxe" in body and "2023" not in re.findall(r"<text[^>]*>([^<]*)</text>",
                                                                 body)
