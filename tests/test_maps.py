"""The maps drawn by the server (territoires/web/maps/): the projection, the insets, one link
per place, and SVG that says what it is — on real polygons (the programme's fixture)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from rdflib import Graph, URIRef

from territoires.web.maps import Place, france, local, render
from territoires.web.maps import projection
from territoires.web.maps.drawing import geometry

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "programme"
GEO = "http://www.opengis.net/ont/geosparql#"


def places(name: str) -> dict[str, Place]:
    graph = Graph().parse(FIXTURE / name / f"{name}.ttl", publicID="https://data.example.fr/")
    found = {}
    for subject, node in graph.subject_objects(URIRef(GEO + "hasGeometry")):
        wkt = graph.value(node, URIRef(GEO + "asWKT"))
        key = str(subject).rsplit("id/", 1)[1]
        found[key] = Place(str(subject), f"nom <{key.rsplit('/', 1)[1]}>", str(wkt))
    return found


def points(path: str) -> np.ndarray:
    """The absolute points of SVG path data made of `M x y l dx dy … Z` rings."""
    found = []
    for ring in re.findall(r"M([^MZ]+)Z", path):
        start, _, moves = ring.partition("l")
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", moves)]
        found.append(np.cumsum(np.vstack(([float(n) for n in start.split()],
                                          np.reshape(numbers, (-1, 2)))), axis=0))
    return np.vstack(found)


@pytest.fixture(scope="module")
def territories():
    return places("programme")


@pytest.fixture(scope="module")
def outlines():
    return places("contours")


def test_the_conic_has_its_origin_at_46_5_north_3_east_and_north_is_up():
    xy = projection.lambert(np.array([[3.0, 46.5], [2.35, 48.86], [5.37, 43.30], [-4.49, 48.39]]))
    assert np.allclose(xy[0], (0, 0), atol=1e-6)
    paris, marseille, brest = xy[1], xy[2], xy[3]
    assert paris[1] > marseille[1] and brest[0] < paris[0] < marseille[0]
    # Paris–Marseille is about 660 km as the crow flies; a conformal conic keeps it within 2 %
    assert 645 < np.hypot(*(paris - marseille)) < 675


def test_overseas_points_fall_in_their_zone():
    assert projection.zone_of(-52.33, 4.94) == "973"        # Cayenne
    assert projection.zone_of(55.45, -20.88) == "974"       # Saint-Denis
    assert projection.zone_of(45.23, -12.78) == "976"       # Mamoudzou
    assert projection.zone_of(6.02, 47.24) == projection.METROPOLE   # Besançon


def test_a_geosparql_literal_is_read_with_its_crs():
    shape = geometry("<http://www.opengis.net/def/crs/OGC/1.3/CRS84> "
                     "POLYGON ((6 47, 7 47, 7 48, 6 48, 6 47))")
    assert shape.geom_type == "MultiPolygon" and shape.area == pytest.approx(1.0)


def test_the_map_of_france_has_one_link_per_place_and_guyane_its_inset(territories, outlines):
    drawing = france(list(territories.values()), list(outlines.values()))
    svg = str(render(drawing, lambda iri: "/doc/" + iri.rsplit("id/", 1)[1], "carte-test",
                     "Les territoires", "legende"))
    links = re.findall(r'<a href="([^"]+)"><title>([^<]+)</title><path d="M[^"]+"/></a>', svg)
    assert sorted(href for href, _ in links) == sorted(f"/doc/{k}" for k in territories)
    assert all(name.startswith("nom &lt;") for _, name in links)      # names are escaped
    assert drawing.insets == {"973": [territories["territoire/ouest-guyanais"].iri,
                                      territories["territoire/saint-laurent-du-maroni"].iri]}
    assert [f.name for f in drawing.frames] == ["Guadeloupe", "Martinique", "Guyane",
                                                "La Réunion", "Mayotte"]
    assert re.match(r'<svg class="carte" id="carte-test" viewBox="0 0 1000 \d+" role="group" '
                    r'aria-labelledby="carte-test-titre" aria-describedby="legende">', svg)
    assert "http" not in svg and "width=" not in svg.split(">", 1)[0]


def test_an_overseas_place_is_drawn_inside_its_inset(territories):
    drawing = france([territories["territoire/ouest-guyanais"]])
    guyane = next(f for f in drawing.frames if f.name == "Guyane")
    xy = points(drawing.places[0].path)
    xs, ys = xy[:, 0], xy[:, 1]
    assert guyane.x <= xs.min() and xs.max() <= guyane.x + guyane.width
    assert guyane.y <= ys.min() and ys.max() <= guyane.y + guyane.height


def test_a_territory_map_frames_it_over_its_departements_of_its_own_zone(territories, outlines):
    subject = territories["territoire/alliances-luxe-precision-doubs"]
    around = [outlines["departement/25"], outlines["departement/973"]]
    drawing = local(subject, around)
    assert [s.iri for s in drawing.places] == [outlines["departement/25"].iri]
    assert drawing.subject.iri == subject.iri and drawing.subject.path.startswith("M")
    xy = points(drawing.places[0].path)
    assert 0 <= xy.min() and xy[:, 0].max() <= drawing.width and xy[:, 1].max() <= drawing.height


def test_simplification_keeps_the_map_small(territories):
    """The fixture's polygons have thousands of vertices; at a map's scale a few hundred do."""
    drawing = france(list(territories.values()))
    vertices = sum(len(points(s.path)) for s in drawing.places)
    source = sum(len(geometry(p.wkt).exterior.coords) if hasattr(geometry(p.wkt), "exterior")
                 else sum(len(g.exterior.coords) for g in geometry(p.wkt).geoms)
                 for p in territories.values())
    assert vertices < source / 3


def test_a_place_given_as_points_is_drawn_as_dots_in_its_zone():
    """Phase 1's list gives single communes as points, alone or beside polygons."""
    crs = "<http://www.opengis.net/def/crs/OGC/1.3/CRS84> "
    point = Place("p", "Carros", crs + "POINT (7.18 43.78)")
    mixed = Place("m", "mixte", crs + "GEOMETRYCOLLECTION (POLYGON ((6 47, 7 47, 7 48, 6 48, "
                                      "6 47)), POINT (6.5 46.5))")
    island = Place("i", "île", crs + "MULTIPOINT ((-61.0 14.6), (-61.1 14.7))")
    drawing = france([point, mixed, island])
    dots = [s.path.count("a4 4 0 1 0 8 0") for s in drawing.places]
    assert dots == [1, 1, 2]
    assert re.match(r"M[\d. ]+l[-\d. ]+Z", drawing.places[1].path)       # its polygon too
    assert drawing.insets == {"972": ["i"]}
    alone = local(point, [])
    assert alone.subject.path.count("a4 4 0 1 0 8 0") == 1 and alone.height > 100
