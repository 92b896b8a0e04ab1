"""What a resource's document holds, read from the store with three selective queries
(territoires/queries/documents/), or, on the embedded store, with the same reads made as the
engine's triple patterns (`read_by_patterns`: no query to parse and plan, 2.5 times faster, the
crawler's path):

1. `own`: its triples and those of its fragment sub-resources (`IRI#…`: memberships, intervals,
   instants), each with its named graph;
2. `incoming`: its first `INCOMING_LIMIT` links from outside (a région has thousands), the rest
   being one SPARQL query away;
3. `neighbours`: the names and types of every resource it links to or is linked from.

Every read is bound by the resource's IRI, so the cost does not grow with the store. Both ways
give the same document (tests/test_store.py compares them on every resource of a build). This
module stays free of rdflib: query executors import the store package.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from .. import queries

INCOMING_LIMIT = 50   # the `incoming` query asks for one more, to tell whether some were left out
FRAGMENT_DEPTH = 3     # the model keeps fragments within three links of their owner (own.rq)
# Written out: vocabulary/namespaces.py needs rdflib, which executors must not load.
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
NAMING = [ox.NamedNode(RDF_TYPE)] + [ox.NamedNode(iri) for iri in (   # as neighbours.rq
    "http://www.w3.org/2004/02/skos/core#prefLabel", "http://www.w3.org/2000/01/rdf-schema#label",
    "http://xmlns.com/foaf/0.1/name", "http://purl.org/dc/terms/title")]


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
    rows = store.select(queries.get("documents/incoming"), resource=resource)
    incoming = [ox.Quad(r["s"], r["p"], resource, r["g"]) for r in rows]
    return _document(iri, own, incoming, lambda linked: _neighbours(store, linked))


def _document(iri: str, own: list[ox.Quad], incoming: list[ox.Quad], neighbours) -> Document:
    parts = {q.subject.value for q in own}
    incoming = [q for q in incoming if q.subject.value not in parts]
    more = len(incoming) > INCOMING_LIMIT
    incoming = sorted(incoming[:INCOMING_LIMIT], key=_order)
    linked = {q.object for q in own if isinstance(q.object, ox.NamedNode)
              and q.predicate.value != RDF_TYPE and q.object.value not in parts}
    linked |= {q.subject for q in incoming if q.subject.value not in parts}
    return Document(iri, own, incoming, sorted(neighbours(linked), key=_order) if linked else [],
                    more)


def _neighbours(store, linked: set[ox.NamedNode]) -> list[ox.Quad]:
    rows = store.select(queries.get("documents/neighbours"), s=sorted(linked, key=str))
    return [ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows]


def named_quads(engine: ox.Store, subject=None, predicate=None, obj=None) -> list[ox.Quad]:
    """A triple pattern over the named graphs (the default graph, when it holds their union,
    would repeat them)."""
    return [q for q in engine.quads_for_pattern(subject, predicate, obj)
            if not isinstance(q.graph_name, ox.DefaultGraph)]


class Names:
    """The names and types of resources (neighbours.rq, as triple patterns), each read once per
    build: documents link to the same départements, régions and EPCI over and over."""

    def __init__(self, engine: ox.Store, size: int = 20_000):
        self.engine, self.size = engine, size
        self.known: dict[ox.NamedNode, list[ox.Quad]] = {}

    def __call__(self, node: ox.NamedNode) -> list[ox.Quad]:
        quads = self.known.get(node)
        if quads is None:
            if len(self.known) >= self.size:
                self.known = {}   # the build is read-only: forgetting costs only a read
            quads = [quad for predicate in NAMING
                     for quad in named_quads(self.engine, node, predicate)]
            self.known[node] = quads
        return quads


def read_by_patterns(engine: ox.Store, iri: str, names: Names | None = None) -> Document:
    """`describe`, read from an Oxigraph store as triple patterns over its named graphs;
    `names` keeps the neighbours' names from one document to the next."""
    resource = ox.NamedNode(iri)
    fragment = iri + "#"
    names = names or Names(engine)

    def named(subject=None, predicate=None, obj=None) -> list[ox.Quad]:
        return named_quads(engine, subject, predicate, obj)

    def is_fragment(term) -> bool:
        return isinstance(term, ox.NamedNode) and term.value.startswith(fragment)

    # As own.rq: fragments reached from the resource within FRAGMENT_DEPTH links, and those
    # pointing at it with what they point at. As incoming.rq: the first links from outside
    # (a blank node's STR() is an error there, so blank nodes are left out here too).
    incoming, pointing = [], []
    for quad in engine.quads_for_pattern(None, None, resource):
        if isinstance(quad.graph_name, ox.DefaultGraph):
            continue
        if is_fragment(quad.subject):
            pointing.append(quad.subject)
        elif isinstance(quad.subject, ox.NamedNode) and len(incoming) <= INCOMING_LIMIT:
            incoming.append(quad)
    own = _fragments(named, is_fragment, resource, pointing)
    return _document(iri, sorted(own, key=_order), incoming,
                     lambda linked: [quad for node in linked for quad in names(node)])


def _fragments(named, is_fragment, resource, pointing) -> set[ox.Quad]:
    """The triples of `resource` and of its fragments, level by level: a fragment counts at the
    first depth it is reached at, and is followed further while within FRAGMENT_DEPTH. Those
    pointing at the resource count as one link from it, like those it links to: W3C ORG links
    an organisation's memberships to it (org:organization), never the other way."""
    own, depth, levels = set(), {resource: 0}, {0: [resource]}
    for level in range(FRAGMENT_DEPTH + 1):
        if level == 1:
            for node in pointing:
                if node not in depth:
                    depth[node] = level
                    levels.setdefault(level, []).append(node)
        for node in levels.get(level, ()):
            quads = named(node)
            own.update(quads)
            for quad in quads if level < FRAGMENT_DEPTH else ():
                if is_fragment(quad.object) and quad.object not in depth:
                    depth[quad.object] = level + 1
                    levels.setdefault(level + 1, []).append(quad.object)
    return own


def _order(quad: ox.Quad) -> tuple:
    """A stable order, so the same data always renders to the same bytes (and ETag)."""
    return (str(quad.subject), str(quad.predicate), str(quad.object), str(quad.graph_name))
