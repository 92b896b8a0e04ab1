"""The comparison suite (`python -m bench`): build the graph once, then start each server in turn
on the same graph (the project's, Oxigraph server, rdflib-endpoint, Virtuoso), drive it with the
same workloads at concurrency 1 and 4, and write bench/results/suite-<time>.json, latest.json and
latest.md (the Markdown table, also printed).

Servers run one after the other, never together, so that each has the machine (and the load
generator, which shares it) to itself. A peer that cannot install or start is recorded as "not
available: <reason>"; a peer's failure never fails the suite."""

from __future__ import annotations

import json
import math
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

from . import build as build_bench
from .load import drive
from .peers import (STARTERS, NotAvailable, Server, ask, idle_tree, settle, start_behind_nginx,
                      start_granian, start_project)
from .workloads import WORKLOADS, build_items

RESULTS = Path(__file__).parent / "results"
PEERS = ("cache", "granian", "oxigraph", "rdflib", "virtuoso")


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---- the machine -----------------------------------------------------------------------------


def machine() -> dict:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = 0
    try:
        memory = int(Path("/proc/meminfo").read_text().split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_mib": memory,
            "system": f"{platform.system()} {platform.release()}",
            "python": sys.version.split()[0]}


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return "load average: " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


# ---- one server ------------------------------------------------------------------------------


def _start(name: str, output_dir: Path, base: str, work: Path) -> Server:
    dump = output_dir / "current" / "dump" / "territoires.nq.gz"
    if name == "project":
        return start_project(output_dir, base, work)
    if name == "cache":
        return start_behind_nginx(output_dir, base, work)
    if name == "granian":
        return start_granian(output_dir, base, work)
    return STARTERS[name](dump, work)


def run_server(name: str, items, options, output_dir: Path, base: str, work: Path) -> dict:
    record: dict = {"name": name, "available": False, "items": {}}
    log(f"{name}: starting")
    try:
        server = _start(name, output_dir, base, work)
    except NotAvailable as reason:
        record["reason"] = str(reason)
        log(f"{name}: not available: {reason}")
        return record
    except Exception as error:  # a peer's failure never fails the suite
        record["reason"] = f"{type(error).__name__}: {error}"
        log(f"{name}: not available: {record['reason']}")
        if name == "project":
            raise
        return record
    record.update(available=True, label=server.label, version=server.version,
                  startup_s=server.startup_s, load_s=server.load_s, notes=server.notes)
    log(f"{name}: answering after {server.startup_s} s (load {server.load_s} s)")
    record["settled_s"] = settle(limit=10 if options.quick else 60)
    record["idle_s"] = idle_tree(server.process.pid, limit=10 if options.quick else 300)
    log(f"{name}: quiet after {record['settled_s']} s more, itself idle after "
        f"{record['idle_s']} s more")
    try:
        record["rss_idle"] = server.sample_rss()
        for item in items:
            key = f"{item.workload}/{item.name}"
            record["items"][key] = _run_item(server, item, options, output_dir, base, work)
            server = record["items"][key].pop("_server", server)
        record["rss"] = _rss(server)
    except Exception as error:
        if name == "project":
            raise
        record["failure"] = f"{type(error).__name__}: {error}"
        log(f"{name}: failed: {traceback.format_exc()}")
    finally:
        server.stop()
        log(f"{name}: stopped")
    return record


def _run_item(server: Server, item, options, output_dir, base, work) -> dict:
    requests = item.requests(server)
    if requests is None:
        return {"status": "n/a"}
    slow_peer = server.name == "rdflib"
    max_requests = min(options.requests, options.rdflib_requests) if slow_peer \
        else options.requests
    duration = min(options.duration, options.rdflib_duration) if slow_peer else options.duration
    result: dict = {"status": "ok", "variants": len(requests)}
    # Warm-up with one request (the last of the cycle), which also probes a slow peer.
    warm = drive(server.port, requests[-1:], 1, 1, options.timeout, timeout=options.timeout)
    result["first_ms"] = warm.summary()["max_ms"]
    if warm.timeouts:
        result["status"] = "timeout"
        result["note"] = f"no answer within {options.timeout:.0f} s: skipped"
        log(f"{server.name}: {item.name}: timeout after {options.timeout:.0f} s, skipped")
        result["_server"] = _recover(server, output_dir, base, work)
        return result
    if warm.errors:
        result["warmup_errors"] = warm.error_samples[:2]
    sent = 0
    for concurrency in options.concurrency:
        # Each run starts where the previous one stopped: other constants, not cached answers.
        outcome = drive(server.port, requests, concurrency, max_requests, duration,
                        timeout=options.timeout, stop_on_timeout=slow_peer, start=sent)
        sent += outcome.requests + outcome.errors + outcome.timeouts
        summary = outcome.summary()
        result[f"c{concurrency}"] = summary
        server.sample_rss()
        log(f"{server.name}: {item.workload}/{item.name} c={concurrency}: "
            f"{summary['rps']} req/s, p50 {summary['p50_ms']} ms, p99 {summary['p99_ms']} ms, "
            f"{summary['errors']} errors, {summary['timeouts']} timeouts"
            + (f" (e.g. {summary['error_samples'][0]})" if summary["error_samples"] else ""))
        if not server.alive():
            result["status"] = "crashed"
            result["note"] = f"the server exited: {_log_tail(work, server.name)}"
            log(f"{server.name}: crashed during {item.name}: restarting it")
            result["_server"] = _restart(server, output_dir, base, work)
            break
        if outcome.timeouts:
            result["status"] = "timeout"
            result["note"] = f"a request got no answer within {options.timeout:.0f} s"
            if slow_peer:
                result["_server"] = _recover(server, output_dir, base, work)
                break
    return result


def _recover(server: Server, output_dir, base, work, patience: float = 120) -> Server:
    """A peer that serialises requests is still busy with the one that timed out: wait for it
    to answer again, or restart it."""
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        if ask(server.port, server.sparql_path, timeout=10):
            return server
        time.sleep(1)
    log(f"{server.name}: still busy after {patience:.0f} s: restarting")
    return _restart(server, output_dir, base, work)


def _restart(server: Server, output_dir, base, work) -> Server:
    server.stop()
    for leftover in ("oxigraph-store", "virtuoso", "virtuoso-load"):
        if server.name in leftover:
            shutil.rmtree(work / leftover, ignore_errors=True)
    restarted = _start(server.name, output_dir, base, work)
    restarted.rss_samples = server.rss_samples
    restarted.notes = server.notes + ["restarted during the run"]
    return restarted


def _log_tail(work: Path, name: str) -> str:
    try:
        text = (work / f"{name}.log").read_text(errors="replace").strip().splitlines()
    except OSError:
        return "?"
    return " | ".join(line.strip() for line in text[-3:])[:300]


def _rss(server: Server) -> dict:
    samples = server.rss_samples
    if not samples:
        return {}
    return {"max_total_mib": max(s["total_mib"] for s in samples),
            "max_per_child_mib": max((max(s["children_mib"]) for s in samples
                                      if s["children_mib"]), default=None),
            "max_pss_total_mib": max(s.get("pss_total_mib", 0) for s in samples),
            "children": len(samples[-1]["children_mib"]),
            "last": samples[-1]}


# ---- the suite -------------------------------------------------------------------------------


def run(options) -> dict:
    results_dir = Path(options.results_dir)
    results_dir.mkdir(parents=True, exist_ok=True)
    result: dict = {"date": time.strftime("%Y-%m-%d %H:%M"), "machine": machine(),
                    "uptime_before": uptime(),
                    "options": {k: (str(v) if isinstance(v, Path) else v)
                                for k, v in vars(options).items()}}
    log(f"machine: {result['machine']}; {result['uptime_before']}")
    with tempfile.TemporaryDirectory(prefix="territoires-bench-") as tmp:
        work = Path(tmp)
        if options.output_dir:
            output_dir = Path(options.output_dir).resolve()
            manifest = json.loads((output_dir / "current" / "build.json").read_text())
            result["build"] = {"reused": str(output_dir), "quads": manifest["quads"],
                               "version": manifest["version"],
                               "steps_s": manifest.get("timings", {})}
        else:
            output_dir = work / "output"
            log("building the graph (territoires build)")
            built = build_bench.one_build(output_dir)
            manifest = built["manifest"]
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            result["build"] = {"wall_s": built["wall_s"], "peak_rss_mib": round(peak),
                               "quads": manifest["quads"], "triples": manifest["triples"],
                               "version": manifest["version"],
                               "steps_s": manifest.get("timings", {})}
            log(f"built in {built['wall_s']} s, peak RSS {round(peak)} MiB, "
                f"{manifest['quads']:,} quads")
        base = manifest["base_uri"]
        items = [item for item in build_items(base, options.data_dir,
                                              resources=options.resources,
                                              variants=options.variants)
                 if not options.items or any(word in f"{item.workload}/{item.name}"
                                             for word in options.items)]
        result["items"] = [{"workload": i.workload, "name": i.name,
                            "description": i.description,
                            **({"requests": i.names} if i.names else {})} for i in items]
        result["servers"] = {}
        for name in ["project", *options.peers]:
            result["servers"][name] = run_server(name, items, options, output_dir, base, work)
    result["uptime_after"] = uptime()
    log(result["uptime_after"])
    result["ratios"] = ratios(result)
    result["targets"] = targets(result)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    text = json.dumps(result, indent=2, ensure_ascii=False) + "\n"
    (results_dir / f"suite-{stamp}.json").write_text(text)
    (results_dir / "latest.json").write_text(text)
    table = markdown(result)
    (results_dir / "latest.md").write_text(table)
    return result


# ---- ratios and targets ----------------------------------------------------------------------


def _cell(result: dict, server: str, key: str, concurrency: int = 4) -> dict | None:
    record = result["servers"].get(server, {})
    item = record.get("items", {}).get(key)
    if not item:
        return None
    return item.get(f"c{concurrency}") or ({"status": item["status"]} if item else None)


def _ratio(result: dict, peer: str, key: str, concurrency: int = 4) -> dict | None:
    """project ÷ peer requests per second; a peer that timed out gives a lower bound."""
    mine, theirs = _cell(result, "project", key, concurrency), _cell(result, peer, key,
                                                                      concurrency)
    if not mine or not theirs or not mine.get("rps"):
        return None
    if theirs.get("status") == "timeout" or (theirs.get("rps") == 0 and theirs.get("timeouts")):
        timeout = result["options"]["timeout"]
        return {"value": round(mine["rps"] * timeout, 1), "bound": "at least"}
    if not theirs.get("rps"):
        return None
    return {"value": round(mine["rps"] / theirs["rps"], 2), "bound": "="}


def _geomean(values: list[float]) -> float | None:
    values = [v for v in values if v and v > 0]
    return round(math.exp(sum(map(math.log, values)) / len(values)), 2) if values else None


def ratios(result: dict) -> dict:
    out: dict = {}
    keys = [f"{i['workload']}/{i['name']}" for i in result["items"]]
    for peer in result["servers"]:
        if peer == "project" or not result["servers"][peer].get("available"):
            continue
        per_item = {key: _ratio(result, peer, key) for key in keys}
        per_workload = {}
        for workload in WORKLOADS:
            found = [r["value"] for k, r in per_item.items() if r and k.startswith(workload + "/")]
            per_workload[workload] = _geomean(found)
        out[peer] = {"items": per_item, "workloads": per_workload}
    return out


def targets(result: dict) -> list[dict]:
    rows = []
    ratio = result.get("ratios", {})

    def add(target: str, measured: str, met: bool | None):
        rows.append({"target": target, "measured": measured,
                     "met": "n/a" if met is None else ("yes" if met else "NO")})

    def items_of(workload):
        return [f"{i['workload']}/{i['name']}" for i in result["items"]
                if i["workload"] == workload]

    project = result["servers"]["project"]
    for key in items_of("dereferencing"):
        name = key.split('/', 1)[1]
        cell = _cell(result, "project", key) or {}
        p99 = cell.get("p99_ms")
        if name != "crawl":   # documents asked again: answered from the caches
            add(f"{name}: p99 < 10 ms at c=4", f"{p99} ms", None if p99 is None else p99 < 10)
        peer = "dereferencing/crawl" if name == "crawl" else "dereferencing/doc"
        ox = (_cell(result, "oxigraph", peer) or {}).get("rps")
        if ox:
            floor = 0.5 if name == "crawl" else 1.0
            rps = cell.get("rps")
            add(f"{name} req/s at c=4 ≥ {floor:g} × Oxigraph CONSTRUCT",
                f"{rps} vs {ox} req/s (× {round(rps / ox, 2) if rps else '?'})",
                bool(rps and rps >= floor * ox))

    def per_item(workload: str, peer: str, floor: float, label: str):
        found = ratio.get(peer, {}).get("items", {})
        for key in items_of(workload):
            r = found.get(key)
            if r is None:
                continue
            add(f"{key}: ≥ {label + ' ' if label else ''}{peer}", f"× {r['value']}"
                f"{' (peer timed out: lower bound)' if r['bound'] == 'at least' else ''}",
                r["value"] >= floor)

    per_item("selective", "oxigraph", 0.5, "half of")
    per_item("selective", "rdflib", 3, "3 ×")
    per_item("analytics", "oxigraph", 1, "")
    per_item("analytics", "rdflib", 50, "50 ×")
    per_item("hot", "virtuoso", 1, "")
    if "virtuoso" in result["servers"] and not result["servers"]["virtuoso"].get("available"):
        add("hot ≥ Virtuoso", "Virtuoso not available", None)
    failed = sum(c.get("errors", 0) + c.get("timeouts", 0)
                 for cell in project.get("items", {}).values()
                 for c in (cell.get("c1") or {}, cell.get("c4") or {}))
    samples = sorted({e for cell in project.get("items", {}).values()
                      for c in (cell.get("c1") or {}, cell.get("c4") or {})
                      for e in c.get("error_samples", [])})
    add("no errors (project)", f"{failed}" + (f": {samples[0][:80]}" if samples else ""),
        failed == 0)
    startup = project.get("startup_s")
    add("start-up < 1 s to first answer", f"{startup} s", startup is not None and startup < 1)
    per_worker = project.get("rss", {}).get("max_per_child_mib")
    add("RSS < 300 MiB per worker (worker + its query executors)", f"{per_worker} MiB",
        None if per_worker is None else per_worker < 300)
    wall = result["build"].get("wall_s")
    add("build < 30 s", f"{wall} s" if wall else "not measured (existing build)",
        None if wall is None else wall < 30)
    return rows


# ---- Markdown --------------------------------------------------------------------------------


def _ms(cell: dict | None) -> str:
    if not cell or cell.get("p50_ms") is None:
        return "–"
    return f"{cell['p50_ms']:g} / {cell['p99_ms']:g}"


def _rps(cell: dict | None) -> str:
    if not cell:
        return "–"
    return f"{cell['rps']:,.1f}" if cell.get("rps") else "0"


def markdown(result: dict) -> str:
    m = result["machine"]
    lines = [f"### Benchmark of {result['date']} — {m['cores']} cores ({m['cpu']}), "
             f"{m['memory_mib'] // 1024} GiB, {m['system']}, Python {m['python']}", ""]
    b = result["build"]
    if "wall_s" in b:
        lines.append(f"Build: {b['wall_s']} s wall, peak RSS {b['peak_rss_mib']} MiB, "
                     f"{b['quads']:,} quads (version {b['version']}); steps: "
                     + ", ".join(f"{k} {v} s" for k, v in b["steps_s"].items()) + ".")
    else:
        lines.append(f"Build: reused {b['quads']:,} quads (version {b['version']}); not timed.")
    o = result["options"]
    lines += ["", f"Machine load: before `{result['uptime_before']}`; after "
              f"`{result['uptime_after']}`. Each server runs alone, in turn; the load generator "
              f"(Python threads, keep-alive) shares the machine. Per workload and concurrency: "
              f"at most {o['requests']} requests or {o['duration']} s (rdflib-endpoint: "
              f"{o['rdflib_requests']} / {o['rdflib_duration']} s), client timeout "
              f"{o['timeout']} s; latencies in ms (p50 / p99).", "",
              "| server | version | start-up to first answer | load | RSS max (process tree) "
              "| notes |", "| --- | --- | --- | --- | --- | --- |"]
    for name, s in result["servers"].items():
        if not s.get("available"):
            lines.append(f"| {name} | – | not available: {s.get('reason', '?')} | | | |")
            continue
        rss = s.get("rss", {})
        workers = ""
        if name == "project" and rss.get("max_per_child_mib"):
            workers = f" ({rss['children']} workers, ≤ {rss['max_per_child_mib']} MiB each)"
        notes = "; ".join(s.get("notes", []) + ([s["failure"]] if s.get("failure") else []))
        lines.append(f"| {s['label']} | {s['version'] or '–'} | {s['startup_s']} s | "
                     f"{str(s['load_s']) + ' s' if s.get('load_s') is not None else '–'} | "
                     f"{rss.get('max_total_mib', '–')} MiB{workers}; PSS "
                     f"{rss.get('max_pss_total_mib', '–')} MiB | {notes} |")
    peers = [p for p in result["servers"] if p != "project"]
    lines += ["", "| workload | query | server | c=1 req/s | c=1 ms | c=4 req/s | c=4 ms | "
              "errors | project ÷ server, c=4 |", "| --- | --- | --- | ---: | ---: | ---: | "
              "---: | ---: | ---: |"]
    for item in result["items"]:
        key = f"{item['workload']}/{item['name']}"
        for name in ["project", *peers]:
            s = result["servers"][name]
            if not s.get("available"):
                continue
            cell = s["items"].get(key, {})
            if cell.get("status") == "n/a":
                continue
            label = "project" if name == "project" else name
            if cell.get("status") == "crashed" and "c1" not in cell:
                lines.append(f"| {item['workload']} | {item['name']} | {label} | crashed | "
                             f"| | | | |")
                continue
            if cell.get("status") == "timeout" and "c1" not in cell:
                lines.append(f"| {item['workload']} | {item['name']} | {label} | timeout "
                             f"(> {o['timeout']} s) | | | | | |")
                continue
            c1, c4 = cell.get("c1"), cell.get("c4")
            errors = sum((c or {}).get("errors", 0) + (c or {}).get("timeouts", 0)
                         for c in (c1, c4))
            r = result["ratios"].get(name, {}).get("items", {}).get(key)
            shown = "" if name == "project" or r is None else \
                (f"≥ {r['value']}" if r["bound"] == "at least" else f"{r['value']}")
            lines.append(f"| {item['workload']} | {item['name']} | {label} | {_rps(c1)} | "
                         f"{_ms(c1)} | {_rps(c4)} | {_ms(c4)} | {errors} | {shown} |")
    hits = []
    for key, cell in result["servers"]["project"].get("items", {}).items():
        for concurrency in o["concurrency"]:
            c = cell.get(f"c{concurrency}") or {}
            if c.get("cache_hits"):
                hits.append(f"{key} c={concurrency}: {c['cache_hits']}/{c['requests']}")
    if hits:
        lines += ["", "Answers from the project's caches (`X-Cache: hit`: whole responses, or SPARQL results): "
                  + "; ".join(hits) + "."]
    for item in result["items"]:
        if not item.get("requests"):
            continue
        key = f"{item['workload']}/{item['name']}"
        lines += ["", f"{item['workload']} / {item['name']}, p50 ms per request at c=1:", "",
                  "| request | " + " | ".join(n for n in ["project", *peers]
                                              if result["servers"][n].get("available")) + " |",
                  "| --- | " + " | ".join("---:" for n in ["project", *peers]
                                           if result["servers"][n].get("available")) + " |"]
        for index, request in enumerate(item["requests"]):
            cells = []
            for name in ["project", *peers]:
                s_ = result["servers"][name]
                if not s_.get("available"):
                    continue
                by = ((s_["items"].get(key) or {}).get("c1") or {}).get("p50_ms_by_request", [])
                cells.append(f"{by[index]:g}" if index < len(by) and by[index] is not None
                             else "–")
            lines.append(f"| {request} | " + " | ".join(cells) + " |")
    if result["ratios"]:
        available = list(result["ratios"])
        lines += ["", "| workload (geometric mean of the queries, c=4) | "
                  + " | ".join(f"project ÷ {p}" for p in available) + " |",
                  "| --- | " + " | ".join("---:" for _ in available) + " |"]
        for workload in WORKLOADS:
            lines.append(f"| {workload} | " + " | ".join(
                str(result["ratios"][p]["workloads"].get(workload) or "–") for p in available)
                + " |")
    lines += ["", "| target | measured | met |", "| --- | --- | --- |"]
    lines += [f"| {t['target']} | {t['measured']} | {t['met']} |" for t in result["targets"]]
    return "\n".join(lines) + "\n"
