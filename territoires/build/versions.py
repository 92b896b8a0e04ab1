"""Dataset versions: every published build is kept (up to `Settings.versions_kept`), each with
its dumps, its manifest and what changed since the build published before it.

    builds/<id>/changes/changes.json   counts of added and removed triples per named graph, the
                                       version before, and the resources people look for
                                       (territories, EPCI, communes) with their counts
    builds/<id>/changes/patch.rdfp.gz  the change itself as an RDF Patch (one transaction:
                                       `H prev`/`H id` headers, then `D` and `A` quads, N-Quads
                                       syntax), gzip without timestamp

The changes are computed by the writer process (writer.py) from the build's sorted N-Quads and
the dump of the build being served, while the graph is validated.
"""

from __future__ import annotations

import gzip
import json
import shutil
from collections import Counter
from pathlib import Path

CHANGES = "changes"
SUMMARY = "changes.json"
PATCH = "patch.rdfp.gz"
PATCH_MEDIA_TYPE = "application/rdf-patch"
DUMP = Path("dump") / "territoires.nq.gz"
KINDS = ("id/territoire/", "id/epci/", "id/commune/")   # what the page tells in words
LISTED = 200                                             # resources listed per version


def urn(version: str) -> str:
    return f"<urn:territoires:version:{version}>"


def previous_build(target: Path) -> Path | None:
    """The build being served when `target` is written (its output's `current`)."""
    current = target.parent.parent / "current"
    if not current.is_symlink():
        return None
    found = current.resolve()
    return found if found != target.resolve() and (found / DUMP).exists() else None


def record(target: Path, nquads: list[bytes], version: str, base: str) -> dict:
    """Write the changes of `target` (whose sorted quads are `nquads`) since the served build."""
    previous = previous_build(target)
    directory = target / CHANGES
    directory.mkdir(exist_ok=True)
    if previous is None:   # the first version: everything is new, no patch to write
        summary = {"version": version, "previous": None, "added": _per_graph(nquads),
                   "removed": {}, "resources": []}
        (directory / SUMMARY).write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
        return summary
    before = previous_version(previous)
    old = set(gzip.decompress((previous / DUMP).read_bytes()).splitlines())
    new = set(nquads)
    added, removed = sorted(new - old), sorted(old - new)
    summary = {"version": version, "previous": before,
               "added": _per_graph(added), "removed": _per_graph(removed),
               "resources": _resources(added, removed, base)}
    (directory / SUMMARY).write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    header = [b"H id " + urn(version).encode() + b" .", b"H prev " + urn(before).encode() + b" ."]
    body = header + [b"TX ."] + [b"D " + q for q in removed] + [b"A " + q for q in added] + [b"TC ."]
    with open(directory / PATCH, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0,
                                                             filename="", compresslevel=6) as gz:
        gz.write(b"\n".join(body) + b"\n")
    return summary


def previous_version(build: Path | None) -> str | None:
    if build is None:
        return None
    return json.loads((build / "build.json").read_text(encoding="utf-8"))["version"]


def _graph(line: bytes) -> str:
    """The graph of an N-Quads line `<s> <p> o <g> .` (IRIs hold no spaces)."""
    return line.rsplit(b" ", 2)[1].strip(b"<>").decode()


def _per_graph(lines: list[bytes]) -> dict[str, int]:
    return dict(sorted(Counter(_graph(line) for line in lines).items()))


def _resources(added: list[bytes], removed: list[bytes], base: str) -> list[dict]:
    """The territories, EPCI and communes whose own triples changed, most changed first."""
    prefixes = tuple(f"<{base}{kind}".encode() for kind in KINDS)
    counts: dict[str, list[int]] = {}
    for index, lines in enumerate((added, removed)):
        for line in lines:
            if line.startswith(prefixes):
                subject = line.split(b" ", 1)[0].strip(b"<>").decode().split("#", 1)[0]
                counts.setdefault(subject, [0, 0])[index] += 1
    ranked = sorted(counts.items(), key=lambda kv: (-sum(kv[1]), kv[0]))[:LISTED]
    return [{"iri": iri, "added": a, "removed": r} for iri, (a, r) in ranked]


def kept(output: Path) -> list[dict]:
    """Every kept version, newest first: its manifest's version, quads, graphs, build time and
    changes (None for a build made before versions were recorded)."""
    found = []
    builds = output / "builds"
    for directory in sorted(builds.iterdir() if builds.is_dir() else [], reverse=True):
        manifest = directory / "build.json"
        if not manifest.exists():
            continue
        values = json.loads(manifest.read_text(encoding="utf-8"))
        changes = directory / CHANGES / SUMMARY
        found.append({"version": values["version"], "quads": values.get("quads", 0),
                      "graphs": values.get("graphs", {}), "build": directory.name,
                      "changes": json.loads(changes.read_text(encoding="utf-8"))
                      if changes.exists() else None,
                      "patch": directory / CHANGES / PATCH})
    return found


def prune(output: Path, keep: int, live: set[Path]) -> None:
    """Remove the oldest finished builds beyond `keep` (never one in `live`)."""
    builds = sorted((d for d in (output / "builds").iterdir()
                     if (d / "build.json").exists() or d.resolve() in live), reverse=True)
    for stale in builds[max(keep, len(live)):]:
        if stale.resolve() not in live:
            shutil.rmtree(stale, ignore_errors=True)
