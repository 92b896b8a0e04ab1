"""Full build: wall time, peak memory, graph size. `python -m bench build [--runs N]`."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results"


def one_build(output: Path) -> dict:
    """Run `territoires build` as a child process; its peak RSS is the children's maximum."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "territoires.cli", "--quiet", "--output-dir",
                           str(output), "build"], capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"build failed:\n{done.stderr}")
    manifest = json.loads((output / "current" / "build.json").read_text())
    return {"wall_s": round(wall, 2), "manifest": manifest}


def run(runs: int = 3) -> dict:
    walls, last = [], None
    for index in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            last = one_build(Path(tmp))
            walls.append(last["wall_s"])
            print(f"build {index + 1}/{runs}: {last['wall_s']} s", file=sys.stderr, flush=True)
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    manifest = last["manifest"]
    result = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{os.cpu_count()} cores, {os.uname().machine}, Python {sys.version.split()[0]}",
        "runs": runs,
        "wall_s": sorted(walls),
        "wall_median_s": sorted(walls)[len(walls) // 2],
        "peak_rss_mib": round(peak_mib),
        "quads": manifest["quads"],
        "triples": manifest["triples"],
        "named_graphs": len(manifest["graphs"]),
        "steps_s": manifest["timings"],
        "version": manifest["version"],
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "build.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


def markdown(result: dict) -> str:
    steps = ", ".join(f"{k} {v} s" for k, v in result["steps_s"].items())
    return (f"| build ({result['date']}, {result['machine']}) | value |\n| --- | --- |\n"
            f"| wall time, median of {result['runs']} | {result['wall_median_s']} s |\n"
            f"| steps (last run) | {steps} |\n"
            f"| peak memory (RSS) | {result['peak_rss_mib']} MiB |\n"
            f"| quads / distinct triples | {result['quads']:,} / {result['triples']:,} |\n"
            f"| named graphs | {result['named_graphs']} |\n")
