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
