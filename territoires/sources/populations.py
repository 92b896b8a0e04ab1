"""Legal populations as RDF Data Cube observations, each with its vintage and its source.

`ti:population` on communes (and `ti:populationTotale` / `ti:populationMunicipale` on EPCI) stays
the current value that pages and queries read; this module adds, in `graph/populations`, one
`qb:Observation` per area and vintage (dataset `id/statistique/populations-legales`, structure
`ti:dsd-populations`): dimensions `ti:zone` (the commune) and `ti:periodeReference` (the Insee
census year of the figure), measure `ti:populationLegale`, attributes unit and source.

`observations` takes a vintage and its rows, so another vintage (an older
`@etalab/decoupage-administratif`, an Insee file) is one more call with its own rows and source.
The areas published are the communes of the EPCI that the territory lists name: the Data Cube
integrity constraints (IC-12 compares observations pairwise) stay cheap, and they are the areas
the programme's questions are about.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import Dataset, Graph, Literal, URIRef

from ..vocabulary.namespaces import (DCTERMS, LICENCE_OUVERTE, ORG, PROV, QB, RDF, RDFS,
    SDMX_ATTRIBUTE, UNIT, XSD, Vocabulary)
from .base import SourceGraph

# The vendored snapshot (@etalab/decoupage-administratif 6.0.0, millésime 2026) takes commune
# populations from Insee's populations légales in force on 1 January 2026, whose census reference
# year is 2023 (its README links the Insee page below); see data/reference/README.md.
REFERENCE_VINTAGE = "2023"
REFERENCE_SOURCE = URIRef("https://www.insee.fr/fr/statistiques/8680726?sommaire=8681011")

DATASET = "populations-legales"


@dataclass(frozen=True)
class Row:
    area: URIRef      # a commune (or any area with a code)
    code: str         # its code, which names the observation
    population: int


def observations(vocab: Vocabulary, graph: Graph, vintage: str, rows: Iterable[Row],
                 source: URIRef) -> int:
    """Add to `graph` one observation per row for the census year `vintage`, citing `source`;
    returns how many."""
    ti, dataset = vocab.ti, vocab.id("statistique", DATASET)
    year = Literal(vintage, datatype=XSD.gYear)
    mode = vocab.concept("mode-etablissement", "reference")
    count = 0
    for row in rows:
        obs = URIRef(f"{dataset}/{vintage}/{row.code}")
        graph.add((obs, RDF.type, QB.Observation))
        graph.add((obs, QB.dataSet, dataset))
        graph.add((obs, ti.zone, row.area))
        graph.add((obs, ti.periodeReference, year))
        graph.add((obs, ti.populationLegale, Literal(row.population, datatype=XSD.integer)))
        graph.add((obs, SDMX_ATTRIBUTE.unitMeasure, UNIT.NUM))
        graph.add((obs, DCTERMS.source, source))
        graph.add((obs, ti.modeEtablissement, mode))
        count += 1
    return count


def _dataset(vocab: Vocabulary, graph: Graph, source: URIRef) -> None:
    ti, dataset = vocab.ti, vocab.id("statistique", DATASET)
    graph.add((dataset, RDF.type, QB.DataSet))
    graph.add((dataset, QB.structure, ti["dsd-populations"]))
    for lang, label in (("fr", "Populations légales des communes des territoires, par millésime"),
                        ("en", "Legal populations of the territories' communes, by vintage")):
        graph.add((dataset, RDFS.label, Literal(label, lang=lang)))
        graph.add((dataset, DCTERMS.title, Literal(label, lang=lang)))
    graph.add((dataset, DCTERMS.creator, vocab.id("organisation", "insee")))
    graph.add((dataset, DCTERMS.source, source))
    graph.add((dataset, ti.modeEtablissement, vocab.concept("mode-etablissement", "reference")))


def territory_communes(vocab: Vocabulary, reference: Graph, territories: Graph) -> list[Row]:
    """The current communes of every EPCI a territory list names, with their population."""
    ti, rows = vocab.ti, {}
    for epci in set(territories.objects(None, ORG.hasMember)):
        for commune in reference.objects(epci, ORG.hasMember):
            population = reference.value(commune, ti.population)
            if population is not None:
                code = str(reference.value(commune, ti.codeInsee))
                rows[code] = Row(commune, code, int(population))
    return [rows[code] for code in sorted(rows)]


def load(vocab: Vocabulary, reference: SourceGraph, territories: SourceGraph, dataset: Dataset,
         descriptions: Graph) -> SourceGraph:
    """`graph/populations`: the reference vintage's populations of the territories' communes."""
    iri = vocab.graph("populations")
    graph = dataset.graph(iri)
    _dataset(vocab, graph, REFERENCE_SOURCE)
    rows = territory_communes(vocab, reference.graph, territories.graph)
    observations(vocab, graph, REFERENCE_VINTAGE, rows, REFERENCE_SOURCE)
    _describe(vocab, descriptions, iri, [reference.iri, territories.iri])
    return SourceGraph("populations", iri, graph, list(reference.files) + list(territories.files))


def _describe(vocab: Vocabulary, graph: Graph, iri: URIRef, derived_from: list[URIRef]) -> None:
    graph.add((iri, RDF.type, vocab.ti.SourceGraph))
    graph.add((iri, DCTERMS.title, Literal(
        "Populations légales des communes des territoires (RDF Data Cube)", lang="fr")))
    graph.add((iri, DCTERMS.title, Literal(
        "Legal populations of the territories' communes (RDF Data Cube)", lang="en")))
    for source in derived_from:
        graph.add((iri, PROV.wasDerivedFrom, source))
    graph.add((iri, DCTERMS.source, REFERENCE_SOURCE))
    graph.add((iri, DCTERMS.license, LICENCE_OUVERTE))
    graph.add((REFERENCE_SOURCE, DCTERMS.title, Literal(
        f"Insee, populations légales {REFERENCE_VINTAGE} (en vigueur au 1er janvier 2026)",
        lang="fr")))
    graph.add((REFERENCE_SOURCE, DCTERMS.publisher, vocab.id("organisation", "insee")))
