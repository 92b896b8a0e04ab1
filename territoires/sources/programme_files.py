"""The vendored files of the programme (data/programme/) and of the outlines (data/contours/):
which file each kind is, what its features must carry, and the refresh that vendors a local copy
unmodified (gzip without a timestamp, so the same file always gives the same bytes)."""

from __future__ import annotations

import gzip
import json
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Kind:
    folder: str            # under the data directory
    name: str              # the vendored file
    properties: tuple[str, ...]   # what each feature (or entry, for ept.json) must carry


KINDS: dict[str, Kind] = {
    "phase-2": Kind("programme", "ti_phase2_geom.geojson.gz",
                    ("id_territoire", "lib_territoire", "liste_geo")),
    "phase-1": Kind("programme", "ti_phase1_geom.geojson.gz",
                    ("id_ti", "lib_ti", "siren_groupement")),
    "ept": Kind("programme", "ept.json.gz", ("code", "nom", "membres")),
    "departements": Kind("contours", "dep_geom_4326.geojson.gz", ("insee_dep", "lib_dep")),
    "regions": Kind("contours", "reg_geom_4326.geojson.gz", ("insee_reg", "lib_reg")),
}


class RefreshError(ValueError):
    """A file given to the refresh is not what its kind expects; the message says where."""


def read_bytes(path: Path) -> bytes:
    """A file's bytes, gunzipped when it is gzip (by its magic number, not its name)."""
    raw = path.read_bytes()
    return gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw


def entries(kind: Kind, document) -> list[dict]:
    """The entries whose properties are checked: a GeoJSON's features' properties, or the
    entries of ept.json (a plain list)."""
    if kind.name.endswith(".geojson.gz"):
        if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
            raise RefreshError("not a GeoJSON FeatureCollection")
        return [(f or {}).get("properties") or {} for f in document.get("features") or []]
    if not isinstance(document, list):
        raise RefreshError("not a JSON list")
    return document


def check(kind: Kind, data: bytes, path: Path) -> int:
    """How many entries `data` holds, once checked to be of `kind`."""
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RefreshError(f"{path}: not UTF-8 JSON ({error})") from None
    try:
        found = entries(kind, document)
    except RefreshError as error:
        raise RefreshError(f"{path}: {error}") from None
    if not found:
        raise RefreshError(f"{path}: no feature")
    for index, entry in enumerate(found):
        missing = [p for p in kind.properties if not isinstance(entry, dict) or p not in entry]
        if missing:
            raise RefreshError(f"{path}: feature {index} lacks {', '.join(missing)}")
    return len(found)


def refresh(source: Path, which: str, data_dir: Path) -> tuple[Path, int]:
    """Vendor `source` as the file of kind `which`; returns where it went and its entry count."""
    kind = KINDS[which]
    data = read_bytes(source)
    count = check(kind, data, source)
    target = data_dir / kind.folder / kind.name
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0,
                                                filename="") as gz:
        gz.write(data)
    return target, count


def main(source: Path, which: str, data_dir: Path) -> int:
    try:
        target, count = refresh(source, which, data_dir)
    except (OSError, RefreshError) as error:
        print(f"territoires refresh-programme: {error}", file=sys.stderr)
        return 1
    print(f"{target}: {count} entries ({which}); update README.md and source.ttl beside it",
          file=sys.stderr)
    return 0
