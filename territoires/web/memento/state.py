"""What a memento says: a resource as one vintage had it, read from the store with the queries
of `queries/history/` (never a copy per vintage: the history is stored once, as runs)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pyoxigraph as ox

from ... import queries
from ...vocabulary.namespaces import DCTERMS, ORG, RDF, RDFS, SKOS, XSD

TERRITORY = "TerritoireIndustrie"


@dataclass(frozen=True)
class End:
    """A resource that ceased to exist: from when (1 January of the first vintage without it),
    and what it became."""

    since: date
    became: tuple[str, ...]


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


def quads(store, iri: str, year: int, gone: End | None = None) -> list[ox.Quad]:
    """The memento's triples (in the default graph); the last one of a resource that ceased
    (`gone`) also says that it ceased, and what it became."""
    resource, ti = ox.NamedNode(iri), store.base + "def/territoires#"
    found: list[ox.Triple] = [ox.Triple(resource, _node(ti + "millesime"),
                                        ox.NamedNode(f"{store.base}id/millesime/{year}"))]
    for row in store.select(queries.get("history/kind"), resource=resource):
        found.append(ox.Triple(resource, _node(str(RDF.type)), row["class"]))
    for row in store.select(queries.get("history/names"), resource=resource):
        if row["annee"] is None or int(row["annee"].value) == year:
            for prop in (SKOS.prefLabel, RDFS.label):
                found.append(ox.Triple(resource, _node(str(prop)), row["nom"]))
    for row in store.select(queries.get("history/epci-by-year"), commune=resource):
        if int(row["annee"].value) == year:
            found.append(ox.Triple(row["epci"], _node(str(ORG.hasMember)), resource))
    for row in store.select(queries.get("history/territory-by-year"), resource=resource):
        if int(row["annee"].value) == year:   # its EPCI, with their communes of that vintage
            found.append(ox.Triple(resource, _node(str(ORG.hasMember)), row["epci"]))
            found.append(ox.Triple(row["epci"], _node(str(ORG.hasMember)), row["commune"]))
    if gone is not None:
        found += ended(iri, gone, store.base)
    return [ox.Quad(t.subject, t.predicate, t.object) for t in dict.fromkeys(found)]


def _node(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)
