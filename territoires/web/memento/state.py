"""What a memento says: a resource as one vintage had it, read from the store with the queries
of `queries/history/` (never a copy per vintage: the history is stored once, as runs).

The history of a resource is read once (`History.read`: a handful of queries, each bound to one
resource, so that the engine starts from its own triples) and sliced per vintage (`at`): the
memento's triples and its page, and the page's comparison with today, come from the same
`Snapshot`. A territory's communes are read EPCI by EPCI with the query an EPCI's own memento
uses, so the two always agree."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pyoxigraph as ox

from ... import queries
from ...vocabulary.namespaces import DCTERMS, ORG, RDF, RDFS, SKOS, XSD

TERRITORY = "TerritoireIndustrie"
GROUPING = ("EPCI", "CollectiviteStatutParticulier")   # have communes of their own


@dataclass(frozen=True)
class End:
    """A resource that ceased to exist: from when (1 January of the first vintage without it),
    and what it became."""

    since: date
    became: tuple[str, ...]


@dataclass(frozen=True)
class Snapshot:
    """A resource as vintage `year` had it: its classes, its names, the EPCI it was a member of
    (a commune), and its groups: EPCI → their communes (an EPCI's own communes, a territory's
    EPCI with theirs); `gone` when this is the last memento of a resource that ceased."""

    iri: str
    year: int
    classes: tuple[str, ...]
    names: tuple[ox.Literal, ...]
    epci: tuple[str, ...]
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    gone: End | None = None

    @property
    def name(self) -> str:
        return self.names[0].value if self.names else self.iri.rsplit("/", 1)[-1]

    def communes(self) -> set[str]:
        return {commune for members in self.groups.values() for commune in members}


@dataclass(frozen=True)
class History:
    """Everything the vintages say of one resource, by year."""

    iri: str
    years: tuple[int, ...]
    classes: tuple[str, ...]
    names: dict[int | None, tuple[ox.Literal, ...]]   # None: its one undated name
    epci: dict[int, tuple[str, ...]]
    groups: dict[int, dict[str, tuple[str, ...]]]

    @classmethod
    def read(cls, store, iri: str) -> "History":
        resource = ox.NamedNode(iri)
        classes = tuple(sorted({row["class"].value for row in
                                store.select(queries.get("history/kind"), resource=resource)}))
        names: dict[int | None, list[ox.Literal]] = {}
        for row in store.select(queries.get("history/names"), resource=resource):
            year = int(row["annee"].value) if row["annee"] is not None else None
            names.setdefault(year, []).append(row["nom"])
        epci: dict[int, list[str]] = {}
        for row in store.select(queries.get("history/epci-by-year"), commune=resource):
            epci.setdefault(int(row["annee"].value), []).append(row["epci"].value)
        return cls(iri, tuple(years(store, iri)), classes,
                   {year: tuple(found) for year, found in names.items()},
                   {year: tuple(sorted(set(found))) for year, found in epci.items()},
                   _groups(store, iri, classes))

    def __len__(self) -> int:
        """About its size in bytes, for the byte-bounded cache that keeps it for the build."""
        iris = [iri for by in self.groups.values() for members in by.values() for iri in members]
        iris += [iri for found in self.epci.values() for iri in found]
        return 200 + sum(len(iri) + 60 for iri in iris) + 100 * len(self.names)

    def at(self, year: int, gone: End | None = None) -> Snapshot:
        return Snapshot(self.iri, year, self.classes,
                        self.names.get(year) or self.names.get(None, ()),
                        self.epci.get(year, ()), self.groups.get(year, {}), gone)


def _groups(store, iri: str, classes: tuple[str, ...]) -> dict[int, dict[str, tuple[str, ...]]]:
    """Year → EPCI → communes: an EPCI's own, or each of a territory's EPCI's."""
    local = {c.rsplit("#", 1)[-1] for c in classes}
    if TERRITORY in local:
        grouped = [row["epci"].value for row in
                   store.select(queries.get("history/territory-epci"),
                                resource=ox.NamedNode(iri))]
    elif local & set(GROUPING):
        grouped = [iri]
    else:
        return {}
    found: dict[int, dict[str, list[str]]] = {}
    for epci in grouped:
        for row in store.select(queries.get("history/members-by-year"),
                                epci=ox.NamedNode(epci)):
            found.setdefault(int(row["annee"].value), {}).setdefault(epci, []).append(
                row["commune"].value)
    return {year: {epci: tuple(sorted(set(communes))) for epci, communes in sorted(by.items())}
            for year, by in found.items()}


def end(store, iri: str) -> End | None:
    """When the resource ceased to exist, or None: it still exists."""
    rows = list(store.select(queries.get("history/end"), resource=ox.NamedNode(iri)))
    if not rows:
        return None
    became = sorted({row["became"].value for row in rows if row["became"] is not None})
    return End(date.fromisoformat(rows[0]["end"].value), tuple(became))


def ended(iri: str, gone: End, base: str) -> list[ox.Triple]:
    """What the last memento of a resource that ceased says of its end: that it no longer
    existed from `gone.since` (ti:disparueLe), and what it became."""
    resource, ti = ox.NamedNode(iri), base + "def/territoires#"
    found = [ox.Triple(resource, _node(ti + "disparueLe"),
                       ox.Literal(gone.since.isoformat(), datatype=_node(str(XSD.date))))]
    found += [ox.Triple(resource, _node(str(DCTERMS.isReplacedBy)), _node(other))
              for other in gone.became]
    return found


def years(store, iri: str) -> list[int]:
    """The vintages the resource has a memento for (none: it has no history)."""
    rows = store.select(queries.get("history/years"), resource=ox.NamedNode(iri))
    return sorted({int(row["annee"].value) for row in rows})


def quads(snapshot: Snapshot, base: str) -> list[ox.Quad]:
    """The memento's triples (in the default graph); the last one of a resource that ceased
    also says that it ceased, and what it became."""
    resource, ti = ox.NamedNode(snapshot.iri), base + "def/territoires#"
    member = _node(str(ORG.hasMember))
    found: list[ox.Triple] = [ox.Triple(resource, _node(ti + "millesime"),
                                        ox.NamedNode(f"{base}id/millesime/{snapshot.year}"))]
    found += [ox.Triple(resource, _node(str(RDF.type)), _node(c)) for c in snapshot.classes]
    found += [ox.Triple(resource, _node(str(prop)), name)
              for name in snapshot.names for prop in (SKOS.prefLabel, RDFS.label)]
    found += [ox.Triple(_node(epci), member, resource) for epci in snapshot.epci]
    for epci, communes in snapshot.groups.items():   # its EPCI, with their communes of then
        if epci != snapshot.iri:
            found.append(ox.Triple(resource, member, _node(epci)))
        found += [ox.Triple(_node(epci), member, _node(commune)) for commune in communes]
    if snapshot.gone is not None:
        found += ended(snapshot.iri, snapshot.gone, base)
    return [ox.Quad(t.subject, t.predicate, t.object) for t in dict.fromkeys(found)]


def _node(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def names_in(store, iris: set[str], year: int) -> dict[str, str]:
    """The names of `iris` in vintage `year` (their dated name then, else their one name), for
    the lists of a memento's page; an IRI with no name is left out."""
    found: dict[str, dict[int | None, str]] = {}
    if iris:
        for row in store.select(queries.get("history/names"),
                                resource=[ox.NamedNode(iri) for iri in sorted(iris)]):
            when = int(row["annee"].value) if row["annee"] is not None else None
            found.setdefault(row["resource"].value, {}).setdefault(when, row["nom"].value)
    return {iri: by.get(year) or by.get(None) or next(iter(by.values()))
            for iri, by in found.items()}


def epci_of(store, iri: str, year: int) -> tuple[str, ...]:
    """The EPCI a commune was a member of in vintage `year`."""
    return tuple(sorted({row["epci"].value for row in
                         store.select(queries.get("history/epci-by-year"),
                                      commune=ox.NamedNode(iri))
                         if int(row["annee"].value) == year}))
