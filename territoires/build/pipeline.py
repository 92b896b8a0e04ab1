"""`territoires build`: sources → RDF (one named graph each) → SHACL validation → published output.

Nothing is published unless the whole graph validates. The output is written into a fresh
directory and then swapped in by renaming a symlink, which is atomic: readers see either the old
build or the new one, never half of each, and a failed build leaves the old one untouched.
While the graph is validated, the store and the dumps are already being written (writer.py),
on the other core.

    output/current -> builds/<id>/     the live build
        store/                         embedded Oxigraph store (opened read-only by the server):
                                       the named graphs, and their union as the default graph
        dump/territoires.nq.gz         every named graph, sorted N-Quads
        dump/territoires.nt.gz         the union graph, sorted N-Triples
        dump/territoires.ttl.gz        the union graph, Turtle
        build.json                     the manifest: version (content hash), base URI, counts,
                                       graphs, dumps, timings (store/manifest.py)
        shapes.nt                      the shapes the build was validated with, as served
        validation.nt                  its SHACL report (warnings included) and DQV summary
                                       (quality.py), served at /validation: a file beside the
                                       data, not a graph in it (the version hashes the data)
        statistics.json                the VoID statistics (class and property partitions…)
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import sys
import time
from collections.abc import Callable
from typing import TypeVar
from dataclasses import replace
from pathlib import Path

from . import datacube, versions, writer
from ..config import Settings
from ..vocabulary.namespaces import Vocabulary
from ..sources import Progress, Sources, load_all
from .quality import report_graph
from ..store.manifest import SHAPES_FILE, VALIDATION_FILE, Manifest
from .collector import paused_collector
from .validate import Report, load_shapes, validate



T = TypeVar("T")


# The writer process's entry point (writer.py).
WRITER_MAIN = "import sys; from territoires.build.writer import main; sys.exit(main(sys.argv[1:]))"


class BuildFailed(Exception):
    def __init__(self, message: str, report: Report | None = None):
        super().__init__(message)
        self.report = report


def map_sources(settings: Settings, progress: Progress, extra: list[Path] = ()) -> Sources:
    """Every source mapped, with the normalised form of their Data Cube (datacube.py)."""
    with paused_collector():
        return _map_sources(settings, progress, extra)


def _map_sources(settings: Settings, progress: Progress, extra: list[Path]) -> Sources:
    sources = load_all(settings, list(extra), progress)
    normalised = datacube.add_normalised(sources, Vocabulary(settings.base_uri))
    if normalised is not None:
        progress(f"  {len(normalised):,} triples of the normalised Data Cube → <{normalised.iri}>")
    return sources


def check(settings: Settings, sources: Sources, progress: Progress, shapes=None) -> Report:
    """Validate the union of the named graphs against the shapes."""
    shapes = shapes if shapes is not None else load_shapes(settings.shapes_dir, settings.base_uri)
    progress(f"validating {sum(len(g) for g in sources.graphs):,} triples "
             f"against {len(shapes):,} shape triples")
    return validate(sources.dataset, shapes, sources.locations)


def build(settings: Settings, progress: Progress = lambda _: None,
          hold: list | None = None) -> Manifest:
    """Build, validate and publish; return the new build's manifest. Raises BuildFailed.

    One build at a time per output directory: the lock is taken first, so a second build learns
    at once that one is running; what a killed build left behind is removed then. With `hold`,
    the mapped sources are appended to it rather than freed when the build returns: a process
    that ends after its build (the command) need not free a million objects one by one (about
    0.9 s)."""
    try:
        settings.output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BuildFailed(f"cannot make the output directory {settings.output_dir}: "
                          f"{error.strerror or error}") from None
    with _lock(settings.output_dir), paused_collector():
        _remove_unfinished(settings.output_dir, progress)
        manifest = _build(settings, progress, hold)
    progress(f"published version {manifest.version} "
             f"({manifest.quads:,} quads) in {manifest.timings['total']} s")
    return manifest


def _build(settings: Settings, progress: Progress, hold: list | None) -> Manifest:
    started = time.perf_counter()
    timings: dict[str, float] = {}

    def timed(name: str, work: Callable[[], T]) -> T:
        began = time.perf_counter()
        value = work()
        timings[name] = round(time.perf_counter() - began, 3)
        return value

    sources = timed("map", lambda: map_sources(settings, progress))
    if hold is not None:
        hold.append(sources)
    shapes = load_shapes(settings.shapes_dir, settings.base_uri)
    shapes_nt = _sorted_ntriples(shapes)   # as written, before validation can add to the graph
    target = _fresh_directory(settings.output_dir)
    try:
        progress(f"validating, while the store and the dumps are written in {target}")
        report, manifest = _while_writing(target, sources, settings, lambda: timed(
            "validate", lambda: check(settings, sources, progress, shapes)))
        if not report.conforms:
            raise BuildFailed(f"{len(report.violations)} SHACL violation(s): nothing was "
                              f"published", report)
        if manifest is None:   # the writer failed: written here, after the validation
            manifest = _write(target, sources, settings)
        (target / SHAPES_FILE).write_bytes(shapes_nt)
        (target / VALIDATION_FILE).write_bytes(timed("report", lambda: _sorted_ntriples(
            report_graph(report, sources, shapes, settings.base_uri))))
        manifest = replace(manifest, shapes=SHAPES_FILE, validation=VALIDATION_FILE,
                           contact_point=settings.contact_point(), timings={
            **timings, **manifest.timings, "total": round(time.perf_counter() - started, 3)})
        manifest.write(target)
        _publish(settings.output_dir, target, settings.versions_kept)
    except OSError as error:   # a full disk, a vanished directory: said in words
        shutil.rmtree(target, ignore_errors=True)
        raise BuildFailed(f"could not write the build in {target} "
                          f"({error.strerror or error or 'no reason given'}): nothing was "
                          f"published") from error
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


def _while_writing(target: Path, sources: Sources, settings: Settings,
                   validate: Callable[[], Report]) -> tuple[Report, Manifest | None]:
    """Run `validate` (pure Python, one core) while a forked child, sharing the mapped graphs
    copy-on-write, serializes them into `target` and becomes the writer (writer.py: the store
    and the dumps, native code, the other core). Nothing is published before the validation
    says so; an invalid graph stops the writer at once. The manifest is None if fork is
    unavailable or the writer could not be started: the caller then writes here."""
    if not hasattr(os, "fork"):
        return validate(), None
    child = os.fork()
    if child == 0:  # the child: leaves by exec, or without any clean-up
        # The collector is paused (build's paused_collector), as it must be here: a collection
        # would visit every object of the mapped graphs and so copy each page the child
        # shares with its parent.
        try:
            _hand_over(target, sources, settings)
            # `-c`, not `-m`: the package imports writer.py, and runpy warns of running a module
            # already imported
            os.execv(sys.executable, [sys.executable, "-c", WRITER_MAIN, str(target)])
        except OSError as error:   # the exit status says it if the disk is too full to
            status = writer.exit_status(error)
            try:
                (target / writer.FAILED).write_text(error.strerror or str(error),
                                                    encoding="utf-8")
            finally:
                os._exit(status)
        finally:
            os._exit(1)
    try:
        report = validate()
    except BaseException:
        _stop(child)
        raise
    if not report.conforms:
        _stop(child)
        return report, None
    _, status = os.waitpid(child, 0)
    return report, _written(target, os.waitstatus_to_exitcode(status))


def _hand_over(target: Path, sources: Sources, settings: Settings) -> None:
    """The canonical N-Quads and what the manifest needs of the mapped sources, for the writer."""
    started = time.perf_counter()
    with open(target / writer.SPOOL, "wb") as spool:   # line by line: no joined copy
        lines = sources.nquads()
        spool.writelines(line + b"\n" for line in lines[:-1])
        spool.write(lines[-1] if lines else b"")
    (target / writer.GRAPHS).write_text(json.dumps({
        "graphs": {str(g.iri): len(g.graph) for g in sources.graphs},
        "base": settings.base_uri, "prefixes": Vocabulary(settings.base_uri).prefixes(),
        "timings": {"serialize": round(time.perf_counter() - started, 3)}}), encoding="utf-8")


def _written(target: Path, status: int) -> Manifest | None:
    """What the writer wrote; raises OSError with its reason if it failed for one."""
    written = target / writer.WRITTEN
    if written.exists():
        manifest = Manifest.from_json(written.read_text(encoding="utf-8"), str(written))
        written.unlink()
        return manifest
    if (failed := writer.failure(target, status)) is not None:
        raise failed
    for leftover in target.iterdir():   # it stopped without a word: start again, here
        shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
    return None


def _stop(child: int) -> None:
    os.kill(child, signal.SIGKILL)
    os.waitpid(child, 0)


def _write(target: Path, sources: Sources, settings: Settings) -> Manifest:
    """The store and the dumps, written in this process."""
    started = time.perf_counter()
    nquads = sources.nquads()
    serialized = time.perf_counter()
    manifest = writer.write(target, nquads, {str(g.iri): len(g.graph) for g in sources.graphs},
                            settings.base_uri, Vocabulary(settings.base_uri).prefixes())
    versions.record(target, nquads, manifest.version, settings.base_uri)
    return replace(manifest, timings={
        "serialize": round(serialized - started, 3),
        "store+dumps": round(time.perf_counter() - serialized, 3)})


def _sorted_ntriples(graph) -> bytes:
    """A graph as sorted N-Triples (the shapes document: the same bytes in every worker)."""
    lines = graph.serialize(format="nt", encoding="utf-8").splitlines()
    return b"\n".join(sorted(line for line in lines if line)) + b"\n"


def _fresh_directory(output: Path) -> Path:
    builds = output / "builds"
    builds.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    target = builds / f"{stamp}-{os.getpid()}"
    for again in range(1, 1000):   # two builds of one process within a second
        try:
            target.mkdir()
            return target
        except FileExistsError:
            target = builds / f"{stamp}-{os.getpid()}-{again}"
    raise FileExistsError(target)


def _publish(output: Path, target: Path, kept: int = 2) -> None:
    """Point `current` at the new build in one rename; keep the one before for readers still on
    it, and the newest `kept` versions (versions.py)."""
    link = output / "current"
    previous = link.resolve() if link.is_symlink() else None
    temporary = output / f".current-{os.getpid()}"
    if temporary.is_symlink() or temporary.exists():
        temporary.unlink()
    temporary.symlink_to(target.relative_to(output))
    os.replace(temporary, link)
    versions.prune(output, kept, {target.resolve(), previous} - {None})


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
