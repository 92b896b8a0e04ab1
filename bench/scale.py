"""The build's cost as the data grows (`python -m bench scale [--factors 1,2,4,8,16]`).

The sources are multiplied synthetically: ×k holds the real sources and k − 1 copies of every
region, département, commune, EPCI, membership, territory and curated fact, each copy with
codes and IRIs of its own (names are kept), linked among themselves as the originals are; the
programme and its phases stay one. Each size is built by
`territoires build` in a process of its own, which records wall time, peak memory (the build and
its writer child), the steps' times, the quads, and the sizes of the store and the dumps.

Synthetic codes: copy j of a région, département or commune has the original's code followed
by a letter (`25` → `25G`), outside Insee's code space, so the shapes the copies are validated
with accept such codes (three `sh:pattern`s widened, every other constraint as published);
SIRENs are synthetic too, with a valid Luhn check digit, from 3 onwards where real ones start
with 2.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).parent / "results"
REFERENCE = ("regions", "departements", "communes", "epci", "epci_membres")
# The Insee code patterns of the shapes (régions, départements, communes), widened for copies.
WIDENED = {"^(?:0[1-9]|[1-9][0-9]|97[1-8]|98[4-9])$": "^[0-9]{2,3}[G-Z]?$",
           "^(?:0[1-9]|1[0-9]|2[AB1-9]|[3-8][0-9]|9[0-5]|97[1-8]|98[4-9])$": "^[0-9AB]{2,3}[G-Z]?$",
           "^(?:(?:0[1-9]|1[0-9]|2[AB1-9]|[3-8][0-9]|9[0-5])[0-9]{3}|97[1-8][0-9]{2}|"
           "98[4-9][0-9]{2})$": "^[0-9AB]{5}[G-Z]?$"}


def luhn(body: str) -> str:
    """`body` followed by its Luhn check digit (SIREN's)."""
    total = 0
    for position, digit in enumerate(reversed(body)):
        value = int(digit) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return body + str((10 - total % 10) % 10)


class Copy:
    """The codes, slugs and names of copy `j` (1 … k − 1) of the sources."""

    def __init__(self, j: int):
        self.j = j
        self.letter = chr(ord("F") + j)          # G, H, … : never in a real code
        self.sirens: dict[str, str] = {}

    def code(self, code: str) -> str:
        return f"{code}{self.letter}" if code else code

    def siren(self, siren: str) -> str:
        if not siren:
            return siren
        if siren not in self.sirens:
            self.sirens[siren] = luhn(f"{3 + self.j // 8}{self.j % 8}{len(self.sirens):06d}")
        return self.sirens[siren]

    def slug(self, slug: str) -> str:
        return f"{slug}-x{self.j}"

    def iri(self, match: re.Match) -> str:
        """A relative `<id/kind/key…>` of the curated Turtle, moved to this copy's."""
        kind, key, rest = match.group(1), match.group(2), match.group(3)
        if kind in SINGLE:
            return match.group(0)
        if kind in ("region", "departement", "commune"):
            key = self.code(key)
        elif kind == "epci":
            key = self.siren(key)
        else:
            key = self.slug(key)
        return f"<id/{kind}/{key}{rest}>"


def _rows(path: Path) -> tuple[list[str], list[dict]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _write(path: Path, header: list[str], rows: list[dict]) -> None:
    text = io.StringIO()
    writer = csv.DictWriter(text, header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(gzip.compress(text.getvalue().encode(), mtime=0))


SINGLE = ("programme", "phase")   # one programme and its phases, whatever the size
CODES = ("code", "departement", "region", "chef_lieu", "rattachement", "commune")
SIRENS = ("siren", "epci")


def _reference_row(row: dict, copy: Copy) -> dict:
    """A row of a reference file, moved to `copy`'s codes (names are kept)."""
    return {column: copy.code(value) if column in CODES
            else copy.siren(value) if column in SIRENS else value
            for column, value in row.items()}


def scale_sources(factor: int, target: Path) -> tuple[Path, Path]:
    """The sources and shapes ×`factor` in `target`: (data directory, shapes directory)."""
    data, shapes = target / "data", target / "shapes"
    shutil.copytree(ROOT / "data", data)
    shutil.copytree(ROOT / "shapes", shapes)
    if factor == 1:
        return data, shapes
    copies = [Copy(j) for j in range(1, factor)]
    for name in REFERENCE:
        path = data / "reference" / f"{name}.csv.gz"
        header, rows = _rows(path)
        _write(path, header, rows + [_reference_row(row, copy)
                                     for copy in copies for row in rows])
    _scale_territories(data / "territoires" / "territoires.csv", copies)
    for path in sorted((data / "article").glob("*.ttl")):
        if path.name == "source.ttl":
            continue
        text = path.read_text(encoding="utf-8")
        for copy in copies:
            moved = re.sub(r"<id/([a-z-]+)/([^>#/]+)([^>]*)>", copy.iri, text)
            path.with_name(f"{path.stem}-x{copy.j}.ttl").write_text(moved, encoding="utf-8")
    text = (shapes / "territoires.ttl").read_text(encoding="utf-8")
    for pattern, wider in WIDENED.items():
        text = text.replace(f'sh:pattern "{pattern}"', f'sh:pattern "{wider}"')
    (shapes / "territoires.ttl").write_text(text, encoding="utf-8")
    return data, shapes


def _scale_territories(path: Path, copies: list[Copy]) -> None:
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header, rows = list(reader.fieldnames or []), list(reader)
    scaled = list(rows)
    for copy in copies:
        for row in rows:
            scaled.append({**row, "territoire": copy.slug(row["territoire"]),
                           "epci_siren": copy.siren(row["epci_siren"]),
                           "departement": copy.code(row["departement"]),
                           "identifiant_officiel": row["identifiant_officiel"]
                           and copy.slug(row["identifiant_officiel"])})
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(scaled)


# ---- measuring -------------------------------------------------------------------------------


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def measure(factor: int, work: Path) -> dict:
    """Generate ×`factor` in `work` and build it in a process of its own."""
    started = time.perf_counter()
    data, shapes = scale_sources(factor, work)
    generated = round(time.perf_counter() - started, 2)
    output = work / "output"
    env = {**os.environ, "TERRITOIRES_SHAPES_DIR": str(shapes), "TERRITOIRES_DATA_DIR": str(data),
           "TERRITOIRES_OUTPUT_DIR": str(output)}
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "territoires.cli", "--quiet", "build"],
                               env=env, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    # wait4: this build's own peak memory (its writer included), not the runner's children's.
    _, status, usage = os.wait4(process.pid, 0)
    wall = round(time.perf_counter() - started, 2)
    error = process.stderr.read()
    process.stderr.close()
    if status != 0:
        return {"factor": factor, "failed": error.strip()[-2000:], "wall_s": wall}
    build = (output / "current").resolve()
    manifest = json.loads((build / "build.json").read_text())
    steps = manifest["timings"]
    return {"factor": factor, "generated_s": generated, "wall_s": wall,
            "peak_rss_mib": round(usage.ru_maxrss / 1024), "steps_s": steps,
            "bottleneck": bottleneck(steps), "quads": manifest["quads"],
            "store_mib": round(_size(build / "store") / 2**20, 1),
            "dumps_mib": {kind: round(d["bytes"] / 2**20, 1)
                          for kind, d in manifest["dumps"].items()}}


def bottleneck(steps: dict) -> str:
    """The step on the build's critical path that takes longest: the mapping, then whichever of
    the validation and the writing (serialization, store and dumps, in parallel with it) ends
    last."""
    writing = steps.get("serialize", 0) + steps.get("store+dumps", 0)
    if steps.get("map", 0) >= max(writing, steps.get("validate", 0)):
        return "mapping"
    if steps.get("validate", 0) >= writing:
        return "validation"
    return "serialization" if steps.get("serialize", 0) > steps.get("store+dumps", 0) \
        else "store and dumps"


def run(factors: list[int]) -> dict:
    results = []
    for factor in factors:
        with tempfile.TemporaryDirectory(prefix=f"territoires-scale-{factor}-") as tmp:
            print(f"×{factor}: generating and building", file=sys.stderr, flush=True)
            result = measure(factor, Path(tmp))
        results.append(result)
        print(f"×{factor}: " + (f"failed: {result['failed'][-300:]}" if "failed" in result else
              f"{result['wall_s']} s, peak {result['peak_rss_mib']} MiB, {result['quads']:,} "
              f"quads, bottleneck: {result['bottleneck']}"), file=sys.stderr, flush=True)
        if "failed" in result:
            break
    out = {"date": time.strftime("%Y-%m-%d %H:%M"),
           "machine": f"{os.cpu_count()} cores, Python {sys.version.split()[0]}",
           "sizes": results}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "scale.json").write_text(json.dumps(out, indent=2) + "\n")
    (RESULTS / "scale.md").write_text(markdown(out))
    return out


def markdown(result: dict) -> str:
    lines = [f"Build cost by size ({result['date']}, {result['machine']}; `python -m bench "
             f"scale`). Validation runs alongside serialization + store and dumps.", "",
             "| size | quads | wall | peak RSS | map | validate | serialize | store+dumps | "
             "store | dumps (nq / nt / ttl) | bottleneck |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"]
    for size in result["sizes"]:
        if "failed" in size:
            lines.append(f"| ×{size['factor']} | failed after {size['wall_s']} s | | | | | | "
                         f"| | | |")
            continue
        steps, dumps = size["steps_s"], size["dumps_mib"]
        lines.append(
            f"| ×{size['factor']} | {size['quads']:,} | {size['wall_s']} s | "
            f"{size['peak_rss_mib']:,} MiB | {steps.get('map')} s | {steps.get('validate')} s | "
            f"{steps.get('serialize')} s | {steps.get('store+dumps')} s | {size['store_mib']} MiB "
            f"| {dumps['nq']} / {dumps['nt']} / {dumps['ttl']} MiB | {size['bottleneck']} |")
    return "\n".join(lines) + "\n"
