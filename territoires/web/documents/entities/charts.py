"""Charts drawn by the server as inline SVG (no script, no request elsewhere): horizontal bars,
one per item, scaled to the largest, labelled with their figure; the SVG scales with the page
(a viewBox and no fixed width), so it never makes a narrow screen scroll sideways."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from .french import number

WIDTH = 400      # narrow enough to stay legible on a phone once scaled to its width
ROW = 40         # a label, then its bar
FIGURE = 120     # room for the figures, right of the bars


@dataclass(frozen=True)
class Bar:
    label: str
    value: float


def bars(chart_id: str, title: str, items: list[Bar], unit: str = "") -> Markup:
    """A bar chart of `items` (largest first as given) with its title for screen readers."""
    items = [item for item in items if item.value is not None]
    if not items:
        return Markup("")
    top = max(abs(item.value) for item in items) or 1
    height = ROW * len(items) + 6
    span = WIDTH - FIGURE
    parts = [f'<svg class="chart" id="{escape(chart_id)}" viewBox="0 0 {WIDTH} {height}" '
             f'role="img" aria-labelledby="{escape(chart_id)}-titre">'
             f'<title id="{escape(chart_id)}-titre">{escape(title)}</title>']
    for i, item in enumerate(items):
        y = 2 + i * ROW
        length = max(1.0, span * abs(item.value) / top)
        label = item.label if len(item.label) <= 56 else item.label[:55] + "…"
        figure = number(item.value) + (f" {unit}" if unit else "")
        parts.append(
            f'<text x="0" y="{y + 13}">{escape(label)}</text>'
            f'<rect x="0" y="{y + 18}" width="{length:.1f}" height="14" rx="2"/>'
            f'<text x="{length + 6:.1f}" y="{y + 30}">{escape(figure)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


@dataclass(frozen=True)
class Point:
    label: str        # the vintage, as the axis names it
    value: float


SERIES_HEIGHT = 180   # the plot's height; the axis labels below it
SERIES_LEFT = 70      # room for the figures of the vertical axis


def series(chart_id: str, title: str, points: list[Point], unit: str = "") -> Markup:
    """A line of `points` in the given order (one per vintage), its title written above: each
    point a circle named by its `<title>` (vintage and figure) over its vintage; the vertical
    axis spans the smallest to the largest figure (both written on it), so a change of a few
    hundred stays visible."""
    points = [p for p in points if p.value is not None]
    if not points:
        return Markup("")
    smallest, largest = min(p.value for p in points), max(p.value for p in points)
    spread = (largest - smallest) or max(1.0, abs(largest) * 0.01)
    low, high = smallest - spread * 0.1, largest + spread * 0.1
    step = (WIDTH - SERIES_LEFT - 20) / max(1, len(points) - 1)
    bottom = 30 + SERIES_HEIGHT     # the title is written above the plot

    def x(i: int) -> float:
        return SERIES_LEFT + (step * i if len(points) > 1 else (WIDTH - SERIES_LEFT) / 2)

    def y(value: float) -> float:
        return bottom - (value - low) / (high - low) * SERIES_HEIGHT

    suffix = f" {unit}" if unit else ""
    parts = [f'<svg class="chart serie" id="{escape(chart_id)}" '
             f'viewBox="0 0 {WIDTH} {bottom + 30}" role="img" '
             f'aria-labelledby="{escape(chart_id)}-titre">'
             f'<title id="{escape(chart_id)}-titre">{escape(title)}</title>',
             f'<text x="0" y="14" font-weight="bold" aria-hidden="true">{escape(title)}</text>',
             f'<line x1="{SERIES_LEFT}" y1="{bottom}" x2="{WIDTH - 10}" y2="{bottom}" '
             f'stroke="currentColor" stroke-width="1"/>']
    for value in sorted({largest, smallest}):     # the axis says the smallest and largest
        parts.append(f'<text x="{SERIES_LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end">'
                     f'{escape(number(round(value)))}</text>')
    line = " ".join(f"{x(i):.1f},{y(p.value):.1f}" for i, p in enumerate(points))
    parts.append(f'<polyline points="{line}" fill="none" stroke="currentColor" '
                 f'stroke-width="2"/>')
    for i, p in enumerate(points):
        parts.append(f'<circle class="point" cx="{x(i):.1f}" cy="{y(p.value):.1f}" r="4" '
                     f'fill="currentColor"><title>{escape(p.label)} : {escape(number(p.value) + suffix)}</title>'
                     f'</circle>'
                     f'<text x="{x(i):.1f}" y="{bottom + 18}" text-anchor="middle">'
                     f'{escape(p.label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
