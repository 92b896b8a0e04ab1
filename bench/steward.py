"""The steward's loop on the whole data: `territoires validate FILE` after a one-line edit.
`python -m bench steward [--runs N]`.

On a private copy of data/, ontology/ and shapes/: one full `territoires validate` (which
writes the validation cache), then, N times, a one-line edit of a curated file (a salary of
data/article/statistiques.ttl, each run a different figure) and `territoires validate FILE`,
timed as a whole process (start-up, imports and all). The fast path must say so on stderr, and
give the verdict of a full validation of the same edit, run last (`validate --full FILE`).
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).parent / "results"
EDITED = Path("article") / "statistiques.ttl"
LINE = 'ti:salaireNetMoyenMensuel "2906"^^xsd:decimal'
BOUND_S = 10.0


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _validate(env: dict, *args: str) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall time and CPU time (user + system) of one `territoires validate` process: on a
    loaded machine the wall time is mostly waiting for a core, the CPU time is the work."""
    started, cpu = time.perf_counter(), _cpu()
    done = subprocess.run([sys.executable, "-m", "territoires.cli", "validate", *args],
                          capture_output=True, text=True, env=env, cwd=ROOT)
    return round(time.perf_counter() - started, 2), round(_cpu() - cpu, 2), done


def run(runs: int = 3) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name in ("data", "ontology", "shapes"):
            shutil.copytree(ROOT / name, root / name, ignore=shutil.ignore_patterns("output"))
        env = {**os.environ, "TERRITOIRES_DATA_DIR": str(root / "data"),
               "TERRITOIRES_ONTOLOGY_DIR": str(root / "ontology"),
               "TERRITOIRES_SHAPES_DIR": str(root / "shapes"),
               "TERRITOIRES_OUTPUT_DIR": str(root / "output")}
        full_s, full_cpu_s, done = _validate(env)
        if done.returncode not in (0, 1):
            raise SystemExit(f"full validation failed:\n{done.stderr}")
        print(f"full validation (writes the cache): {full_s} s, CPU {full_cpu_s} s",
              file=sys.stderr, flush=True)
        edited = root / "data" / EDITED
        original = edited.read_text(encoding="utf-8")
        walls, cpus, outputs = [], [], []
        for index in range(runs):
            figure = 2906 + 10 * (index + 1)   # a one-line edit, another each run
            edited.write_text(original.replace(LINE, LINE.replace("2906", str(figure))),
                              encoding="utf-8")
            wall, cpu, done = _validate(env, str(edited))
            if "the rest from the cache" not in done.stderr:
                raise SystemExit(f"the fast path did not run:\n{done.stderr}")
            walls.append(wall)
            cpus.append(cpu)
            outputs.append((done.returncode, done.stdout))
            print(f"validate FILE {index + 1}/{runs}: {wall} s, CPU {cpu} s", file=sys.stderr,
                  flush=True)
        full_edit_s, _, full = _validate(env, "--full", str(edited))
        same = (full.returncode, full.stdout) == outputs[-1]
    result = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{os.cpu_count()} cores, {os.uname().machine}, Python {sys.version.split()[0]}",
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "full_validation_s": full_s, "full_validation_cpu_s": full_cpu_s,
        "full_validation_of_the_edit_s": full_edit_s,
        "runs": runs, "validate_file_s": sorted(walls),
        "validate_file_median_s": sorted(walls)[len(walls) // 2],
        "validate_file_cpu_s": sorted(cpus), "validate_file_cpu_median_s": sorted(cpus)[len(cpus) // 2],
        "bound_s": BOUND_S,
        "same_report_as_full": same,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "steward.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


def markdown(result: dict) -> str:
    return (f"| steward's loop ({result['date']}, {result['machine']}, load average "
            f"{result['load_average'][0]}) | value |\n| --- | --- |\n"
            f"| full `territoires validate` (writes the cache) | {result['full_validation_s']} s "
            f"(CPU {result['full_validation_cpu_s']} s) |\n"
            f"| `territoires validate FILE` after a one-line edit, median of {result['runs']} | "
            f"{result['validate_file_median_s']} s (CPU {result['validate_file_cpu_median_s']} s; "
            f"bound {result['bound_s']} s) |\n"
            f"| `validate --full FILE` of the same edit | "
            f"{result['full_validation_of_the_edit_s']} s |\n"
            f"| same report as the full validation | {result['same_report_as_full']} |\n")
