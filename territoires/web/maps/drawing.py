"""Places read from WKT, projected (projection.py), fitted to a drawing's frame, simplified to its
scale and written as SVG path data: the map of France with an inset per overseas département,
and a place's own map (its outline over its neighbours'). The result is plain data."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import MultiPoint, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from . import projection
from .projection import METROPOLE, OVERSEAS

WIDTH = 1000.0            # the map of France's viewBox width (it scales to the page's width)
INSET = 200.0             # an inset's box: a fifth of the width, under the metropole
LABEL = 34.0              # room for an inset's name
MARGIN = 8.0
TOLERANCE = 0.7           # simplification, in viewBox units (about a pixel at 1,366 px)
DOT = 4.0                 # the radius of a place drawn as a point (a commune in phase 1's list)
LOCAL_WIDTH = 600.0       # a place's own map
LOCAL_PAD_KM = 5.0


@dataclass(frozen=True)
class Place:
    """A place to draw: `iri` and `name` for its link and its <title>."""
    iri: str
    name: str
    wkt: str


@dataclass(frozen=True)
class Shape:
    iri: str
    name: str
    path: str                 # SVG path data in the drawing's units


@dataclass(frozen=True)
class Frame:
    """An inset's box and its name."""
    name: str
    x: float
    y: float
    width: float
    height: float


@dataclass
class Drawing:
    width: float
    height: float
    places: list[Shape] = field(default_factory=list)       # links
    background: list[Shape] = field(default_factory=list)   # drawn under, not links
    subject: Shape | None = None                              # a place's own map: itself
    frames: list[Frame] = field(default_factory=list)
    insets: dict[str, list[str]] = field(default_factory=dict)   # zone code → IRIs in it


def geometry(wkt: str) -> BaseGeometry:
    """The shape of a GeoSPARQL WKT literal (its CRS IRI first, CRS84 being the only one read):
    its polygons, and its points (a list may give a commune as a point)."""
    text = wkt.strip()
    if text.startswith("<"):
        text = text[text.index(">") + 1:]
    found = shapely.from_wkt(text.strip())
    points = _points(found)
    if not points.is_empty:
        return shapely.GeometryCollection([*_polygons(found).geoms, *points.geoms])
    return _polygons(found)


def _points(found: BaseGeometry) -> MultiPoint:
    if isinstance(found, Point):
        return MultiPoint([found])
    if isinstance(found, MultiPoint):
        return found
    return MultiPoint([p for g in getattr(found, "geoms", ()) if not isinstance(g, Polygon)
                       for p in _points(g).geoms])


def _polygons(found: BaseGeometry) -> MultiPolygon:
    if isinstance(found, Polygon):
        return MultiPolygon([found])
    if isinstance(found, MultiPolygon):
        return found
    parts = [p for g in getattr(found, "geoms", ()) for p in _polygons(g).geoms]
    return MultiPolygon(parts)


def zone_of(shape: BaseGeometry) -> str:
    point = shape.representative_point() if not shape.is_empty else None
    return projection.zone_of(point.x, point.y) if point is not None else METROPOLE


@dataclass(frozen=True)
class _Fit:
    """A zone's projection, then the affine map of its extent into a box (y downwards)."""
    code: str
    xmin: float
    ymax: float
    scale: float
    x: float
    y: float

    def __call__(self, coordinates: np.ndarray) -> np.ndarray:
        xy = projection.projection(self.code)(coordinates)
        return np.column_stack((self.x + (xy[:, 0] - self.xmin) * self.scale,
                                self.y + (self.ymax - xy[:, 1]) * self.scale))


def _extent(code: str, shapes: list[MultiPolygon] | None = None) -> tuple[float, ...]:
    """The projected bounds of the shapes, or of the zone's box."""
    if shapes:
        bounds = np.array([shapely.transform(s, projection.projection(code)).bounds
                           for s in shapes if not s.is_empty])
        return (bounds[:, 0].min(), bounds[:, 1].min(), bounds[:, 2].max(), bounds[:, 3].max())
    zone = projection.zone(code)
    lon = np.linspace(zone.west, zone.east, 25)
    lat = np.linspace(zone.south, zone.north, 25)
    edge = np.array([(a, b) for a in lon for b in (zone.south, zone.north)]
                    + [(a, b) for a in (zone.west, zone.east) for b in lat])
    xy = projection.projection(code)(edge)
    return xy[:, 0].min(), xy[:, 1].min(), xy[:, 0].max(), xy[:, 1].max()


def _fit(code: str, box: tuple[float, float, float, float],
         extent: tuple[float, ...] | None = None) -> _Fit:
    """The zone (or `extent`, in its projection) fitted into `box` (x, y, width, height),
    centred."""
    xmin, ymin, xmax, ymax = extent or _extent(code)
    x, y, width, height = box
    scale = min(width / max(xmax - xmin, 1e-9), height / max(ymax - ymin, 1e-9))
    return _Fit(code, xmin, ymax, scale, x + (width - (xmax - xmin) * scale) / 2,
                y + (height - (ymax - ymin) * scale) / 2)


def path(shape: BaseGeometry, fit: _Fit, tolerance: float = TOLERANCE, decimals: int = 1) -> str:
    """SVG path data of the shape once fitted and simplified (a ring too small to keep at this
    scale is left out; a shape all of tiny rings keeps them unsimplified); a point is a dot."""
    drawn = shapely.transform(_polygons(shape), fit)
    simple = _polygons(shapely.simplify(drawn, tolerance, preserve_topology=True))
    dots = "".join(_dot(p) for p in _points(shapely.transform(shape, fit)).geoms)
    return (_path_data(simple, decimals) or _path_data(drawn, decimals)) + dots


def _dot(point: Point) -> str:
    """A circle as path data: two arcs."""
    x, y, r = round(point.x - DOT, 1), round(point.y, 1), DOT
    return f"M{x:g} {y:g}a{r:g} {r:g} 0 1 0 {2 * r:g} 0a{r:g} {r:g} 0 1 0 {-2 * r:g} 0Z"


def _path_data(shape: MultiPolygon, decimals: int) -> str:
    """Each ring as its first point, then relative moves (`l`) between points rounded to
    `decimals` (rounded first, so the moves add up exactly): a third of absolute coordinates."""
    parts = []
    for polygon in shape.geoms:
        for ring in (polygon.exterior, *polygon.interiors):
            points = np.round(np.asarray(ring.coords)[:-1], decimals)
            if len(points) > 1:
                keep = np.any(np.diff(points, axis=0) != 0, axis=1)
                points = np.vstack((points[:1], points[1:][keep]))
            if len(points) < 3:
                continue
            moves = np.round(np.diff(points, axis=0), decimals)
            parts.append(f"M{_n(points[0][0])} {_n(points[0][1])}l"
                         + " ".join(f"{_n(x)} {_n(y)}" for x, y in moves) + "Z")
    return "".join(parts)


def _n(value: float) -> str:
    return f"{float(value) + 0.0:g}"     # + 0.0: no "-0"


def _frames(top: float) -> dict[str, tuple[float, float, float, float]]:
    """Each overseas zone's box, in a row under the metropole."""
    width = WIDTH / len(OVERSEAS)
    return {z.code: (i * width + MARGIN, top + LABEL, width - 2 * MARGIN,
                     INSET - LABEL - MARGIN) for i, z in enumerate(OVERSEAS)}


def france(places: list[Place], background: list[Place] = ()) -> Drawing:
    """The map of France: the metropole, then a row of insets; each place in its zone."""
    xmin, ymin, xmax, ymax = _extent(METROPOLE)
    height = (ymax - ymin) * WIDTH / (xmax - xmin)
    boxes = _frames(height + MARGIN)
    fits = {METROPOLE: _fit(METROPOLE, (0, 0, WIDTH, height))}
    fits |= {code: _fit(code, box) for code, box in boxes.items()}
    drawing = Drawing(WIDTH, height + MARGIN + INSET)
    drawing.frames = [Frame(z.name, boxes[z.code][0] - MARGIN / 2, height + MARGIN,
                            WIDTH / len(OVERSEAS) - MARGIN, INSET - MARGIN / 2)
                      for z in OVERSEAS]
    for place in background:
        shape = geometry(place.wkt)
        drawing.background.append(Shape(place.iri, place.name,
                                        path(shape, fits[zone_of(shape)], 2 * TOLERANCE, 0)))
    for place in places:
        shape = geometry(place.wkt)
        code = zone_of(shape)
        drawing.places.append(Shape(place.iri, place.name, path(shape, fits[code], decimals=0)))
        if code != METROPOLE:
            drawing.insets.setdefault(code, []).append(place.iri)
    return drawing


def local(subject: Place, around: list[Place]) -> Drawing:
    """A place's own map: its neighbours (links) under it, framed on them all, in its zone's
    projection (neighbours in another zone are left out)."""
    shape = geometry(subject.wkt)
    code = zone_of(shape)
    # a neighbour in another zone (another projection) would stretch the frame across the globe
    kept = [(p, s) for p in around for s in [geometry(p.wkt)] if zone_of(s) == code]
    around, shapes = [p for p, _ in kept], [s for _, s in kept]
    xmin, ymin, xmax, ymax = _extent(code, shapes + [shape])
    # a little room around, and some even around a lone point
    pad = max(LOCAL_PAD_KM, 0.03 * max(xmax - xmin, ymax - ymin))
    extent = (xmin - pad, ymin - pad, xmax + pad, ymax + pad)
    height = min(LOCAL_WIDTH * 1.3, LOCAL_WIDTH * (extent[3] - extent[1]) / (extent[2] - extent[0]))
    fit = _fit(code, (MARGIN, MARGIN, LOCAL_WIDTH - 2 * MARGIN, height), extent)
    drawing = Drawing(LOCAL_WIDTH, height + 2 * MARGIN)
    drawing.places = [Shape(p.iri, p.name, path(s, fit)) for p, s in zip(around, shapes)]
    drawing.subject = Shape(subject.iri, subject.name, path(shape, fit))
    if code != METROPOLE:
        drawing.insets[code] = [subject.iri]
    return drawing
