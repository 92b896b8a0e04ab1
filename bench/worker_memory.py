"""A worker's resident memory for two builds side by side (issue 18's bound: the programme's
data may add at most 10 %). `python -m bench worker-memory --output-dir A [--vs CHECKOUT:OUTPUT]
[--pages N] [--runs R]`.

For each build in turn, R times: `territoires serve --workers 1` started from the build's own
checkout (its code serves its build; peers.start_project), its worker's resident size read once it
answers, then after N HTML pages asked one after the other (the home page and N communes in
code order: the same pages in both builds), executors apart (they start lazily, and the pages
start none). The figure at start is what the code and the build cost a worker before any page;
the figure after the pages includes its caches, which are bounded in bytes of what they hold.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from .peers import HOST, _children_map, _rss_kib, start_project

COMMUNES = ("SELECT ?c WHERE {{ ?c a <{base}def/territoires#Commune> }} ORDER BY ?c "
            "LIMIT {limit}")


def run(builds: list[tuple[Path, Path]], pages: int, runs: int) -> list[dict]:
    """`builds`: (checkout, output directory) pairs; one row of medians per build."""
    rows = []
    for checkout, output in builds:
        measured = []
        for number in range(1, runs + 1):
            print(f"  {checkout}: run {number}/{runs}, {pages:,} pages…", file=sys.stderr,
                  flush=True)
            measured.append(_one(checkout, output, pages))
        rows.append({"checkout": str(checkout), "output": str(output), "pages": pages,
                     "runs": runs, "errors": sum(m["errors"] for m in measured),
                     **{key: statistics.median(m[key] for m in measured)
                        for key in ("start_mib", "after_mib")},
                     "start_all": [m["start_mib"] for m in measured],
                     "after_all": [m["after_mib"] for m in measured]})
        print(f"  {checkout}: start {rows[-1]['start_all']} MiB, after {pages} pages "
              f"{rows[-1]['after_all']} MiB", file=sys.stderr, flush=True)
    return rows


def _one(checkout: Path, output: Path, pages: int) -> dict:
    base = _base(output)
    with tempfile.TemporaryDirectory(prefix="worker-memory-") as work:
        server = start_project(output, base, Path(work), workers=1, checkout=checkout)
        url = f"http://{HOST}:{server.port}/"
        try:
            time.sleep(2)                      # the worker done with its start
            start = _worker_mib(server.process.pid)
            errors = 0
            for path in ["", *_communes(url, base, pages)]:
                try:
                    _get(url + path)
                except OSError:
                    errors += 1
            return {"start_mib": start, "after_mib": _worker_mib(server.process.pid),
                    "errors": errors}
        finally:
            server.stop()


def _communes(url: str, base: str, limit: int) -> list[str]:
    """The first `limit` communes' pages, in code order."""
    query = COMMUNES.format(base=base, limit=limit)
    answer = _get(url + "sparql?" + urllib.parse.urlencode({"query": query}), "text/csv")
    iris = [line.strip() for line in answer.decode().splitlines()[1:] if line.strip()]
    return [iri.replace(base + "id/", "doc/") for iri in iris]


def _base(output: Path) -> str:
    """The base the build was made for, from its manifest."""
    manifest = json.loads((output / "current" / "build.json").read_text(encoding="utf-8"))
    return manifest["base_uri"]


def _get(url: str, accept: str = "text/html") -> bytes:
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=60) as answer:
        return answer.read()


def _worker_mib(arbiter: int) -> int:
    """The resident memory of the arbiter's one worker (its executors apart)."""
    [worker] = _children_map().get(arbiter, [])
    return _rss_kib(worker) // 1024


def markdown(rows: list[dict]) -> str:
    lines = ["| build | worker at start (MiB, median) | after the pages (MiB, median) | runs |",
             "| --- | ---: | ---: | --- |"]
    for row in rows:
        lines.append(f"| {row['checkout']} | {row['start_mib']:.0f} | {row['after_mib']:.0f} | "
                     f"{row['runs']} × {row['pages']:,} pages, {row['errors']} errors |")
    if len(rows) == 2:
        first, second = rows
        lines.append("")
        lines.append(f"Ratio: {first['start_mib'] / second['start_mib']:.3f} at start, "
                     f"{first['after_mib'] / second['after_mib']:.3f} after the pages.")
    return "\n".join(lines)

