"""What the dataset says of itself, in French and English (its title and description), and the
rdflib graph the VoID and DCAT descriptions are written into."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Graph

from ...vocabulary.namespaces import SD, SKOS, Vocabulary

TITLE = {"fr": "Territoires d'industrie : graphe de connaissances",
         "en": "Territoires d'industrie (industry territories): knowledge graph"}
DESCRIPTION = {
    "fr": "Le programme national Territoires d'industrie en données liées (RDF) : ses phases, "
          "les territoires labellisés, les intercommunalités (EPCI) et communes qu'ils couvrent, "
          "leur gouvernance et leur financement, avec le Code officiel géographique complet "
          "(toutes les communes et EPCI de France) ; chaque fait renvoie à sa source.",
    "en": "France's national Territoires d'industrie programme as linked data (RDF): its phases, "
          "the labelled territories, the intercommunalities (EPCI) and communes they cover, their "
          "governance and funding, with the complete official geographic code (every commune and "
          "EPCI of France); every fact points to its source.",
}


def metadata_graph(base: str) -> Graph:
    """An empty graph with the project's prefixes bound."""
    g = Graph()
    for prefix, namespace in Vocabulary(base).prefixes().items():
        g.bind(prefix, namespace)
    g.bind("sd", SD)
    g.bind("skos", SKOS)
    return g


def to_quads(graph: Graph) -> list[ox.Quad]:
    """The graph's triples as sorted quads of the default graph (stable bytes, stable ETags),
    French first: of a property's texts, the French one is written first, for the readers that
    take the first they read (data.gouv.fr's harvester took the English title)."""
    triples = ox.parse(graph.serialize(format="nt", encoding="utf-8"),
                       format=ox.RdfFormat.N_TRIPLES)
    return sorted((ox.Quad(t.subject, t.predicate, t.object) for t in triples), key=_order)


def _order(quad: ox.Quad) -> tuple:
    term = quad.object
    french = isinstance(term, ox.Literal) and (term.language or "").startswith("fr")
    return str(quad.subject), str(quad.predicate), not french, str(term)
