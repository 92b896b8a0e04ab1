"""The dataset's statistics for its VoID description. They need full scans of the store, so the
build computes them once (`statistics.json` in the build directory, see `save` and `load`); a
server whose build lacks the file (a remote store's, or an older build) computes them once per
build and application. `seconds` records what that cost.

The queries are territoires/queries/void/*.rq; this module stays free of rdflib (query
executors import the store package, which imports it).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import pyoxigraph as ox

from .. import queries

FILE = "statistics.json"


@dataclass(frozen=True)
class LinksetStatistics:
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
    linksets: list[LinksetStatistics]
    seconds: float


def compute(store) -> Statistics:
    """Scan `store` (any `Store`: its union of the named graphs, and its base)."""
    started = time.perf_counter()

    def counts(name: str, **bindings) -> dict[str, int]:
        return {row[0].value: int(row[1].value)
                for row in store.select(queries.get(f"void/{name}"), **bindings)}

    # A union merged at query time may hold a triple once per graph; a materialized one not.
    properties = counts("properties" if store.union_materialized else "properties-merged")
    classes = counts("classes")
    graphs = counts("graphs")
    objects = int(next(iter(store.select(queries.get("void/distinct-objects"))))[0].value)
    subjects = entities = 0
    for (subject,) in store.select(queries.get("void/subjects")):
        subjects += 1
        entities += isinstance(subject, ox.NamedNode) and subject.value.startswith(store.base)
    linksets = []
    # Every named graph declared a void:LinksetStatistics (by its source description): the outward links
    # the project publishes, with their size and link predicates.
    for (graph,) in store.select(queries.get("void/linksets")):
        predicates = {row["predicate"].value: int(row["triples"].value) for row in store.select(
            queries.get("void/graph-predicates"), graph=graph)}
        linksets.append(LinksetStatistics(graph.value, sum(predicates.values()), sorted(predicates)))
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
    values["linksets"] = [LinksetStatistics(**linkset) for linkset in values["linksets"]]
    return Statistics(**values)
