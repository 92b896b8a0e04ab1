"""The live build, as the server sees it: its manifest and its store opened read-only.

A rebuild swaps the `current` symlink; each request asks `Published.current()`, which costs one
`readlink` and reopens the store only when the link points somewhere new. A request that started
on the old build finishes on it (the build directory before the live one is kept on disk).

With a remote store (`store_url`), `open_published` gives a `remote.RemotePublished` instead: the
same `current()`, whose Build has a `RemoteStore` and, unless this machine holds that very build,
no `path` (so no dumps to serve).
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..config import Settings


class NoBuild(Exception):
    """Nothing has been published yet (run `territoires build`)."""


class StoreUnavailable(NoBuild):
    """The remote store does not answer, or answers with a server error."""


@dataclass(frozen=True)
class Build:
    path: Path | None          # None: a remote store's build that this machine does not hold
    manifest: dict
    store: ox.Store            # or a `remote.RemoteStore`, with the same `query`
    published_at: float = 0.0  # when it was published (seconds since the epoch)

    @property
    def version(self) -> str:
        return self.manifest["version"]

    @property
    def union_in_default_graph(self) -> bool:
        return union_in_default_graph(self.manifest)

    @property
    def store_path(self) -> Path:
        return self.path / "store"

    def dump(self, name: str) -> Path | None:
        return None if self.path is None else self.path / "dump" / name


def open_published(settings: Settings):
    """The live build's source: the embedded store, or the remote one `store_url` names."""
    if settings.store_url:
        from .remote import RemotePublished

        return RemotePublished(settings)
    return Published(settings)


class Published:
    def __init__(self, settings: Settings):
        self.link = settings.current_build
        self._lock = threading.Lock()
        self._build: Build | None = None
        self._target: str | None = None

    def current(self) -> Build:
        try:
            target = os.readlink(self.link)
        except OSError:
            raise NoBuild(f"no build published in {self.link.parent}; run `territoires build`") from None
        build = self._build
        if build is not None and target == self._target:
            return build
        with self._lock:
            if self._build is None or target != self._target:
                path = (self.link.parent / target).resolve()
                manifest = json.loads((path / "build.json").read_text())
                self._build = Build(path, manifest, open_store(path, manifest),
                                    (path / "build.json").stat().st_mtime)
                self._target = target
            return self._build


def union_in_default_graph(manifest: dict) -> bool:
    """Whether the build's store holds the union of its named graphs in its default graph
    (builds since the union was materialized say so; see `build.load_store`)."""
    return manifest.get("default_graph") == "union"


def open_store(build_dir: Path, manifest: dict) -> LocalStore:
    """The store of the build in `build_dir`, read-only."""
    return LocalStore(ox.Store.read_only(str(build_dir / "store")),
                      union_in_default_graph(manifest))


class LocalStore:
    """A build's embedded store, read-only: an `ox.Store` whose `query` reads "the union of the
    named graphs" (`use_default_graph_as_union=True`) from the default graph when the build
    materialized it there, rather than merging every graph's indexes at query time."""

    def __init__(self, store: ox.Store, union_in_default_graph: bool):
        self.store = store
        self.union_in_default_graph = union_in_default_graph

    def query(self, query: str, *, use_default_graph_as_union: bool = False, **options):
        union = use_default_graph_as_union and not self.union_in_default_graph
        return self.store.query(query, use_default_graph_as_union=union, **options)

    def __getattr__(self, name: str):
        return getattr(self.store, name)
