"""Links that need no network: derived from the official codes of the reference graph.

Each link set is its own named graph, described in `graph/sources` as both a `ti:SourceGraph` and
a VoID `void:Linkset` (target, link predicate, count). The targets are web resources *about* the
entity (an API record, a directory page), not the entity itself: they are `rdfs:seeAlso` and
`foaf:page`, never `owl:sameAs`.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Dataset, Graph, Literal, URIRef

from ..vocabulary.namespaces import (DCTERMS, FOAF, LICENCE_OUVERTE, PROV, RDF, RDFS, VOID, XSD,
    Vocabulary)
from .base import SourceGraph


@dataclass(frozen=True)
class Linkset:
    name: str                      # graph/{name}
    title_fr: str
    title_en: str
    predicate: URIRef
    target: URIRef                 # the linked dataset, as void:objectsTarget
    # class local name -> (URL template, the ti: code property filled into it)
    templates: dict[str, tuple[str, str]]


LINKSETS = [
    Linkset("liens-geo-api", "Liens vers l'API Découpage administratif (geo.api.gouv.fr)",
            "Links to the administrative divisions API (geo.api.gouv.fr)", RDFS.seeAlso,
            URIRef("https://geo.api.gouv.fr/"),
            {"Commune": ("https://geo.api.gouv.fr/communes/{}", "codeInsee"),
             "Departement": ("https://geo.api.gouv.fr/departements/{}", "codeInsee"),
             "Region": ("https://geo.api.gouv.fr/regions/{}", "codeInsee"),
             "EPCI": ("https://geo.api.gouv.fr/epcis/{}", "siren"),
             # the Métropole de Lyon, no EPCI, but in the API's and the DGCL's list of them
             "CollectiviteStatutParticulier": ("https://geo.api.gouv.fr/epcis/{}", "siren")}),
    Linkset("liens-annuaire-entreprises", "Liens vers l'Annuaire des entreprises (SIREN)",
            "Links to the Annuaire des entreprises (SIREN)", FOAF.page,
            URIRef("https://annuaire-entreprises.data.gouv.fr/"),
            {"EPCI": ("https://annuaire-entreprises.data.gouv.fr/entreprise/{}", "siren"),
             "CollectiviteStatutParticulier": (
                 "https://annuaire-entreprises.data.gouv.fr/entreprise/{}", "siren"),
             "Commune": ("https://annuaire-entreprises.data.gouv.fr/entreprise/{}", "siren")}),
]


def load(vocab: Vocabulary, reference: SourceGraph, dataset: Dataset,
         descriptions: Graph) -> list[SourceGraph]:
    """Map every link set into its own graph of `dataset`; describe each in `descriptions`."""
    ti = vocab.ti
    loaded = []
    for linkset in LINKSETS:
        iri = vocab.graph(linkset.name)
        graph = dataset.graph(iri)
        for cls, (template, code_property) in linkset.templates.items():
            for entity in reference.graph.subjects(RDF.type, ti[cls]):
                code = reference.graph.value(entity, ti[code_property])
                if code is not None:
                    graph.add((entity, linkset.predicate, URIRef(template.format(code))))
        _describe(descriptions, vocab, iri, linkset, reference.iri, len(graph))
        loaded.append(SourceGraph(linkset.name, iri, graph, list(reference.files)))
    return loaded


def _describe(graph: Graph, vocab: Vocabulary, iri: URIRef, linkset: Linkset,
              reference: URIRef, count: int) -> None:
    graph.add((iri, RDF.type, vocab.ti.SourceGraph))
    graph.add((iri, RDF.type, VOID.Linkset))
    graph.add((iri, DCTERMS.title, Literal(linkset.title_fr, lang="fr")))
    graph.add((iri, DCTERMS.title, Literal(linkset.title_en, lang="en")))
    graph.add((iri, PROV.wasDerivedFrom, reference))
    graph.add((iri, DCTERMS.source, reference))
    graph.add((iri, DCTERMS.license, LICENCE_OUVERTE))
    graph.add((iri, VOID.subjectsTarget, vocab.dataset()))
    graph.add((iri, VOID.objectsTarget, linkset.target))
    graph.add((iri, VOID.linkPredicate, linkset.predicate))
    graph.add((iri, VOID.triples, Literal(count, datatype=XSD.integer)))
