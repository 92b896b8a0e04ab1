"""What every store shares once it can run a query: a resource's document, whether an IRI names
anything, a named graph's triples, the statistics. `LocalStore` and `RemoteStore` add how they
run queries (`select`, `ask`), answer a user's query (`answer`) and reach their files."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from .. import queries
from . import statistics
from .describe import Document, describe
from .manifest import Manifest


class BuildStore:
    """One build's data, read-only. Subclasses implement `select`, `ask`, `answer`, `shapes`."""

    def __init__(self, manifest: Manifest, path: Path | None = None):
        self.manifest = manifest
        self.path = path           # the build directory, when this machine holds the build

    @property
    def version(self) -> str:
        return self.manifest.version

    @property
    def base(self) -> str:
        return self.manifest.base_uri

    @property
    def union_materialized(self) -> bool:
        return self.manifest.union_materialized

    def describe(self, iri: str) -> Document:
        return describe(self, iri)

    def answer_here(self, job, shape, budget: int):
        """A user's query answered in this process when its cost is bounded small; None: ask
        `answer` (a store that runs no query here, a remote one, always says None)."""
        return None

    def exists(self, iri: str) -> bool:
        return self.ask(queries.get("documents/exists"), resource=ox.NamedNode(iri))

    def graph(self, iri: str) -> list[ox.Quad]:
        """Every triple of the named graph `iri`, sorted (so documents are stable)."""
        name = ox.NamedNode(iri)
        quads = (ox.Quad(row["s"], row["p"], row["o"], name)
                 for row in self.select(queries.get("store/graph"), graph=name))
        return sorted(quads, key=lambda q: tuple(str(t) for t in q))

    def statistics(self) -> statistics.Statistics:
        """The build's saved statistics, or computed (once per build, by the caller's cache)."""
        return statistics.load(self.path) or statistics.compute(self)

    def dump(self, name: str) -> Path | None:
        """A dump file the manifest lists, if this machine holds the build."""
        listed = {entry["file"].rsplit("/", 1)[-1] for entry in self.manifest.dumps.values()}
        if self.path is None or name not in listed:
            return None
        return self.path / "dump" / name
