"""A drawing (drawing.py) as inline SVG. The map is a group of links, not an image: each place is
an <a> (focusable, so reachable by the keyboard) named by its <title>; the <svg> is named by its
own title and described by the caption beside it, which points to the table listing the same
places (the text alternative: everything the map shows is in the table). Its viewBox and no
fixed width let it scale to a phone's width."""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup, escape

from .drawing import Drawing, Shape


def render(drawing: Drawing, url: Callable[[str], str], map_id: str, title: str,
           described_by: str) -> Markup:
    """The SVG of `drawing`; `url` gives each place's link, `described_by` the id of the element
    that describes the map (its caption)."""
    mid = escape(map_id)
    parts = [f'<svg class="carte" id="{mid}" viewBox="0 0 {drawing.width:g} '
             f'{drawing.height:.0f}" role="group" aria-labelledby="{mid}-titre" '
             f'aria-describedby="{escape(described_by)}">'
             f'<title id="{mid}-titre">{escape(title)}</title>']
    if drawing.frames:
        parts.append('<g class="cadres" aria-hidden="true">')
        for frame in drawing.frames:
            parts.append(f'<rect x="{frame.x:.1f}" y="{frame.y:.1f}" width="{frame.width:.1f}" '
                         f'height="{frame.height:.1f}"/><text x="{frame.x + 6:.1f}" '
                         f'y="{frame.y + 24:.1f}">{escape(frame.name)}</text>')
        parts.append("</g>")
    if drawing.background:
        parts.append('<g class="fond" aria-hidden="true">'
                     + "".join(f'<path d="{s.path}"/>' for s in drawing.background) + "</g>")
    parts.append('<g class="lieux">' + "".join(_link(s, url) for s in drawing.places) + "</g>")
    if drawing.subject is not None:
        parts.append(f'<g class="sujet"><title>{escape(drawing.subject.name)}</title>'
                     f'<path d="{drawing.subject.path}"/></g>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _link(shape: Shape, url: Callable[[str], str]) -> str:
    return (f'<a href="{escape(url(shape.iri))}"><title>{escape(shape.name)}</title>'
            f'<path d="{shape.path}"/></a>')
