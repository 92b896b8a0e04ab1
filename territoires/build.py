"""`territoires build`: sources → RDF (one named graph each) → SHACL validation → published output.

Nothing is published unless the whole graph validates. The output is written into a fresh
directory and then swapped in by renaming a symlink, which is atomic: readers see either the old
build or the new one, never half of each, and a failed build leaves the old one untouched.

    output/current -> builds/<id>/     the live build
        store/                         embedded Oxigraph store (opened read-only by the server)
        dump/territoires.nq.gz         every named graph, sorted N-Quads
        dump/territoires.nt.gz         the union graph, sorted N-Triples
        dump/territoires.ttl.gz        the union graph, Turtle
        build.json                     version (content hash), counts, base URI, timings
"""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from .config import Settings
from .locations import Locations
from .namespaces import Vocabulary
from .sources import SourceGraph, load_all
from .validate import Report, load_shapes, validate

DUMPS = {"nq": "territoires.nq.gz", "nt": "territoires.nt.gz", "ttl": "territoires.ttl.gz"}

Progress = Callable[[str], None]


class BuildFailed(Exception):
    def __init__(self, message: str, report: Report | None = None):
        super().__init__(message)
        self.report = report


@dataclass
class Dataset:
    """The mapped sources, before anything is written."""

    sources: list[SourceGraph]
    locations: Locations = field(default_factory=Locations)

    def union(self) -> Graph:
        graph = Graph()  # pyshacl needs a context-aware store
        for source in self.sources:
            graph += source.graph
        return graph


def map_sources(settings: Settings, progress: Progress, extra: list[Path] = ()) -> Dataset:
    sources = load_all(settings, list(extra), progress)
    dataset = Dataset(sources)
    for source in sources:
        dataset.locations.update(source.locations)
    return dataset


def check(settings: Settings, dataset: Dataset, progress: Progress) -> Report:
    shapes = load_shapes(settings.shapes_dir, settings.base_uri)
    union = dataset.union()
    progress(f"validating {len(union):,} triples against {len(shapes):,} shape triples")
    return validate(union, shapes, dataset.locations)


def build(settings: Settings, progress: Progress = lambda _: None) -> dict:
    """Build, validate and publish; return the new build's manifest. Raises BuildFailed."""
    started = time.perf_counter()
    timings: dict[str, float] = {}

    def step(name: str, since: float) -> float:
        now = time.perf_counter()
        timings[name] = round(now - since, 3)
        return now

    dataset = map_sources(settings, progress)
    mark = step("map", started)
    report = check(settings, dataset, progress)
    mark = step("validate", mark)
    if not report.conforms:
        raise BuildFailed(f"{len(report.violations)} SHACL violation(s): nothing was published",
                          report)

    settings.output_dir.mkdir(parents=True, exist_ok=True)
    with _lock(settings.output_dir):
        target = _fresh_directory(settings.output_dir)
        try:
            progress(f"writing store and dumps into {target}")
            manifest = _write(target, dataset, settings)
            mark = step("write", mark)
            manifest["timings"] = {**timings, "total": round(mark - started, 3)}
            (target / "build.json").write_text(json.dumps(manifest, indent=2) + "\n")
            _publish(settings.output_dir, target)
        except BaseException:
            shutil.rmtree(target, ignore_errors=True)
            raise
    progress(f"published version {manifest['version']} "
             f"({manifest['triples']:,} quads) in {manifest['timings']['total']} s")
    return manifest


def _write(target: Path, dataset: Dataset, settings: Settings) -> dict:
    store = ox.Store(str(target / "store"))
    graphs = {}
    for source in dataset.sources:
        data = source.graph.serialize(format="nt", encoding="utf-8")
        store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES,
                        to_graph=ox.NamedNode(str(source.iri)))
        graphs[str(source.iri)] = len(source.graph)
    store.flush()
    nquads = sorted(set(store.dump(format=ox.RdfFormat.N_QUADS).splitlines()))
    del store  # closes it; the server reopens it read-only
    version = hashlib.sha256(b"\n".join(nquads)).hexdigest()[:16]

    dump_dir = target / "dump"
    dump_dir.mkdir()
    _gzip(dump_dir / DUMPS["nq"], nquads)
    triples = sorted({line.rsplit(b" ", 2)[0] + b" ." for line in nquads})
    _gzip(dump_dir / DUMPS["nt"], triples)
    turtle = ox.serialize(ox.parse(b"\n".join(triples), format=ox.RdfFormat.N_TRIPLES),
                          format=ox.RdfFormat.TURTLE,
                          prefixes=Vocabulary(settings.base_uri).prefixes())
    _gzip(dump_dir / DUMPS["ttl"], [turtle])
    return {
        "version": version,
        "base_uri": settings.base_uri,
        "triples": len(nquads),
        "distinct_triples": len(triples),
        "graphs": graphs,
        "dumps": {kind: {"file": f"dump/{name}", "bytes": (dump_dir / name).stat().st_size}
                  for kind, name in DUMPS.items()},
    }


def _gzip(path: Path, lines: list[bytes]) -> None:
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0,
                                                filename="", compresslevel=6) as out:
        for line in lines:
            out.write(line)
            if not line.endswith(b"\n"):
                out.write(b"\n")


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
        self.handle = open(self.path, "w")
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.handle.close()
            raise BuildFailed(f"another build is running in {self.path.parent}") from None
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()
