"""The published data as the server reads it: one interface, whichever store holds it.

    Store, Publication   what the server asks of a build's data, and of the live build (here)
    local.py             the embedded Oxigraph store of a build on this machine (the default)
    remote.py            a SPARQL 1.1 store loaded by `territoires publish` (`serve --store URL`)
    base.py              what both share once they can run a query (documents, statistics…)
    describe.py          a resource's document, read with three selective queries
    manifest.py          a build's manifest: its version, base, graphs, dumps and settings
    executor.py          users' queries in killable processes: the local store's deadline
    process.py, jobs.py  the executor process, and the job and outcome it trades
    switch.py            a new build prepared aside, then served
    errors.py            what can go wrong, as exceptions the web layer answers

No module outside this package knows which store it talks to: `open_publication` chooses, and
every build is read through a `Store`. This module and the local store import neither rdflib nor
Flask: query executors import them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from ..config import Settings
from ..queries import Query, Value
from ..statistics import Statistics
from .describe import Document
from .errors import Conflict, Crashed, NoBuild, StoreUnavailable, TimedOut, Unavailable
from .jobs import Answer, Job, Outcome
from .manifest import Manifest

__all__ = ["Answer", "Conflict", "Crashed", "Document", "Job", "Manifest", "NoBuild", "Outcome",
           "Publication", "Store", "StoreUnavailable", "TimedOut", "Unavailable",
           "open_publication"]


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
                          isolate_network=not settings.service_allowlist)
    return LocalPublication(settings.current_build, required, executors, prefixes, prepare)
