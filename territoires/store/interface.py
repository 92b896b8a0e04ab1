"""The `Store` a build's data is read through, the live `Publication`, and `open_publication`,
which chooses the store (see the package's docstring)."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from ..config import Settings
from ..queries import Query, Value
from .statistics import Statistics
from .describe import Document
from .errors import (Busy, Conflict, Crashed, NoBuild, OutOfMemory, StoreUnavailable,
                     TimedOut, Unavailable)
from .jobs import Answer, Job, Outcome
from .manifest import Manifest


class Store(Protocol):
    """One build's data, read-only, as the server asks for it."""

    manifest: Manifest

    @property
    def version(self) -> str: ...

    @property
    def base(self) -> str: ...

    def select(self, query: Query, **bindings: Value) -> ox.QuerySolutions:
        """Run one of our queries on the union of the build's graphs, values bound."""

    def ask(self, query: Query, **bindings: Value) -> bool: ...

    def answer(self, job: Job, timeout: float) -> Answer:
        """A user's query, serialized whole in a negotiated format within a deadline and a cap."""

    def answer_here(self, job: Job, shape, budget: int) -> Answer | None:
        """The same, in this process, when the query's `shape` (store/bounded.py) costs at most
        `budget` here; None: ask `answer`."""

    def describe(self, iri: str) -> Document: ...

    def exists(self, iri: str) -> bool: ...

    def graph(self, iri: str) -> list[ox.Quad]:
        """Every triple of one named graph of the build."""

    def shapes(self) -> list[ox.Triple]:
        """The SHACL shapes the build was validated with."""

    def validation(self) -> list[ox.Triple]:
        """The build's SHACL validation report and its DQV summary (empty for older builds)."""

    def statistics(self) -> Statistics: ...

    def dump(self, name: str) -> Path | None:
        """The file of a dump the manifest lists, when this machine holds the build."""


class Publication(Protocol):
    def current(self) -> Store:
        """The live build's store (raises NoBuild when there is none)."""

    def close(self) -> None:
        """Let go of what it holds outside the process (executors, spool files)."""


def open_publication(settings: Settings, prefixes=None, prepare=None) -> Publication:
    """The live build's source: the embedded store of `settings.output_dir`, or the remote store
    `settings.store_url` names. A base URI given in the settings (not a default) must be the
    build's; `prefixes(base)` gives the prefixes of users' answers; `prepare(store)` readies a
    new build before it is served."""
    required = settings.base_uri if "base_uri" in settings.given else None
    if settings.store_url:
        from .remote import RemotePublication

        return RemotePublication(settings.store_url, required, settings.current_build, prepare)
    from .executor import Executors
    from .local import LocalPublication

    # With no SERVICE endpoint allowed, executors also lose all network access.
    executors = Executors(settings.query_executors,
                          isolate_network=not settings.service_allowlist,
                          memory_bytes=settings.executor_memory_mib << 20,
                          light=settings.light_executors,
                          light_budget=settings.light_query_budget,
                          heavy_queue=settings.heavy_queue)
    return LocalPublication(settings.current_build, required, executors, prefixes, prepare)
