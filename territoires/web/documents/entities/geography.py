"""The communes and EPCI of the whole build as two tables, read once per build (two named
queries, `pages/communes` and `pages/epci`, a few seconds on the whole data, prepared before the
build is served) and held per application: a territory's, an EPCI's, a département's or a
région's page takes its rows from them by dictionary lookups, where a join per page on the
whole data costs the engine up to seconds (its OPTIONALs join against every commune)."""

from __future__ import annotations

import sys
from collections import defaultdict
from dataclasses import dataclass

from ....store import Store
from ...context import per_build
from .data import integer, select


@dataclass(frozen=True)
class Commune:
    iri: str
    code: str
    name: str
    population: int | None
    epci: str | None


@dataclass(frozen=True)
class EpciSummary:
    iri: str
    name: str
    siren: str
    form: str
    population: int | None


class Geography:
    def __init__(self, live: Store):
        self.communes: dict[str, Commune] = {}
        self.by_epci: dict[str, list[str]] = defaultdict(list)
        self.by_area: dict[str, list[str]] = defaultdict(list)
        for row in select(live, "communes"):
            iri = row["commune"].value
            epci = sys.intern(row["epci"].value) if "epci" in row else None
            if iri not in self.communes:
                self.communes[iri] = Commune(iri, row["code"].value, row["name"].value,
                                             integer(row.get("population")), epci)
                for area in ("departement", "region"):
                    if area in row:
                        self.by_area[sys.intern(row[area].value)].append(iri)
            if epci is not None and iri not in self.by_epci[epci]:
                self.by_epci[epci].append(iri)
        self.epci: dict[str, EpciSummary] = {}
        self.epci_by_area: dict[str, set[str]] = defaultdict(set)
        for row in select(live, "epci"):
            iri = row["epci"].value
            self.epci.setdefault(iri, EpciSummary(iri, row["name"].value, row["siren"].value,
                                           row["form"].value if "form" in row else "",
                                           integer(row.get("population"))))
            for area in ("departement", "region"):
                if area in row:
                    self.epci_by_area[sys.intern(row[area].value)].add(iri)

    def communes_of(self, epci: list[str]) -> list[Commune]:
        return [self.communes[c] for e in epci for c in self.by_epci.get(e, ())]

    def communes_in(self, area: str) -> list[Commune]:
        return [self.communes[c] for c in self.by_area.get(area, ())]

    def epci_in(self, area: str) -> list[EpciSummary]:
        return [self.epci[e] for e in sorted(self.epci_by_area.get(area, ()))]

    def epci_name(self, iri: str | None) -> str:
        found = self.epci.get(iri or "")
        return found.name if found else ""


@per_build
def geography(live: Store) -> Geography:
    """The tables of a build (computed once per build and application)."""
    return Geography(live)
