"""What a memento says: a resource as one vintage had it, read from the store with the queries
of `queries/history/` (never a copy per vintage: the history is stored once, as runs)."""

from __future__ import annotations

import pyoxigraph as ox

from ... import queries
from ...vocabulary.namespaces import ORG, RDF, RDFS, SKOS

TERRITORY = "TerritoireIndustrie"


def years(store, iri: str) -> list[int]:
    """The vintages the resource has a memento for (none: it has no history)."""
    rows = store.select(queries.get("history/years"), resource=ox.NamedNode(iri))
    return sorted({int(row["annee"].value) for row in rows})


def quads(store, iri: str, year: int) -> list[ox.Quad]:
    """The memento's triples (in the default graph)."""
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
    return [ox.Quad(t.subject, t.predicate, t.object) for t in dict.fromkeys(found)]


def _node(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)
