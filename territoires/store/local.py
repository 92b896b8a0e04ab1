"""The embedded store: a build on this machine, its Oxigraph store opened read-only.

The server's own queries run here, in the web worker (they are ours, selective and quick); a
user's query runs in an executor process (executor.py), which opens the build with this same
module, so that it can be killed at its deadline. `LocalPublication` follows the `current`
symlink: each request asks `current()`, which costs one `readlink`; when the link points
somewhere new, the new build is prepared aside and served once ready. A request that started on
the old build finishes on it (the build directory before the live one is kept on disk).

This module stays free of rdflib and Flask: query executors import it.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path

import pyoxigraph as ox

from ..queries import Query, Value, is_term
from . import bounded
from .evaluation import evaluate
from .base import BuildStore
from .describe import Document, Names, read_by_patterns
from .errors import Conflict, NoBuild
from .jobs import Answer, Job
from .manifest import Manifest
from .switch import Switch


class LocalStore(BuildStore):
    def __init__(self, engine: ox.Store, manifest: Manifest, path: Path | None = None,
                 executors=None, prefixes: dict[str, str] | None = None):
        super().__init__(manifest, path)
        self.engine = engine
        self.executors = executors       # runs users' queries (None: this store cannot)
        self.prefixes = prefixes or {}   # for the answers executors serialize
        self.names = Names(engine)

    @classmethod
    def open(cls, build_dir: Path, manifest: Manifest | None = None, **options) -> "LocalStore":
        """The build in `build_dir`, read-only (its manifest read there unless given)."""
        manifest = manifest or Manifest.read(build_dir)
        return cls(ox.Store.read_only(str(build_dir / "store")), manifest, build_dir, **options)

    def dataset(self, union: bool = True, default_graphs=None, named_graphs=None) -> dict:
        """The engine's dataset arguments: the union of the named graphs is read from the
        default graph when the build materialized it there, else merged at query time; a
        dataset given by the protocol replaces the query's."""
        if default_graphs is None and named_graphs is None:
            return {"use_default_graph_as_union": union and not self.union_materialized}
        return {"default_graph": [ox.NamedNode(g) for g in default_graphs or ()],
                "named_graphs": [ox.NamedNode(g) for g in named_graphs or ()]}

    def _run(self, query: Query, bindings: dict[str, Value]):
        # One value: the engine's substitution; a list: a VALUES block.
        single = {ox.Variable(k): v for k, v in bindings.items() if is_term(v)}
        listed = {k: v for k, v in bindings.items() if not is_term(v)}
        return self.engine.query(query.values(listed), base_iri=self.base,
                                 substitutions=single, **self.dataset())

    def select(self, query: Query, **bindings: Value) -> ox.QuerySolutions:
        return self._run(query, bindings)

    def ask(self, query: Query, **bindings: Value) -> bool:
        return bool(self._run(query, bindings))

    # The server's two hot reads (every dereference), made as triple patterns: the same answers
    # as the queries BuildStore runs (tests/test_store.py), without parsing and planning them.
    def describe(self, iri: str) -> Document:
        return read_by_patterns(self.engine, iri, self.names)

    def exists(self, iri: str) -> bool:
        term = ox.NamedNode(iri)
        return any(True for _ in self.engine.quads_for_pattern(term, None, None)) or \
            any(True for _ in self.engine.quads_for_pattern(None, None, term))

    def shapes(self) -> list[ox.Triple]:
        if self.path is None or not self.manifest.shapes:
            return []
        return list(ox.parse(path=str(self.path / self.manifest.shapes),
                             format=ox.RdfFormat.N_TRIPLES))

    def validation(self) -> list[ox.Triple]:
        if self.path is None or not self.manifest.validation:
            return []
        return list(ox.parse(path=str(self.path / self.manifest.validation),
                             format=ox.RdfFormat.N_TRIPLES))

    def answer(self, job: Job, timeout: float):
        """A user's query, evaluated in an executor process within `timeout` (see executor.py)."""
        if self.executors is None:
            raise RuntimeError("this store was opened without query executors")
        return self.executors.run(self.path, self.prefixes, job, timeout)

    def answer_here(self, job: Job, shape: bounded.Group, budget: int) -> Answer | None:
        """A user's query answered in this process, when the walk of its `shape` through the
        indexes (bounded.py) costs at most `budget`: it cannot outlive a deadline, and the
        round trip to an executor would cost more than it. None: it must go to an executor."""
        if job.default_graphs is not None or job.named_graphs is not None or \
                not bounded.within(shape, self.engine.quads_for_pattern, budget):
            return None
        spool = Path(tempfile.gettempdir()) / f"territoires-answer-{uuid.uuid4().hex}"
        try:
            outcome = evaluate(self, job, self.prefixes, spool=str(spool))
            if outcome.status != "ok" or outcome.body is not None:
                return Answer(outcome)
            return Answer(outcome, open(spool, "rb"))
        finally:
            spool.unlink(missing_ok=True)   # an open answer file lives on until it is sent


class LocalPublication:
    """The live build of `settings.output_dir`: `current()` gives its store. A new build is
    opened and prepared in the background, and served once ready (switch.py)."""

    def __init__(self, link: Path, required_base: str | None = None, executors=None,
                 prefixes=None, prepare=None):
        self.link = link
        self.required_base = required_base   # a base the operator gave: builds must agree
        self.executors = executors
        self.prefixes = prefixes             # base → the prefixes of answers
        self.switch = Switch(prepare)

    def close(self) -> None:
        """Let go of what this publication holds outside the process (its executors' files)."""
        if self.executors is not None:
            self.executors.close()

    def current(self) -> LocalStore:
        try:
            target = os.readlink(self.link)
        except OSError:
            raise NoBuild(f"no build published in {self.link.parent}; run "
                          f"`territoires build`") from None
        return self.switch.serve(target, lambda: self._open(target))

    def _open(self, target: str) -> LocalStore:
        path = (self.link.parent / target).resolve()
        manifest = Manifest.read(path)
        if self.required_base and manifest.base_uri != self.required_base:
            raise Conflict(conflict_message(manifest, self.required_base, str(path)))
        prefixes = self.prefixes(manifest.base_uri) if self.prefixes else {}
        return LocalStore.open(path, manifest, executors=self.executors, prefixes=prefixes)


def conflict_message(manifest: Manifest, base: str, where: str) -> str:
    return (f"the build {manifest.version} in {where} was made with the base URI "
            f"{manifest.base_uri}, but the server was given {base}: the server takes the base "
            f"from the build it serves; give no base (or the build's), or rebuild with "
            f"--base-uri {base}")
