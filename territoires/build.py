"""`territoires build`: sources → RDF (one named graph each) → SHACL validation → published output.

Nothing is published unless the whole graph validates. The output is written into a fresh
directory and then swapped in by renaming a symlink, which is atomic: readers see either the old
build or the new one, never half of each, and a failed build leaves the old one untouched.

    output/current -> builds/<id>/     the live build
        store/                         embedded Oxigraph store (opened read-only by the server):
                                       the named graphs, and their union as the default graph
        dump/territoires.nq.gz         every named graph, sorted N-Quads
        dump/territoires.nt.gz         the union graph, sorted N-Triples
        dump/territoires.ttl.gz        the union graph, Turtle
        build.json                     the manifest: version (content hash), base URI, counts,
                                       graphs, dumps, timings (store/manifest.py)
        shapes.nt                      the shapes the build was validated with, as served
        statistics.json                the VoID statistics (class and property partitions…)
"""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox

from . import statistics
from .config import Settings
from .namespaces import Vocabulary
from .sources import Progress, Sources, load_all
from .store.local import LocalStore
from .store.manifest import SHAPES_FILE, Manifest
from .validate import Report, load_shapes, validate

DUMPS = {"nq": "territoires.nq.gz", "nt": "territoires.nt.gz", "ttl": "territoires.ttl.gz"}



class BuildFailed(Exception):
    def __init__(self, message: str, report: Report | None = None):
        super().__init__(message)
        self.report = report


def map_sources(settings: Settings, progress: Progress, extra: list[Path] = ()) -> Sources:
    return load_all(settings, list(extra), progress)


def load_store(nquads: list[bytes], path: Path | None = None,
               union: list[bytes] | None = None) -> ox.Store:
    """An Oxigraph store holding the quads: on disk at `path`, or in memory. With `union` (the
    distinct triples of every graph, as N-Triples lines), the default graph holds them too: the
    union is then read from one graph's indexes instead of merged across graphs per query
    (1.1 to 2.4 times faster on the benchmark's analytics), and counts each triple once."""
    store = ox.Store(str(path)) if path else ox.Store()
    store.bulk_load(b"\n".join(nquads), format=ox.RdfFormat.N_QUADS)
    if union is not None:
        store.bulk_load(b"\n".join(union), format=ox.RdfFormat.N_TRIPLES)
    return store


def check(settings: Settings, sources: Sources, progress: Progress, shapes=None) -> Report:
    """Validate the union of the named graphs against the shapes."""
    shapes = shapes if shapes is not None else load_shapes(settings.shapes_dir, settings.base_uri)
    progress(f"validating {sum(len(g) for g in sources.graphs):,} triples "
             f"against {len(shapes):,} shape triples")
    return validate(sources.dataset, shapes, sources.locations)


def build(settings: Settings, progress: Progress = lambda _: None) -> Manifest:
    """Build, validate and publish; return the new build's manifest. Raises BuildFailed.

    One build at a time per output directory: the lock is taken first, so a second build learns
    at once that one is running; what a killed build left behind is removed then."""
    try:
        settings.output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BuildFailed(f"cannot make the output directory {settings.output_dir}: "
                          f"{error.strerror or error}") from None
    with _lock(settings.output_dir):
        _remove_unfinished(settings.output_dir, progress)
        manifest = _build(settings, progress)
    progress(f"published version {manifest.version} "
             f"({manifest.quads:,} quads) in {manifest.timings['total']} s")
    return manifest


def _build(settings: Settings, progress: Progress) -> Manifest:
    started = time.perf_counter()
    timings: dict[str, float] = {}

    def step(name: str, since: float) -> float:
        now = time.perf_counter()
        timings[name] = round(now - since, 3)
        return now

    sources = map_sources(settings, progress)
    shapes = load_shapes(settings.shapes_dir, settings.base_uri)
    shapes_nt = _sorted_ntriples(shapes)   # as written, before validation can add to the graph
    mark = step("map", started)
    report, nquads = _while_serializing(sources, lambda: check(settings, sources, progress,
                                                                shapes))
    mark = step("validate", mark)
    if not report.conforms:
        raise BuildFailed(f"{len(report.violations)} SHACL violation(s): nothing was published",
                          report)
    target = _fresh_directory(settings.output_dir)
    try:
        progress(f"loading the store and writing the dumps in {target}")
        manifest = _store_and_dumps(target, sources, nquads, _union(nquads), settings)
        (target / SHAPES_FILE).write_bytes(shapes_nt)
        mark = step("store+dumps", mark)
        manifest = replace(manifest, shapes=SHAPES_FILE,
                           timings={**timings, "total": round(mark - started, 3)})
        manifest.write(target)
        _publish(settings.output_dir, target)
    except OSError as error:   # a full disk, a vanished directory: said in words
        shutil.rmtree(target, ignore_errors=True)
        raise BuildFailed(f"could not write the build in {target} "
                          f"({error.strerror or error}): nothing was published") from error
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    return manifest


def _remove_unfinished(output: Path, progress: Progress) -> None:
    """Build directories a killed build left (no manifest: it is written last) are garbage; with
    the lock held, no build is writing one."""
    builds = output / "builds"
    if not builds.is_dir():
        return
    for directory in builds.iterdir():
        finished = (directory / "build.json").exists()
        if directory.is_dir() and not directory.is_symlink() and not finished:
            progress(f"removing {directory}, left unfinished by an earlier build")
            shutil.rmtree(directory, ignore_errors=True)


def _while_serializing(sources: Sources, work: Callable[[], Report]) -> tuple[Report, list[bytes]]:
    """Run `work` (the validation) while a forked child turns the mapped graphs into canonical
    N-Quads lines: both are pure Python, so threads would not overlap them, but a child sharing
    the graphs copy-on-write does (about 3 s of the build). Falls back to serializing here if
    fork is unavailable or the child fails."""
    if not hasattr(os, "fork"):
        return work(), sources.nquads()
    with tempfile.TemporaryFile() as spool:
        child = os.fork()
        if child == 0:  # the child: write the lines and leave without any clean-up
            status = 1
            try:
                spool.write(b"\n".join(sources.nquads()))
                spool.flush()
                status = 0
            finally:
                os._exit(status)
        try:
            report = work()
        finally:
            _, status = os.waitpid(child, 0)
        if status != 0:
            return report, sources.nquads()
        spool.seek(0)
        data = spool.read()
        return report, data.split(b"\n") if data else []


def _union(nquads: list[bytes]) -> list[bytes]:
    """The union graph as sorted N-Triples lines: the graph term dropped (IRIs hold no spaces),
    each triple once."""
    return sorted({line.rsplit(b" ", 2)[0] + b" ." for line in nquads})


def _store_and_dumps(target: Path, sources: Sources, nquads: list[bytes], triples: list[bytes],
                     settings: Settings) -> Manifest:
    """Load the store in a thread while the dumps are written: both spend most of their time
    in native code that releases the GIL (Oxigraph's loader, zlib), so on two cores they
    overlap (about 2.5 s of the build)."""
    failure: list[BaseException] = []

    def load() -> None:
        try:
            engine = load_store(nquads, target / "store", union=triples)
            engine.flush()
            # Read as the server reads it: the default graph holds the union.
            store = LocalStore(engine, Manifest("", settings.base_uri, default_graph="union"))
            statistics.save(statistics.compute(store), target)
            del store, engine  # closed here; the server opens it read-only
        except BaseException as error:
            failure.append(error)

    loader = threading.Thread(target=load, name="store-loader")
    loader.start()
    try:
        manifest = _write_dumps(target, sources, nquads, triples, settings)
    finally:
        loader.join()
    if failure:
        raise failure[0]
    return manifest


def _write_dumps(target: Path, sources: Sources, nquads: list[bytes], triples: list[bytes],
                 settings: Settings) -> Manifest:
    version = hashlib.sha256(b"\n".join(nquads)).hexdigest()[:16]
    dump_dir = target / "dump"
    dump_dir.mkdir()
    _gzip(dump_dir / DUMPS["nq"], nquads)
    _gzip(dump_dir / DUMPS["nt"], triples)
    turtle = ox.serialize(ox.parse(b"\n".join(triples), format=ox.RdfFormat.N_TRIPLES),
                          format=ox.RdfFormat.TURTLE,
                          prefixes=Vocabulary(settings.base_uri).prefixes())
    _gzip(dump_dir / DUMPS["ttl"], [turtle])
    return Manifest(
        version=version,
        base_uri=settings.base_uri,
        quads=len(nquads),
        triples=len(triples),
        graphs={str(g.iri): len(g.graph) for g in sources.graphs},
        dumps={kind: {"file": f"dump/{name}", "bytes": (dump_dir / name).stat().st_size}
               for kind, name in DUMPS.items()},
        default_graph="union",   # the server reads the union from the default graph
    )


def _sorted_ntriples(graph) -> bytes:
    """A graph as sorted N-Triples (the shapes document: the same bytes in every worker)."""
    lines = graph.serialize(format="nt", encoding="utf-8").splitlines()
    return b"\n".join(sorted(line for line in lines if line)) + b"\n"


def _gzip(path: Path, lines: list[bytes]) -> None:
    """Write lines gzip-compressed, with no timestamp in the header (same input, same bytes)."""
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0,
                                                filename="", compresslevel=6) as out:
        out.write(b"\n".join(line.rstrip(b"\n") for line in lines) + b"\n")


def _fresh_directory(output: Path) -> Path:
    builds = output / "builds"
    builds.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    target = builds / f"{stamp}-{os.getpid()}"
    target.mkdir()
    return target


def _publish(output: Path, target: Path) -> None:
    """Point `current` at the new build in one rename; keep the one before for readers still on it."""
    link = output / "current"
    previous = link.resolve() if link.is_symlink() else None
    temporary = output / f".current-{os.getpid()}"
    if temporary.is_symlink() or temporary.exists():
        temporary.unlink()
    temporary.symlink_to(target.relative_to(output))
    os.replace(temporary, link)
    keep = {target.resolve(), previous}
    for stale in (output / "builds").iterdir():
        if stale.resolve() not in keep:
            shutil.rmtree(stale, ignore_errors=True)


class _lock:
    """One build at a time per output directory."""

    def __init__(self, output: Path):
        self.path = output / ".lock"

    def __enter__(self):
        try:
            self.handle = open(self.path, "w")
        except OSError as error:
            raise BuildFailed(f"cannot lock {self.path}: {error.strerror or error}") from None
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.handle.close()
            raise BuildFailed(f"another build is running in {self.path.parent}") from None
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()
