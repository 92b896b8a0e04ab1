"""The SPARQL 1.1 Service Description, answered to a GET of /sparql without a query: the
endpoint (the URL the client reached, so that following it works on whatever host serves the
data), the languages, features and formats, the limits in words, and the default dataset with
each named graph and its size."""

from __future__ import annotations

import pyoxigraph as ox
from flask import Response, request

from ...vocabulary import formats
from ...config import Settings
from ...vocabulary.namespaces import RDF, RDFS, SD, VOID
from ...store import Manifest
from ..http import etag


def description(manifest: Manifest, settings: Settings, fmt: formats.Format) -> Response:
    body = ox.serialize(_triples(manifest, settings, request.base_url), format=fmt.rdf,
                        prefixes={"sd": str(SD), "void": str(VOID), "rdfs": str(RDFS)})
    response = Response(body, content_type=fmt.content_type)
    response.set_etag(etag(manifest.version, "service description", request.base_url, fmt.ext))
    return response


def _triples(manifest: Manifest, settings: Settings, endpoint: str) -> list[ox.Triple]:
    base = manifest.base_uri
    service = ox.NamedNode(base + "sparql#service")
    dataset = ox.NamedNode(base + "sparql#dataset")
    default = ox.NamedNode(base + "sparql#default-graph")
    a, triples = _iri(RDF.type), _iri(VOID.triples)
    statements = [
        (service, a, _iri(SD.Service)),
        (service, _iri(SD.endpoint), ox.NamedNode(endpoint)),
        (service, _iri(SD.supportedLanguage), _iri(SD.SPARQL11Query)),
        (service, _iri(SD.feature), _iri(SD.UnionDefaultGraph)),
        *((service, _iri(SD.resultFormat), ox.NamedNode(f.w3c))
          for f in formats.RESULTS + formats.GRAPHS),
        *((service, _iri(RDFS.comment), comment) for comment in _limits(settings)),
        (service, _iri(SD.defaultDataset), dataset),
        (dataset, a, _iri(SD.Dataset)),
        (dataset, _iri(SD.defaultGraph), default),
        (default, a, _iri(SD.Graph)),
        (default, triples, ox.Literal(manifest.triples)),
    ]
    for name, count in manifest.graphs.items():
        named, graph = ox.BlankNode(), ox.BlankNode()
        statements += [(dataset, _iri(SD.namedGraph), named), (named, a, _iri(SD.NamedGraph)),
                       (named, _iri(SD.name), ox.NamedNode(name)), (named, _iri(SD.graph), graph),
                       (graph, a, _iri(SD.Graph)), (graph, triples, ox.Literal(count))]
    return [ox.Triple(*t) for t in statements]


def _iri(term) -> ox.NamedNode:
    return ox.NamedNode(str(term))


def _limits(s: Settings) -> list[ox.Literal]:
    services = ", ".join(s.service_allowlist)
    english = (f"Read-only SPARQL 1.1 query endpoint; the default graph is the union of the "
               f"named graphs. Limits: {s.query_timeout:g} s per query, "
               f"{s.max_query_length:,} characters, {s.max_query_terms:,} terms, "
               f"{s.max_query_operators:,} operators and {s.max_query_patterns:,} graph "
               f"patterns per query, {s.max_body_bytes:,} bytes per "
               f"request body, {s.max_result_bytes:,} bytes per answer (use LIMIT and OFFSET, "
               f"or the dumps). SPARQL Update is refused; SERVICE is "
               + (f"allowed only to: {services}." if services else "not allowed."))
    french = (f"Point d'accès SPARQL 1.1 en lecture seule ; le graphe par défaut est l'union des "
              f"graphes nommés. Limites : {s.query_timeout:g} s par requête, "
              f"{s.max_query_length:,} caractères, {s.max_query_terms:,} termes, "
              f"{s.max_query_operators:,} opérateurs et {s.max_query_patterns:,} motifs de "
              f"graphe par requête, {s.max_body_bytes:,} octets par corps de requête, "
              f"{s.max_result_bytes:,} octets par réponse (utiliser LIMIT et OFFSET, ou les "
              f"dumps). SPARQL Update est refusé ; SERVICE n'est "
              + (f"autorisé que vers : {services}." if services else "pas autorisé."))
    return [ox.Literal(english, language="en"), ox.Literal(french, language="fr")]
