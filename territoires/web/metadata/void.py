"""The VoID description of the dataset (`/.well-known/void`): counts, class and property
partitions, a subset per named graph, linksets, dumps, the endpoint and example resources. Its
IRIs live under the canonical base; only its HTML page's links follow the host."""

from __future__ import annotations

from flask import render_template
from rdflib import Graph, Literal, URIRef

from ...vocabulary import formats
from ... import queries
from ...vocabulary.namespaces import (DCTERMS, FOAF, LICENCE_OUVERTE, OWL, RDF, RDFS, SD, VOID,
    Vocabulary)
from ...store import Store
from ..context import per_build
from ..answer import Described, Target
from ..hosts import HostMap
from .dumps import listed
from .texts import DESCRIPTION, TITLE, metadata_graph, to_quads
from .validation import quality_links

PATH = ".well-known/void"


def dataset_iri(base: str) -> URIRef:
    """The dataset's IRI, the one the link sets' descriptions in the store name too."""
    return Vocabulary(base).dataset()


@per_build
def statistics(live: Store):
    """The build's statistics (saved by the build; computed once per build otherwise)."""
    return live.statistics()


def void_graph(live: Store) -> Graph:
    base, stats = live.base, statistics(live)
    ds = dataset_iri(base)
    g = metadata_graph(base)
    g.add((URIRef(f"{base}{PATH}"), FOAF.primaryTopic, ds))
    g.add((ds, RDF.type, VOID.Dataset))
    for lang, text in TITLE.items():
        g.add((ds, DCTERMS.title, Literal(text, lang=lang)))
    g.add((ds, DCTERMS.license, LICENCE_OUVERTE))
    g.add((ds, RDFS.seeAlso, URIRef(f"{base}catalogue")))
    g.add((ds, VOID.sparqlEndpoint, URIRef(f"{base}sparql")))
    g.add((ds, VOID.uriSpace, Literal(base)))
    g.add((ds, VOID.rootResource, URIRef(f"{base}id/programme/territoires-d-industrie")))
    for row in live.select(queries.get("metadata/example-resources")):
        g.add((ds, VOID.exampleResource, URIRef(row["territory"].value)))
    for dump in filter(lambda d: d.rdf, listed(live)):
        g.add((ds, VOID.dataDump, URIRef(f"{base}dump/{dump.name}")))
    for namespace in Vocabulary(base).prefixes().values():
        g.add((ds, VOID.vocabulary, URIRef(namespace)))
    g.add((ds, DCTERMS.conformsTo, URIRef(f"{base}shapes/territoires")))
    quality_links(g, ds, live)   # the validation report, as DQV quality metadata
    g.add((ds, OWL.versionInfo, Literal(live.version)))
    for name, value in (("triples", stats.triples), ("entities", stats.entities),
                        ("classes", len(stats.classes)), ("properties", len(stats.properties)),
                        ("distinctSubjects", stats.distinct_subjects),
                        ("distinctObjects", stats.distinct_objects)):
        g.add((ds, VOID[name], Literal(value)))
    _partitions(g, ds, stats)
    _subsets(g, ds, stats)
    return g


def _partitions(g: Graph, ds: URIRef, stats) -> None:
    for index, (cls, count) in enumerate(sorted(stats.classes.items()), start=1):
        part = URIRef(f"{ds}-classe-{index}")
        g.add((ds, VOID.classPartition, part))
        g.add((part, VOID["class"], URIRef(cls)))
        g.add((part, VOID.entities, Literal(count)))
    for index, (prop, count) in enumerate(sorted(stats.properties.items()), start=1):
        part = URIRef(f"{ds}-propriete-{index}")
        g.add((ds, VOID.propertyPartition, part))
        g.add((part, VOID.property, URIRef(prop)))
        g.add((part, VOID.triples, Literal(count)))


def _subsets(g: Graph, ds: URIRef, stats) -> None:
    for graph, count in sorted(stats.graphs.items()):
        subset = URIRef(graph)
        g.add((ds, VOID.subset, subset))
        g.add((subset, RDF.type, VOID.Dataset))
        g.add((subset, SD.name, subset))
        g.add((subset, VOID.triples, Literal(count)))
    for linkset in stats.linksets:
        node = URIRef(linkset.graph)
        g.add((ds, VOID.subset, node))
        g.add((node, RDF.type, VOID.Linkset))
        g.add((node, VOID.subjectsTarget, ds))
        g.add((node, VOID.triples, Literal(linkset.triples)))
        for predicate in linkset.predicates:
            g.add((node, VOID.linkPredicate, URIRef(predicate)))


class VoID:
    def describe(self, live: Store, target: Target) -> Described:
        return Described(to_quads(void_graph(live)))

    def page(self, described: Described, live: Store, target: Target, host: HostMap) -> str:
        return render_template("void.html", version=live.version, hosts=host,
                               stats=statistics(live), formats=formats.DOCUMENTS,
                               title=TITLE, description=DESCRIPTION, document_path=PATH)
