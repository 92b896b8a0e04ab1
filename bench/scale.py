"""The build's cost as the data grows (`python -m bench scale [--factors 1,2,4,8,16]`).

The sources are multiplied synthetically: ×k holds the real sources and k − 1 copies of every
region, département, commune, EPCI, membership, territory and curated fact, each copy with
codes and IRIs of its own, linked among themselves as the originals are. Each size is built by
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
                           "nom": f"{row['nom']} ({copy.j + 1})",
                           "epci_siren": copy.siren(row["epci_siren"]),
                           "departement": copy.code(row["departement"]),
                           "identifiant_officiel": row["identifiant_officiel"]
                           and copy.slug(row["identifiant_officiel"])})
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(scaled)
