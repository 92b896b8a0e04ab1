"""The dataset's statistics for its VoID description. They need full scans of the store, so the
build computes them once (`statistics.json` in the build directory, see `save` and `load`); a
server whose build lacks the file (a remote store's, or an older build) computes them once per
dataset version and worker. `seconds` records what that cost."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import pyoxigraph as ox

from .namespaces import VOID

FILE = "statistics.json"


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


def compute(store: ox.Store, base: str, union: bool = True) -> Statistics:
    """Scan the store; `union=False` when its default graph already holds the union."""
    started = time.perf_counter()

    def pairs(query: str) -> dict[str, int]:
        return {row[0].value: int(row[1].value)
                for row in store.query(query, use_default_graph_as_union=union)}

    def one(query: str) -> int:
        return int(next(iter(store.query(query, use_default_graph_as_union=union)))[0].value)

    # A union merged at query time may repeat a triple (once per graph); a materialized one not.
    triples = "SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }" if union else "?s ?p ?o"
    properties = pairs(f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ {{ {triples} }} }} GROUP BY ?p")
    classes = pairs("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c")
    graphs = pairs("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    objects = one("SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }")
    # Entities are the subjects under the base: counted here rather than with a STRSTARTS
    # filter, which Oxigraph evaluates on every triple (five times slower).
    subjects = entities = 0
    for (subject,) in store.query("SELECT DISTINCT ?s WHERE { ?s ?p ?o }",
                                  use_default_graph_as_union=union):
        subjects += 1
        entities += isinstance(subject, ox.NamedNode) and subject.value.startswith(base)
    linksets = []
    # Every named graph declared a void:Linkset (by its source description): the outward links
    # the project publishes, with their size and link predicates.
    for (graph,) in store.query(f"SELECT DISTINCT ?g WHERE {{ ?g a <{VOID.Linkset}> }}",
                                use_default_graph_as_union=union):
        if isinstance(graph, ox.NamedNode):
            predicates = pairs(f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} "
                               "{ ?s ?p ?o } } GROUP BY ?p")
            linksets.append(Linkset(graph.value, sum(predicates.values()), sorted(predicates)))
    linksets.sort(key=lambda linkset: linkset.graph)
    return Statistics(sum(properties.values()), entities, subjects, objects, classes, properties,
                      graphs, linksets, round(time.perf_counter() - started, 3))


def save(statistics: Statistics, build_dir: Path) -> None:
    (build_dir / FILE).write_text(json.dumps(asdict(statistics), indent=1) + "\n")


def load(build_dir: Path | None) -> Statistics | None:
    """The statistics the build saved; None if it did not (or there is no local build)."""
    path = None if build_dir is None else build_dir / FILE
    if path is None or not path.exists():
        return None
    values = json.loads(path.read_text())
    values["linksets"] = [Linkset(**linkset) for linkset in values["linksets"]]
    return Statistics(**values)
