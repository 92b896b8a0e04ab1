"""The home page: the programme in figures (territories, communes and inhabitants per phase and
by région) and its map of France, then what the dataset is and its size, and example queries one
click from running."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from flask import Response, render_template

from ...vocabulary import formats
from ..context import context, hosts, store
from ..documents.entities.programme import Programme, programme
from ..http import etag, send
from ..maps import render
from ..sparql.examples import examples
from .schemaorg import dataset
from .validation import verdict


@dataclass
class Figures:
    """A phase's (or a région's in one phase) territories, communes and inhabitants."""
    territories: int = 0
    communes: int = 0
    population: int = 0
    vintages: set = field(default_factory=set)

    def add(self, row) -> None:
        self.territories += 1
        self.communes += row.communes or 0
        self.population += row.population or 0
        if row.vintage:
            self.vintages.add(row.vintage)


def phase_figures(found: Programme) -> list[tuple[int, str, Figures]]:
    """Each phase, latest first: its number, its IRI and its figures."""
    found_phases = {}
    for row in found.territories:
        if row.number is not None:
            found_phases.setdefault(row.number, (row.phase, Figures()))[1].add(row)
    return [(n, *found_phases[n]) for n in sorted(found_phases, reverse=True)]


def region_figures(found: Programme) -> list[tuple[object, dict[int, Figures]]]:
    """Each région with its figures per phase; a territory across régions counts in each."""
    regions, by_region = {}, defaultdict(lambda: defaultdict(Figures))
    for row in found.territories:
        for area in row.regions:
            regions[area.iri] = area
            by_region[area.iri][row.number].add(row)
    ordered = sorted(regions, key=lambda iri: regions[iri].name)
    return [(regions[iri], by_region[iri]) for iri in ordered]


def home() -> Response:
    live = store()
    host = hosts()
    found = programme(live)
    phases = phase_figures(found)
    latest = phases[0][0] if phases else None
    drawing = found.maps.get(latest)
    carte = render(drawing, host.url, "svg-carte-accueil",
                   f"Carte des {len(drawing.places)} territoires d'industrie de la phase {latest}",
                   "carte-accueil-legende") if drawing else None
    body = render_template("home.html", manifest=live.manifest, version=live.version,
                           phases=phases, regions=region_figures(found), latest=latest,
                           carte=carte, programme_iri=live.base + "id/programme/"
                           "territoires-d-industrie", verdict=verdict(live),
                           examples=examples(context().settings.examples_dir, live.base),
                           hosts=host, structured=dataset(live, host)).encode()
    return send(body, formats.HTML, etag(live.version, "home", host.root))
