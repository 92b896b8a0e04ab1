"""The programme's official lists read back (data/programme/): each feature as a plain record,
or a refusal naming the file and the feature (its index and id) when it cannot be read
faithfully. No RDF here; `programme.py` maps the records.

Phase 2 (`ti_phase2_geom.geojson`) lists its groupements as `NAME (SIREN); …`; phase 1
(`polygone-4326_ti.geojson`) as two comma-separated lists, names and SIRENs. Both are GeoJSON in
CRS84. A geometry must be valid (shapely's `is_valid`: closed rings that do not cross themselves,
enough points) and inside longitude/latitude bounds; phase 1 draws a single commune as a point,
which is kept as it is.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from pathlib import Path

import shapely
from shapely.geometry import shape
from shapely.validation import explain_validity

from ..vocabulary.locations import Location
from .base import SourceError

PHASE_FILES = {2: "ti_phase2_geom.geojson.gz", 1: "ti_phase1_geom.geojson.gz"}
EPT_FILE = "ept.json.gz"
# The COG year of each list's codes: phase 2's build script reads ANCT's lists of COG 2023;
# phase 1's is the list as arrêtée at the end of 2022, in the geography of 2022.
VINTAGES = {2: 2023, 1: 2022}
# Property names of each list: id, name, and how groupements are given.
FIELDS = {2: ("id_territoire", "lib_territoire"), 1: ("id_ti", "lib_ti")}

GROUPEMENT = re.compile(r"^(?P<name>\S.*?) \((?P<siren>\d{9})\)$")
SIREN = re.compile(r"^\d{9}$")
IDENT = re.compile(r"^ti-\d{4}$")


@dataclass(frozen=True)
class Feature(Location):
    """A feature's place in a list: `data/programme/x.geojson.gz: feature 12 (ti-2701)`."""
    feature: str = ""

    def __str__(self) -> str:
        return f"{self.file}: feature {self.feature}"


@dataclass(frozen=True)
class Groupement:
    siren: str
    name: str          # as the list writes it ("" when the list gives no usable name)


@dataclass
class Listed:
    """One territory as its list gives it."""
    phase: int
    ident: str
    name: str
    groupements: list[Groupement]
    geometry: shapely.Geometry
    place: Feature


def read_json(path: Path):
    try:
        return json.loads(gzip.decompress(path.read_bytes()).decode("utf-8"))
    except FileNotFoundError:
        raise SourceError(path, "missing (run `territoires refresh-programme`)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SourceError(path, f"not gzip UTF-8 JSON ({error})") from None


def read_phase(directory: Path, phase: int) -> list[Listed]:
    """Every territory of a phase's list, checked: ids unique, groupements well formed,
    geometries valid."""
    path = directory / PHASE_FILES[phase]
    document = read_json(path)
    features = document.get("features") if isinstance(document, dict) else None
    if not isinstance(features, list) or not features:
        raise SourceError(path, "not a GeoJSON FeatureCollection with features")
    listed: list[Listed] = []
    seen: dict[str, Feature] = {}
    for index, feature in enumerate(features):
        territory = _territory(path, phase, index, feature)
        if territory.ident in seen:
            raise SourceError(territory.place, f"id {territory.ident} is already the id of "
                                               f"feature {seen[territory.ident].feature}")
        seen[territory.ident] = territory.place
        listed.append(territory)
    return listed


def _territory(path: Path, phase: int, index: int, feature) -> Listed:
    properties = (feature or {}).get("properties") if isinstance(feature, dict) else None
    id_field, name_field = FIELDS[phase]
    ident = str((properties or {}).get(id_field) or "").strip()
    place = Feature(path, None, f"{index} ({ident or 'no id'})")
    if not IDENT.match(ident):
        raise SourceError(place, f"{id_field} {ident!r} is not an ANCT id (ti-NNNN)")
    name = str(properties.get(name_field) or "").strip()
    if not name:
        raise SourceError(place, f"empty {name_field}")
    groupements = (_phase2_groupements if phase == 2 else _phase1_groupements)(properties, place)
    sirens = [g.siren for g in groupements]
    twice = sorted({s for s in sirens if sirens.count(s) > 1})
    if twice:
        raise SourceError(place, f"groupement {', '.join(twice)} listed twice")
    return Listed(phase, ident, name, groupements, geometry_of(feature.get("geometry"), place),
                  place)


def _phase2_groupements(properties: dict, place: Feature) -> list[Groupement]:
    text = str(properties.get("liste_geo") or "").strip()
    if not text:
        raise SourceError(place, "empty liste_geo")
    found = []
    for position, part in enumerate(text.split(";"), start=1):
        match = GROUPEMENT.match(part.strip())
        if not match:
            raise SourceError(place, f"liste_geo, groupement {position}: {part.strip()!r} is not "
                                     f"'NAME (SIREN)' with a 9-digit SIREN")
        found.append(Groupement(match["siren"], match["name"]))
    return found


def _phase1_groupements(properties: dict, place: Feature) -> list[Groupement]:
    sirens = [s.strip() for s in str(properties.get("siren_groupement") or "").split(",")]
    if sirens == [""]:
        raise SourceError(place, "empty siren_groupement")
    for position, siren in enumerate(sirens, start=1):
        if not SIREN.match(siren):
            raise SourceError(place, f"siren_groupement, item {position}: {siren!r} is not a "
                                     f"9-digit SIREN")
    names = [n.strip() for n in str(properties.get("lib_groupement") or "").split(",")]
    # Names may hold commas; they are kept only when they pair one to one with the SIRENs.
    if len(names) != len(sirens):
        names = [""] * len(sirens)
    return [Groupement(s, n) for s, n in zip(sirens, names)]


def geometry_of(geometry, place: Feature) -> shapely.Geometry:
    try:
        found = shape(geometry)
    except (AttributeError, KeyError, TypeError, ValueError, IndexError,
            shapely.errors.ShapelyError) as error:
        raise SourceError(place, f"geometry cannot be read ({error or type(error).__name__})"
                          ) from None
    if found.is_empty:
        raise SourceError(place, "empty geometry")
    if not found.is_valid:
        raise SourceError(place, f"invalid geometry: {explain_validity(found)}")
    west, south, east, north = found.bounds
    if west < -180 or east > 180 or south < -90 or north > 90:
        raise SourceError(place, "coordinates outside CRS84 (longitude, latitude in degrees)")
    return found


@dataclass(frozen=True)
class Ept:
    siren: str
    name: str
    communes: tuple[str, ...]   # INSEE codes


def read_ept(directory: Path) -> dict[str, Ept]:
    """The établissements publics territoriaux of `ept.json` (@etalab/decoupage-administratif)."""
    path = directory / EPT_FILE
    found = {}
    for index, entry in enumerate(read_json(path)):
        try:
            found[entry["code"]] = Ept(entry["code"], entry["nom"],
                                       tuple(m["code"] for m in entry["membres"]))
        except (KeyError, TypeError):
            raise SourceError(f"{path}: entry {index}", "lacks code, nom or membres") from None
    return found
