"""Outlines as GeoSPARQL: a geometry simplified with a stated tolerance, written as a WKT
literal in CRS84 (longitude, latitude, as GeoJSON gives them), with the figures of vertices
before and after, so a reader knows how far the drawing is from the source. The literal names no
CRS: GeoSPARQL reads a `geo:wktLiteral` without a CRS IRI as CRS84, and Virtuoso 7 refuses the
literal that names it (`RDFGE: RDF box with a geometry RDF type and a non-geometry content`), so
the form without is the one every store loads.

    <…#geometrie> a geo:Geometry ;
        geo:asWKT "MULTIPOLYGON (((…)))"^^geo:wktLiteral ;          # CRS84, the default
        dcterms:source <the vendored file's origin> ;
        ti:nombreSommets 1234 ; ti:nombreSommetsSource 1500 ; ti:toleranceSimplification 0.001 .

A polygon is written as a MULTIPOLYGON, so every territory's outline has one type; a source
that draws a single commune as a point (phase 1's list) keeps its points.
"""

from __future__ import annotations

from decimal import Decimal

import shapely
from rdflib import Graph, Literal, URIRef
from shapely.geometry import MultiPolygon, Polygon

from ..vocabulary.namespaces import DCTERMS, GEO, RDF, XSD, Vocabulary

# Degrees (~110 m in latitude): below the width of a line on a map of a région.
TOLERANCE = Decimal("0.001")
# Decimals kept in the WKT (~1 m): finer than the tolerance, so rounding moves nothing visible.
DECIMALS = 5


def simplified(geometry: shapely.Geometry) -> shapely.Geometry:
    """Douglas-Peucker within TOLERANCE, keeping the topology (no ring crosses another)."""
    result = geometry.simplify(float(TOLERANCE), preserve_topology=True)
    return MultiPolygon([result]) if isinstance(result, Polygon) else result


def wkt(geometry: shapely.Geometry) -> Literal:
    text = shapely.to_wkt(geometry, rounding_precision=DECIMALS, trim=True)
    return Literal(text, datatype=GEO.wktLiteral)   # CRS84: the default CRS (see above)


def add(graph: Graph, vocab: Vocabulary, feature: URIRef, geometry: shapely.Geometry,
        source: URIRef) -> URIRef:
    """`feature geo:hasGeometry <feature#geometrie>`, described as above; returns the node."""
    node = URIRef(f"{feature}#geometrie")
    drawn = simplified(geometry)
    ti = vocab.ti
    graph.add((feature, GEO.hasGeometry, node))
    graph.add((node, RDF.type, GEO.Geometry))
    graph.add((node, GEO.asWKT, wkt(drawn)))
    graph.add((node, DCTERMS.source, source))
    graph.add((node, ti.nombreSommets, Literal(int(shapely.get_num_coordinates(drawn)),
                                                datatype=XSD.integer)))
    graph.add((node, ti.nombreSommetsSource, Literal(int(shapely.get_num_coordinates(geometry)),
                                                      datatype=XSD.integer)))
    graph.add((node, ti.toleranceSimplification, Literal(TOLERANCE, datatype=XSD.decimal)))
    return node
