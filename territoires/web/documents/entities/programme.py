"""The programme as one table, read once per build (three named queries of `queries/pages/`,
`programme-*`): every territory of both phases with its phase, ANCT id, régions, départements,
groupements, communes and population; and the maps of France of each phase, projected and
simplified once per build (`maps.france`). The programme's and phases' pages, their CSV, the
home page's figures, the départements' and régions' pages all read this."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ....store import Store
from ...context import per_build
from ... import maps
from .data import values


@dataclass(frozen=True)
class Area:
    iri: str
    code: str
    name: str


@dataclass
class TerritoryRow:
    iri: str
    name: str
    phase: str                      # the phase's IRI
    number: int | None              # the phase's number
    identifier: str
    population: int | None
    vintage: str
    communes: int | None
    groupements: int
    departements: list[Area] = field(default_factory=list)
    regions: list[Area] = field(default_factory=list)

    @property
    def qualified(self) -> str:
        """The ANCT id with its phase (ids are reused across phases with other meanings)."""
        return f"{self.identifier} (phase {self.number})" if self.number else self.identifier


@dataclass
class Programme:
    territories: list[TerritoryRow]
    maps: dict[int, maps.Drawing]          # phase number → its map of France

    def of_phase(self, phase: str) -> list[TerritoryRow]:
        return [t for t in self.territories if t.phase == phase]

    def phases(self) -> list[int]:
        return sorted({t.number for t in self.territories if t.number is not None}, reverse=True)


def _rows(live: Store) -> list[TerritoryRow]:
    rows = []
    for (iri, phase, number, name, identifier, population, vintage, communes,
         groupements) in values(live, "programme-territories"):
        rows.append(TerritoryRow(iri, name or iri.rsplit("/", 1)[-1], phase or "",
                                 _int(number), identifier or "", _int(population),
                                 (vintage or "")[:4], _int(communes), _int(groupements) or 0))
    areas: dict[tuple[str, str], list[Area]] = defaultdict(list)
    for territory, kind, area, code, name in values(live, "programme-areas"):
        areas[(territory, kind)].append(Area(area, code or area.rsplit("/", 1)[-1],
                                             name or area.rsplit("/", 1)[-1]))
    for row in rows:
        row.departements = sorted(areas[(row.iri, "departement")], key=lambda a: a.code)
        row.regions = sorted(areas[(row.iri, "region")], key=lambda a: a.name)
    return sorted(rows, key=lambda r: (-(r.number or 0), r.name))


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


@per_build
def programme(live: Store) -> Programme:
    """The programme's table and maps (computed once per build and application)."""
    rows = _rows(live)
    shapes = dict(values(live, "programme-geometries"))
    background = [maps.Place(iri, "", wkt) for iri, wkt in values(live, "region-geometries")]
    drawings = {}
    for number in sorted({r.number for r in rows if r.number is not None}):
        places = [maps.Place(r.iri, r.name, shapes[r.iri]) for r in rows
                  if r.number == number and r.iri in shapes]
        if places:
            drawings[number] = maps.france(places, background)
    return Programme(rows, drawings)

