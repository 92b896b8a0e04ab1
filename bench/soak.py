"""`python -m bench soak`: the project's server under a bounded, mixed load on loopback, and what
it holds as the load goes on — the resident memory of its whole process tree (arbiter, workers,
query executors), its open file descriptors, its temporary files — with the errors met (5xx
answers and broken connections). After a warm-up (every executor started, indexes built), the
load runs in two halves: the caches fill in the first, so growth in the second is the sign of a
leak. The hostile corpus (tests/hostile/http.py) is sent before and after the load, and none of
it may be answered 5xx; the query that blows an executor's memory (tests/hostile/sparql.py) must
get its documented 503. The server's temporary directory is its own, so what it leaves behind
once stopped is counted exactly.

The load cycles through documents (as Turtle, and through /id/ following the 303), selective
SPARQL lookups with varied constants, searches and reconciliation suggestions, from
`--concurrency` threads for `--duration` seconds."""

from __future__ import annotations

import http.client
import json
import random
import tempfile
import time
import urllib.parse
from pathlib import Path

from . import build as build_bench
from .load import drive
from .peers import HOST, _children_map, _rss_kib, _tree, start_project, tree_rss_mib
from .workloads import RESULTS_JSON, TURTLE, Request, _rows

SEED = 20261202


def mixed_requests(base: str, data_dir: Path, count: int = 2000) -> list[Request]:
    rng = random.Random(SEED)
    communes = [r["code"] for r in _rows(data_dir, "communes") if r["type"] == "commune-actuelle"]
    epcis = [r["siren"] for r in _rows(data_dir, "epci")]
    words = [r["nom"].split("-")[0] for r in _rows(data_dir, "epci")]
    requests = []
    for index in range(count):
        kind = index % 6
        if kind == 0:
            requests.append(Request(f"/doc/commune/{rng.choice(communes)}", TURTLE))
        elif kind == 1:
            requests.append(Request(f"/id/epci/{rng.choice(epcis)}", TURTLE, follow=True))
        elif kind == 2:
            query = (f"PREFIX ti: <{base}def/territoires#> SELECT ?e WHERE {{ ?e ti:siren "
                     f"\"{rng.choice(epcis)}\" }}")
            requests.append(Request("/sparql?" + urllib.parse.urlencode({"query": query}),
                                    RESULTS_JSON))
        elif kind == 3:
            requests.append(Request("/search?" + urllib.parse.urlencode(
                {"q": rng.choice(words), "format": "json"}), "application/json"))
        elif kind == 4:
            requests.append(Request("/reconcile/suggest/entity?" + urllib.parse.urlencode(
                {"prefix": rng.choice(words)[:4]}), "application/json"))
        else:
            requests.append(Request(f"/doc/epci/{rng.choice(epcis)}", "text/html"))
    return requests


def snapshot(pid: int, temporary: Path) -> dict:
    """What the server holds now: memory, file descriptors, temporary files."""
    children = _children_map()
    processes = _tree(pid, children)
    descriptors = 0
    for process in processes:
        try:
            descriptors += len(list(Path(f"/proc/{process}/fd").iterdir()))
        except OSError:
            pass
    # The workers apart from their query executors: executors start lazily, so the tree's
    # memory grows with each one started, which says nothing of a worker's caches.
    workers = children.get(pid, [])
    executors = [p for w in workers for p in _tree(w, children) if p != w]
    return {"rss_mib": tree_rss_mib(pid)["total_mib"],
            "workers_rss_mib": round(sum(map(_rss_kib, workers)) / 1024, 1),
            "largest_worker_rss_mib": round(max(map(_rss_kib, workers), default=0) / 1024, 1),
            "executors": len(executors),
            "largest_executor_rss_mib": round(max(map(_rss_kib, executors), default=0) / 1024, 1),
            "processes": len(processes),
            "file_descriptors": descriptors, "temporary_files": _files(temporary)}


def _files(directory: Path) -> int:
    return sum(1 for _ in directory.rglob("*"))


def hostile_5xx(port: int) -> list[str]:
    """The entries of the hostile corpus the server answers 5xx."""
    from tests.hostile.http import REQUESTS

    failed = []
    for entry in REQUESTS:
        connection = http.client.HTTPConnection(HOST, port, timeout=60)
        try:
            connection.putrequest(entry.method, entry.path, skip_host="Host" in entry.headers)
            for name, value in entry.headers.items():
                connection.putheader(name, value)
            if entry.body is not None:
                connection.putheader("Content-Length", str(len(entry.body)))
            connection.endheaders(entry.body)
            response = connection.getresponse()
            response.read()
            if response.status >= 500:
                failed.append(f"{entry.why}: {response.status}")
        except (ConnectionResetError, BrokenPipeError):
            pass   # a body refused before it was read
        finally:
            connection.close()
    return failed


def heavy_sparql_failures(port: int) -> list[str]:
    """The expensive attacks of tests/hostile/sparql.py: each must get its documented 503 (the
    memory cap), never a 200 after eating the host's memory, nor another 5xx."""
    from tests.hostile.sparql import NESTED_REPLACE

    connection = http.client.HTTPConnection(HOST, port, timeout=120)
    try:
        connection.request("GET", "/sparql?" + urllib.parse.urlencode({"query": NESTED_REPLACE}),
                           headers={"Accept": RESULTS_JSON})
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    if response.status == 503 and b"MiB of memory" in body and response.getheader("Retry-After"):
        return []
    return [f"nested REPLACE past the memory cap: {response.status} {body[:100]!r}"]


def run(options) -> dict:
    results_dir = Path(options.results_dir)
    results_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="territoires-bench-") as tmp:
        work = Path(tmp)
        temporary = work / "tmp"    # the server's TMPDIR: its temporary files, and only its
        temporary.mkdir()
        output_dir = Path(options.output_dir).resolve() if options.output_dir else work / "output"
        if not options.output_dir:
            build_bench.one_build(output_dir)
        manifest = json.loads((output_dir / "current" / "build.json").read_text())
        server = start_project(output_dir, manifest["base_uri"], work,
                               env={"TMPDIR": str(temporary)})
        try:
            requests = mixed_requests(manifest["base_uri"], options.data_dir)
            half = options.duration / 2
            drive(server.port, requests, options.concurrency, 10**9, min(5.0, half))   # warm
            states = {"before": snapshot(server.process.pid, temporary)}
            hostile = hostile_5xx(server.port) + heavy_sparql_failures(server.port)
            first = drive(server.port, requests, options.concurrency, 10**9, half, start=400)
            states["middle"] = snapshot(server.process.pid, temporary)
            second = drive(server.port, requests, options.concurrency, 10**9, half, start=900)
            hostile += hostile_5xx(server.port) + heavy_sparql_failures(server.port)
            states["after"] = snapshot(server.process.pid, temporary)
        finally:
            server.stop()
        left = _files(temporary)
    result = {"date": time.strftime("%Y-%m-%d %H:%M"), "build": manifest["version"],
              "quads": manifest["quads"], "duration_s": options.duration,
              "concurrency": options.concurrency, **states,
              "after_stop_temporary_files": left,
              "load": {name: _load(outcome.summary()) for name, outcome
                       in (("first", first), ("second", second))},
              "hostile_5xx": hostile}
    (results_dir / "soak.json").write_text(json.dumps(result, indent=2) + "\n")
    (results_dir / "soak.md").write_text(markdown(result))
    return result


def _load(summary: dict) -> dict:
    return {k: summary[k] for k in ("requests", "errors", "timeouts", "rps", "p50_ms", "p99_ms",
                                    "max_ms", "error_samples")}


def errors(result: dict) -> int:
    return sum(half["errors"] + half["timeouts"] for half in result["load"].values()) \
        + len(result["hostile_5xx"])


def markdown(result: dict) -> str:
    before, middle, after = result["before"], result["middle"], result["after"]
    rows = [f"| {name.replace('_', ' ')} | {before[name]} | {middle[name]} | {after[name]} | "
            f"{round(after[name] - middle[name], 1):+} |" for name in before]
    halves = [f"{name} half: {load['requests']:,} answers, {load['rps']} per second, p50 "
              f"{load['p50_ms']} ms, p99 {load['p99_ms']} ms, max {load['max_ms']} ms, errors "
              f"{load['errors']}, timeouts {load['timeouts']}"
              for name, load in result["load"].items()]
    return "\n".join([
        f"# Soak, {result['date']} (build {result['build']}, {result['quads']:,} quads)",
        "",
        f"{result['duration_s']:g} s at concurrency {result['concurrency']} on loopback, after a "
        f"warm-up. {'; '.join(halves)}. Hostile corpus answered 5xx: "
        f"{len(result['hostile_5xx'])}. Temporary files left once the server stopped: "
        f"{result['after_stop_temporary_files']}.",
        "",
        "| held by the server | before | middle | after | second half |",
        "| --- | ---: | ---: | ---: | ---: |",
        *rows, ""])
