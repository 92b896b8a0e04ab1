"""Dereferenceable URIs. A request for path P is about `BASE_URI + P`, whatever host it came on:

    /id/…       a thing → 303 See Other to /doc/… (its document)
    /doc/…      the document about /id/…, negotiated, or named by an extension (.ttl .nt .jsonld
                .rdf .nq .trig .html)
    /def/…      the ontology (`/def/territoires`: the whole ontology graph) and its concepts
    /graph/…    the named graphs' descriptions
    /shapes/…   the SHACL shapes (read from `shapes_dir`)

The last three are documents themselves (hash or slash vocabularies), negotiated in place.
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, redirect, render_template

from ..namespaces import FOAF, RDFS
from ..validate import load_shapes
from . import documentation, error_response
from .document_labels import TermLabels, ontology_labels
from .document_view import ViewBuilder
from .documents import describe, incoming_query, reproducing_query
from .documents_served import Described, PerVersion, hosts, serve, territoires
from .published import Build
from .rendering import FORMATS, HostMap, split_extension
from .response_cache import keep

bp = Blueprint("linkeddata", __name__)

ONTOLOGY = "def/territoires"
SHAPES = "shapes/territoires"


def _node(iri: str) -> ox.NamedNode | None:
    """The IRI as a term, or None if the path does not make a valid IRI (it then names nothing,
    and can never be spliced into a query)."""
    try:
        return ox.NamedNode(iri)
    except ValueError:
        return None


def _exists(build: Build, node: ox.NamedNode) -> bool:
    store = build.store
    return any(True for _ in store.quads_for_pattern(node, None, None, None)) or \
        any(True for _ in store.quads_for_pattern(None, None, node, None))


@bp.route("/id/<path:rest>", methods=["GET", "HEAD"])
def thing(rest: str):
    node = _node(territoires().settings.base_uri + "id/" + rest)
    keep()
    if node is None or not _exists(territoires().published.current(), node):
        return error_response(404, f"Ressource inconnue / unknown resource: {rest}")
    location = f"{hosts().root}doc/{rest}"
    response = redirect(location, code=303)
    response.headers["Link"] = f'<{location}>; rel="describedby"'
    return response


@bp.route("/doc/<path:rest>", methods=["GET", "HEAD"])
def document(rest: str):
    stem, fmt = split_extension(rest)
    iri = territoires().settings.base_uri + "id/" + stem
    return _serve_resource(iri, f"doc/{stem}", fmt, thing_path=f"id/{stem}")


@bp.route("/def/<path:rest>", methods=["GET", "HEAD"])
def definition(rest: str):
    stem, fmt = split_extension(rest)
    path = f"def/{stem}"
    iri = territoires().settings.base_uri + path
    if path == ONTOLOGY:
        return serve(iri, path, fmt, _describe_ontology)
    return _serve_resource(iri, path, fmt)


@bp.route("/graph/<path:rest>", methods=["GET", "HEAD"])
def graph(rest: str):
    stem, fmt = split_extension(rest)
    path = f"graph/{stem}"
    return _serve_resource(territoires().settings.base_uri + path, path, fmt)


@bp.route("/shapes/<path:rest>", methods=["GET", "HEAD"])
def shapes(rest: str):
    stem, fmt = split_extension(rest)
    path = f"shapes/{stem}"
    iri = territoires().settings.base_uri + path
    return serve(iri, path, fmt, _describe_shapes if path == SHAPES else _nothing)


def _nothing(build: Build, host: HostMap) -> None:
    return None


# --- resources --------------------------------------------------------------------------------

def _serve_resource(iri: str, document_path: str, fmt, thing_path: str | None = None):
    node = _node(iri)
    if node is None:
        return serve(iri, document_path, fmt, _nothing)

    def describer(build: Build, host: HostMap) -> Described | None:
        document = describe(build.store, node.value)
        if not document.exists:
            return None
        meta = _document_triples(host.base + document_path, iri, thing_path is not None,
                                 document.more_incoming)
        terms = _term_labels.get(build)

        def html(host: HostMap) -> str:
            view = ViewBuilder(document, terms, host).build()
            return render_template(
                "resource.html", view=view, hosts=host, document_path=document_path,
                formats=FORMATS.values(), more_incoming=document.more_incoming,
                incoming_query=incoming_query(iri), reproducing_query=reproducing_query(iri),
                version=build.version)

        return Described(document.quads + meta, html)

    return serve(iri, document_path, fmt, describer, thing_path)


def _document_triples(document: str, iri: str, separate: bool, truncated: bool) -> list[ox.Quad]:
    """What the document says about itself: its topic, and where the incoming links it left
    out can be listed (a SPARQL query URL on the canonical base)."""
    quads = []
    if separate:
        quads.append(ox.Quad(ox.NamedNode(document), ox.NamedNode(str(FOAF.primaryTopic)),
                             ox.NamedNode(iri)))
    if truncated:
        base = territoires().settings.base_uri
        quads.append(ox.Quad(ox.NamedNode(document), ox.NamedNode(str(RDFS.seeAlso)),
                             ox.NamedNode(HostMap(base, base).sparql(incoming_query(iri)))))
    return quads


_term_labels = PerVersion(lambda build: TermLabels(
    ontology_labels(build.store, territoires().vocab.graph("ontologie"))))


# --- ontology and shapes ----------------------------------------------------------------------

def _describe_ontology(build: Build, host: HostMap) -> Described:
    graph = ox.NamedNode(territoires().vocab.graph("ontologie"))
    quads = sorted(build.store.quads_for_pattern(None, None, None, graph),
                   key=lambda q: tuple(str(t) for t in q))
    terms = _term_labels.get(build)

    def html(host: HostMap) -> str:
        view = documentation.ontology(quads, host.base + ONTOLOGY, terms, host)
        return render_template("ontology.html", doc=view, hosts=host, document_path=ONTOLOGY,
                               formats=FORMATS.values())

    return Described(quads, html)


def _load_shapes(_build: Build) -> list[ox.Quad]:
    settings = territoires().settings
    graph = load_shapes(settings.shapes_dir, settings.base_uri)
    return list(ox.parse(graph.serialize(format="nt", encoding="utf-8"),
                         format=ox.RdfFormat.N_TRIPLES))


_shape_quads = PerVersion(_load_shapes)


def _describe_shapes(build: Build, host: HostMap) -> Described:
    triples = _shape_quads.get(build)
    quads = [ox.Quad(t.subject, t.predicate, t.object) for t in triples]

    def html(host: HostMap) -> str:
        view = documentation.shapes(triples, host.base + SHAPES, _term_labels.get(build), host)
        return render_template("shapes.html", doc=view, hosts=host, document_path=SHAPES,
                               formats=FORMATS.values())

    return Described(quads, html)
