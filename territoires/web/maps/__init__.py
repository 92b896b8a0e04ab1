"""Maps drawn by the server as inline SVG from GeoSPARQL WKT (no tile server, no script, no
request to another host):

    projection.py   where a point of France goes: a conic for metropolitan France (Lambert-93's
                    parameters, on a sphere), the overseas départements each in an inset
    drawing.py      WKT read by shapely, projected, simplified to the map's scale, written as
                    SVG paths: the map of France with its insets, a territory's own map
    svg.py          a drawing as SVG: one link per place, named by its <title>, focusable,
                    described by the caption that points to the table (the text alternative)

A drawing is plain data (pickled in the documents' cache); rendering it is string joins."""

from .drawing import Drawing, Place, france, local
from .svg import render

__all__ = ["Drawing", "Place", "france", "local", "render"]
