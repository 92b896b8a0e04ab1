"""What the document of a resource holds, read from the store with three selective queries:

1. its own triples and those of its fragment sub-resources (`IRI#…`: memberships, intervals,
   instants; the model keeps them within three links of their owner), each with its named graph;
2. its incoming links, at most `INCOMING_LIMIT` (a région has thousands), the rest being one
   SPARQL query away;
3. the labels and types of every resource it links to or is linked from.

Every query is bound by the resource's IRI, so the cost does not grow with the store.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from ..namespaces import DCTERMS, FOAF, RDF, RDFS, SKOS

INCOMING_LIMIT = 50

# Predicates that name or type a neighbour: enough for a reader (or a client) to show a link.
NAMING = (SKOS.prefLabel, RDFS.label, FOAF.name, DCTERMS.title)
_NEIGHBOUR_PREDICATES = ", ".join(f"<{p}>" for p in (RDF.type, *NAMING))


@dataclass(frozen=True)
class Document:
    iri: str
    own: list[ox.Quad]         # the resource's and its fragments' triples
    incoming: list[ox.Quad]    # links to the resource, at most INCOMING_LIMIT
    neighbours: list[ox.Quad]  # labels and types of linked resources
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


def _literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _parts_pattern(iri: str) -> str:
    """A graph pattern binding ?s to the resource and to each of its fragment sub-resources
    within three links of it (outgoing, or incoming for terms that point at their ontology)."""
    prefix = _literal(iri + "#")
    fragment = lambda var: f"isIRI({var}) && STRSTARTS(STR({var}), {prefix})"  # noqa: E731
    return f"""{{ BIND(<{iri}> AS ?s) }}
  UNION {{ <{iri}> ?p1 ?s . FILTER({fragment('?s')}) }}
  UNION {{ <{iri}> ?p1 ?f1 . FILTER({fragment('?f1')}) ?f1 ?p2 ?s . FILTER({fragment('?s')}) }}
  UNION {{ <{iri}> ?p1 ?f1 . FILTER({fragment('?f1')}) ?f1 ?p2 ?f2 . FILTER({fragment('?f2')})
           ?f2 ?p3 ?s . FILTER({fragment('?s')}) }}
  UNION {{ ?s ?p1 <{iri}> . FILTER({fragment('?s')}) }}
  UNION {{ ?f1 ?p1 <{iri}> . FILTER({fragment('?f1')}) ?f1 ?p2 ?s . FILTER({fragment('?s')}) }}"""


def reproducing_query(iri: str) -> str:
    """A CONSTRUCT that a reader can run on /sparql to get what the document describes: the
    resource, its fragments and every incoming link (not only the first ones)."""
    return f"""CONSTRUCT {{ ?s ?p ?o . ?in ?link <{iri}> }}
WHERE {{
  {{ {{ {_parts_pattern(iri)} }}
    ?s ?p ?o }}
  UNION {{ ?in ?link <{iri}> }}
}}"""


def incoming_query(iri: str) -> str:
    """Every link to the resource, with the graph it comes from."""
    return f"""SELECT ?source ?link ?graph
WHERE {{ GRAPH ?graph {{ ?source ?link <{iri}> }} }}
ORDER BY ?link ?source"""


def describe(store: ox.Store, iri: str) -> Document:
    own = _own(store, iri)
    parts = {q.subject.value for q in own}
    incoming, more = _incoming(store, iri, parts)
    linked = {q.object for q in own if isinstance(q.object, ox.NamedNode)
              and q.predicate.value != str(RDF.type) and q.object.value not in parts}
    linked |= {q.subject for q in incoming if q.subject.value not in parts}
    return Document(iri, own, incoming, _neighbours(store, linked), more)


def _own(store: ox.Store, iri: str) -> list[ox.Quad]:
    rows = store.query(f"SELECT DISTINCT ?s ?p ?o ?g WHERE {{ {{ {_parts_pattern(iri)} }} "
                       f"GRAPH ?g {{ ?s ?p ?o }} }}", use_default_graph_as_union=True)
    return sorted((ox.Quad(*row) for row in rows), key=_order)


def _incoming(store: ox.Store, iri: str, parts: set[str]) -> tuple[list[ox.Quad], bool]:
    """Links from outside the resource (its fragments' links are already its own triples)."""
    rows = store.query(
        f"SELECT ?s ?p ?g WHERE {{ GRAPH ?g {{ ?s ?p <{iri}> }} "
        f"FILTER(!STRSTARTS(STR(?s), {_literal(iri + '#')})) }} LIMIT {INCOMING_LIMIT + 1}",
        use_default_graph_as_union=True)
    target = ox.NamedNode(iri)
    quads = [ox.Quad(s, p, target, g) for s, p, g in rows if s.value not in parts]
    return sorted(quads[:INCOMING_LIMIT], key=_order), len(quads) > INCOMING_LIMIT


def _neighbours(store: ox.Store, linked: set[ox.NamedNode]) -> list[ox.Quad]:
    if not linked:
        return []
    values = " ".join(str(node) for node in linked)
    # A FILTER, not a second VALUES: Oxigraph would join two VALUES blocks through a scan.
    rows = store.query(f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?s {{ {values} }} "
                       f"GRAPH ?g {{ ?s ?p ?o }} FILTER(?p IN ({_NEIGHBOUR_PREDICATES})) }}",
                       use_default_graph_as_union=True)
    return sorted((ox.Quad(*row) for row in rows), key=_order)


def _order(quad: ox.Quad) -> tuple:
    """A stable order, so the same data always renders to the same bytes (and ETag)."""
    return tuple(str(term) for term in quad)
