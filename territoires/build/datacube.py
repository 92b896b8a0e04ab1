"""The RDF Data Cube published in its normalised form (issue 19, item 7).

The sources write the cube in the abbreviated form the recommendation allows (`qb:measure`
without `qb:componentProperty`, observations untyped, attributes attached to the data set); the
integrity constraints IC-1 … IC-21 are written for the normalised form. So the build runs the
recommendation's normalisation algorithm (section 10.2, phases 1 and 2, its SPARQL Updates
verbatim: territoires/queries/datacube/normalisation-*.ru) over every cube of the union and
publishes what it adds as one derived graph, `graph/cube-normalise`: the constraints then hold
on the endpoint as it is, and the sources stay as their stewards wrote them.

Generic: it reads no name of ours. The updates only match the `qb:` properties, the component
properties' values on data sets and slices, and `qb:DimensionProperty` types, so it runs on
exactly those triples of the union (a small store) instead of the whole graph: the same result,
without copying a million history triples.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.term import BNode, Node

from .. import queries
from ..sources import Sources, SourceGraph
from ..vocabulary.locations import Location
from ..vocabulary.namespaces import DCTERMS, LICENCE_OUVERTE, PROV, QB, RDF, RDFS, XSD, Vocabulary

PHASES = ("datacube/normalisation-1", "datacube/normalisation-2")
NAME = "cube-normalise"
ALGORITHM = URIRef("https://www.w3.org/TR/vocab-data-cube/#normalize-algorithm")
# What the updates read besides the values on data sets and slices (see the module's docstring).
READ = (QB.observation, QB.dataSet, QB.slice, QB.dimension, QB.measure, QB.attribute,
        QB.componentProperty, QB.componentAttachment, QB.structure, QB.component)


def normalise(store: ox.Store) -> None:
    """Apply the recommendation's two phases to `store`'s default graph, in place."""
    for phase in PHASES:
        store.update(queries.update(phase))


def add_normalised(sources: Sources, vocab: Vocabulary) -> SourceGraph | None:
    """Add to `sources` the graph of what normalisation adds to their union, described in
    `graph/sources`; None when it adds nothing (no cube, or one already normalised)."""
    read = _read(sources)
    store = ox.Store()
    store.bulk_extend(ox.Quad(*map(_term, triple), ox.DefaultGraph()) for triple in read)
    normalise(store)
    added = [t for t in map(_triple, store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
             if not _stated(sources, t)]
    if not added:
        return None
    iri = vocab.graph(NAME)
    graph = sources.dataset.graph(iri)
    for triple in added:
        graph.add(triple)
    derived = SourceGraph(NAME, iri, graph, [])
    derived.locations.add(iri, Location(Path(__file__)))
    sources.graphs.append(derived)
    _describe(sources, vocab, iri, _read_from(sources, read))
    sources.locations.update(derived.locations)
    return derived


def _read(sources: Sources) -> set[tuple[Node, Node, Node]]:
    """The triples of the union that the normalisation's updates can match."""
    read: set[tuple[Node, Node, Node]] = set()
    for source in sources.graphs:
        for predicate in READ:
            read.update(source.graph.triples((None, predicate, None)))
        read.update(source.graph.triples((None, RDF.type, QB.DimensionProperty)))
    holders = ({s for s, p, _ in read if p in (QB.structure, QB.observation)}
               | {o for _, p, o in read if p == QB.slice})
    components = {o for _, p, o in read
                  if p in (QB.componentProperty, QB.dimension, QB.measure, QB.attribute)}
    for source in sources.graphs:
        for component in components:
            read.update(t for t in source.graph.triples((None, component, None))
                        if t[0] in holders)
    return read


def _stated(sources: Sources, triple: tuple[Node, Node, Node]) -> bool:
    return any(triple in source.graph for source in sources.graphs)


def _read_from(sources: Sources, read: set) -> list[URIRef]:
    """The graphs holding a triple the normalisation read: the derived graph's sources."""
    return [s.iri for s in sources.graphs if any(t in s.graph for t in read)]


def _describe(sources: Sources, vocab: Vocabulary, iri: URIRef, derived_from: list[URIRef]) -> None:
    """The derived graph's description, in `graph/sources` (which lists every graph)."""
    described = next(s for s in sources.graphs if s.iri == vocab.graph("sources"))
    g = described.graph
    g.add((iri, RDF.type, vocab.ti.SourceGraph))
    g.add((iri, DCTERMS.title, Literal("Forme normalisée du RDF Data Cube", lang="fr")))
    g.add((iri, DCTERMS.title, Literal("Normalised form of the RDF Data Cube", lang="en")))
    g.add((iri, RDFS.comment, Literal(
        "Triplets ajoutés par l'algorithme de normalisation de la recommandation RDF Data Cube "
        "(section 10.2, phases 1 et 2) aux cubes des autres graphes, écrits sous forme abrégée : "
        "types des observations, qb:componentProperty et types des composants, attributs du jeu "
        "de données portés par chaque observation. Les contraintes d'intégrité IC-1 à IC-21 "
        "s'évaluent telles quelles sur l'union des graphes.", lang="fr")))
    g.add((iri, RDFS.comment, Literal(
        "Triples added by the RDF Data Cube recommendation's normalisation algorithm (section "
        "10.2, phases 1 and 2) to the cubes of the other graphs, written in the abbreviated "
        "form: observation types, qb:componentProperty and component types, data set attributes "
        "carried by each observation. The integrity constraints IC-1 to IC-21 hold as written "
        "on the union of the graphs.", lang="en")))
    for source in derived_from:
        g.add((iri, PROV.wasDerivedFrom, source))
    g.add((iri, DCTERMS.source, ALGORITHM))
    g.add((iri, DCTERMS.license, LICENCE_OUVERTE))
    g.add((vocab.graph("sources"), PROV.wasDerivedFrom, iri))


def _term(node: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, BNode):
        return ox.BlankNode(str(node))
    if node.language:
        return ox.Literal(str(node), language=node.language)
    if node.datatype is None:
        return ox.Literal(str(node))
    return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))


def _triple(quad: ox.Quad) -> tuple[Node, Node, Node]:
    return tuple(_node(term) for term in (quad.subject, quad.predicate, quad.object))


def _node(term) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == str(XSD.string):   # a simple literal, as rdflib writes one
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))
