"""The outlines of départements and régions (data/contours/, ANCT) mapped into `graph/contours`:
`id/departement/{code}` and `id/region/{code}` get `geo:hasGeometry`, simplified and described
as `geometry.py` says. A code the reference does not know, a feature without its code or with
a geometry that is not valid is refused with the file and the feature."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, URIRef

from . import geometry, programme_lists, snapshot
from ..vocabulary.locations import Locations
from ..vocabulary.namespaces import Vocabulary
from .base import SourceError, SourceGraph

# file → (IRI kind, the property holding the code, the reference file listing the codes)
FILES = {
    "dep_geom_4326.geojson.gz": ("departement", "insee_dep", "departements"),
    "reg_geom_4326.geojson.gz": ("region", "insee_reg", "regions"),
}
ORIGIN = ("https://github.com/anct-carto/superposeur-anct/blob/"
          "5c5ffe30cc5d4a0e05a99d30a316d196e180f96a/data/geom/geojson/")


def is_contours(directory: Path) -> bool:
    return any((directory / name).exists() for name in FILES)


def _known(reference_dir: Path, name: str) -> set[str]:
    try:
        return {row["code"] for _, row in snapshot.rows(reference_dir, name)}
    except snapshot.SnapshotError as error:
        raise SourceError(error.where, error.message) from None


def _outlines(vocab: Vocabulary, graph: Graph, path: Path, known: set[str],
              locations: Locations) -> None:
    kind, code_field, _ = FILES[path.name]
    source = URIRef(ORIGIN + path.name.removesuffix(".gz"))
    features = (programme_lists.read_json(path) or {}).get("features") or []
    seen: set[str] = set()
    for index, feature in enumerate(features):
        code = str(((feature or {}).get("properties") or {}).get(code_field) or "")
        place = programme_lists.Feature(path, None, f"{index} ({code or 'no code'})")
        if code not in known:
            raise SourceError(place, f"{code_field} {code!r} is not a {kind} of the reference")
        if code in seen:
            raise SourceError(place, f"{kind} {code} has a second outline")
        seen.add(code)
        shape = programme_lists.geometry_of(feature.get("geometry"), place)
        iri = vocab.id(kind, code)
        locations.add(URIRef(f"{iri}#geometrie"), place)
        geometry.add(graph, vocab, iri, shape, source)


def load(vocab: Vocabulary, directory: Path, graph: Graph, reference_dir: Path) -> SourceGraph:
    files = [directory / name for name in FILES if (directory / name).exists()]
    locations = Locations()
    for path in files:
        known = _known(reference_dir, FILES[path.name][2])
        _outlines(vocab, graph, path, known, locations)
    return SourceGraph(directory.name, graph.identifier, graph, files, locations)
