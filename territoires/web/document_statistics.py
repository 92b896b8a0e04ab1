"""The dataset's statistics for its VoID description. They need full scans of the store, so each
worker computes them once per dataset version (the build directory is read-only for the server,
so they cannot be cached on disk) and keeps them in memory; `seconds` records what that cost."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pyoxigraph as ox

from ..namespaces import VOID


@dataclass(frozen=True)
class Linkset:
    graph: str
    triples: int
    predicates: list[str]


@dataclass(frozen=True)
class Statistics:
    triples: int            # distinct triples of the union graph
    entities: int           # distinct IRI subjects under the base
    distinct_subjects: int
    distinct_objects: int
    classes: dict[str, int]     # class → distinct instances
    properties: dict[str, int]  # property → distinct triples
    graphs: dict[str, int]      # named graph → triples (quads) in it
    linksets: list[Linkset]
    seconds: float


def _one(store: ox.Store, query: str) -> int:
    return int(next(iter(store.query(query, use_default_graph_as_union=True)))[0].value)


def _pairs(store: ox.Store, query: str) -> dict[str, int]:
    return {row[0].value: int(row[1].value)
            for row in store.query(query, use_default_graph_as_union=True)}


def compute(store: ox.Store, base: str) -> Statistics:
    started = time.perf_counter()
    properties = _pairs(store, "SELECT ?p (COUNT(*) AS ?n) WHERE { "
                               "SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } } GROUP BY ?p")
    classes = _pairs(store, "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c")
    graphs = _pairs(store, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    subjects = _one(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }")
    objects = _one(store, "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }")
    entities = _one(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o "
                           f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{base}")) }}')
    return Statistics(sum(properties.values()), entities, subjects, objects, classes, properties,
                      graphs, _linksets(store), round(time.perf_counter() - started, 3))


def _linksets(store: ox.Store) -> list[Linkset]:
    """Every named graph declared a void:Linkset (by its source description): the outward links
    the project publishes, with their size and link predicates."""
    found = []
    for (graph,) in store.query(f"SELECT DISTINCT ?g WHERE {{ ?g a <{VOID.Linkset}> }}",
                                use_default_graph_as_union=True):
        if not isinstance(graph, ox.NamedNode):
            continue
        predicates = _pairs(store, f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} "
                                   "{ ?s ?p ?o } } GROUP BY ?p")
        found.append(Linkset(graph.value, sum(predicates.values()), sorted(predicates)))
    return sorted(found, key=lambda linkset: linkset.graph)
