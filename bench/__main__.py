"""`python -m bench [suite|build|soak]`: run the benchmarks and print their Markdown tables.

`suite` (the default) compares the project's server with its peers on the same graph (see
bench/suite.py); `build` times full builds; `soak` holds the project's server under a mixed load
and reports what it holds before and after (bench/soak.py); `worker-memory` compares a worker's
resident memory on two builds (bench/worker_memory.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import build, scale, soak, steward, suite, worker_memory
from .peers import ROOT


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("suite", nargs="?", default="suite",
                        choices=["suite", "build", "soak", "scale", "steward",
                                 "worker-memory"])
    parser.add_argument("--runs", type=int, default=3,
                        help="build: number of builds; steward: of `validate FILE` runs; "
                             "worker-memory: of servers per build")
    parser.add_argument("--requests", type=int, default=2000,
                        help="at most N requests per workload and concurrency")
    parser.add_argument("--duration", type=float, default=5,
                        help="at most S seconds per workload and concurrency")
    parser.add_argument("--peers", default=",".join(suite.PEERS),
                        help="comma-separated peers among oxigraph,rdflib,virtuoso ('' for none)")
    parser.add_argument("--quick", action="store_true",
                        help="a few requests per workload (smoke test)")
    parser.add_argument("--output-dir", type=Path,
                        help="benchmark an existing build (its current/) instead of building")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data",
                        help="the sources of the build benchmarked (resources are picked there)")
    parser.add_argument("--results-dir", type=Path, default=suite.RESULTS)
    parser.add_argument("--concurrency", default="1,4")
    parser.add_argument("--timeout", type=float, default=30, help="client timeout per request")
    parser.add_argument("--resources", type=int, default=200,
                        help="distinct resources dereferenced")
    parser.add_argument("--variants", type=int, default=None,
                        help="distinct constants per SPARQL query (default: twice --requests)")
    parser.add_argument("--items", default="",
                        help="only the items whose 'workload/name' holds one of these "
                             "comma-separated words (to measure one change; default: all)")
    parser.add_argument("--rdflib-requests", type=int, default=100)
    parser.add_argument("--rdflib-duration", type=float, default=5)
    parser.add_argument("--factors", default="1,2,4,8,16",
                        help="scale: the sizes built, as multiples of the sources")
    parser.add_argument("--soak-seconds", type=float, default=60, help="soak: its length")
    parser.add_argument("--soak-concurrency", type=int, default=8, help="soak: client threads")
    parser.add_argument("--vs", default="",
                        help="worker-memory: CHECKOUT:OUTPUT_DIR of the build to compare with")
    parser.add_argument("--pages", type=int, default=8000,
                        help="worker-memory: the HTML pages asked after the start")
    options = parser.parse_args(argv)
    if options.suite == "build":
        print(build.markdown(build.run(options.runs)))
        return
    if options.suite == "worker-memory":
        builds = [(ROOT, options.output_dir or ROOT / "output")]
        if options.vs:
            checkout, _, output = options.vs.partition(":")
            builds.append((Path(checkout), Path(output)))
        for _, output in builds:
            if not (output / "current" / "build.json").exists():
                parser.error(f"worker-memory: no build in {output} (run `territoires build` "
                             f"with --output-dir {output} first)")
        rows = worker_memory.run(builds, options.pages, options.runs)
        print(worker_memory.markdown(rows))
        sys.exit(1 if any(row["errors"] for row in rows) else 0)
    if options.suite == "steward":
        result = steward.run(options.runs)
        print(steward.markdown(result))
        sys.exit(0 if result["same_report_as_full"] else 1)
    if options.suite == "scale":
        result = scale.run([int(f) for f in options.factors.split(",")])
        print(scale.markdown(result))
        sys.exit(1 if any("failed" in size for size in result["sizes"]) else 0)
    if options.suite == "soak":
        options.duration, options.concurrency = options.soak_seconds, options.soak_concurrency
        result = soak.run(options)
        print(soak.markdown(result))
        sys.exit(1 if soak.errors(result) else 0)
    options.peers = [p for p in options.peers.split(",") if p]
    options.items = [word for word in options.items.split(",") if word]
    unknown = set(options.peers) - set(suite.PEERS)
    if unknown:
        parser.error(f"unknown peers: {', '.join(sorted(unknown))}")
    options.concurrency = [int(c) for c in options.concurrency.split(",")]
    if options.quick:
        options.requests = min(options.requests, 10)
        options.duration = min(options.duration, 1)
        options.resources = min(options.resources, 20)
        options.variants = min(options.variants or 20, 20)
        options.rdflib_requests = min(options.rdflib_requests, 4)
        options.rdflib_duration = min(options.rdflib_duration, 1)
    options.variants = options.variants or 2 * options.requests
    result = suite.run(options)
    print(suite.markdown(result))
    failed = result["servers"]["project"]
    sys.exit(0 if failed.get("available") else 1)


if __name__ == "__main__":
    main()
