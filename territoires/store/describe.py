"""What a resource's document holds, read from the store with three selective queries
(territoires/queries/documents/):

1. `own`: its triples and those of its fragment sub-resources (`IRI#…`: memberships, intervals,
   instants), each with its named graph;
2. `incoming`: its first `INCOMING_LIMIT` links from outside (a région has thousands), the rest
   being one SPARQL query away;
3. `neighbours`: the names and types of every resource it links to or is linked from.

Every query is bound by the resource's IRI, so the cost does not grow with the store. This
module stays free of rdflib: query executors import the store package.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from .. import queries

INCOMING_LIMIT = 50   # the `incoming` query asks for one more, to tell whether some were left out
# rdf:type, written out: namespaces.py needs rdflib, which executors must not load.
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@dataclass(frozen=True)
class Document:
    iri: str
    own: list[ox.Quad]         # the resource's and its fragments' triples
    incoming: list[ox.Quad]    # links to the resource, at most INCOMING_LIMIT
    neighbours: list[ox.Quad]  # names and types of linked resources
    more_incoming: bool        # whether incoming links were left out

    @property
    def exists(self) -> bool:
        return bool(self.own or self.incoming)

    @property
    def quads(self) -> list[ox.Quad]:
        return list(dict.fromkeys(self.own + self.incoming + self.neighbours))

    def is_part(self, iri: str) -> bool:
        """Whether `iri` is the resource or one of its fragment sub-resources."""
        return iri == self.iri or iri.startswith(self.iri + "#")


def describe(store, iri: str) -> Document:
    """The document of `iri` in `store` (any `Store`)."""
    resource = ox.NamedNode(iri)
    own = sorted((ox.Quad(r["s"], r["p"], r["o"], r["g"])
                  for r in store.select(queries.get("documents/own"), resource=resource)),
                 key=_order)
    parts = {q.subject.value for q in own}
    rows = store.select(queries.get("documents/incoming"), resource=resource)
    incoming = [ox.Quad(r["s"], r["p"], resource, r["g"]) for r in rows
                if r["s"].value not in parts]
    more = len(incoming) > INCOMING_LIMIT
    incoming = sorted(incoming[:INCOMING_LIMIT], key=_order)
    linked = {q.object for q in own if isinstance(q.object, ox.NamedNode)
              and q.predicate.value != RDF_TYPE and q.object.value not in parts}
    linked |= {q.subject for q in incoming if q.subject.value not in parts}
    return Document(iri, own, incoming, _neighbours(store, linked), more)


def _neighbours(store, linked: set[ox.NamedNode]) -> list[ox.Quad]:
    if not linked:
        return []
    rows = store.select(queries.get("documents/neighbours"), s=sorted(linked, key=str))
    return sorted((ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows), key=_order)


def _order(quad: ox.Quad) -> tuple:
    """A stable order, so the same data always renders to the same bytes (and ETag)."""
    return tuple(str(term) for term in quad)
